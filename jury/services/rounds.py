"""Rounds: opening, closing, and the shortlist that carries entries into the next round."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from awards.enums import AwardStatus, RoundKind, RoundMethod, RoundStatus
from awards.models import Round
from awards.services import audit_log
from submissions.enums import SubmissionStatus
from submissions.models import Submission

from ..enums import ReviewStatus
from ..models import Assignment, Decision, Review, RoundEntry


class RoundError(ValidationError):
    pass


def _locked(round: Round) -> Round:
    return Round.objects.select_for_update().select_related("award").get(pk=round.pk)


@transaction.atomic
def round_open(*, round: Round, actor: User | None) -> Round:
    """Open ``round`` for the jury. The award must be judging, no other round open, and every
    earlier round closed. The first round takes every eligible entry; a later round needs its
    shortlist first. Reopening a closed round is possible while no later round has started.
    Side effects: audit entry ``round.opened``; in a final round that scores, the
    assignments (every non-conflicted juror of the category on every finalist)."""
    round = _locked(round)
    award = round.award
    if award.status != AwardStatus.JUDGING:
        raise RoundError(
            _("Rounds can be opened while the award is in “%(status)s”.")
            % {"status": AwardStatus.JUDGING.label}
        )
    if round.status == RoundStatus.OPEN:
        raise RoundError(_("This round is open already."))
    others = list(award.rounds.exclude(pk=round.pk))
    if any(r.status == RoundStatus.OPEN for r in others):
        raise RoundError(_("Another round is open; close it first."))
    if any(r.number < round.number and r.status != RoundStatus.CLOSED for r in others):
        raise RoundError(_("Close the earlier rounds first."))
    if any(r.number > round.number and r.status != RoundStatus.PLANNED for r in others):
        raise RoundError(_("A later round has started; this round cannot be reopened."))
    if Decision.objects.filter(snapshot__round=round).exists():
        raise RoundError(
            _("Decisions have been taken on this round; reopen them before the round.")
        )
    entries = RoundEntry.objects.filter(round=round)
    if not entries.exists():
        if any(r.number < round.number for r in others):
            raise RoundError(_("Take the shortlist from the previous round first."))
        eligible = Submission.objects.filter(award=award, status=SubmissionStatus.ELIGIBLE)
        RoundEntry.objects.bulk_create(
            [RoundEntry(round=round, submission=s) for s in eligible.order_by("pk")]
        )
    if not entries.exists():
        raise RoundError(
            _("No entry has been found eligible yet; check the entries' eligibility first.")
        )
    was = round.status
    round.status = RoundStatus.OPEN
    round.opened_at = round.opened_at or timezone.now()
    round.closed_at = None
    round.save(update_fields=["status", "opened_at", "closed_at"])
    audit_log(
        award=award,
        actor=actor,
        action="round.opened" if was == RoundStatus.PLANNED else "round.reopened",
        target=round,
        data={"number": round.number, "entries": entries.count()},
    )
    if (
        was == RoundStatus.PLANNED
        and round.kind == RoundKind.FINAL
        and (round.method == RoundMethod.SCORES)
    ):
        # In a final round that scores, every juror of a category who is not in conflict
        # scores all its finalists: nothing for the organisers to choose.
        from .assignments import assignment_run

        assignment_run(round=round, actor=actor)
    return round


@transaction.atomic
def round_close(*, round: Round, actor: User | None) -> Round:
    """Close an open round: nothing more can be scored or ranked in it; drafts stay drafts
    and do not count. Side effect: audit entry ``round.closed`` with the counts."""
    round = _locked(round)
    if round.status != RoundStatus.OPEN:
        raise RoundError(_("Only an open round can be closed."))
    reviews = Review.objects.filter(assignment__round=round)
    round.status = RoundStatus.CLOSED
    round.closed_at = timezone.now()
    round.save(update_fields=["status", "closed_at"])
    audit_log(
        award=round.award,
        actor=actor,
        action="round.closed",
        target=round,
        data={
            "number": round.number,
            "assignments": round.assignments.count(),
            "submitted": reviews.filter(status=ReviewStatus.SUBMITTED).count(),
            "drafts": reviews.filter(status=ReviewStatus.DRAFT).count(),
        },
    )
    return round


def shortlist_proposal(round: Round, size: int) -> dict[int, list[tuple[int, float, int]]]:
    """Category id → the best ``size`` entries of ``round`` by the results engine with the
    award's methods (``services.round_rankings``): (submission id, score, reviews), best
    first. Entries tied at the cut all go through; entries without a complete review never
    do."""
    from .results import round_rankings

    return {
        category_id: [
            (row.submission_id, row.score, row.reviews)
            for row in ranking.ranked
            if row.place <= size
        ]
        for category_id, ranking in round_rankings(round).items()
        if ranking.ranked
    }


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
