"""Seats and who sits on them: a user's seat, a juror's categories and the entries in them,
the jury and its invitations and conflicts as the organisers list them."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from accounts.models import User
from awards.models import Award
from submissions.enums import SubmissionStatus
from submissions.models import Submission

from ..enums import BLOCKING_CONFLICT_STATUSES, InvitationStatus
from ..models import Conflict, Juror, JuryInvitation

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


def jury_members(award: Award) -> list[Juror]:
    """The award's jurors with their categories, blocking conflicts and ``invited_email``:
    the address their last accepted invitation was sent to (the organisers see it when the
    person accepted with an account of another address, after confirming a code sent there)."""
    accepted = JuryInvitation.objects.filter(
        juror=OuterRef("pk"), status=InvitationStatus.ACCEPTED
    ).order_by("-responded_at", "-pk")
    return list(
        Juror.objects.filter(award=award)
        .select_related("user")
        .prefetch_related("category_links__category")
        .annotate(
            conflict_count=Count(
                "conflicts",
                filter=Q(conflicts__status__in=BLOCKING_CONFLICT_STATUSES),
                distinct=True,
            ),
            invited_email=Subquery(accepted.values("email")[:1]),
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


def awards_judged_by(user: User) -> QuerySet[Award]:
    """The awards on whose jury ``user`` has an active seat."""
    if not user.is_authenticated:
        return Award.objects.none()
    return Award.objects.filter(jurors__user=user, jurors__is_active=True).distinct()


def jurors_of_award(bulk) -> QuerySet[User]:
    """The audience "jurors" of an announcement: the users with an active seat on the jury
    of ``bulk.award`` (chair included)."""
    return User.objects.filter(juror_seats__award=bulk.award, juror_seats__is_active=True)
