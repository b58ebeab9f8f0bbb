"""The outbox: write messages with the events that cause them, deliver each exactly once.

Guarantees:
- ``notify`` writes the message in the caller's transaction; the delivery task is enqueued
  only after that transaction commits. The same idempotency key never makes two messages.
- ``message_deliver`` claims a message with a row lock (``SELECT … FOR UPDATE SKIP LOCKED``)
  and a conditional status change, so two workers never send the same message. A message is
  sent twice only if a worker dies between the SMTP server's acceptance and the status update
  (then with the same Message-ID, so the receiving side can tell).
- ``messages_sweep`` re-enqueues messages whose task was lost (broker flushed, worker killed),
  so nothing stays pending forever.
"""

import datetime as dt
import hashlib
import logging
import smtplib
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import formats, timezone, translation

from accounts.models import User
from awards.models import Award

from .catalogue import COMMON, MAIL_TYPES, MailType
from .enums import MessageStatus
from .models import BulkSend, MailTemplate, Message
from .rendering import render_html, render_subject, render_text
from .tasks import deliver_message

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


class UnknownMailType(ValueError):
    pass


@dataclass(frozen=True)
class Wording:
    subject: str
    body: str


def wording_for(*, award: Award | None, key: str, language: str) -> Wording:
    """The organiser's wording for ``key`` in ``language``, else the default shipped in code."""
    mail_type = MAIL_TYPES[key]
    if award is not None:
        override = MailTemplate.objects.filter(award=award, key=key, language=language).first()
        if override is not None:
            return Wording(override.subject, override.body)
    return Wording(mail_type.subject[language], mail_type.body[language])


def format_value(value: Any, *, language: str, award: Award | None) -> str:
    """A placeholder value as text in the recipient's language (dates in the award's zone)."""
    if value is None:
        return ""
    with translation.override(language):
        if isinstance(value, dt.datetime):
            tz = award.tzinfo if award is not None else timezone.get_default_timezone()
            return formats.date_format(timezone.localtime(value, tz), "DATETIME_FORMAT")
        if isinstance(value, dt.date):
            return formats.date_format(value, "DATE_FORMAT")
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            return formats.number_format(value, use_l10n=True, force_grouping=True)
        return str(value)


def message_id_for(idempotency_key: str) -> str:
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    return f"<{digest}@{settings.LAUREL_MAIL_DOMAIN}>"


def _common_values(award: Award | None, recipient_name: str) -> dict[str, Any]:
    return {
        "recipient_name": recipient_name,
        "award_name": str(award) if award is not None else "",
        "organiser_name": award.organiser_name if award is not None else "Laurel",
    }


def notify(
    *,
    key: str,
    award: Award | None,
    idempotency_key: str,
    values: Mapping[str, Any],
    recipient: User | None = None,
    email: str | None = None,
    language: str | None = None,
    bulk: BulkSend | None = None,
    wording: Wording | None = None,
) -> Message:
    """Put one mail in the outbox, in the caller's transaction, and deliver it after commit.

    ``values`` must name exactly the placeholders of ``key`` (the common ones are filled
    here). Calling again with the same ``idempotency_key`` returns the existing message and
    sends nothing more. The recipient is a user (their address and language) or an address.
    """
    mail_type = MAIL_TYPES.get(key)
    if mail_type is None:
        raise UnknownMailType(key)
    unknown = set(values) - set(mail_type.placeholders)
    missing = set(mail_type.placeholders) - set(values)
    if unknown or missing:
        raise ValueError(f"{key}: unknown values {sorted(unknown)}, missing {sorted(missing)}")
    if recipient is None and not email:
        raise ValueError("notify() needs a recipient or an email address")

    existing = Message.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing

    address = recipient.email if recipient is not None else email
    language = language or (recipient.preferred_language if recipient else settings.LANGUAGE_CODE)
    name = recipient.full_name if recipient is not None else ""
    context = {
        name_: format_value(value, language=language, award=award)
        for name_, value in {**_common_values(award, name), **values}.items()
    }
    wording = wording or wording_for(award=award, key=key, language=language)
    message = Message(
        award=award,
        bulk=bulk,
        recipient=recipient,
        recipient_email=address,
        language=language,
        template_key=key,
        context=context,
        idempotency_key=idempotency_key,
        subject=render_subject(wording.subject, context),
        body_text=render_text(wording.body, context),
        body_html=render_html(wording.body, context, mail_type.links),
        provider_message_id=message_id_for(idempotency_key),
        next_attempt_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # Another transaction wrote the same key first: that message is the one.
        return Message.objects.get(idempotency_key=idempotency_key)
    message_enqueue_on_commit(message.pk)
    return message


def message_enqueue_on_commit(message_id: int, countdown: int | None = None) -> None:
    transaction.on_commit(lambda: deliver_message.apply_async((message_id,), countdown=countdown))


# --- Delivery ---------------------------------------------------------------------------


def _smtp_code(error: BaseException) -> int | None:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in error.recipients.values()]
        return max(codes) if codes else None
    return getattr(error, "smtp_code", None)


def is_temporary(error: BaseException) -> bool:
    """4xx replies, lost connections and timeouts are worth retrying; 5xx replies are not."""
    code = _smtp_code(error)
    if code is not None:
        return 400 <= code < 500
    return isinstance(error, smtplib.SMTPException | OSError | socket.timeout)


def retry_delay(attempts: int) -> int:
    """Seconds before the next try: 30 s, 1, 2, 4 … minutes, at most an hour."""
    return min(30 * 2 ** max(attempts - 1, 0), 3600)


def _claim(message_id: int) -> Message | None:
    """Take a pending message for this worker, or None if another has it or it is done.

    The row lock keeps a second worker from even reading it meanwhile (PostgreSQL); the
    conditional update is the claim itself and holds on every database.
    """
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=MessageStatus.PENDING)
            .first()
        )
        if message is None:
            return None
        now = timezone.now()
        claimed = Message.objects.filter(pk=message.pk, status=MessageStatus.PENDING).update(
            status=MessageStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now, updated_at=now
        )
        if claimed != 1:
            return None
        message.status = MessageStatus.SENDING
        message.attempts += 1
        message.claimed_at = now
        return message


def _email_for(message: Message) -> EmailMultiAlternatives:
    mail = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        to=[message.recipient_email],
        headers={
            "Message-ID": message.provider_message_id,
            "X-Laurel-Message": message.idempotency_key[:200],
            "Auto-Submitted": "auto-generated",
        },
    )
    mail.attach_alternative(message.body_html, "text/html")
    return mail


@dataclass(frozen=True)
class Delivery:
    outcome: str  # "sent", "retry", "failed", "skipped"
    retry_in: int | None = None


def message_deliver(*, message_id: int) -> Delivery:
    """Send one message if it is still pending; record the outcome on its row.

    Returns what happened; a ``retry`` outcome says in how many seconds to try again (the
    row already says so in ``next_attempt_at``, so the sweeper retries even if the task is lost).
    """
    message = _claim(message_id)
    if message is None:
        return Delivery("skipped")
    try:
        _email_for(message).send(fail_silently=False)
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"[:2000]
        now = timezone.now()
        if is_temporary(error) and message.attempts < MAX_ATTEMPTS:
            delay = retry_delay(message.attempts)
            Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
                status=MessageStatus.PENDING,
                last_error=reason,
                next_attempt_at=now + dt.timedelta(seconds=delay),
                claimed_at=None,
                updated_at=now,
            )
            log.warning(
                "message %s: temporary failure, retry in %ss: %s", message.pk, delay, reason
            )
            return Delivery("retry", delay)
        Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
            status=MessageStatus.FAILED, last_error=reason, claimed_at=None, updated_at=now
        )
        log.error("message %s failed for good: %s", message.pk, reason)
        return Delivery("failed")
    now = timezone.now()
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=MessageStatus.SENT, sent_at=now, last_error="", claimed_at=None, updated_at=now
    )
    return Delivery("sent")


def messages_sweep(
    *, pending_after: dt.timedelta | None = None, sending_after: dt.timedelta | None = None
) -> int:
    """Re-enqueue messages whose delivery task was lost; returns how many.

    Pending messages due longer than ``pending_after`` ago (their task vanished with a
    flushed broker or a killed worker), and messages stuck in "sending" longer than
    ``sending_after`` (their worker died mid-delivery: they go back to pending and will be
    sent again, with the same Message-ID).

    A re-enqueued message counts as due from now on, so a long backlog whose tasks are only
    waiting in the queue is re-enqueued at most once per ``pending_after``, not every sweep.
    """
    now = timezone.now()
    # "is None", not "or": timedelta(0) is falsy, and zero is a valid (impatient) choice.
    if pending_after is None:
        pending_after = dt.timedelta(seconds=settings.LAUREL_OUTBOX_PENDING_AFTER)
    if sending_after is None:
        sending_after = dt.timedelta(seconds=settings.LAUREL_OUTBOX_SENDING_AFTER)
    with transaction.atomic():
        stuck = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(status=MessageStatus.SENDING, claimed_at__lt=now - sending_after)
            .values_list("pk", flat=True)
        )
        Message.objects.filter(pk__in=stuck).update(
            status=MessageStatus.PENDING, claimed_at=None, next_attempt_at=now, updated_at=now
        )
    due = list(
        Message.objects.filter(
            Q(status=MessageStatus.PENDING)
            & (Q(next_attempt_at__lt=now - pending_after) | Q(pk__in=stuck))
        ).values_list("pk", flat=True)[: settings.LAUREL_OUTBOX_SWEEP_BATCH]
    )
    Message.objects.filter(pk__in=due, status=MessageStatus.PENDING).update(next_attempt_at=now)
    for message_id in due:
        deliver_message.delay(message_id)
    return len(due)


@transaction.atomic
def messages_retry_failed(*, award: Award, bulk: BulkSend | None = None) -> int:
    """Give failed messages of ``award`` (or of one bulk send) another round of attempts."""
    failed = Message.objects.select_for_update().filter(award=award, status=MessageStatus.FAILED)
    if bulk is not None:
        failed = failed.filter(bulk=bulk)
    ids = list(failed.values_list("pk", flat=True))
    now = timezone.now()
    Message.objects.filter(pk__in=ids).update(
        status=MessageStatus.PENDING, attempts=0, next_attempt_at=now, updated_at=now
    )
    for message_id in ids:
        message_enqueue_on_commit(message_id)
    return len(ids)


def mail_type(key: str) -> MailType:
    return MAIL_TYPES[key]


__all__ = [
    "COMMON",
    "Delivery",
    "UnknownMailType",
    "Wording",
    "message_deliver",
    "messages_retry_failed",
    "messages_sweep",
    "notify",
    "wording_for",
]
