"""Permission-aware getters for jury pages. Anyone who may not see the object gets a 404,
never a 403: an id reveals nothing, and a conflicted entry looks like no entry at all."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.mfa import second_factor_required_check
from accounts.models import User
from awards.enums import RoundStatus
from awards.models import Award, Round
from submissions.models import Attachment, Submission

from .conflicts import blocked_q, is_blocked
from .models import Assignment, Juror, Review


def juror_get_for(user: User, slug: str) -> tuple[Award, Juror]:
    """The award and the user's active seat on its jury (one query: the seat with its award,
    as ``selectors.juror_for`` finds it; no seat or no such award alike is a 404)."""
    juror = (
        Juror.objects.filter(award__slug=slug, user=user, is_active=True)
        .select_related("award", "user")
        .order_by()  # one seat per user and award: no ordering
        .first()
        if user.is_authenticated
        else None
    )
    if juror is None:
        raise Http404
    # An award that requires a second factor shows its jurors nothing before they have one.
    second_factor_required_check(
        user, required=juror.award.mfa_required, award_name=str(juror.award)
    )
    return juror.award, juror


def _assignments_of(juror: Juror) -> QuerySet[Assignment]:
    """The juror's assignments they may open: in a round that has been opened, not blocked by
    a conflict. The one boundary of both getters below."""
    return (
        Assignment.objects.filter(juror=juror)
        .exclude(round__status=RoundStatus.PLANNED)
        .exclude(blocked_q(juror, prefix="submission__"))
    )


def assignment_get_for(juror: Juror, pk: int) -> Assignment:
    """One of the juror's assignments in a round that has been opened, not blocked."""
    assignment = (
        _assignments_of(juror)
        .filter(pk=pk)
        .select_related("round__award", "submission__category", "juror__user")
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


def assignment_for_review(juror: Juror, pk: int) -> Assignment:
    """``assignment_get_for`` as the review page reads it, in one query: with the round, the
    entry with its category and company, and the juror's own review (``own_review``, None
    before they start). The juror and the award are the caller's, not read again."""
    assignment = (
        _assignments_of(juror)
        .filter(pk=pk)
        .select_related("round", "submission__category", "submission__organisation", "review")
        .defer("submission__answers_text", "submission__choice_answers")  # the list's search
        .order_by()  # one row: no ordering (the models' default one joins four tables)
        .first()
    )
    if assignment is None:
        raise Http404
    assignment.juror = juror
    assignment.round.award = juror.award
    assignment.submission.award = juror.award
    try:
        assignment.own_review = assignment.review
    except Review.DoesNotExist:
        assignment.own_review = None
    return assignment


def round_get_for(award: Award, number: int) -> Round:
    round_ = Round.objects.filter(award=award, number=number).select_related("award").first()
    if round_ is None:
        raise Http404
    return round_


def finalist_get_for(juror: Juror, round: Round, pk: int) -> Submission:
    """An entry of an opened final round, in the juror's categories, not blocked."""
    if round.status == RoundStatus.PLANNED or round.number == 1:
        raise Http404
    submission = (
        Submission.objects.filter(
            pk=pk,
            rounds__round=round,
            category__in=juror.category_links.values("category_id"),
        )
        .exclude(blocked_q(juror))
        .select_related("category", "organisation", "award")
        .first()
    )
    if submission is None:
        raise Http404
    return submission


def attachment_get_for_juror(juror: Juror, pk: int) -> Attachment:
    """A file of an entry the juror may open: assigned to them in an opened round, or a
    finalist of their category in an opened round; never one a conflict blocks, and none
    before the juror has confirmed confidentiality and declared their conflicts."""
    if not juror.is_ready:
        raise Http404
    attachment = Attachment.objects.select_related("submission").filter(pk=pk).first()
    if attachment is None:
        raise Http404
    submission = attachment.submission
    if submission.award_id != juror.award_id or is_blocked(juror, submission):
        raise Http404
    opened = ~Q(round__status=RoundStatus.PLANNED)
    assigned = Assignment.objects.filter(opened, juror=juror, submission=submission).exists()
    finalist = submission.rounds.filter(
        opened,
        round__number__gt=1,
        submission__category__in=juror.category_links.values("category_id"),
    ).exists()
    if not (assigned or finalist):
        raise Http404
    return attachment
