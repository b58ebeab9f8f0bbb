"""Who an announcement goes to. Apps that know an audience register it here, so that this
app depends on none of them (``submissions`` registers the applicants)."""

from collections.abc import Callable

from django.db.models import QuerySet

from accounts.models import User
from awards.enums import AwardRoleKind

from .enums import Audience
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


def _jurors(bulk: BulkSend) -> QuerySet[User]:
    return User.objects.filter(
        award_roles__award=bulk.award,
        award_roles__role__in=[AwardRoleKind.JUROR, AwardRoleKind.JURY_CHAIR],
    )


audience_register(Audience.JURORS, _jurors)
