"""Reads for the applicant's pages: their organisations, colleagues, invitations and entries,
and the countdown to a deadline.

Each returns one query whatever the number of rows (the countdown none), so a page built
from them runs a fixed number of queries.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import User
from awards.enums import AwardStatus
from awards.models import Award
from awards.selectors import awards_public
from core.formatting import duration_in_words, moment_in_words

from .enums import MembershipRole, SubmissionStatus
from .models import Attachment, Membership, Organisation, OrganisationInvitation, Submission

# The last stretch before a deadline, when the pages say so prominently.
LAST_CALL = dt.timedelta(hours=48)
# Entries whose applicants still act before the deadline (change, submit, withdraw, reopen).
COUNTDOWN_STATUSES = frozenset(
    {SubmissionStatus.DRAFT, SubmissionStatus.SUBMITTED, SubmissionStatus.WITHDRAWN}
)


@dataclass(frozen=True)
class Countdown:
    """How long until a deadline, in the reader's language and the award's time zone:
    ``state`` is "open", "closing" (the last ``LAST_CALL``) or "closed"; ``remaining``
    "3 days and 4 hours" (empty once closed); ``deadline`` "12 December 2026, 6:00 p.m.
    German time"."""

    state: str
    remaining: str
    deadline: str
    moment: dt.datetime

    @property
    def closing(self) -> bool:
        return self.state == "closing"

    @property
    def closed(self) -> bool:
        return self.state == "closed"


def deadline_countdown(
    award: Award, deadline: dt.datetime | None, now: dt.datetime | None = None
) -> Countdown | None:
    """The countdown to ``deadline`` (the award's, or an entry's own) as the server sees it
    ``now``; None without a deadline. No query."""
    if deadline is None:
        return None
    now = now or timezone.now()
    left = deadline - now
    if left <= dt.timedelta(0):
        state, remaining = "closed", ""
    else:
        state = "closing" if left <= LAST_CALL else "open"
        remaining = duration_in_words(left)
    return Countdown(state, remaining, moment_in_words(award, deadline), deadline)


def entry_countdown(
    submission: Submission,
    *,
    deadline: dt.datetime | None,
    editable: bool,
    now: dt.datetime | None = None,
) -> Countdown | None:
    """The countdown an entry's applicants see: while they may still change it (``editable``,
    as ``services.editing_allowed`` says) how long is left; once its deadline has passed,
    that it is closed; nothing for an entry already checked, or while the award does not take
    entries for another reason (not open yet, closed early)."""
    if submission.status not in COUNTDOWN_STATUSES:
        return None
    countdown = deadline_countdown(submission.award, deadline, now)
    if countdown is None or not (editable or countdown.closed):
        return None
    return countdown


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
    award, category, organisation, and the file slots of its files (so that
    ``missing_items`` needs no query per entry)."""
    organisation_ids = Membership.objects.filter(user=user).values("organisation_id")
    return (
        Submission.objects.filter(organisation_id__in=organisation_ids)
        .select_related("award", "category", "organisation")
        .prefetch_related(
            Prefetch(
                "attachments",
                queryset=Attachment.objects.only("pk", "submission_id", "question_id"),
            )
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
