"""Deleting what entries that won nothing contain, some months after the results (GDPR art.
5(1)(e), storage limitation; the applicants are told in advance, art. 13).

Per award, ``Award.retention_months`` after ``results_published_at`` (0: kept), the files
(documents and images, their thumbnails and page images) and the texts (answers, short
summary, the eligibility reason) of every entry without a ``Decision`` (no place, no special
mention) are deleted. What stays names the work and makes the award's figures and its change
log add up: the reference number, the title (it names the work, not a person, and the
organisers' statistics and the change log refer to it), category, company, status and dates.
Copies of the texts in the outbox (the confirmation and eligibility mails of those entries)
are blanked too.

A month before that, every member of the entry's company is mailed once (through the outbox,
with an idempotency key per entry and member). The deletion is never earlier than a month
after that mail: an award whose date has already passed when the notice goes (retention set
late) is deleted a month after the notice, the date the mail names.

The daily beat task ``submissions.retention_sweep`` calls ``retention_sweep``; every step
claims its award with a conditional update, so running it twice does nothing more.
"""

import calendar
import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from awards.models import Award
from awards.services import audit_log
from notifications.models import Message
from notifications.services import notify

from . import previews
from .models import Attachment, Membership, Submission
from .services.previews import attachment_previews_remove

log = logging.getLogger(__name__)

NOTICE_AHEAD_MONTHS = 1
NOTICE_KEY = "submission.retention_notice"
# Mails that copy an entry's texts: their idempotency keys start with "<key>:<entry id>:".
_MAILS_WITH_TEXTS = ("submission.received", "submission.eligibility")


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """``moment`` ``months`` calendar months later (earlier if negative), on the same day or
    the month's last day (31 January + 1 month = 28/29 February)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def retention_kept(award: Award) -> bool:
    """Whether nothing of ``award`` is ever deleted: retention 0, or no results yet."""
    return award.retention_months == 0 or award.results_published_at is None


def retention_deletion_at(award: Award) -> dt.datetime | None:
    """When the files and texts of ``award``'s entries that won nothing are deleted: the
    retention period after publication, but never before a month after the notice went out
    (so the date the notice names holds). None: kept."""
    if retention_kept(award):
        return None
    due = add_months(award.results_published_at, award.retention_months)
    if award.retention_notice_sent_at is not None:
        due = max(due, add_months(award.retention_notice_sent_at, NOTICE_AHEAD_MONTHS))
    return due


def retention_notice_at(award: Award) -> dt.datetime | None:
    """When the applicants are told: a month before the deletion date. None: kept."""
    due = retention_deletion_at(award)
    return None if due is None else add_months(due, -NOTICE_AHEAD_MONTHS)


def retention_due_awards(now: dt.datetime) -> list[Award]:
    """Awards with a retention step to take at ``now``: the notice (not yet sent, its date
    reached) or the deletion (not yet done, its date reached)."""
    candidates = Award.objects.filter(
        retention_months__gt=0,
        results_published_at__isnull=False,
        retention_done_at__isnull=True,
    ).order_by("pk")
    due = []
    for award in candidates:
        notice_at = retention_notice_at(award)
        if award.retention_notice_sent_at is None:
            if notice_at is not None and notice_at <= now:
                due.append(award)
        elif (deletion_at := retention_deletion_at(award)) is not None and deletion_at <= now:
            due.append(award)
    return due


def _entries_without_decision(award: Award):
    return Submission.objects.filter(award=award, decisions__isnull=True)


def _entry_url(submission: Submission) -> str:
    return settings.SITE_URL + reverse("submissions:detail", kwargs={"pk": submission.pk})


def notice_key(submission_id: int, member_id: int) -> str:
    return f"{NOTICE_KEY}:{submission_id}:{member_id}"


def retention_notice_send(award: Award, *, now: dt.datetime | None = None) -> int:
    """Tell the members of every company with an entry of ``award`` that won nothing when its
    files and texts will be deleted (one mail per entry and member, through the outbox).

    Claims the award first (``retention_notice_sent_at`` set from empty): a second call, or
    one for an award kept for good, sends nothing and returns 0. Side effects: the mails, the
    claim, and a ``retention.notice_sent`` audit entry with the counts of entries and mails.
    Returns the number of mails written.
    """
    now = now or timezone.now()
    if retention_kept(award):
        return 0
    with transaction.atomic():
        claimed = Award.objects.filter(pk=award.pk, retention_notice_sent_at__isnull=True).update(
            retention_notice_sent_at=now
        )
        if not claimed:
            return 0
        award.refresh_from_db()
        deletion_at = retention_deletion_at(award)
        deletion_day = timezone.localtime(deletion_at, award.tzinfo).date()
        entries = list(
            _entries_without_decision(award)
            .select_related("category")
            .prefetch_related(
                Prefetch(
                    "organisation__memberships",
                    queryset=Membership.objects.filter(user__is_active=True).select_related("user"),
                )
            )
            .order_by("pk")
        )
        sent = 0
        for entry in entries:
            for membership in entry.organisation.memberships.all():
                member = membership.user
                english = (member.preferred_language or "").startswith("en")
                notify(
                    key=NOTICE_KEY,
                    award=award,
                    idempotency_key=notice_key(entry.pk, member.pk),
                    recipient=member,
                    values={
                        "submission_title": entry.title,
                        "reference": entry.reference or "",
                        "category": (entry.category.name_en if english else entry.category.name_de)
                        or entry.category.name,
                        "expires_at": deletion_day,
                        "submission_url": _entry_url(entry),
                    },
                )
                sent += 1
        audit_log(
            award=award,
            actor=None,
            action="retention.notice_sent",
            target=award,
            data={"entries": len(entries), "messages": sent, "deletion_at": deletion_at},
        )
    return sent


@dataclass(frozen=True)
class RetentionResult:
    entries: int
    files: int
    messages: int


def retention_apply(award: Award, *, now: dt.datetime | None = None) -> RetentionResult | None:
    """Delete the files and texts of ``award``'s entries that won nothing, if their date has
    come (``retention_deletion_at``; the notice went out at least a month before).

    Entries with a place or special mention keep everything. Of the others, every attachment
    is removed (row now; the stored file, thumbnail and page images once the transaction has
    committed), and the answers, the short summary and the eligibility reason are blanked, as
    are the texts of their confirmation and eligibility mails in the outbox. Claims the award
    (``retention_done_at`` set from empty), so a second call does nothing and returns None,
    as does a call before the date or for an award kept for good. Side effect: a
    ``retention.applied`` audit entry with the counts of entries, files and mails.
    """
    now = now or timezone.now()
    award.refresh_from_db()
    deletion_at = retention_deletion_at(award)
    if deletion_at is None or award.retention_notice_sent_at is None or deletion_at > now:
        return None
    with transaction.atomic():
        claimed = Award.objects.filter(pk=award.pk, retention_done_at__isnull=True).update(
            retention_done_at=now
        )
        if not claimed:
            return None
        entry_ids = list(_entries_without_decision(award).values_list("pk", flat=True))
        attachments = list(
            Attachment.objects.filter(submission_id__in=entry_ids).select_related("submission")
        )
        stored = [
            (f.storage, f.name) for a in attachments for f in (a.file, a.thumbnail) if f and f.name
        ]
        folders = [(a.file.storage, previews.folder(a)) for a in attachments]
        Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
        Submission.objects.filter(pk__in=entry_ids).update(
            summary="", answers={}, answers_text="", choice_answers={}, eligibility_reason=""
        )
        messages = _blank_mail_copies(award, entry_ids)
        result = RetentionResult(entries=len(entry_ids), files=len(attachments), messages=messages)
        audit_log(
            award=award,
            actor=None,
            action="retention.applied",
            target=award,
            data={
                "entries": result.entries,
                "files": result.files,
                "messages": result.messages,
                "retention_months": award.retention_months,
            },
        )

        def remove() -> None:
            for storage, name in stored:
                try:
                    storage.delete(name)
                except Exception:
                    log.exception("retention: could not remove %s", name)
            for storage, folder in folders:
                attachment_previews_remove(storage=storage, folder=folder)

        transaction.on_commit(remove)
    return result


def _blank_mail_copies(award: Award, entry_ids: list[int]) -> int:
    """Blank the outbox's copies of the mails that quote the entries' texts (summary,
    answers, reason); the subject, recipient and dates stay as the record of what was sent."""
    wanted = {str(pk) for pk in entry_ids}
    blanked = 0
    for message in Message.objects.filter(award=award, template_key__in=_MAILS_WITH_TEXTS).only(
        "pk", "idempotency_key", "language"
    ):
        parts = message.idempotency_key.split(":")  # "<key>:<entry id>:…"
        if len(parts) < 3 or parts[1] not in wanted:
            continue
        with translation.override(message.language):
            note = _("The text of this message was deleted with the entry's texts.")
        Message.objects.filter(pk=message.pk).update(context={}, body_text=note, body_html="")
        blanked += 1
    return blanked


def retention_sweep(*, now: dt.datetime) -> int:
    """The daily task: for every award with a step due, the notice or the deletion. Each
    award in its own transaction: one failing does not hold back the others. Returns how
    many awards had a step taken."""
    done = 0
    for award in retention_due_awards(now):
        try:
            if award.retention_notice_sent_at is None:
                retention_notice_send(award, now=now)
            else:
                retention_apply(award, now=now)
            done += 1
        except Exception:
            log.exception("Retention step for award %s failed", award.pk)
    return done
