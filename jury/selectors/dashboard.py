"""The juror's dashboard (every opened round with the juror's work in it, in the order of
what needs doing, filtered by category and status) and the way through the juror's open
reviews from one review page to the next."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from awards.enums import RoundMethod, RoundStatus
from awards.models import Award, Category, Round
from submissions.dashboard_selectors import Countdown, deadline_countdown
from submissions.models import Submission

from ..enums import REVIEW_BADGES, ReviewStatus
from ..models import Assignment, Ballot, Juror
from .calibration import calibration_pending_categories
from .work import assignments_for_juror, finalists_for_juror, review_status


@dataclass
class CategoryBallot:
    category: Category
    finalists: list[Submission]
    ballot: Ballot | None

    @property
    def status(self) -> str:
        return self.ballot.status if self.ballot else ReviewStatus.NOT_STARTED

    @property
    def badge(self) -> str:
        return REVIEW_BADGES[self.status]

    @property
    def status_display(self) -> str:
        return ReviewStatus(self.status).label


# What needs doing first: a review begun, then one not started, then the submitted ones.
WORK_ORDER = {ReviewStatus.DRAFT: 0, ReviewStatus.NOT_STARTED: 1, ReviewStatus.SUBMITTED: 2}


@dataclass(frozen=True)
class DashboardFilter:
    """The dashboard's filters as the juror chose them (empty: everything)."""

    category: int | None = None
    status: str = ""

    @classmethod
    def from_query(cls, query) -> DashboardFilter:
        """From the page's query string; anything unknown counts as no filter."""
        raw = query.get("category", "")
        category = int(raw) if raw.isdigit() else None
        status = query.get("status", "")
        return cls(category, status if status in ReviewStatus.values else "")

    @property
    def active(self) -> bool:
        return self.category is not None or bool(self.status)

    def keeps(self, row: dict) -> bool:
        if self.category is not None and row["submission"].category_id != self.category:
            return False
        return not self.status or row["status"] == self.status


@dataclass
class DashboardRound:
    round: Round
    deadline: dt.datetime | None
    countdown: Countdown | None = None
    rows: list[dict] = field(default_factory=list)
    ballots: list[CategoryBallot] = field(default_factory=list)
    # Categories whose calibration entries the juror must review first (their other entries
    # wait), and those whose calibration reviews are all in (their comparison is ready).
    calibration_pending: list[Category] = field(default_factory=list)
    calibration_done: list[Category] = field(default_factory=list)

    # The rows the filters keep, in the order of what needs doing (``rows``: all of them,
    # in the list's fixed order, for the progress).
    shown: list[dict] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.ballots) if self.is_ranking else len(self.rows)

    @property
    def submitted(self) -> int:
        items = self.ballots if self.is_ranking else self.rows
        return sum(1 for item in items if status_of(item) == ReviewStatus.SUBMITTED)

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.total) if self.total else 0

    @property
    def is_ranking(self) -> bool:
        return self.round.method == RoundMethod.RANKING


def status_of(item) -> str:
    return item.status if isinstance(item, CategoryBallot) else item["status"]


def work_key(row: dict) -> tuple:
    """The dashboard's order: calibration entries first (they open the others), then what
    needs doing (begun, not started, submitted; locked entries last among the open ones),
    then the list's fixed order (category, reference)."""
    return (not row["calibration"], WORK_ORDER[row["status"]], row["locked"], row["position"])


def dashboard_rounds(
    award: Award, juror: Juror, filters: DashboardFilter | None = None
) -> list[DashboardRound]:
    """The opened rounds with the juror's work in each, in a fixed number of queries:
    rounds, assignments (with reviews), the categories whose calibration entries are still
    open, and for a ranking round its finalists and ballots. Rounds that are open come
    first, by their jury deadline; in each, ``shown`` holds the rows ``filters`` keep in the
    order of ``work_key``.

    Calibration entries come first in their round; while one of a category is open
    (``selectors.calibration_pending``), the juror's other entries of that category are
    shown locked."""
    rounds = [r for r in award.rounds.order_by("number") if r.status != RoundStatus.PLANNED]
    if not rounds:
        return []
    by_round: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in assignments_for_juror(juror, rounds):
        by_round[assignment.round_id].append(assignment)
    pending = (
        calibration_pending_categories(juror, rounds)
        if any(a.is_calibration for assignments in by_round.values() for a in assignments)
        else set()
    )
    ranking = [r for r in rounds if r.method == RoundMethod.RANKING]
    categories = (
        [link.category for link in juror.category_links.select_related("category")]
        if ranking
        else []
    )
    categories.sort(key=lambda c: (c.position, c.pk))
    result = []
    for round_ in rounds:
        deadline = juror.deadline_in(round_)
        item = DashboardRound(
            round=round_,
            deadline=deadline,
            countdown=deadline_countdown(award, deadline)
            if round_.status == RoundStatus.OPEN
            else None,
        )
        calibration_categories: dict[int, Category] = {}
        # Calibration entries first; otherwise the order of ``assignments_for_juror``.
        assignments = sorted(by_round.get(round_.pk, ()), key=lambda a: not a.is_calibration)
        for position, assignment in enumerate(assignments):
            status = review_status(assignment)
            category = assignment.submission.category
            if assignment.is_calibration:
                calibration_categories[category.pk] = category
            item.rows.append(
                {
                    "assignment": assignment,
                    "submission": assignment.submission,
                    "status": status,
                    "status_display": ReviewStatus(status).label,
                    "badge": REVIEW_BADGES[status],
                    "calibration": assignment.is_calibration,
                    "locked": not assignment.is_calibration and (round_.pk, category.pk) in pending,
                    "position": position,
                }
            )
        keep = filters or DashboardFilter()
        item.shown = sorted((row for row in item.rows if keep.keeps(row)), key=work_key)
        for category in sorted(calibration_categories.values(), key=lambda c: (c.position, c.pk)):
            done = all(
                row["status"] == ReviewStatus.SUBMITTED
                for row in item.rows
                if row["calibration"] and row["submission"].category_id == category.pk
            )
            if (round_.pk, category.pk) in pending:
                item.calibration_pending.append(category)
            elif done:
                item.calibration_done.append(category)
        if round_ in ranking:
            finalists: dict[int, list[Submission]] = defaultdict(list)
            for submission in finalists_for_juror(juror, round_):
                finalists[submission.category_id].append(submission)
            ballots = {b.category_id: b for b in Ballot.objects.filter(round=round_, juror=juror)}
            item.ballots = [
                CategoryBallot(c, finalists[c.pk], ballots.get(c.pk))
                for c in categories
                if finalists.get(c.pk)
            ]
        result.append(item)
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    result.sort(
        key=lambda i: (i.round.status != RoundStatus.OPEN, i.deadline or far, i.round.number)
    )
    return result


@dataclass(frozen=True)
class ReviewNavigation:
    """Where an entry stands in the juror's open reviews of its round: the one before and
    after (wrapping round), and its place among them (None when it is not open itself)."""

    previous: int | None  # assignment ids
    next: int | None
    position: int | None
    total: int


def review_navigation(juror: Juror, assignment: Assignment) -> ReviewNavigation:
    """The juror's open reviews of ``assignment``'s round (not submitted, not waiting for
    calibration entries) in the list's fixed order, so that "next" does not jump about as
    drafts are saved (2 queries, whatever the number of assignments)."""
    round_ = assignment.round
    pending = calibration_pending_categories(juror, [round_])
    rows = (
        assignments_for_juror(juror, [round_])
        .prefetch_related(None)
        .select_related(None)
        .values_list("pk", "is_calibration", "submission__category_id", "review__status")
    )
    ordered = sorted(rows, key=lambda r: not r[1])  # calibration first, else the list order
    open_ids = [
        pk
        for pk, calibration, category_id, status in ordered
        if status != ReviewStatus.SUBMITTED
        and (calibration or (round_.pk, category_id) not in pending)
    ]
    if assignment.pk in open_ids:
        index = open_ids.index(assignment.pk)
        others = open_ids[index + 1 :] + open_ids[:index]
        position = index + 1
    else:
        others = open_ids
        position = None
    return ReviewNavigation(
        previous=others[-1] if others else None,
        next=others[0] if others else None,
        position=position,
        total=len(open_ids),
    )
