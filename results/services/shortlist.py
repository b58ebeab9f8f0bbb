"""The shortlist: entries carried from a closed round into the next one, by the ranking
or picked by hand."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from awards.enums import RoundStatus
from awards.models import Round
from awards.services import audit_log
from jury.models import Assignment, RoundEntry
from jury.services import RoundError

from ..selectors.rankings import shortlist_proposal


def _locked(round: Round) -> Round:
    return Round.objects.select_for_update().select_related("award").get(pk=round.pk)


@transaction.atomic
def shortlist_take(
    *,
    round: Round,
    actor: User | None,
    size: int | None = None,
    submission_ids: Iterable[int] | None = None,
) -> Round:
    """Carry entries of the closed ``round`` into the next round: the top ``size`` per
    category, or the entries picked by hand. Replaces the next round's entries while it is
    still planned (and drops its assignments of entries no longer chosen). Returns the next
    round. Side effect: audit entry ``round.shortlist_taken``."""
    round = _locked(round)
    if round.status != RoundStatus.CLOSED:
        raise RoundError(_("Close the round before taking its shortlist."))
    following = (
        Round.objects.select_for_update()
        .filter(award=round.award, number__gt=round.number)
        .order_by("number")
        .first()
    )
    if following is None:
        raise RoundError(_("There is no later round; add a final round first."))
    if following.status != RoundStatus.PLANNED:
        raise RoundError(_("The next round has started; its entries can no longer change."))
    in_round = set(RoundEntry.objects.filter(round=round).values_list("submission_id", flat=True))
    if submission_ids is not None:
        chosen = sorted(set(submission_ids))
        if not chosen:
            raise RoundError(_("Pick at least one entry."))
        if not set(chosen) <= in_round:
            raise RoundError(_("Only entries of this round can go on to the next."))
    else:
        size = size or round.shortlist_size
        if not size or size < 1:
            raise RoundError(_("Say how many entries per category go on."))
        chosen = sorted(
            submission_id
            for rows in shortlist_proposal(round, size).values()
            for submission_id, _mean, _n in rows
        )
        if not chosen:
            raise RoundError(_("No entry has a submitted review yet."))
    RoundEntry.objects.filter(round=following).delete()
    RoundEntry.objects.bulk_create([RoundEntry(round=following, submission_id=s) for s in chosen])
    # Assignments made ahead in the planned round for entries that are no longer on the
    # shortlist would show jurors a non-finalist; none can have a review (never opened).
    Assignment.objects.filter(round=following).exclude(submission_id__in=chosen).delete()
    audit_log(
        award=round.award,
        actor=actor,
        action="round.shortlist_taken",
        target=following,
        data={"from_round": round.number, "size": size, "submissions": chosen},
    )
    return following
