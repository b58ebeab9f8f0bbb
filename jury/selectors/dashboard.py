"""The juror's dashboard (every opened round with the juror's work in it, in the order of
what needs doing, filtered by category and status, a page at a time) and the way through the
juror's open reviews from one review page to the next.

The dashboard costs the same for 30 assignments as for 300: the progress, the figures of the
tabs and filters, and which categories still wait for calibration entries come from one
aggregate query (a handful of rows per round and category); the rows shown are one page of
each round's list, ordered and cut in SQL."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from awards.enums import RoundMethod, RoundStatus
from awards.models import Award, Category, Round
from submissions.dashboard_selectors import Countdown, deadline_countdown
from submissions.models import Submission

from ..conflicts import blocked_q
from ..enums import REVIEW_BADGES, ReviewStatus
from ..models import Assignment, Ballot, Juror
from .calibration import calibration_pending_in, is_calibration_entry
from .work import finalists_for_juror

# Rows per page of a round's list.
PAGE_SIZE = 50


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

# The two lists of a round: what is still to do (begun or not started), and what is done.
TODO = "todo"
DONE = "done"
TAB_STATUSES = {
    TODO: (ReviewStatus.DRAFT, ReviewStatus.NOT_STARTED),
    DONE: (ReviewStatus.SUBMITTED,),
}


def _number(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@dataclass(frozen=True)
class DashboardFilter:
    """The dashboard's filters as the juror chose them (empty: everything), and which list
    (to do or done) and page of it to show: of the round numbered ``round``, or of every
    round when no round is named (the others show their first page, of what is to do while
    there is something to do)."""

    category: int | None = None
    status: str = ""
    round: int | None = None
    tab: str = ""  # TODO, DONE, or "" (not chosen)
    page: int = 1

    @classmethod
    def from_query(cls, query) -> DashboardFilter:
        """From the page's query string; anything unknown counts as no filter (and the first
        page)."""
        status = query.get("status", "")
        tab = query.get("tab", "")
        return cls(
            category=_number(query.get("category", "")),
            status=status if status in ReviewStatus.values else "",
            round=_number(query.get("round", "")),
            tab=tab if tab in TAB_STATUSES else "",
            page=_number(query.get("page", "")) or 1,
        )

    @property
    def active(self) -> bool:
        return self.category is not None or bool(self.status)

    def addresses(self, round: Round) -> bool:
        return self.round is None or self.round == round.number

    def tab_for(self, round: Round, todo: int) -> str:
        """The list shown of ``round``: the status filter decides it (submitted: done), else
        the tab chosen for the round, else what is to do, or what is done once nothing is
        left to do (``todo``: the entries to do under the category filter)."""
        if self.status:
            return DONE if self.status == ReviewStatus.SUBMITTED else TODO
        if self.tab and self.addresses(round):
            return self.tab
        return TODO if todo else DONE

    def statuses_for(self, round: Round, tab: str) -> tuple[str, ...]:
        return (self.status,) if self.status else TAB_STATUSES[tab]

    def page_for(self, round: Round) -> int | str:
        return self.page if self.addresses(round) else 1


@dataclass
class DashboardRow:
    """One assignment as the dashboard lists it."""

    assignment_id: int
    reference: str
    title: str
    category: Category | None
    company: str
    status: str
    calibration: bool
    locked: bool

    @property
    def status_display(self) -> str:
        return ReviewStatus(self.status).label

    @property
    def badge(self) -> str:
        return REVIEW_BADGES[self.status]


@dataclass
class DashboardRound:
    round: Round
    deadline: dt.datetime | None
    countdown: Countdown | None = None
    ballots: list[CategoryBallot] = field(default_factory=list)
    # Categories whose calibration entries the juror must review first (their other entries
    # wait), and those whose calibration reviews are all in (their comparison is ready).
    calibration_pending: list[Category] = field(default_factory=list)
    calibration_done: list[Category] = field(default_factory=list)
    # The juror's assignments of the round and how many of them are submitted (all of them,
    # whatever the filters: the progress).
    assigned: int = 0
    done: int = 0
    # The list shown (``TODO`` or ``DONE``), the figures of both tabs under the category
    # filter, the page of the list the filters keep (a Page of row numbers: the figures of
    # the pagination) and its rows, in the order of what needs doing.
    tab: str = TODO
    tab_counts: dict[str, int] = field(default_factory=dict)
    status_figures: dict[str, int] = field(default_factory=dict)
    page: Page | None = None
    shown: list[DashboardRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.ballots) if self.is_ranking else self.assigned

    @property
    def submitted(self) -> int:
        if self.is_ranking:
            return sum(1 for b in self.ballots if b.status == ReviewStatus.SUBMITTED)
        return self.done

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.total) if self.total else 0

    @property
    def is_ranking(self) -> bool:
        return self.round.method == RoundMethod.RANKING

    @property
    def page_numbers(self) -> list[int | None]:
        """The numbers of the pages to link, None where some are left out (…)."""
        if self.page is None:
            return []
        paginator = self.page.paginator
        return [
            None if number == paginator.ELLIPSIS else number
            for number in paginator.get_elided_page_range(
                self.page.number, on_each_side=1, on_ends=1
            )
        ]

    @property
    def tabs(self) -> list[tuple[str, int, bool]]:
        """(tab, figure, current) for the to do and the done tab."""
        return [(tab, self.tab_counts.get(tab, 0), tab == self.tab) for tab in (TODO, DONE)]


def status_of(item) -> str:
    return item.status if isinstance(item, CategoryBallot | DashboardRow) else item["status"]


def work_key(row: dict) -> tuple:
    """The dashboard's order, as ``_work_order`` expresses it in SQL: calibration entries
    first (they open the others), then what needs doing (begun, not started, submitted;
    locked entries last among the open ones), then the list's fixed order (category,
    reference)."""
    return (not row["calibration"], WORK_ORDER[row["status"]], row["locked"], row["position"])


def _juror_assignments(juror: Juror, rounds: list[Round]) -> QuerySet[Assignment]:
    """The juror's assignments in ``rounds``, never one blocked by a conflict (the rows of
    ``assignments_for_juror``), with whether the entry is a calibration entry and the
    review's status (not started without a review)."""
    return (
        Assignment.objects.filter(juror=juror, round__in=rounds)
        .exclude(blocked_q(juror, prefix="submission__"))
        .annotate(
            is_calibration=is_calibration_entry(),
            status=Coalesce(
                F("review__status"), Value(ReviewStatus.NOT_STARTED), output_field=CharField()
            ),
        )
    )


def _work_order(pending: set[tuple[int, int]]) -> tuple[dict, list]:
    """The annotations and the ORDER BY of ``work_key`` in SQL: calibration entries first,
    then drafts, not started, submitted; among them the entries locked until the calibration
    entries of their category (``pending``: (round id, category id)) are reviewed last; then
    category and reference."""
    if pending:
        waiting = reduce(
            or_, (Q(round_id=r, submission__category_id=c) for r, c in sorted(pending))
        )
        locked = Case(
            When(Q(is_calibration=False) & waiting, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    else:
        locked = Value(False, output_field=BooleanField())
    annotations = {
        "locked": locked,
        "work": Case(
            *(When(status=status, then=Value(rank)) for status, rank in WORK_ORDER.items()),
            output_field=IntegerField(),
        ),
    }
    order = [
        F("is_calibration").desc(),
        F("work").asc(),
        F("locked").asc(),
        F("submission__category__position").asc(),
        F("submission__category_id").asc(),
        F("submission__reference").asc(),
        F("pk").asc(),
    ]
    return annotations, order


def _rows(
    juror: Juror,
    wanted: dict[int, tuple[tuple[str, ...], Page]],
    filters: DashboardFilter,
    pending: set[tuple[int, int]],
    categories: dict[int, Category],
) -> dict[int, list[DashboardRow]]:
    """Round id → the rows of the page of its list (``wanted``: the statuses the round's list
    keeps and its page), in the order of ``work_key``: 1 query for every round, cut to the page
    in SQL (with more than one round listed, each round's rows numbered by a window function)."""
    if not wanted:
        return {}
    annotations, order = _work_order(pending)
    keeps = reduce(
        or_, (Q(round_id=pk, status__in=statuses) for pk, (statuses, _p) in wanted.items())
    )
    queryset = _juror_assignments(juror, list(wanted)).annotate(**annotations).filter(keeps)
    if filters.category is not None:
        queryset = queryset.filter(submission__category_id=filters.category)
    columns = (
        "pk",
        "round_id",
        "submission__reference",
        "submission__title",
        "submission__category_id",
        "submission__organisation__name",
        "status",
        "is_calibration",
        "locked",
    )
    if len(wanted) == 1:
        # One round listed (the usual case): its page is a plain LIMIT/OFFSET.
        ((_statuses, page),) = wanted.values()
        queryset = queryset.order_by(*order).values_list(*columns)[
            page.start_index() - 1 : page.end_index()
        ]
    else:
        bounds = [
            (pk, page.start_index() - 1, page.end_index()) for pk, (_s, page) in wanted.items()
        ]
        queryset = (
            queryset.annotate(
                place=Window(RowNumber(), partition_by=[F("round_id")], order_by=order),
                first=Case(
                    *(When(round_id=pk, then=Value(low)) for pk, low, _high in bounds),
                    output_field=IntegerField(),
                ),
                last=Case(
                    *(When(round_id=pk, then=Value(high)) for pk, _low, high in bounds),
                    output_field=IntegerField(),
                ),
            )
            .filter(place__gt=F("first"), place__lte=F("last"))
            .order_by("round_id", "place")
            .values_list(*columns)
        )
    rows: dict[int, list[DashboardRow]] = defaultdict(list)
    for (
        pk,
        round_id,
        reference,
        title,
        category_id,
        company,
        status,
        calibration,
        locked,
    ) in queryset:
        rows[round_id].append(
            DashboardRow(
                assignment_id=pk,
                reference=reference,
                title=title,
                category=categories.get(category_id),
                company=company,
                status=status,
                calibration=bool(calibration),
                locked=bool(locked),
            )
        )
    return rows


def dashboard_rounds(
    award: Award,
    juror: Juror,
    filters: DashboardFilter | None = None,
    categories: list[Category] | None = None,
) -> list[DashboardRound]:
    """The opened rounds with the juror's work in each, in a fixed number of queries whatever
    the number of assignments: the rounds, the award's categories (unless the caller has
    them: ``categories``), one aggregate of the assignments by round, category, calibration
    and status (the progress, the figures of the tabs, and the categories whose calibration
    entries are still open), one page of each round's list (``_rows``), and for a ranking
    round its finalists and ballots. Rounds that are open come first, by their jury deadline;
    in each, ``shown`` holds a page of the rows ``filters`` keep in the order of ``work_key``.

    Calibration entries come first in their round; while one of a category is open (as
    ``selectors.calibration_pending`` decides: unsubmitted, in an open round), the juror's
    other entries of that category are shown locked."""
    filters = filters or DashboardFilter()
    rounds = [r for r in award.rounds.order_by("number") if r.status != RoundStatus.PLANNED]
    if not rounds:
        return []
    if categories is None:
        categories = list(award.categories.order_by("position", "pk"))
    by_id = {c.pk: c for c in categories}
    scored = [r for r in rounds if r.method != RoundMethod.RANKING]
    # (round id, category id, calibration, status) → assignments: a few rows per round.
    counts: dict[tuple[int, int, bool, str], int] = {}
    if scored:
        for round_id, category_id, calibration, status, number in (
            _juror_assignments(juror, scored)
            .order_by()
            .values_list("round_id", "submission__category_id", "is_calibration", "status")
            .annotate(number=Count("pk"))
        ):
            key = (round_id, category_id, bool(calibration), status)
            counts[key] = counts.get(key, 0) + number
    pending = {
        (round_.pk, category_id)
        for round_ in scored
        for category_id in calibration_pending_in(
            round_, ((key[2], key[1], key[3]) for key in counts if key[0] == round_.pk)
        )
    }
    ranking = [r for r in rounds if r.method == RoundMethod.RANKING]
    juror_categories = (
        [link.category for link in juror.category_links.select_related("category")]
        if ranking
        else []
    )
    juror_categories.sort(key=lambda c: (c.position, c.pk))
    result = []
    wanted: dict[int, tuple[tuple[str, ...], Page]] = {}
    for round_ in rounds:
        deadline = juror.deadline_in(round_)
        item = DashboardRound(
            round=round_,
            deadline=deadline,
            countdown=deadline_countdown(award, deadline)
            if round_.status == RoundStatus.OPEN
            else None,
        )
        result.append(item)
        if round_ in ranking:
            finalists: dict[int, list[Submission]] = defaultdict(list)
            for submission in finalists_for_juror(juror, round_):
                finalists[submission.category_id].append(submission)
            ballots = {b.category_id: b for b in Ballot.objects.filter(round=round_, juror=juror)}
            item.ballots = [
                CategoryBallot(c, finalists[c.pk], ballots.get(c.pk))
                for c in juror_categories
                if finalists.get(c.pk)
            ]
            continue
        mine = {key: n for key, n in counts.items() if key[0] == round_.pk}
        item.assigned = sum(mine.values())
        item.done = sum(n for key, n in mine.items() if key[3] == ReviewStatus.SUBMITTED)
        calibration: dict[int, bool] = {}  # category id → all calibration reviews submitted
        for (_r, category_id, is_calibration, status), _n in mine.items():
            if is_calibration:
                submitted = status == ReviewStatus.SUBMITTED
                calibration[category_id] = calibration.get(category_id, True) and submitted
        for category in categories:
            if category.pk not in calibration:
                continue
            if (round_.pk, category.pk) in pending:
                item.calibration_pending.append(category)
            elif calibration[category.pk]:
                item.calibration_done.append(category)
        in_category = {
            key: n
            for key, n in mine.items()
            if filters.category is None or key[1] == filters.category
        }
        for (_r, _c, _k, status), number in in_category.items():
            item.status_figures[status] = item.status_figures.get(status, 0) + number
        item.tab_counts = {
            tab: sum(item.status_figures.get(status, 0) for status in statuses)
            for tab, statuses in TAB_STATUSES.items()
        }
        item.tab = filters.tab_for(round_, item.tab_counts[TODO])
        statuses = filters.statuses_for(round_, item.tab)
        listed = sum(n for key, n in in_category.items() if key[3] in statuses)
        item.page = Paginator(range(listed), PAGE_SIZE).get_page(filters.page_for(round_))
        if listed:
            wanted[round_.pk] = (statuses, item.page)
    shown = _rows(juror, wanted, filters, pending, by_id)
    for item in result:
        item.shown = shown.get(item.round.pk, [])
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    result.sort(
        key=lambda i: (i.round.status != RoundStatus.OPEN, i.deadline or far, i.round.number)
    )
    return result


def status_counts(rounds: list[DashboardRound]) -> dict[str, int]:
    """Status → the juror's assignments with it in every listed round under the category
    filter (the figures of the status filter's options; no query)."""
    counts = dict.fromkeys(ReviewStatus.values, 0)
    for item in rounds:
        for status, number in item.status_figures.items():
            counts[status] += number
    return counts


@dataclass(frozen=True)
class ReviewNavigation:
    """Where an entry stands in the juror's open reviews of its round: the one before and
    after (wrapping round), and its place among them (None when it is not open itself)."""

    previous: int | None  # assignment ids
    next: int | None
    position: int | None
    total: int
    # Whether the entry itself waits for the juror's calibration reviews, as
    # ``selectors.calibration_gate`` decides it, read from the same rows.
    gated: bool = False


def review_navigation(juror: Juror, assignment: Assignment) -> ReviewNavigation:
    """The juror's open reviews of ``assignment``'s round (not submitted, not waiting for
    calibration entries) in the list's fixed order, so that "next" does not jump about as
    drafts are saved: 1 query of four small values per assignment of the round, whatever its
    number (the calibration entries still open, which lock the others of their category, are
    among those rows: ``calibration_pending_categories`` without a query of its own)."""
    round_ = assignment.round
    if round_.status == RoundStatus.PLANNED:
        return ReviewNavigation(previous=None, next=None, position=None, total=0, gated=False)
    rows = list(
        Assignment.objects.filter(juror=juror, round_id=round_.pk)
        .exclude(blocked_q(juror, prefix="submission__"))
        .annotate(is_calibration=is_calibration_entry())
        .order_by(
            F("is_calibration").desc(),
            "submission__category__position",
            "submission__category_id",
            "submission__reference",
            "pk",
        )
        .values_list("pk", "is_calibration", "submission__category_id", "review__status")
    )
    pending = calibration_pending_in(round_, (row[1:] for row in rows))
    open_ids = [
        pk
        for pk, calibration, category_id, status in rows
        if status != ReviewStatus.SUBMITTED and (calibration or category_id not in pending)
    ]
    gated = any(
        pk == assignment.pk and not calibration and category_id in pending
        for pk, calibration, category_id, _status in rows
    )
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
        gated=gated,
    )
