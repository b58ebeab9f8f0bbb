"""The outbox on the organisers' overview of an edition (``awards.cockpit``): mails sent,
queued and failed, mails that have waited too long, announcements that stopped; and the
names of mail templates and announcements in the change log (``awards.activity``).

``register`` is called from ``NotificationsConfig.ready``. The panel runs two aggregate
queries whatever the number of mails; each log resolver one query per page of the log.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from awards import activity, cockpit
from awards.models import AuditEntry, Award

from .catalogue import MAIL_TYPES
from .enums import Audience, BulkStatus, MessageStatus
from .models import BulkSend, MailTemplate, Message

# A mail due this long ago and still not sent says the delivery is not running.
WAITING_TOO_LONG = dt.timedelta(hours=1)


def _outbox_url(award: Award, status: str = "") -> str:
    url = reverse("notifications:outbox", kwargs={"slug": award.slug})
    return f"{url}?status={status}" if status else url


def notifications_panel(award: Award, *, now: dt.datetime) -> cockpit.Panel:
    """Mails by status (one query) and stalled announcements (one query)."""
    late = now - WAITING_TOO_LONG
    counts = Message.objects.filter(award=award).aggregate(
        sent=Count("pk", filter=Q(status=MessageStatus.SENT)),
        queued=Count("pk", filter=Q(status__in=(MessageStatus.PENDING, MessageStatus.SENDING))),
        failed=Count("pk", filter=Q(status=MessageStatus.FAILED)),
        waiting=Count(
            "pk",
            filter=Q(status=MessageStatus.PENDING, created_at__lt=late)
            & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=late)),
        ),
    )
    stall_limit = now - dt.timedelta(seconds=settings.LAUREL_BULK_STALL_AFTER)
    stalled = (
        BulkSend.objects.filter(award=award, status=BulkStatus.EXPANDING)
        .annotate(moved=Coalesce("advanced_at", "created_at"))
        .filter(moved__lt=stall_limit)
        .count()
    )
    failed, waiting = counts["failed"], counts["waiting"]
    announcements_url = reverse("notifications:announcements", kwargs={"slug": award.slug})
    figures = [
        cockpit.Figure(
            key="mails-sent",
            label=_("Mails sent"),
            value=str(counts["sent"]),
            url=_outbox_url(award, MessageStatus.SENT),
        ),
        cockpit.Figure(
            key="mails-queued",
            label=_("Mails queued"),
            value=str(counts["queued"]),
            note=ngettext(
                "%(count)d waiting for more than an hour",
                "%(count)d waiting for more than an hour",
                waiting,
            )
            % {"count": waiting}
            if waiting
            else "",
            url=_outbox_url(award, MessageStatus.PENDING),
            tone="warning" if waiting else "",
        ),
        cockpit.Figure(
            key="mails-failed",
            label=_("Mails failed"),
            value=str(failed),
            note=_("could not be delivered, even after retries") if failed else "",
            url=_outbox_url(award, MessageStatus.FAILED),
            tone="danger" if failed else "",
        ),
    ]
    steps = []
    if failed:
        steps.append(
            cockpit.Step(
                "mails-failed",
                ngettext(
                    "%(count)d mail could not be delivered.",
                    "%(count)d mails could not be delivered.",
                    failed,
                )
                % {"count": failed},
                _outbox_url(award, MessageStatus.FAILED),
                _("Check and send again"),
                cockpit.Urgency.NOW,
            )
        )
    if waiting:
        steps.append(
            cockpit.Step(
                "mails-waiting",
                ngettext(
                    "%(count)d mail has been waiting for more than an hour: is the delivery "
                    "running?",
                    "%(count)d mails have been waiting for more than an hour: is the delivery "
                    "running?",
                    waiting,
                )
                % {"count": waiting},
                _outbox_url(award, MessageStatus.PENDING),
                _("Outbox"),
                cockpit.Urgency.NOW,
            )
        )
    if stalled:
        steps.append(
            cockpit.Step(
                "announcements-stalled",
                ngettext(
                    "%(count)d announcement stopped while preparing its recipients.",
                    "%(count)d announcements stopped while preparing their recipients.",
                    stalled,
                )
                % {"count": stalled},
                announcements_url,
                _("Announcements"),
                cockpit.Urgency.NOW,
            )
        )
    return cockpit.Panel(
        key="messages",
        title=_("Messages"),
        template="notifications/_cockpit.html",
        figures=figures,
        steps=steps,
        context={"announcements_url": announcements_url},
    )


# --- The change log ----------------------------------------------------------------------


def _language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


def _mail_label(key: str) -> str:
    mail = MAIL_TYPES.get(key)
    return str(mail.label) if mail else key


def template_targets(award: Award, entries: list[AuditEntry]) -> dict[str, activity.Target]:
    """A mail template by its mail and language, linked to its page; a reset (deleted) one
    by what its log entry recorded, linked to the default wording now in force."""
    targets = {}
    for entry in entries:
        data = entry.data or {}
        key, language = data.get("key"), data.get("language")
        if key not in MAIL_TYPES or language not in dict(settings.LANGUAGES):
            continue
        targets[entry.object_id] = activity.Target(
            f"{_mail_label(key)} ({_language_name(language)})",
            reverse(
                "notifications:template_edit",
                kwargs={"slug": award.slug, "key": key, "language": language},
            ),
        )
    return targets


def announcement_targets(award: Award, entries: list[AuditEntry]) -> dict[str, activity.Target]:
    ids = {int(entry.object_id) for entry in entries if entry.object_id.isdigit()}
    targets = {}
    for bulk in BulkSend.objects.filter(award=award, pk__in=ids).only(
        "pk", "award_id", "subject_de", "subject_en"
    ):
        bulk.award = award  # the subject's placeholders need it: no query per announcement
        targets[str(bulk.pk)] = activity.Target(
            bulk.subject_shown(),
            reverse("notifications:announcement", kwargs={"slug": award.slug, "pk": bulk.pk}),
        )
    return targets


def register() -> None:
    cockpit.panel_register("messages", notifications_panel, order=40)
    activity.target_register(MailTemplate._meta.label_lower, template_targets)
    activity.target_register(BulkSend._meta.label_lower, announcement_targets)
    activity.value_labels_register("announcement.", "audience", Audience.choices)
    activity.value_format_register("mail_template.", "key", _mail_label)
