"""The organisers' progress page: every juror's work in a round, in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from awards.models import Award, Category, Round
from submissions.models import Submission

from ..conflicts import assignment_blocked
from ..enums import BLOCKING_CONFLICT_STATUSES, ReviewStatus
from ..models import Assignment, Ballot, Conflict, Juror, Review
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
