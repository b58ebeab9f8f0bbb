"""The juror's dashboard: every opened round with the juror's work in it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from awards.enums import RoundMethod, RoundStatus
from awards.models import Award, Category, Round
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


@dataclass
class DashboardRound:
    round: Round
    deadline: dt.datetime | None
    rows: list[dict] = field(default_factory=list)
    ballots: list[CategoryBallot] = field(default_factory=list)
    # Categories whose calibration entries the juror must review first (their other entries
    # wait), and those whose calibration reviews are all in (their comparison is ready).
    calibration_pending: list[Category] = field(default_factory=list)
    calibration_done: list[Category] = field(default_factory=list)

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


def dashboard_rounds(award: Award, juror: Juror) -> list[DashboardRound]:
    """The opened rounds with the juror's work in each, in a fixed number of queries:
    rounds, assignments (with reviews), the categories whose calibration entries are still
    open, and for a ranking round its finalists and ballots.

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
        item = DashboardRound(round=round_, deadline=juror.deadline_in(round_))
        calibration_categories: dict[int, Category] = {}
        # Calibration entries first; otherwise the order of ``assignments_for_juror``.
        assignments = sorted(by_round.get(round_.pk, ()), key=lambda a: not a.is_calibration)
        for assignment in assignments:
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
                }
            )
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
    return result
