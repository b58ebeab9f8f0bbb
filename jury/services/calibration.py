"""Calibration entries: choosing them, and giving every juror of their category an
assignment of each.

Calibration entries are 2–5 entries of one category in a round that every juror of the
category scores first (``selectors.calibration_pending`` holds the other entries back until
then); afterwards each juror sees privately how their scores compare with the other jurors'
on the same entries. Their assignments are ordinary ``Assignment`` rows with the source
"automatic" (the platform made them); whether an entry is a calibration entry is stored on
the ``RoundEntry`` alone, so an assignment that existed before the entry was marked simply
becomes calibration work. ``assignment_run`` keeps them (see there).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from awards.enums import RoundMethod, RoundStatus
from awards.models import Award, Category, Round
from awards.services import audit_log, structure_locked_reason
from submissions.models import Submission

from ..enums import AssignmentSource
from ..models import Assignment, Juror, RoundEntry
from ..selectors.calibration import (
    CALIBRATION_MAX,
    CALIBRATION_MIN,
    calibration_missing,
    calibration_plan,
)


class CalibrationError(ValidationError):
    pass


@dataclass
class CalibrationReport:
    entries: int = 0
    created: int = 0
    removed: int = 0
    skipped: int = 0  # pairs left out for a conflict of interest


def _locked(round: Round) -> Round:
    return Round.objects.select_for_update().select_related("award").get(pk=round.pk)


@transaction.atomic
def calibration_entries_set(
    *,
    round: Round,
    category: Category,
    submissions: Iterable[Submission],
    actor: User | None,
) -> CalibrationReport:
    """Mark ``submissions`` as the calibration entries of ``category`` in ``round``.

    Between 2 and 5 entries of the round in that category; none ends calibration in the
    category. Allowed while the round is planned or open and scores (not in a ranking round).
    In an open round the choice is fixed once a juror has submitted a review of a
    calibration entry of the category: changing it then would compare jurors on different
    entries and reopen a gate some jurors have passed.

    Side effects: the flags on the round's entries; an assignment for every active juror of
    the category on every chosen entry, unless a conflict of interest blocks the pair or the
    juror reviews it already; the automatic assignments not yet started of the entries no
    longer marked are removed (those made by hand or with a review stay: compute the
    assignments again to rebalance); audit entry ``jury.calibration_entries_set``.
    """
    round = _locked(round)
    if category.award_id != round.award_id:
        raise CalibrationError(_("This category belongs to another award."))
    if round.status == RoundStatus.CLOSED:
        raise CalibrationError(
            _("This round is closed; its calibration entries can no longer change.")
        )
    if round.method != RoundMethod.SCORES:
        raise CalibrationError(
            _("Calibration entries are scored; in a ranking round every juror ranks the finalists.")
        )
    ids = {s.pk for s in submissions}
    chosen = list(
        Submission.objects.filter(pk__in=ids, rounds__round=round, category=category).order_by(
            "reference", "pk"
        )
    )
    if len(chosen) != len(ids):
        raise CalibrationError(
            {
                "submissions": ValidationError(
                    _("Only entries of this round in this category can be calibration entries."),
                    code="entries",
                )
            }
        )
    if chosen and not CALIBRATION_MIN <= len(chosen) <= CALIBRATION_MAX:
        raise CalibrationError(
            {
                "submissions": ValidationError(
                    _(
                        "Choose between %(min)d and %(max)d calibration entries (you chose "
                        "%(count)d), or none to do without calibration in this category."
                    )
                    % {"min": CALIBRATION_MIN, "max": CALIBRATION_MAX, "count": len(chosen)},
                    code="count",
                )
            }
        )
    plan = calibration_plan(round, category, chosen)
    if round.status == RoundStatus.OPEN and plan.changes_entries and plan.submitted:
        raise CalibrationError(
            _(
                "Jurors have already submitted reviews of the calibration entries of this "
                "category; in an open round they can no longer change."
            ),
            code="started",
        )
    RoundEntry.objects.filter(round=round, submission__category=category).exclude(
        submission_id__in=ids
    ).update(is_calibration=False)
    RoundEntry.objects.filter(round=round, submission_id__in=ids).update(is_calibration=True)
    Assignment.objects.filter(pk__in=plan.remove).delete()
    _assign(round, plan.create, actor)
    report = CalibrationReport(
        entries=len(chosen),
        created=len(plan.create),
        removed=len(plan.remove),
        skipped=plan.skipped,
    )
    if plan.changes_entries or plan.create or plan.remove:
        audit_log(
            award=round.award,
            actor=actor,
            action="jury.calibration_entries_set",
            target=round,
            data={
                "round": round.number,
                "category": category.code,
                "entries": [s.reference or s.pk for s in chosen],
                "created": report.created,
                "removed": report.removed,
                "skipped_for_conflicts": report.skipped,
            },
        )
    return report


@transaction.atomic
def calibration_assignments_ensure(
    *,
    award: Award,
    actor: User | None,
    round: Round | None = None,
    jurors: list[Juror] | None = None,
) -> int:
    """Give every active juror of a calibration entry's category (only ``jurors`` when
    given) the assignment of it they lack, in ``round`` or in every round of ``award`` that
    is not closed and scores; never a pair a conflict blocks. Safe to run twice. Called when
    a round opens, a juror joins the jury or a category, and after a juror's declaration of
    conflicts (a withdrawn conflict gives the work back). Returns how many were created.

    Side effect, when any was created: audit entry ``jury.calibration_assigned``.
    """
    rounds = [round] if round is not None else list(award.rounds.order_by("number"))
    created: dict[int, int] = defaultdict(int)
    for each in rounds:
        missing = calibration_missing(each, jurors)
        _assign(each, missing, actor)
        if missing:
            created[each.number] = len(missing)
    if created:
        audit_log(
            award=award,
            actor=actor,
            action="jury.calibration_assigned",
            target=award,
            data={
                "rounds": {str(number): count for number, count in created.items()},
                "jurors": sorted(j.user.email for j in jurors) if jurors is not None else "all",
            },
        )
    return sum(created.values())


@transaction.atomic
def calibration_counting_set(*, round: Round, counts: bool, actor: User | None) -> Round:
    """Whether the calibration reviews of ``round`` count in its ranking (the results app
    reads ``Round.calibration_counts``). Changeable as long as the award's rounds are (see
    ``awards.services.structure_locked_reason``) and while nothing is decided. Side effect,
    when it changes: audit entry ``round.updated`` with the change, as the award's settings
    record it."""
    round = _locked(round)
    reason = structure_locked_reason(award=round.award, part="round")
    if reason:
        raise CalibrationError(reason)
    # The results app's decisions freeze the ranking they were taken on (asked through the
    # reverse relation its model declares, as round_open does).
    if round.calibration_counts != counts and round.award.decisions.exists():
        raise CalibrationError(
            _(
                "Decisions have been taken on this award's ranking; reopen them before "
                "changing what counts in it."
            )
        )
    if round.calibration_counts != counts:
        before = round.calibration_counts
        round.calibration_counts = counts
        round.save(update_fields=["calibration_counts"])
        audit_log(
            award=round.award,
            actor=actor,
            action="round.updated",
            target=round,
            data={"changes": {"calibration_counts": {"before": before, "after": counts}}},
        )
    return round


def _assign(round: Round, pairs: list[tuple[int, int]], actor: User | None) -> None:
    """Create the calibration assignments ``pairs`` (juror id, submission id) of ``round``;
    one that exists meanwhile (a concurrent run) is left as it is."""
    Assignment.objects.bulk_create(
        [
            Assignment(
                round=round,
                juror_id=juror_id,
                submission_id=submission_id,
                source=AssignmentSource.AUTOMATIC,
                created_by=actor,
            )
            for juror_id, submission_id in pairs
        ],
        ignore_conflicts=True,
    )
