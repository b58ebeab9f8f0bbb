"""Named permission predicates for awards, used by views, templates and the admin alike.

Checked by name: ``user.has_perm("awards.manage_award", award)`` in Python,
``{% has_perm "awards.manage_award" user award as can_manage %}`` in templates.
"""

import rules

from .enums import PUBLIC_STATUSES, AwardRoleKind


def _has_role(user, award, *roles: str) -> bool:
    if not user.is_authenticated or award is None:
        return False
    # A page that asks many times in one request asks the database once.
    cache = getattr(user, "_award_roles_cache", None)
    if cache is None:
        cache = {}
        for award_id, role in user.award_roles.values_list("award_id", "role"):
            cache.setdefault(award_id, set()).add(role)
        user._award_roles_cache = cache
    return bool(cache.get(award.pk, set()) & set(roles))


@rules.predicate
def is_verified(user) -> bool:
    return user.is_authenticated and user.email_verified_at is not None


@rules.predicate
def is_superuser(user) -> bool:
    return user.is_authenticated and user.is_superuser


@rules.predicate
def is_organiser(user, award) -> bool:
    return _has_role(user, award, AwardRoleKind.ORGANISER)


@rules.predicate
def is_public_award(user, award) -> bool:
    return award is not None and award.status in PUBLIC_STATUSES


can_manage_award = is_superuser | (is_verified & is_organiser)

rules.add_perm("awards.view_award", is_public_award | can_manage_award)
rules.add_perm("awards.manage_award", can_manage_award)
rules.add_perm("awards.change_award_status", can_manage_award)
rules.add_perm("awards.apply", is_verified)
