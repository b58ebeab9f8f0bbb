"""Rounds: opening and closing. The shortlist that carries entries into the next round is
an outcome of the ranking and lives in ``results.services.shortlist``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from awards.enums import AwardStatus, RoundKind, RoundMethod, RoundStatus
from awards.models import Round
from awards.services import audit_log
from core.events import event_emit
from submissions.enums import SubmissionStatus
from submissions.models import Submission

from ..enums import ReviewStatus
from ..models import Juror, Review, RoundEntry
from .calibration import calibration_assignments_ensure
from .conflicts import conflicts_suggest_many


class RoundError(ValidationError):
    pass


def _locked(round: Round) -> Round:
    return Round.objects.select_for_update().select_related("award").get(pk=round.pk)


@transaction.atomic
def round_open(*, round: Round, actor: User | None) -> Round:
    """Open ``round`` for the jury. The award must be judging, no other round open, and every
    earlier round closed. The first round takes every eligible entry; a later round needs its
    shortlist first. Reopening a closed round is possible while no later round has started.
    Side effects: the conflicts suggested for the active jurors by the round's entries are
    recorded (finalists are shown without an assignment); audit entry ``round.opened``; in a
    final round that scores, the assignments (every non-conflicted juror of the category on
    every finalist); the calibration assignments jurors lack (``calibration_assignments_ensure``,
    with its audit entry)."""
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
    # Decisions are the results app's (above this one): asked through the award's reverse
    # relation, so the jury app imports nothing of it.
    if award.decisions.filter(snapshot__round=round).exists():
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
    conflicts_suggest_many(
        jurors=list(Juror.objects.filter(award=award, is_active=True).select_related("user"))
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
    event_emit(
        award_id=award.pk,
        name="round.opened",
        payload={
            "award": award.slug,
            "round": round.number,
            "kind": round.kind,
            "method": round.method,
            "entries": entries.count(),
            "reopened": was != RoundStatus.PLANNED,
        },
    )
    # Jurors who joined a category since its calibration entries were chosen get them now.
    calibration_assignments_ensure(award=award, round=round, actor=actor)
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


def ensure_closable(round: Round) -> None:
    """Raise the RoundError ``round_close`` would for ``round`` as it is, writing nothing
    (the confirmation page asks before it shows what closing leaves out)."""
    if round.status != RoundStatus.OPEN:
        raise RoundError(_("Only an open round can be closed."))


@transaction.atomic
def round_close(*, round: Round, actor: User | None) -> Round:
    """Close an open round: nothing more can be scored or ranked in it; drafts stay drafts
    and do not count. Side effect: audit entry ``round.closed`` with the counts."""
    round = _locked(round)
    ensure_closable(round)
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
    event_emit(
        award_id=round.award_id,
        name="round.closed",
        payload={
            "award": round.award.slug,
            "round": round.number,
            "assignments": round.assignments.count(),
            "submitted": reviews.filter(status=ReviewStatus.SUBMITTED).count(),
        },
    )
    return round
