"""The organisers' progress page: every juror's work in a round, in a fixed number of queries;
what closing a round leaves out; who is due a reminder and when each juror was last reminded."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from awards.models import Award, Category, Round
from notifications.models import Message
from submissions.models import Submission

from ..conflicts import assignment_blocked
from ..enums import BLOCKING_CONFLICT_STATUSES, ReviewStatus
from ..models import Assignment, Ballot, Conflict, Juror, JurorCategory, Review
from .jurors import JURY_VISIBLE_STATUSES


@dataclass
class ProgressRow:
    label: str
    assigned: int = 0
    drafts: int = 0
    submitted: int = 0
    conflicts: int = 0
    juror: Juror | None = None
    category: Category | None = None

    @property
    def not_started(self) -> int:
        return self.assigned - self.drafts - self.submitted

    @property
    def missing(self) -> int:
        """Assigned but not submitted: what closing the round now leaves out."""
        return self.assigned - self.submitted

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.assigned) if self.assigned else 0


@dataclass
class Progress:
    round: Round | None
    jurors: list[ProgressRow] = field(default_factory=list)
    categories: list[ProgressRow] = field(default_factory=list)
    total: ProgressRow = field(default_factory=lambda: ProgressRow(label=""))


def round_progress(award: Award, round: Round | None) -> Progress:
    """Assigned, drafts, submitted and conflicts per juror and per category (5 queries)."""
    progress = Progress(round=round)
    jurors = list(
        Juror.objects.filter(award=award, is_active=True)
        .select_related("user")
        .annotate(
            conflict_count=Count(
                "conflicts",
                filter=Q(conflicts__status__in=BLOCKING_CONFLICT_STATUSES),
                distinct=True,
            )
        )
        .order_by("user__full_name", "pk")
    )
    categories = list(award.categories.all())
    by_juror = {
        j.pk: ProgressRow(label=j.user.full_name, juror=j, conflicts=j.conflict_count)
        for j in jurors
    }
    by_category = {c.pk: ProgressRow(label=c.name, category=c) for c in categories}
    if round is not None:
        rows = (
            Assignment.objects.filter(round=round, juror__is_active=True)
            .exclude(assignment_blocked())
            .values("juror_id", "submission__category_id", "review__status")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            for target in (
                by_juror.get(row["juror_id"]),
                by_category.get(row["submission__category_id"]),
                progress.total,
            ):
                if target is None:
                    continue
                target.assigned += row["n"]
                if row["review__status"] == ReviewStatus.DRAFT:
                    target.drafts += row["n"]
                elif row["review__status"] == ReviewStatus.SUBMITTED:
                    target.submitted += row["n"]
        conflicts = Conflict.objects.filter(
            juror__award=award, juror__is_active=True, status__in=BLOCKING_CONFLICT_STATUSES
        ).values_list("submission__category_id", "organisation_id")
        organisation_categories: dict[int, set[int]] = defaultdict(set)
        for organisation_id, category_id in Submission.objects.filter(
            award=award, status__in=JURY_VISIBLE_STATUSES
        ).values_list("organisation_id", "category_id"):
            organisation_categories[organisation_id].add(category_id)
        for category_id, organisation_id in conflicts:
            targets = (
                [category_id]
                if category_id is not None
                else sorted(organisation_categories.get(organisation_id, ()))
            )
            for target_id in targets:
                if target_id in by_category:
                    by_category[target_id].conflicts += 1
    progress.total.conflicts = sum(row.conflicts for row in by_juror.values())
    progress.jurors = list(by_juror.values())
    progress.categories = list(by_category.values())
    return progress


def open_work_by_juror(round: Round) -> dict[int, int]:
    """Juror id → reviews (or ballots) still to submit in ``round``, for active jurors."""
    from awards.enums import RoundMethod

    if round.method == RoundMethod.RANKING:
        open_counts: dict[int, int] = {}
        finalists = defaultdict(int)
        for category_id in Submission.objects.filter(rounds__round=round).values_list(
            "category_id", flat=True
        ):
            finalists[category_id] += 1
        submitted = set(
            Ballot.objects.filter(round=round, status=ReviewStatus.SUBMITTED).values_list(
                "juror_id", "category_id"
            )
        )
        for juror_id, category_id in Juror.objects.filter(
            award_id=round.award_id, is_active=True
        ).values_list("pk", "category_links__category_id"):
            if finalists.get(category_id) and (juror_id, category_id) not in submitted:
                open_counts[juror_id] = open_counts.get(juror_id, 0) + 1
        return open_counts
    rows = (
        Assignment.objects.filter(round=round, juror__is_active=True)
        .exclude(assignment_blocked())
        .filter(
            ~Exists(Review.objects.filter(assignment=OuterRef("pk"), status=ReviewStatus.SUBMITTED))
        )
        .values("juror_id")
        .annotate(n=Count("pk"))
    )
    return {row["juror_id"]: row["n"] for row in rows}


# --- Closing a round ---------------------------------------------------------------------


def round_close_summary(award: Award, round: Round) -> Progress:
    """What closing ``round`` now leaves out, per category and in total: in a round that
    scores, the reviews assigned, submitted and in draft (``missing`` = assigned −
    submitted; drafts do not count once the round is closed), as on the progress page; in a
    ranking round the same for the ballots of the jurors of each category with finalists
    (at most 5 queries)."""
    from awards.enums import RoundMethod

    if round.method != RoundMethod.RANKING:
        return round_progress(award, round)
    progress = Progress(round=round)
    categories = list(award.categories.all())
    by_category = {c.pk: ProgressRow(label=c.name, category=c) for c in categories}
    finalists = set(
        Submission.objects.filter(rounds__round=round).values_list("category_id", flat=True)
    )
    for category_id in JurorCategory.objects.filter(
        juror__award=award, juror__is_active=True, category_id__in=finalists
    ).values_list("category_id", flat=True):
        by_category[category_id].assigned += 1
    ballots = Ballot.objects.filter(
        round=round, juror__is_active=True, category_id__in=finalists
    ).values_list("category_id", "status")
    for category_id, status in ballots:
        row = by_category[category_id]
        if status == ReviewStatus.SUBMITTED:
            row.submitted += 1
        elif status == ReviewStatus.DRAFT:
            row.drafts += 1
    progress.categories = list(by_category.values())
    for row in progress.categories:
        progress.total.assigned += row.assigned
        progress.total.submitted += row.submitted
        progress.total.drafts += row.drafts
    return progress


# --- Reminders ---------------------------------------------------------------------------

REMINDER_KEY = "jury.reminder"


@dataclass
class ReminderRow:
    juror: Juror
    open: int  # reviews (or ballots) still to submit
    last_reminded: dt.datetime | None  # by the schedule or by hand, in this round
    recent: bool  # reminded within LAUREL_REMINDER_MIN_INTERVAL: skipped unless forced


def reminder_interval() -> dt.timedelta:
    """How long after a reminder a juror is not reminded again by hand, unless forced."""
    return dt.timedelta(seconds=settings.LAUREL_REMINDER_MIN_INTERVAL)


def reminders_last_sent(round: Round) -> dict[int, dt.datetime]:
    """Juror id → when the juror was last reminded of ``round``, by the schedule or by
    hand. Read from the outbox: every reminder's idempotency key is
    ``jury.reminder:<round>:<juror>:…`` (1 query)."""
    prefix = f"{REMINDER_KEY}:{round.pk}:"
    last: dict[int, dt.datetime] = {}
    for key, created in Message.objects.filter(
        award_id=round.award_id, template_key=REMINDER_KEY, idempotency_key__startswith=prefix
    ).values_list("idempotency_key", "created_at"):
        juror_id = key[len(prefix) :].split(":", 1)[0]
        if juror_id.isdigit() and (int(juror_id) not in last or created > last[int(juror_id)]):
            last[int(juror_id)] = created
    return last


def reminder_rows(
    round: Round, *, juror: Juror | None = None, now: dt.datetime | None = None
) -> list[ReminderRow]:
    """The jurors with open work in ``round`` (or only ``juror``, if they have any), by
    name: how much is open, when they were last reminded and whether that was within the
    interval (4 queries)."""
    open_work = open_work_by_juror(round)
    jurors = Juror.objects.filter(pk__in=open_work).select_related("user")
    if juror is not None:
        jurors = jurors.filter(pk=juror.pk)
    last = reminders_last_sent(round)
    since = (now or timezone.now()) - reminder_interval()
    return [
        ReminderRow(
            juror=each,
            open=open_work[each.pk],
            last_reminded=last.get(each.pk),
            recent=each.pk in last and last[each.pk] > since,
        )
        for each in jurors.order_by("user__full_name", "pk")
    ]
