"""Named permission predicates for the jury.

Who may see an entry as a juror is decided by ``jury.access`` (assignment or finalist, and no
blocking conflict via ``jury.conflicts``); these predicates answer the coarser questions.
"""

import rules

from awards.rules import can_manage_award


def _seats(user) -> dict[int, str]:
    cache = getattr(user, "_juror_seats_cache", None)
    if cache is None:
        cache = dict(user.juror_seats.filter(is_active=True).values_list("award_id", "role"))
        user._juror_seats_cache = cache
    return cache


@rules.predicate
def is_active_juror(user, award) -> bool:
    return user.is_authenticated and award is not None and award.pk in _seats(user)


@rules.predicate
def is_chair(user, award) -> bool:
    return (
        user.is_authenticated and award is not None and _seats(user).get(award.pk) == "jury_chair"
    )


rules.add_perm("jury.serve", is_active_juror)
rules.add_perm("jury.manage", can_manage_award)
rules.add_perm("jury.chair", is_chair | can_manage_award)
