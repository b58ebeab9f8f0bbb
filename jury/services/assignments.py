"""Assignments per round: the optimal automatic run, and changes by hand."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from awards.enums import RoundKind, RoundMethod, RoundStatus
from awards.models import Round
from awards.services import audit_log
from submissions.models import Submission

from ..assignment import EntryNeed, JurorSlot, assignment_solve
from ..conflicts import blocked_pairs, is_blocked
from ..enums import AssignmentSource, ReviewStatus
from ..models import Assignment, Bid, Juror, JurorCategory, RoundEntry
from ..selectors.calibration import is_calibration_entry
from ..selectors.conflicts import conflict_suggestions
from .conflicts import conflicts_suggest_many


class AssignmentError(ValidationError):
    pass


@dataclass
class ShortEntry:
    submission: Submission
    missing: int
    reason: str


@dataclass
class AssignmentReport:
    created: int = 0
    kept: int = 0  # kept by rule: made by hand, review started, calibration entry
    removed: int = 0
    k: int = 0
    short: list[ShortEntry] = field(default_factory=list)
    loads: dict[int, int] = field(default_factory=dict)  # juror id → reviews in the round
    unchanged: int = 0  # automatic assignments the computation gives again, left as they are


Pair = tuple[int, int]  # (juror id, submission id)


@dataclass
class AssignmentPlan:
    """What computing the assignments of a round would do now, nothing written yet
    (``assignment_plan``); ``assignment_run`` carries out exactly this plan."""

    k: int = 0
    kept: list[Pair] = field(default_factory=list)  # kept by rule (see ``AssignmentReport``)
    unchanged: list[Pair] = field(default_factory=list)
    add: list[Pair] = field(default_factory=list)
    remove: dict[Pair, int] = field(default_factory=dict)  # pair → assignment id
    short: list[ShortEntry] = field(default_factory=list)
    loads: dict[int, int] = field(default_factory=dict)

    @property
    def changes(self) -> bool:
        return bool(self.add or self.remove)

    def jurors_affected(self) -> dict[int, tuple[int, int]]:
        """Juror id → (assignments added, assignments removed), for the jurors whose work
        changes."""
        affected: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for juror_id, _submission_id in self.add:
            affected[juror_id][0] += 1
        for juror_id, _submission_id in self.remove:
            affected[juror_id][1] += 1
        return {juror_id: (added, removed) for juror_id, (added, removed) in affected.items()}

    @property
    def fingerprint(self) -> str:
        """The plan in 16 hex digits: a confirmation names the plan it agrees to, and
        ``assignment_run`` refuses it once the assignments have changed (a second click)."""
        state = repr(
            (sorted(self.kept), sorted(self.unchanged), sorted(self.add), sorted(self.remove))
        )
        return hashlib.sha256(state.encode()).hexdigest()[:16]


def reviews_wanted(round: Round, pool_size: int) -> int:
    """k for a round: the award's setting in a scoring round; every juror of the category in
    a final round that scores."""
    if round.kind == RoundKind.FINAL:
        return pool_size
    return round.award.reviews_per_submission


def _ensure_assignable(round: Round) -> None:
    if round.status == RoundStatus.CLOSED:
        raise AssignmentError(_("This round is closed; its assignments can no longer change."))
    if round.method == RoundMethod.RANKING:
        raise AssignmentError(
            _("In a ranking round every juror of a category ranks all its finalists.")
        )


def _short_reason(pool: int, blocked: int, k: int, at_capacity: int) -> str:
    free = pool - blocked
    if pool < k:
        return ngettext(
            "The category has only %(pool)d juror.",
            "The category has only %(pool)d jurors.",
            pool,
        ) % {"pool": pool}
    if free < k:
        return ngettext(
            "%(blocked)d juror of the category (of %(pool)d) has a conflict of interest.",
            "%(blocked)d jurors of the category (of %(pool)d) have a conflict of interest.",
            blocked,
        ) % {"blocked": blocked, "pool": pool}
    if at_capacity:
        return _("The jurors without a conflict have reached their most entries to review.")
    return _("No further juror could take it without exceeding another juror's load.")


def _plan(round: Round, jurors: list[Juror], *, with_suggestions: bool) -> AssignmentPlan:
    """The plan for ``round`` (see ``AssignmentPlan``); reads, never writes.

    ``with_suggestions`` adds the conflicts that would be suggested now and are not recorded
    yet (``assignment_run`` records them first, so both see the same blocked pairs).
    """
    award = round.award
    entries = list(
        Submission.objects.filter(rounds__round=round).select_related("category").order_by("pk")
    )
    current = list(
        Assignment.objects.filter(round=round)
        .annotate(calibration=is_calibration_entry())
        .values_list("pk", "juror_id", "submission_id", "source", "review__pk", "calibration")
    )
    # Replaceable: automatic, not started, not of a calibration entry. Everything else stays,
    # and calibration work counts towards the entry's k like any kept review.
    stale = {
        (juror_id, submission_id): pk
        for pk, juror_id, submission_id, source, review_id, calibration in current
        if source == AssignmentSource.AUTOMATIC and review_id is None and not calibration
    }
    kept = [(j, s) for _pk, j, s, *_rest in current if (j, s) not in stale]
    categories: dict[int, dict[int, int]] = defaultdict(dict)
    for juror_id, category_id, expertise in JurorCategory.objects.filter(
        juror__in=jurors
    ).values_list("juror_id", "category_id", "expertise"):
        categories[juror_id][category_id] = expertise
    pool_size: dict[int, int] = defaultdict(int)
    for juror_categories in categories.values():
        for category_id in juror_categories:
            pool_size[category_id] += 1
    blocked = blocked_pairs(jurors, entries)
    if with_suggestions:
        by_organisation: dict[int, list[int]] = defaultdict(list)
        for entry in entries:
            by_organisation[entry.organisation_id].append(entry.pk)
        for suggestion in conflict_suggestions(jurors):
            for submission_id in by_organisation.get(suggestion.organisation_id, ()):
                blocked.add((suggestion.juror_id, submission_id))
    kept_by_entry: dict[int, int] = defaultdict(int)
    load: dict[int, int] = defaultdict(int)
    for juror_id, submission_id in kept:
        if (juror_id, submission_id) in blocked:
            # Kept but hidden from the juror by a suggestion made since: it is no review
            # until the juror dismisses the suggestion, so the entry needs another one.
            continue
        kept_by_entry[submission_id] += 1
        load[juror_id] += 1
    needs = []
    for entry in entries:
        k = reviews_wanted(round, pool_size[entry.category_id])
        needs.append(EntryNeed(entry.pk, entry.category_id, max(0, k - kept_by_entry[entry.pk])))
    slots = [
        JurorSlot(
            juror_id=juror.pk,
            categories=categories.get(juror.pk, {}),
            load=load[juror.pk],
            capacity=juror.max_assignments,
        )
        for juror in jurors
    ]
    preferences = {
        (juror_id, submission_id): preference
        for juror_id, submission_id, preference in Bid.objects.filter(
            juror__in=jurors, submission__in=entries
        ).values_list("juror_id", "submission_id", "preference")
    }
    result = assignment_solve(needs, slots, forbidden=blocked | set(kept), preferences=preferences)
    wanted = set(result.pairs)
    plan = AssignmentPlan(
        k=award.reviews_per_submission,
        kept=kept,
        unchanged=sorted(pair for pair in result.pairs if pair in stale),
        add=sorted(pair for pair in result.pairs if pair not in stale),
        remove={pair: pk for pair, pk in sorted(stale.items()) if pair not in wanted},
        loads=result.loads,
    )
    by_id = {e.pk: e for e in entries}
    capacity_full = {
        j.juror_id
        for j in slots
        if j.capacity is not None and result.loads.get(j.juror_id, 0) >= j.capacity
    }
    for submission_id, missing in sorted(result.short.items()):
        entry = by_id[submission_id]
        pool = [j for j in slots if entry.category_id in j.categories]
        blocked_here = sum(1 for j in pool if (j.juror_id, submission_id) in blocked)
        at_capacity = sum(
            1
            for j in pool
            if j.juror_id in capacity_full and (j.juror_id, submission_id) not in blocked
        )
        plan.short.append(
            ShortEntry(
                submission=entry,
                missing=missing,
                reason=_short_reason(
                    len(pool),
                    blocked_here,
                    reviews_wanted(round, len(pool)),
                    at_capacity,
                ),
            )
        )
    return plan


def _jurors(round: Round) -> list[Juror]:
    return list(
        Juror.objects.filter(award=round.award, is_active=True)
        .select_related("user")
        .order_by("pk")
    )


def assignment_plan(*, round: Round) -> AssignmentPlan:
    """What ``assignment_run`` would do in ``round`` now, without writing anything: the
    assignments it keeps, adds and removes, the entries left short and why. Raises
    AssignmentError where the run would (a closed round, a ranking round)."""
    round = Round.objects.select_related("award").get(pk=round.pk)
    _ensure_assignable(round)
    return _plan(round, _jurors(round), with_suggestions=True)


@transaction.atomic
def assignment_run(
    *, round: Round, actor: User | None, expected: str | None = None
) -> AssignmentReport:
    """Give every entry of ``round`` its reviews, optimally (see ``jury.assignment``).

    Keeps every assignment made by hand, every one whose review has started and every one of
    a calibration entry; of the other automatic ones it removes those the computation does
    not give again and leaves the others as they are (``assignment_plan`` says which,
    beforehand). Never assigns a blocked pair (conflicts, including suggestions not yet
    dismissed, which are refreshed first). Entries that cannot get k reviews are reported
    with the reason. Deterministic: the same data gives the same assignment, and running it
    again on unchanged data changes nothing.

    ``expected`` is the fingerprint of the plan the organiser confirmed: when the plan is no
    longer that one (the assignments changed meanwhile, or this is a second click), nothing
    is done and AssignmentError says so. Side effect: one ``jury.assignments_computed``
    audit entry.
    """
    round = Round.objects.select_for_update().select_related("award").get(pk=round.pk)
    _ensure_assignable(round)
    jurors = _jurors(round)
    conflicts_suggest_many(jurors=jurors)
    plan = _plan(round, jurors, with_suggestions=False)
    if expected is not None and expected != plan.fingerprint:
        raise AssignmentError(
            _(
                "The assignments have changed since this plan was shown (perhaps they have "
                "just been computed). Check the plan for the assignments as they are now."
            ),
            code="stale_plan",
        )
    Assignment.objects.filter(pk__in=list(plan.remove.values())).delete()
    Assignment.objects.bulk_create(
        [
            Assignment(round=round, juror_id=j, submission_id=s, created_by=actor)
            for j, s in plan.add
        ]
    )
    report = AssignmentReport(
        created=len(plan.add),
        kept=len(plan.kept),
        removed=len(plan.remove),
        k=plan.k,
        short=plan.short,
        loads=plan.loads,
        unchanged=len(plan.unchanged),
    )
    audit_log(
        award=round.award,
        actor=actor,
        action="jury.assignments_computed",
        target=round,
        data={
            "created": report.created,
            "kept": report.kept,
            "removed": report.removed,
            "short": {str(s.submission.pk): s.missing for s in report.short},
        },
    )
    return report


@transaction.atomic
def assignment_add(
    *, round: Round, juror: Juror, submission: Submission, actor: User | None
) -> Assignment:
    """Assign by hand. Refused for a closed or ranking round, an entry not in the round, a
    juror of another award or category, a conflict, or a second assignment of the pair."""
    round = Round.objects.select_for_update().select_related("award").get(pk=round.pk)
    _ensure_assignable(round)
    if juror.award_id != round.award_id or not juror.is_active:
        raise AssignmentError(_("This juror is not on the jury of this award."))
    if not RoundEntry.objects.filter(round=round, submission=submission).exists():
        raise AssignmentError(_("This entry is not part of the round."))
    if not juror.category_links.filter(category_id=submission.category_id).exists():
        raise AssignmentError(_("This juror does not judge the entry's category."))
    if is_blocked(juror, submission):
        raise AssignmentError(_("This juror has a conflict of interest with the entry."))
    assignment, created = Assignment.objects.get_or_create(
        round=round,
        juror=juror,
        submission=submission,
        defaults={"source": AssignmentSource.MANUAL, "created_by": actor},
    )
    if not created:
        raise AssignmentError(_("This juror reviews the entry already."))
    audit_log(
        award=round.award,
        actor=actor,
        action="jury.assignment_added",
        target=assignment,
        data={"juror": juror.user.email, "submission": submission.reference or submission.pk},
    )
    return assignment


@transaction.atomic
def assignment_remove(*, assignment: Assignment, actor: User | None) -> None:
    """Remove an assignment by hand; a submitted review is never removed this way."""
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("round__award", "juror__user", "submission")
        .get(pk=assignment.pk)
    )
    if assignment.round.status == RoundStatus.CLOSED:
        raise AssignmentError(_("This round is closed; its assignments can no longer change."))
    review = getattr(assignment, "review", None)
    if review is not None and review.status == ReviewStatus.SUBMITTED:
        raise AssignmentError(
            _("The juror has submitted this review; reopen it first if it must go.")
        )
    audit_log(
        award=assignment.round.award,
        actor=actor,
        action="jury.assignment_removed",
        target=assignment,
        data={
            "juror": assignment.juror.user.email,
            "submission": assignment.submission.reference or assignment.submission_id,
            "review": review.status if review else "not_started",
        },
    )
    assignment.delete()
