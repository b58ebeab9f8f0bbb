"""Reviews: saving drafts, submitting, reopening; ranked ballots; the jury's discussion."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from awards.enums import RoundMethod, RoundStatus
from awards.models import Round
from awards.services import audit_log
from core.events import event_emit
from core.formatting import format_moment
from submissions.models import Submission

from ..conflicts import is_blocked
from ..enums import ReviewStatus
from ..models import Assignment, Ballot, DiscussionPost, Juror, Review, Score
from ..selectors import calibration_gate, finalists_for_juror
from ..signals import round_work_changed


class ReviewError(ValidationError):
    pass


class ReviewLocked(ReviewError):
    pass


class DeadlinePassed(ReviewError):
    pass


class CalibrationPending(ReviewError):
    """The entry waits until the juror's reviews of the calibration entries of its category
    are submitted (``selectors.calibration_pending``)."""


class StaleReview(ReviewError):
    """Saved elsewhere since this version was loaded; ``current`` is the stored version."""

    def __init__(self, message: str, current: int):
        super().__init__(message, code="stale")
        self.current = current


def ensure_round_accepts(juror: Juror, round: Round) -> None:
    """Raise unless ``juror`` may still change their work in ``round`` now."""
    if round.status != RoundStatus.OPEN:
        raise ReviewLocked(_("This round is not open for reviews."))
    deadline = juror.deadline_in(round)
    if deadline is not None and timezone.now() >= deadline:
        raise DeadlinePassed(
            _("The jury deadline was %(deadline)s; reviews can no longer be changed.")
            % {"deadline": format_moment(round.award, deadline)}
        )


def _lock_assignment(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("round__award", "juror__user", "submission")
        .get(pk=assignment.pk)
    )


@transaction.atomic
def review_save(
    *,
    assignment: Assignment,
    actor: User,
    version: int,
    scores: Mapping[int, int | None],
    comments: Mapping[int, str] | None = None,
    overall_comment: str = "",
    private_note: str = "",
    applicant_feedback: str | None = None,
    submit: bool = False,
) -> Review:
    """Save the juror's review of ``assignment`` as a draft, or submit it.

    ``version`` is the version the juror's page was loaded with (0 before the first save);
    a save based on an older version raises StaleReview and changes nothing. Scores must be
    whole numbers on the criterion's scale, of this award's criteria; ``None`` clears one.
    ``comments`` per criterion are kept only where the award asks for them, the private
    note and the feedback to the applicant only where the award allows them (``None``
    leaves the stored feedback as it is).
    Submitting needs a score for every criterion and locks the review. Raises ReviewLocked
    (submitted, or the round is not open), DeadlinePassed (with the deadline),
    CalibrationPending (the juror's calibration entries of the category come first), ReviewError
    ({"scores": {criterion_id: message}} and friends) or PermissionDenied (not the juror's,
    or in conflict). Side effects on submit: audit entry ``review.submitted``;
    ``round_work_changed`` on commit.
    """
    assignment = _lock_assignment(assignment)
    juror, round, award = assignment.juror, assignment.round, assignment.round.award
    if juror.user_id != actor.pk or not juror.is_active:
        raise PermissionDenied
    if is_blocked(juror, assignment.submission):
        raise PermissionDenied
    if round.method != RoundMethod.SCORES:
        raise ReviewLocked(_("This round is decided by ranked ballots, not scores."))
    ensure_round_accepts(juror, round)
    if calibration_gate(assignment):
        raise CalibrationPending(
            _(
                "Please submit your reviews of the calibration entries of this category "
                "first; your other entries of the category open afterwards."
            ),
            code="calibration",
        )
    review = Review.objects.filter(assignment=assignment).first()
    current = review.version if review else 0
    if review is not None and review.status == ReviewStatus.SUBMITTED:
        raise ReviewLocked(
            _("This review has been submitted and is locked. The organisers can reopen it.")
        )
    if version != current:
        raise StaleReview(
            _(
                "This review was saved in another window since you opened it. Your input "
                "below has not been saved: copy what you need, then reload the page."
            ),
            current=current,
        )
    criteria = {c.pk: c for c in award.criteria.all()}
    comments = (comments or {}) if award.criterion_comments else {}
    errors: dict[int, str] = {}
    for criterion_id in set(scores) | set(comments):
        if criterion_id not in criteria:
            raise ReviewError(_("A criterion of another award was sent."), code="criterion")
    clean_scores: dict[int, int | None] = {}
    for criterion_id, value in scores.items():
        criterion = criteria[criterion_id]
        if value is None or value == "":
            clean_scores[criterion_id] = None
            continue
        try:
            number = int(value)
            if str(number) != str(value).strip():
                raise ValueError
        except (TypeError, ValueError):
            errors[criterion_id] = _("Enter a whole number.")
            continue
        if not criterion.scale_min <= number <= criterion.scale_max:
            errors[criterion_id] = _("Enter a score from %(min)d to %(max)d.") % {
                "min": criterion.scale_min,
                "max": criterion.scale_max,
            }
            continue
        clean_scores[criterion_id] = number
    if errors:
        raise ReviewError(errors_message(errors))
    if review is None:
        review = Review.objects.create(assignment=assignment)
    stored = {s.criterion_id: s for s in review.scores.all()}
    for criterion_id in criteria:
        existing = stored.get(criterion_id)
        value = clean_scores.get(criterion_id, existing.value if existing else None)
        if criterion_id in comments:
            comment = comments[criterion_id].strip()
        else:
            comment = existing.comment if existing else ""
        if value is None and not comment:
            if existing is not None:
                existing.delete()
        elif existing is None:
            Score.objects.create(
                review=review, criterion_id=criterion_id, value=value, comment=comment
            )
        elif existing.value != value or existing.comment != comment:
            existing.value, existing.comment = value, comment
            existing.save(update_fields=["value", "comment"])
    review.overall_comment = overall_comment.strip()
    review.private_note = private_note.strip() if award.private_notes else ""
    if applicant_feedback is not None and award.applicant_feedback:
        review.applicant_feedback = applicant_feedback.strip()
    if submit:
        scored = set(
            review.scores.filter(value__isnull=False).values_list("criterion_id", flat=True)
        )
        missing = [criteria[c] for c in criteria if c not in scored]
        if missing:
            raise ReviewError(
                _("Please score every criterion before submitting: %(missing)s.")
                % {"missing": ", ".join(str(c) for c in missing)},
                code="incomplete",
            )
        review.status = ReviewStatus.SUBMITTED
        review.submitted_at = timezone.now()
    review.version = current + 1
    review.save()
    if submit:
        audit_log(
            award=award,
            actor=actor,
            action="review.submitted",
            target=review,
            data={
                "submission": assignment.submission.reference or assignment.submission_id,
                "round": round.number,
                "scores": {str(s.criterion_id): s.value for s in review.scores.all()},
            },
        )
        entry = assignment.submission
        event_emit(
            award_id=award.pk,
            name="review.submitted",
            payload={
                "award": award.slug,
                "round": round.number,
                "review": review.pk,
                "juror": juror.pk,
                "entry": entry.pk,
                "reference": entry.reference or None,
                "status": review.status,
            },
        )
        _work_changed(round)
    return review


def _work_changed(round: Round) -> None:
    """Tell the apps above (results: the robustness of the round) once this commits."""
    transaction.on_commit(lambda: round_work_changed.send(sender=Review, round=round))


def errors_message(errors: dict[int, str]) -> dict[str, list[str]]:
    """Per-criterion errors keyed ``score_<id>`` like the form's fields."""
    return {f"score_{criterion_id}": [message] for criterion_id, message in errors.items()}


@transaction.atomic
def review_reopen(*, review: Review, actor: User | None) -> Review:
    """The organisers unlock a submitted review for the juror to change (while the round is
    open). Side effects: audit entry ``review.reopened`` with the scores as they were;
    ``round_work_changed`` on commit."""
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("assignment__round__award", "assignment__submission")
        .get(pk=review.pk)
    )
    if review.status != ReviewStatus.SUBMITTED:
        raise ReviewError(_("Only a submitted review can be reopened."))
    if review.assignment.round.status != RoundStatus.OPEN:
        raise ReviewError(_("Reviews can only be reopened while their round is open."))
    review.status = ReviewStatus.DRAFT
    review.reopened_at = timezone.now()
    review.version += 1
    review.save(update_fields=["status", "reopened_at", "version", "updated_at"])
    audit_log(
        award=review.assignment.round.award,
        actor=actor,
        action="review.reopened",
        target=review,
        data={
            "submission": review.assignment.submission.reference or review.assignment.submission_id,
            "scores": {str(s.criterion_id): s.value for s in review.scores.all()},
        },
    )
    _work_changed(review.assignment.round)
    return review


@transaction.atomic
def ballot_save(
    *,
    round: Round,
    juror: Juror,
    category_id: int,
    ranking: Mapping[int, int],
    version: int,
    submit: bool,
    finalists: list[int],
) -> Ballot:
    """Save a juror's ranking of ``finalists`` (the entries of the category they may see);
    ranks are 1..n, equal ranks are ties; submitting needs every finalist ranked."""
    if round.method != RoundMethod.RANKING:
        raise ReviewLocked(_("This round is decided by scores, not ranked ballots."))
    if not juror.is_active or round.award_id != juror.award_id:
        raise PermissionDenied
    visible = set(
        finalists_for_juror(juror, round)
        .filter(category_id=category_id)
        .values_list("pk", flat=True)
    )
    if not visible or not set(finalists) <= visible:
        raise PermissionDenied
    ensure_round_accepts(juror, round)
    ballot, _created = Ballot.objects.select_for_update().get_or_create(
        round=round, juror=juror, category_id=category_id, defaults={"version": 0}
    )
    if ballot.status == ReviewStatus.SUBMITTED:
        raise ReviewLocked(_("This ballot has been submitted and is locked."))
    if ballot.version != version:
        raise StaleReview(
            _("This ballot was saved in another window since you opened it; reload the page."),
            current=ballot.version,
        )
    unknown = set(ranking) - set(finalists)
    if unknown:
        raise ReviewError(_("An entry that is not a finalist was ranked."))
    n = len(finalists)
    for rank in ranking.values():
        if not isinstance(rank, int) or not 1 <= rank <= n:
            raise ReviewError(_("Ranks go from 1 to %(n)d.") % {"n": n})
    if submit and set(ranking) != set(finalists):
        raise ReviewError(_("Please rank every finalist before submitting."))
    ballot.ranking = {str(k): v for k, v in sorted(ranking.items())}
    ballot.version += 1
    if submit:
        ballot.status = ReviewStatus.SUBMITTED
        ballot.submitted_at = timezone.now()
    ballot.save()
    if submit:
        audit_log(
            award=round.award,
            actor=juror.user,
            action="ballot.submitted",
            target=ballot,
            data={"round": round.number, "ranking": ballot.ranking},
        )
    return ballot


@transaction.atomic
def post_create(*, round: Round, submission: Submission, author: User, body: str) -> DiscussionPost:
    """Add to the jury's discussion of an entry (the view has checked who may)."""
    body = body.strip()
    if not body:
        raise ReviewError(_("Write a message first."))
    if len(body) > 5000:
        raise ReviewError(_("A message can have at most 5,000 characters."))
    if round.status != RoundStatus.OPEN:
        raise ReviewLocked(_("The discussion is closed with the round."))
    return DiscussionPost.objects.create(
        round=round, submission=submission, author=author, body=body
    )
