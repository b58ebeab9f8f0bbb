"""A juror's work: opened rounds, assignments with their reviews, finalists, ballots, and the
entry as the review page shows it."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _

from awards.enums import RoundStatus
from awards.models import Award, Round
from submissions.models import Attachment, Submission

from ..conflicts import blocked_q
from ..enums import ReviewStatus
from ..models import Assignment, Ballot, Juror, Review, Score
from .calibration import is_calibration_entry


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
    entry, its category, whether it is a calibration entry (``is_calibration``) and the
    review's status (3 queries when evaluated)."""
    queryset = (
        Assignment.objects.filter(juror=juror)
        .exclude(round__status=RoundStatus.PLANNED)
        .exclude(blocked_q(juror, prefix="submission__"))
        .annotate(is_calibration=is_calibration_entry())
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
    """The entry with its images and documents for the review page: the entry as
    ``access.assignment_for_review`` read it (with its category, company and award), and its
    files (1 query)."""
    submission = assignment.submission
    prefetch_related_objects(
        [submission], Prefetch("attachments", queryset=Attachment.objects.order_by("kind", "pk"))
    )
    return submission


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


def round_submissions(round: Round) -> list[Submission]:
    """The entries of ``round`` with their category, by category and reference (1 query)."""
    return list(
        Submission.objects.filter(rounds__round=round)
        .select_related("category")
        .order_by("category__position", "category__code", "reference", "pk")
    )


def other_review_rows(juror: Juror, assignment: Assignment, criteria: list) -> list[dict]:
    """The other jurors' submitted reviews of the entry (``other_reviews``) as the review page
    shows them, once ``rules.may_see_other_reviews`` allows it: named for the jury chair,
    "Juror 1", "Juror 2", … for everyone else; scores in the order of ``criteria``."""
    rows = []
    for number, other in enumerate(other_reviews(assignment), start=1):
        scores = {s.criterion_id: s for s in other.scores.all()}
        rows.append(
            {
                "label": other.assignment.juror.user.full_name
                if juror.is_chair
                else _("Juror %(number)d") % {"number": number},
                "scores": [(c, scores.get(c.pk)) for c in criteria],
                "overall_comment": other.overall_comment,
            }
        )
    return rows
