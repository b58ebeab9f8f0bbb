"""Reminders of open reviews: 7, 3 and 1 days before the deadline, once each, and by hand."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from awards.enums import RoundStatus
from awards.models import Round
from awards.services import audit_log
from notifications.models import Message
from notifications.services import notify

from ..models import Juror
from ..selectors import open_work_by_juror

REMINDER_DAYS = (7, 3, 1)


def due_reminder(deadline: dt.datetime, now: dt.datetime) -> int | None:
    """The reminder due at ``now``: the nearest of 7, 3 and 1 days before ``deadline`` that
    has passed (a beat that missed the 7-day moment sends the 3-day one, not both)."""
    if now >= deadline:
        return None
    passed = [days for days in REMINDER_DAYS if now >= deadline - dt.timedelta(days=days)]
    return min(passed) if passed else None


def _remind(round: Round, juror: Juror, open_count: int, key: str) -> None:
    notify(
        key="jury.reminder",
        award=round.award,
        idempotency_key=key,
        recipient=juror.user,
        values={
            "open_reviews": open_count,
            "jury_deadline": round.effective_deadline,
            "dashboard_url": settings.SITE_URL
            + reverse("jury:dashboard", kwargs={"slug": round.award.slug}),
        },
    )


def reminders_send_due(*, now: dt.datetime | None = None) -> int:
    """Send each juror with open work in an open round the reminder due now, once: the
    outbox's idempotency key ``jury.reminder:<round>:<juror>:<days>d`` makes a second run,
    or a second worker, send nothing more. Returns the number of reminders written."""
    now = now or timezone.now()
    sent = 0
    rounds = Round.objects.filter(status=RoundStatus.OPEN).select_related("award")
    for round_ in rounds:
        deadline = round_.effective_deadline
        if deadline is None:
            continue
        days = due_reminder(deadline, now)
        if days is None:
            continue
        open_work = open_work_by_juror(round_)
        jurors = Juror.objects.filter(pk__in=open_work).select_related("user").order_by("pk")
        for juror in jurors:
            if juror.deadline_extended_until and juror.deadline_extended_until > deadline:
                continue  # their own deadline is later; the 7/3/1 count does not apply
            key = f"jury.reminder:{round_.pk}:{juror.pk}:{days}d"
            if Message.objects.filter(idempotency_key=key).exists():
                continue  # sent by an earlier run: not counted as written again
            with transaction.atomic():
                _remind(round_, juror, open_work[juror.pk], key)
            sent += 1
    return sent


@transaction.atomic
def reminder_send_now(*, round: Round, actor: User | None, juror: Juror | None = None) -> int:
    """An organiser reminds one juror, or every juror with open work, now.
    Side effect: audit entry ``jury.reminded``."""
    open_work = open_work_by_juror(round)
    jurors = Juror.objects.filter(pk__in=open_work).select_related("user").order_by("pk")
    if juror is not None:
        jurors = jurors.filter(pk=juror.pk)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
    count = 0
    for each in jurors:
        _remind(
            round, each, open_work[each.pk], f"jury.reminder:{round.pk}:{each.pk}:manual:{stamp}"
        )
        count += 1
    audit_log(
        award=round.award,
        actor=actor,
        action="jury.reminded",
        target=round,
        data={"jurors": count, "juror": juror.user.email if juror else None},
    )
    return count
