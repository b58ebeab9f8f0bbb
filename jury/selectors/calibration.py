"""Calibration entries: the 2–5 entries of a category that every juror of the category scores
first in a round, which work is waiting for them, and how a juror's scores on them compare
with the other jurors' on the same entries.

The gate (``calibration_pending``) is decided here and nowhere else: a juror with an
unsubmitted review of a calibration entry of a category, in an open round, cannot open or
score their other entries of that category in that round.

The comparison (``calibration_comparison``) is per juror, per criterion and for the review
total: the mean over the calibration entries of (own score − mean of the other jurors'
submitted scores of the same entry). An entry counts for a juror only once at least
``MIN_OTHERS`` other jurors have submitted a review of it, so that nobody can work out a
single other juror's score from their own and the difference. A juror sees only their own
line; the organisers see every juror's. Every read runs a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from awards.enums import RoundMethod, RoundStatus
from awards.models import Category, Criterion, Round
from submissions.models import Submission

from ..conflicts import assignment_blocked, blocked_pairs
from ..enums import AssignmentSource, ReviewStatus
from ..models import Assignment, Juror, Review, RoundEntry, Score

# How many calibration entries a category may have in a round (none: no calibration).
CALIBRATION_MIN = 2
CALIBRATION_MAX = 5
# An entry counts for a juror's comparison once this many *other* jurors submitted a review.
MIN_OTHERS = 2
# A mean difference smaller than this reads "in line with the other jurors": half a point
# of a criterion's scale, five points of the 0–100 review total (about the same share).
IN_LINE = 0.5
IN_LINE_TOTAL = 5.0


# --- Which entries are calibration entries --------------------------------------------------


def is_calibration_entry() -> Exists:
    """For an Assignment queryset: whether the row's entry is a calibration entry of the
    row's round."""
    return Exists(
        RoundEntry.objects.filter(
            round=OuterRef("round"), submission=OuterRef("submission"), is_calibration=True
        )
    )


def calibration_entries(round: Round, category: Category) -> list[Submission]:
    """The calibration entries of ``category`` in ``round`` (1 query)."""
    return list(
        Submission.objects.filter(
            rounds__round=round, rounds__is_calibration=True, category=category
        ).order_by("reference", "pk")
    )


def calibration_counts_by_category(round: Round) -> dict[int, int]:
    """Category id → number of calibration entries in ``round`` (1 query)."""
    counts: dict[int, int] = defaultdict(int)
    for category_id in RoundEntry.objects.filter(round=round, is_calibration=True).values_list(
        "submission__category_id", flat=True
    ):
        counts[category_id] += 1
    return dict(counts)


# --- The gate -----------------------------------------------------------------------------


def _open_calibration_work(juror: Juror) -> QuerySet[Assignment]:
    """The juror's calibration assignments in open rounds whose review is not submitted,
    without the ones a conflict blocks (the juror cannot see those)."""
    return (
        Assignment.objects.filter(juror=juror, round__status=RoundStatus.OPEN)
        .filter(is_calibration_entry())
        .exclude(review__status=ReviewStatus.SUBMITTED)
        .exclude(assignment_blocked())
    )


def calibration_pending_categories(juror: Juror, rounds: Iterable[Round]) -> set[tuple[int, int]]:
    """(round id, category id) pairs in which ``juror`` still has calibration entries to
    review (1 query)."""
    return set(
        _open_calibration_work(juror)
        .filter(round__in=list(rounds))
        .values_list("round_id", "submission__category_id")
        .distinct()
    )


def calibration_pending(juror: Juror, round: Round, category: Category | int) -> bool:
    """Whether ``juror`` must still submit reviews of calibration entries of ``category`` in
    ``round`` before their other entries of the category open (1 query)."""
    category_id = category if isinstance(category, int) else category.pk
    return (
        _open_calibration_work(juror)
        .filter(round=round, submission__category_id=category_id)
        .exists()
    )


def calibration_pending_in(round: Round, rows: Iterable[tuple[bool, int, str | None]]) -> set[int]:
    """``calibration_pending_categories`` of one round, from rows the caller has read anyway
    (no query): the juror's assignments of ``round`` that no conflict blocks, each as
    (calibration entry?, category id, review status or None). A category waits while one of
    its calibration reviews is unsubmitted in an open round."""
    if round.status != RoundStatus.OPEN:
        return set()
    return {
        category_id
        for calibration, category_id, status in rows
        if calibration and status != ReviewStatus.SUBMITTED
    }


def calibration_gate(assignment: Assignment) -> bool:
    """Whether ``assignment`` waits for its juror's calibration reviews: it is not itself a
    calibration entry, and calibration entries of its category are still open (2 queries;
    the review page reads the same from its navigation's rows: ``calibration_pending_in``)."""
    if RoundEntry.objects.filter(
        round_id=assignment.round_id, submission_id=assignment.submission_id, is_calibration=True
    ).exists():
        return False
    return calibration_pending(
        assignment.juror, assignment.round, assignment.submission.category_id
    )


# --- What setting the calibration entries would change -------------------------------------


@dataclass
class CalibrationPlan:
    """What ``services.calibration_entries_set`` does for a choice of entries (the
    organisers' page shows it before an open round changes)."""

    chosen: list[Submission]
    current: list[int]  # submission ids marked now
    create: list[tuple[int, int]] = field(default_factory=list)  # (juror id, submission id)
    remove: list[int] = field(default_factory=list)  # assignment ids
    skipped: int = 0  # pairs left out for a conflict of interest
    submitted: int = 0  # submitted reviews of the current calibration entries

    @property
    def changes_entries(self) -> bool:
        return {s.pk for s in self.chosen} != set(self.current)


def pool_jurors(round: Round, category: Category | int) -> list[Juror]:
    """The active jurors who judge ``category`` (1 query)."""
    category_id = category if isinstance(category, int) else category.pk
    return list(
        Juror.objects.filter(
            award_id=round.award_id, is_active=True, category_links__category_id=category_id
        )
        .select_related("user")
        .order_by("user__full_name", "pk")
    )


def calibration_plan(round: Round, category: Category, chosen: list[Submission]) -> CalibrationPlan:
    """The assignments that marking ``chosen`` as the calibration entries of ``category`` in
    ``round`` creates (every pool juror × every chosen entry, unless a conflict blocks the
    pair or the juror reviews it already) and removes (the automatic, not started
    assignments of entries no longer marked); 5 queries."""
    current = [s.pk for s in calibration_entries(round, category)]
    plan = CalibrationPlan(chosen=chosen, current=current)
    jurors = pool_jurors(round, category)
    blocked = blocked_pairs(jurors, chosen)
    existing = set(
        Assignment.objects.filter(round=round, submission__in=chosen).values_list(
            "juror_id", "submission_id"
        )
    )
    for juror in jurors:
        for submission in chosen:
            pair = (juror.pk, submission.pk)
            if pair in blocked:
                plan.skipped += 1
            elif pair not in existing:
                plan.create.append(pair)
    dropped = set(current) - {s.pk for s in chosen}
    plan.remove = list(
        Assignment.objects.filter(
            round=round,
            submission_id__in=dropped,
            source=AssignmentSource.AUTOMATIC,
            review__isnull=True,
        ).values_list("pk", flat=True)
    )
    plan.submitted = Assignment.objects.filter(
        round=round, submission_id__in=current, review__status=ReviewStatus.SUBMITTED
    ).count()
    return plan


def calibration_missing(round: Round, jurors: list[Juror] | None = None) -> list[tuple[int, int]]:
    """(juror id, submission id) pairs of calibration work that ``round`` lacks: an active
    juror of the entry's category (of ``jurors`` when given) without an assignment of a
    calibration entry that no conflict blocks them from (4 queries). None in a closed round
    or one decided by ranked ballots."""
    if round.status == RoundStatus.CLOSED or round.method != RoundMethod.SCORES:
        return []
    entries = list(
        Submission.objects.filter(rounds__round=round, rounds__is_calibration=True).order_by("pk")
    )
    if not entries:
        return []
    pool = Juror.objects.filter(award_id=round.award_id, is_active=True)
    if jurors is not None:
        pool = pool.filter(pk__in=[j.pk for j in jurors])
    pool = list(pool.prefetch_related("category_links").order_by("pk"))
    blocked = blocked_pairs(pool, entries)
    existing = set(
        Assignment.objects.filter(round=round, submission__in=entries).values_list(
            "juror_id", "submission_id"
        )
    )
    missing = []
    for juror in pool:
        categories = {link.category_id for link in juror.category_links.all()}
        for entry in entries:
            pair = (juror.pk, entry.pk)
            if entry.category_id in categories and pair not in blocked and pair not in existing:
                missing.append(pair)
    return missing


# --- The comparison -----------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """A juror's mean difference to the other jurors on the same entries, in points (of the
    criterion's scale, or of the 0–100 review total); None while no entry counts."""

    difference: float | None
    in_line: float = IN_LINE

    @property
    def tendency(self) -> str | None:
        if self.difference is None:
            return None
        if abs(self.difference) < self.in_line:
            return "in_line"
        return "milder" if self.difference > 0 else "harsher"

    @property
    def points(self) -> str:
        """The size of the difference, one decimal, in the active language's format."""
        return floatformat(abs(self.difference), 1) if self.difference is not None else ""

    @property
    def sentence(self) -> str:
        tendency = self.tendency
        if tendency is None:
            return _("No comparison yet")
        if tendency == "in_line":
            return _("in line with the other jurors")
        if tendency == "milder":
            return _("on average %(points)s points milder than the other jurors") % {
                "points": self.points
            }
        return _("on average %(points)s points harsher than the other jurors") % {
            "points": self.points
        }


@dataclass
class EntryState:
    """One of the juror's calibration entries, as the juror's page lists it: whether their
    own review is in, and how many more other jurors' reviews it needs to count."""

    submission: Submission
    own_submitted: bool
    others: int  # other jurors' submitted reviews

    @property
    def needed(self) -> int:
        return max(0, MIN_OTHERS - self.others)

    @property
    def counts(self) -> bool:
        return self.own_submitted and self.needed == 0


@dataclass
class JurorCalibration:
    """One juror's calibration in a category of a round."""

    juror: Juror
    entries: list[EntryState] = field(default_factory=list)
    criteria: list[tuple[Criterion, Comparison]] = field(default_factory=list)
    total: Comparison = field(default_factory=lambda: Comparison(None))

    @property
    def assigned(self) -> int:
        return len(self.entries)

    @property
    def submitted(self) -> int:
        return sum(1 for e in self.entries if e.own_submitted)

    @property
    def counted(self) -> int:
        return sum(1 for e in self.entries if e.counts)

    @property
    def done(self) -> bool:
        return self.assigned > 0 and self.submitted == self.assigned

    @property
    def waiting(self) -> list[EntryState]:
        """Own review submitted, but too few other reviews yet."""
        return [e for e in self.entries if e.own_submitted and e.needed]


@dataclass
class CalibrationOverview:
    round: Round
    category: Category
    entries: list[Submission]
    criteria: list[Criterion]
    jurors: list[JurorCalibration]
    reviews_per_entry: dict[int, int]  # submission id → submitted reviews

    @property
    def entry_rows(self) -> list[tuple[Submission, int]]:
        return [(entry, self.reviews_per_entry.get(entry.pk, 0)) for entry in self.entries]


def _total(values: dict[int, int], criteria: list[Criterion]) -> float | None:
    """The review's total on 0..100, as ``results.engine.review_total`` computes it: the
    weighted mean of the criterion scores, each mapped onto 0..1 of its own scale; None while
    a criterion is unscored. (The jury app cannot import the results app above it.)"""
    weighted = 0.0
    weights = 0.0
    for criterion in criteria:
        value = values.get(criterion.pk)
        if value is None:
            return None
        span = criterion.scale_max - criterion.scale_min
        weight = float(criterion.weight)
        weighted += weight * (value - criterion.scale_min) / span
        weights += weight
    return 100.0 * weighted / weights if weights else None


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _differences(
    own: dict[int, int], others: list[dict[int, int]], criteria: list[Criterion]
) -> dict[int | None, float]:
    """Criterion id (None: the total) → own − mean of the others on one entry."""
    result: dict[int | None, float] = {}
    for criterion in criteria:
        mine = own.get(criterion.pk)
        theirs = [o[criterion.pk] for o in others if o.get(criterion.pk) is not None]
        if mine is not None and len(theirs) >= MIN_OTHERS:
            result[criterion.pk] = mine - sum(theirs) / len(theirs)
    mine_total = _total(own, criteria)
    their_totals = [t for t in (_total(o, criteria) for o in others) if t is not None]
    if mine_total is not None and len(their_totals) >= MIN_OTHERS:
        result[None] = mine_total - sum(their_totals) / len(their_totals)
    return result


def calibration_overview(
    round: Round, category: Category, *, juror: Juror | None = None
) -> CalibrationOverview:
    """Every juror's calibration in ``category`` of ``round`` (only ``juror``'s line when
    given, still compared with everyone else's reviews), in 4 queries: the entries, the
    assignments, the submitted scores, the criteria.

    Counted are the reviews of active jurors that no conflict blocks. The result carries
    no other juror's scores; a juror's page shows only their own line."""
    entries = calibration_entries(round, category)
    assignments = list(
        Assignment.objects.filter(round=round, submission__in=entries, juror__is_active=True)
        .exclude(assignment_blocked())
        .select_related("juror__user")
        .annotate(
            submitted=Exists(
                Review.objects.filter(assignment=OuterRef("pk"), status=ReviewStatus.SUBMITTED)
            )
        )
        .order_by("juror__user__full_name", "juror_id", "submission_id")
    )
    submitted_ids = [a.pk for a in assignments if a.submitted]
    scores: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    for juror_id, submission_id, criterion_id, value in Score.objects.filter(
        review__assignment_id__in=submitted_ids, value__isnull=False
    ).values_list(
        "review__assignment__juror_id",
        "review__assignment__submission_id",
        "criterion_id",
        "value",
    ):
        scores[(juror_id, submission_id)][criterion_id] = value
    criteria = list(round.award.criteria.order_by("position", "pk"))

    reviewers: dict[int, list[int]] = defaultdict(list)  # submission id → jurors submitted
    for assignment in assignments:
        if assignment.submitted:
            reviewers[assignment.submission_id].append(assignment.juror_id)
    by_id = {s.pk: s for s in entries}
    lines: dict[int, JurorCalibration] = {}
    for assignment in assignments:
        if juror is not None and assignment.juror_id != juror.pk:
            continue
        line = lines.setdefault(assignment.juror_id, JurorCalibration(juror=assignment.juror))
        others = [j for j in reviewers[assignment.submission_id] if j != assignment.juror_id]
        line.entries.append(
            EntryState(
                submission=by_id[assignment.submission_id],
                own_submitted=assignment.submitted,
                others=len(others),
            )
        )
    for juror_id, line in lines.items():
        collected: dict[int | None, list[float]] = defaultdict(list)
        for state in line.entries:
            if not state.counts:
                continue
            submission_id = state.submission.pk
            own = scores.get((juror_id, submission_id), {})
            others = [
                scores.get((j, submission_id), {})
                for j in reviewers[submission_id]
                if j != juror_id
            ]
            for key, difference in _differences(own, others, criteria).items():
                collected[key].append(difference)
        line.criteria = [(c, Comparison(_mean(collected.get(c.pk, [])))) for c in criteria]
        line.total = Comparison(_mean(collected.get(None, [])), IN_LINE_TOTAL)
    return CalibrationOverview(
        round=round,
        category=category,
        entries=entries,
        criteria=criteria,
        jurors=list(lines.values()),
        reviews_per_entry={pk: len(reviewers.get(pk, [])) for pk in by_id},
    )


def calibration_for_juror(
    juror: Juror, round: Round, category: Category
) -> JurorCalibration | None:
    """The juror's own calibration in ``category`` of ``round``; None when they have no
    calibration entry there (their page is then a 404). 4 queries."""
    overview = calibration_overview(round, category, juror=juror)
    return overview.jurors[0] if overview.jurors else None
