"""Named permission predicates for the jury; checked by name in views
(``user.has_perm("jury.chair", award)``) and templates (``{% has_perm "jury.chair" user award
as is_chair %}``).

The seat (``Juror``, active) is the one store of who judges: there is no award role for it.
A juror's own pages find the seat through ``jury.access.juror_get_for`` (no seat: 404), and
which entries a juror may see is decided there too (assignment or finalist, and no blocking
conflict via ``jury.conflicts``); these predicates answer who may see the jury's results.
"""

import rules

from awards.enums import ScoreVisibility
from awards.rules import can_manage_award

from .enums import JuryRole, ReviewStatus


def _seats(user) -> dict[int, str]:
    """Award id → role of the user's active seats; read once per request."""
    cache = getattr(user, "_juror_seats_cache", None)
    if cache is None:
        cache = dict(user.juror_seats.filter(is_active=True).values_list("award_id", "role"))
        user._juror_seats_cache = cache
    return cache


@rules.predicate
def is_jury_chair(user, award) -> bool:
    """Has the active chair seat of ``award``'s jury."""
    return (
        user.is_authenticated and award is not None and _seats(user).get(award.pk) == JuryRole.CHAIR
    )


def may_see_other_reviews(award, own_review) -> bool:
    """Whether a juror sees the other jurors' submitted reviews of an entry they review:
    always, never, or once their own review (``own_review``, None before they start) is
    submitted, as the award says."""
    visibility = award.score_visibility
    if visibility == ScoreVisibility.ALWAYS:
        return True
    submitted = own_review is not None and own_review.status == ReviewStatus.SUBMITTED
    return visibility == ScoreVisibility.AFTER_OWN and submitted


rules.add_perm("jury.manage", can_manage_award)
rules.add_perm("jury.chair", is_jury_chair | can_manage_award)
