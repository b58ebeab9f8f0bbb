"""Reads for the applicant's pages: their organisations, colleagues, invitations and entries.

Each returns one query whatever the number of rows, so a page built from them runs a fixed
number of queries.
"""

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import User
from awards.enums import AwardStatus
from awards.models import Award
from awards.selectors import awards_public

from .enums import AttachmentKind, MembershipRole
from .models import Membership, Organisation, OrganisationInvitation, Submission


def memberships_of(user: User) -> QuerySet[Membership]:
    """The user's memberships with their organisation, by organisation name."""
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name", "organisation_id")
    )


def organisation_members(organisation: Organisation) -> QuerySet[Membership]:
    """The organisation's members with their accounts, owners first."""
    return (
        organisation.memberships.select_related("user")
        .alias(rank=Case(When(role=MembershipRole.OWNER, then=Value(0)), default=Value(1)))
        .order_by("rank", "user__full_name", "user__email")
    )


def organisation_open_invitations(organisation: Organisation) -> QuerySet[OrganisationInvitation]:
    """Invitations not accepted yet (expired ones too, so the owner sees to renew them)."""
    return organisation.invitations.filter(accepted_at__isnull=True).order_by("email")


def invitation_by_token(token: str) -> OrganisationInvitation | None:
    return (
        OrganisationInvitation.objects.select_related("organisation", "invited_by")
        .filter(token=token)
        .first()
    )


def submissions_of_user(user: User) -> QuerySet[Submission]:
    """Every entry of every organisation the user belongs to, with what the dashboard shows:
    award, category, organisation, and ``image_count`` (so that ``missing_items`` needs no
    query per entry)."""
    organisation_ids = Membership.objects.filter(user=user).values("organisation_id")
    return (
        Submission.objects.filter(organisation_id__in=organisation_ids)
        .select_related("award", "category", "organisation")
        .annotate(
            image_count=Count("attachments", filter=Q(attachments__kind=AttachmentKind.IMAGE))
        )
        .order_by(
            "organisation__name",
            "organisation_id",
            "-award__edition",
            "award__name",
            "category__position",
            "category_id",
            "pk",
        )
    )


def awards_open_for_entries() -> QuerySet[Award]:
    """Awards open for submissions whose deadline has not passed, soonest deadline first."""
    return (
        awards_public()
        .filter(status=AwardStatus.OPEN)
        .filter(Q(submissions_close_at__isnull=True) | Q(submissions_close_at__gt=timezone.now()))
        .order_by("submissions_close_at", "name")
    )
