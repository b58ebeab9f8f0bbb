"""Reminders of unfinished drafts, 7 days and 1 day before an entry's deadline."""

import datetime as dt
import logging
import math

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q
from django.urls import reverse

from awards.enums import AwardStatus
from notifications.models import Message
from notifications.services import notify

from ..enums import SubmissionStatus
from ..models import Membership, Submission
from .entries import deadline_for, editing_allowed

log = logging.getLogger(__name__)

# (days, window start): a draft whose deadline is at most ``days`` away gets the reminder
# of that window once; the 7-day window ends where the 1-day window begins.
WINDOWS = ((1, dt.timedelta(0)), (7, dt.timedelta(days=1)))


def _window(remaining: dt.timedelta) -> int | None:
    for days, after in WINDOWS:
        if after < remaining <= dt.timedelta(days=days):
            return days
    return None


def reminder_key(submission_id: int, window: int, member_id: int) -> str:
    return f"draft-reminder:{submission_id}:{window}:{member_id}"


def draft_reminders_send(*, now: dt.datetime) -> int:
    """Remind every member of an organisation of its unfinished drafts, 7 days and 1 day
    before the draft's deadline (the award's, or the entry's individual extension).

    Only drafts that can still be edited at ``now`` are reminded. Each reminder goes at most
    once per draft, window and member (the outbox's idempotency key), however often this runs;
    a draft first seen inside the 1-day window gets only that one. Returns how many messages
    were written. Each draft's messages are written in a transaction of their own, so one
    failing draft does not hold back the others.
    """
    horizon = now + dt.timedelta(days=WINDOWS[-1][0])
    drafts = (
        Submission.objects.filter(
            status=SubmissionStatus.DRAFT,
            award__status__in=(AwardStatus.OPEN, AwardStatus.CLOSED),
        )
        .filter(
            Q(award__submissions_close_at__gt=now, award__submissions_close_at__lte=horizon)
            | Q(deadline_extended_until__gt=now, deadline_extended_until__lte=horizon)
        )
        .select_related("award", "category")
        .prefetch_related(
            Prefetch(
                "organisation__memberships",
                queryset=Membership.objects.filter(user__is_active=True).select_related("user"),
            )
        )
        .order_by("pk")
    )
    sent = 0
    for submission in drafts:
        deadline = deadline_for(submission)
        if deadline is None or not editing_allowed(submission, now=now):
            continue
        window = _window(deadline - now)
        if window is None:
            continue
        try:
            sent += _remind(submission, window=window, deadline=deadline, now=now)
        except Exception:
            log.exception("Draft reminder for submission %s failed", submission.pk)
    return sent


@transaction.atomic
def _remind(submission: Submission, *, window: int, deadline: dt.datetime, now: dt.datetime) -> int:
    members = [m.user for m in submission.organisation.memberships.all()]
    keys = {member.pk: reminder_key(submission.pk, window, member.pk) for member in members}
    done = set(
        Message.objects.filter(idempotency_key__in=keys.values()).values_list(
            "idempotency_key", flat=True
        )
    )
    url = settings.SITE_URL + reverse("submissions:edit", kwargs={"pk": submission.pk})
    days_left = math.ceil((deadline - now) / dt.timedelta(days=1))
    written = 0
    for member in members:
        if keys[member.pk] in done:
            continue
        english = member.preferred_language == "en"
        notify(
            key="submission.draft_reminder",
            award=submission.award,
            idempotency_key=keys[member.pk],
            recipient=member,
            values={
                "submission_title": submission.title,
                "reference": submission.reference or "",
                "category": submission.category.name_en if english else submission.category.name_de,
                "deadline": deadline,
                "days_left": days_left,
                "submission_url": url,
            },
        )
        written += 1
    return written
