"""Named predicates for organisations and entries."""

import rules

from awards.rules import can_manage_award, is_verified

from .enums import MembershipRole


def _roles(user) -> dict[int, str]:
    cache = getattr(user, "_organisation_roles_cache", None)
    if cache is None:
        cache = dict(user.memberships.values_list("organisation_id", "role"))
        user._organisation_roles_cache = cache
    return cache


@rules.predicate
def is_member(user, organisation) -> bool:
    return user.is_authenticated and organisation is not None and organisation.pk in _roles(user)


@rules.predicate
def is_owner(user, organisation) -> bool:
    return (
        user.is_authenticated
        and organisation is not None
        and _roles(user).get(organisation.pk) == MembershipRole.OWNER
    )


@rules.predicate
def is_submission_member(user, submission) -> bool:
    return user.is_authenticated and submission.organisation_id in _roles(user)


@rules.predicate
def is_submission_organiser(user, submission) -> bool:
    return can_manage_award(user, submission.award)


rules.add_perm("submissions.view_organisation", is_verified & is_member)
rules.add_perm("submissions.change_organisation", is_verified & is_owner)
rules.add_perm("submissions.edit_submission", is_verified & is_submission_member)
rules.add_perm(
    "submissions.view_submission",
    (is_verified & is_submission_member) | is_submission_organiser,
)
rules.add_perm("submissions.judge_eligibility", is_submission_organiser)
