"""Reminders of open reviews: 7, 3 and 1 days before the deadline, once each, and by hand (at
most once within ``LAUREL_REMINDER_MIN_INTERVAL`` unless forced)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from awards.enums import RoundStatus
from awards.models import Round
from awards.services import audit_log
from notifications.models import Message
from notifications.previews import MailPreview, mail_preview
from notifications.services import notify

from ..models import Juror
from ..selectors import ReminderRow, open_work_by_juror, reminder_rows

REMINDER_DAYS = (7, 3, 1)


@dataclass
class ReminderReport:
    sent: int = 0
    # Not reminded now: reminded within the interval (and not forced), or already by this
    # very confirmation (a second click).
    skipped: list[Juror] = field(default_factory=list)


def due_reminder(deadline: dt.datetime, now: dt.datetime) -> int | None:
    """The reminder due at ``now``: the nearest of 7, 3 and 1 days before ``deadline`` that
    has passed (a beat that missed the 7-day moment sends the 3-day one, not both)."""
    if now >= deadline:
        return None
    passed = [days for days in REMINDER_DAYS if now >= deadline - dt.timedelta(days=days)]
    return min(passed) if passed else None


def _values(round: Round, open_count: int) -> dict:
    return {
        "open_reviews": open_count,
        "jury_deadline": round.effective_deadline,
        "dashboard_url": settings.SITE_URL
        + reverse("jury:dashboard", kwargs={"slug": round.award.slug}),
    }


def _remind(round: Round, juror: Juror, open_count: int, key: str) -> None:
    notify(
        key="jury.reminder",
        award=round.award,
        idempotency_key=key,
        recipient=juror.user,
        values=_values(round, open_count),
    )


def reminder_previews(round: Round, rows: list[ReminderRow]) -> list[MailPreview]:
    """The reminder by hand as it will be sent, in every language: for each, the first juror
    of ``rows`` who reads it (else the first juror, shown in that language). Writes
    nothing; empty without ``rows``."""
    if not rows:
        return []
    previews = []
    for language, _name in settings.LANGUAGES:
        sample = next((r for r in rows if r.juror.user.preferred_language == language), rows[0])
        previews.append(
            mail_preview(
                key="jury.reminder",
                award=round.award,
                language=language,
                recipient=sample.juror.user,
                values=_values(round, sample.open),
            )
        )
    return previews


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
def reminder_send_now(
    *,
    round: Round,
    actor: User | None,
    juror: Juror | None = None,
    force: bool = False,
    token: str | None = None,
) -> ReminderReport:
    """An organiser reminds one juror, or every juror with open work, now.

    A juror reminded of this round within ``LAUREL_REMINDER_MIN_INTERVAL`` (by the schedule
    or by hand, as the outbox shows) is skipped unless ``force``. ``token`` is the one-time
    token of the confirmation that asks: it is part of each reminder's idempotency key, so
    the same confirmation sent twice reminds nobody twice, forced or not. The round's row is
    locked, so two requests at once see each other's reminders. Side effects: the reminders
    in the outbox; audit entry ``jury.reminded`` (with ``skipped`` and ``forced`` when
    there are any)."""
    round = Round.objects.select_for_update().select_related("award").get(pk=round.pk)
    stamp = token or timezone.now().strftime("%Y%m%dT%H%M%S%f")
    report = ReminderReport()
    for row in reminder_rows(round, juror=juror):
        key = f"jury.reminder:{round.pk}:{row.juror.pk}:manual:{stamp}"
        if (row.recent and not force) or Message.objects.filter(idempotency_key=key).exists():
            report.skipped.append(row.juror)
            continue
        _remind(round, row.juror, row.open, key)
        report.sent += 1
    data: dict = {"jurors": report.sent, "juror": juror.user.email if juror else None}
    if report.skipped:
        data["skipped"] = len(report.skipped)
    if force:
        data["forced"] = True
    audit_log(award=round.award, actor=actor, action="jury.reminded", target=round, data=data)
    return report
