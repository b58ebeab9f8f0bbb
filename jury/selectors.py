"""Every non-trivial read of jury data. Each page's queries are fixed in number, whatever the
size of the jury or the field of entries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import User
from awards.enums import RoundStatus
from awards.models import Award, Category, Round
from submissions.enums import SubmissionStatus
from submissions.models import Attachment, Submission

from .conflicts import assignment_blocked, blocked_q
from .enums import BLOCKING_CONFLICT_STATUSES, InvitationStatus, ReviewStatus
from .models import Assignment, Ballot, Conflict, Juror, JuryInvitation, Review, Score

# Entries the jury works on: submitted ones, and those the organisers found eligible.
JURY_VISIBLE_STATUSES = (SubmissionStatus.SUBMITTED, SubmissionStatus.ELIGIBLE)


def juror_for(user: User, award: Award) -> Juror | None:
    if not user.is_authenticated:
        return None
    return (
        Juror.objects.filter(award=award, user=user, is_active=True)
        .select_related("award", "user")
        .first()
    )


def juror_category_ids(juror: Juror) -> list[int]:
    return list(juror.category_links.values_list("category_id", flat=True))


def submissions_in_juror_categories(juror: Juror) -> QuerySet[Submission]:
    """The entries a juror lists when declaring conflicts: their categories, title and
    company only (the template shows nothing else)."""
    return Submission.objects.filter(
        award_id=juror.award_id,
        category__in=juror.category_links.values("category_id"),
        status__in=JURY_VISIBLE_STATUSES,
    )


def current_round(award: Award) -> Round | None:
    """The open round, else the latest that has been opened, else the first."""
    rounds = list(award.rounds.all())
    for round_ in rounds:
        if round_.status == RoundStatus.OPEN:
            return round_
    opened = [r for r in rounds if r.status != RoundStatus.PLANNED]
    return opened[-1] if opened else (rounds[0] if rounds else None)


def assignments_for_juror(juror: Juror, rounds: list[Round] | None = None) -> QuerySet[Assignment]:
    """The juror's assignments in opened rounds, never one blocked by a conflict, with the
    entry, its category and the review's status (3 queries when evaluated)."""
    queryset = (
        Assignment.objects.filter(juror=juror)
        .exclude(round__status=RoundStatus.PLANNED)
        .exclude(blocked_q(juror, prefix="submission__"))
        .select_related("round", "submission__category", "submission__organisation")
        .prefetch_related(
            Prefetch("review", queryset=Review.objects.only("pk", "status", "assignment_id"))
        )
        .order_by("round__number", "submission__category__position", "submission__reference")
    )
    if rounds is not None:
        queryset = queryset.filter(round__in=rounds)
    return queryset


def review_status(assignment: Assignment) -> str:
    review = getattr(assignment, "review", None)
    if review is None:
        return ReviewStatus.NOT_STARTED
    return review.status


def finalists_for_juror(juror: Juror, round: Round) -> QuerySet[Submission]:
    """Entries of a (final) round in the juror's categories that no conflict blocks."""
    return (
        Submission.objects.filter(
            rounds__round=round, category__in=juror.category_links.values("category_id")
        )
        .exclude(blocked_q(juror))
        .select_related("category", "organisation")
        .order_by("category__position", "reference")
    )


def submission_for_review(assignment: Assignment) -> Submission:
    """The entry with its images and documents for the review page (2 queries)."""
    return (
        Submission.objects.select_related("category", "organisation", "award")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("kind", "pk"))
        )
        .get(pk=assignment.submission_id)
    )


def other_reviews(assignment: Assignment) -> list[Review]:
    """Submitted reviews of the same entry in the same round by other jurors who are still on
    the jury (the caller decides whether the award lets this juror see them)."""
    return list(
        Review.objects.filter(
            assignment__round_id=assignment.round_id,
            assignment__submission_id=assignment.submission_id,
            status=ReviewStatus.SUBMITTED,
        )
        .exclude(assignment_id=assignment.pk)
        .select_related("assignment__juror__user")
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion")))
        .order_by("assignment__juror__user__full_name", "pk")
    )


# --- Organisers ------------------------------------------------------------------------


def jury_members(award: Award) -> list[Juror]:
    return list(
        Juror.objects.filter(award=award)
        .select_related("user")
        .prefetch_related("category_links__category")
        .annotate(
            conflict_count=Count(
                "conflicts",
                filter=Q(conflicts__status__in=BLOCKING_CONFLICT_STATUSES),
                distinct=True,
            )
        )
        .order_by("-is_active", "user__full_name", "pk")
    )


def jury_invitations(award: Award) -> list[JuryInvitation]:
    return list(
        JuryInvitation.objects.filter(award=award)
        .exclude(status=InvitationStatus.ACCEPTED)
        .prefetch_related("categories")
        .order_by("-created_at", "-pk")
    )


def conflicts_of_award(award: Award) -> list[Conflict]:
    return list(
        Conflict.objects.filter(juror__award=award)
        .select_related("juror__user", "submission__category", "organisation")
        .order_by("juror__user__full_name", "pk")
    )


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


def ballots_of_round(round: Round) -> list[Ballot]:
    return list(
        Ballot.objects.filter(round=round, status=ReviewStatus.SUBMITTED, juror__is_active=True)
        .select_related("juror__user", "category")
        .order_by("category__position", "juror__user__full_name")
    )


def has_submitted_review(juror: Juror, round: Round, submission: Submission) -> bool:
    return Review.objects.filter(
        assignment__juror=juror,
        assignment__round=round,
        assignment__submission=submission,
        status=ReviewStatus.SUBMITTED,
    ).exists()


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


def round_submissions(round: Round) -> list[Submission]:
    """The entries of ``round`` with their category, by category and reference (1 query)."""
    return list(
        Submission.objects.filter(rounds__round=round)
        .select_related("category")
        .order_by("category__position", "category__code", "reference", "pk")
    )
