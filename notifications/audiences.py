"""Who an announcement goes to. Apps that know an audience register it here, so that this
app depends on none of them (``submissions`` registers the applicants, ``jury`` the
jurors)."""

from collections.abc import Callable

from django.db.models import QuerySet

from accounts.models import User

from .models import BulkSend

Resolver = Callable[[BulkSend], QuerySet[User]]
_RESOLVERS: dict[str, Resolver] = {}


def audience_register(audience: str, resolver: Resolver) -> None:
    _RESOLVERS[audience] = resolver


def audience_users(bulk: BulkSend) -> QuerySet[User]:
    """The users of ``bulk``'s audience (not the custom list), ordered by id, distinct."""
    resolver = _RESOLVERS.get(bulk.audience)
    if resolver is None:
        return User.objects.none()
    return resolver(bulk).filter(is_active=True).distinct().order_by("pk")
