"""The outbox: write messages with the events that cause them, deliver each exactly once.

Guarantees:
- ``notify`` writes the message in the caller's transaction; the delivery task is enqueued
  only after that transaction commits. The same idempotency key never makes two messages.
- Every mail Django composes (account mails, password resets, error mails) enters the same
  way: ``EMAIL_BACKEND`` is ``notifications.backends.OutboxEmailBackend``, which hands it to
  ``email_message_store``. No request talks to the mail server.
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
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import BadHeaderError, EmailMessage, EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import formats, timezone, translation

from accounts.models import User
from awards.models import Award
from core.queue import enqueue, enqueue_on_commit

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
    recipient_name: str = "",
) -> Message:
    """Put one mail in the outbox, in the caller's transaction, and deliver it after commit.

    ``values`` must name exactly the placeholders of ``key`` (the common ones are filled
    here). Calling again with the same ``idempotency_key`` returns the existing message and
    sends nothing more. The recipient is a user (their address and language) or an address.
    ``recipient_name`` is the name greeted when the recipient has no account (or an account
    without a name): the name an organiser typed with the address, e.g. of an invited juror.
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
    name = (recipient.full_name if recipient is not None else "") or recipient_name.strip()
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
    """Deliver the message after commit; a broker that is down leaves it to the sweeper."""
    enqueue_on_commit(deliver_message, message_id, countdown=countdown)


# --- Mails Django composes --------------------------------------------------------------
# Account mails, password resets, error mails to the admins: Django builds an EmailMessage
# and hands it to EMAIL_BACKEND, which is the outbox (notifications.backends).

OUTBOX_EMAIL_BACKEND = "notifications.backends.OutboxEmailBackend"
EMAIL_TEMPLATE_KEY = "email"
"""The ``template_key`` of a composed mail that names none in ``X-Laurel-Template``."""
TEMPLATE_HEADER = "X-Laurel-Template"
# Where a composed mail keeps what a catalogue mail does not need (sender, reply-to, the
# addressee as written, extra headers); a placeholder can never be called this.
_COMPOSED = "_email"
# Headers the outbox sets per delivered copy (or the SMTP client does), never copied over.
_OWN_HEADERS = frozenset(
    {"message-id", "to", "cc", "bcc", "date", "content-language", "x-laurel-message"}
    | {TEMPLATE_HEADER.lower()}
)
# The attribute that keys one EmailMessage: storing the same object again adds nothing.
_SEND_ID = "laurel_outbox_send_id"


def _header(mail: EmailMessage, name: str) -> str:
    for key, value in mail.extra_headers.items():
        if key.lower() == name.lower():
            return str(value)
    return ""


def _language_of(mail: EmailMessage) -> str:
    """The language the mail is written in: its Content-Language, else the one active now
    (Django renders a mail in the active language)."""
    for candidate in (_header(mail, "Content-Language"), translation.get_language() or ""):
        code = candidate.split(",")[0].strip()
        if code:
            try:
                return translation.get_supported_language_variant(code)
            except LookupError:
                continue
    return settings.LANGUAGE_CODE


def _bodies(mail: EmailMessage) -> tuple[str, str]:
    """The mail's text and HTML (either may be empty); ValueError for what the outbox has no
    place for: attachments, alternatives other than one HTML part, other body types."""
    if mail.attachments:
        raise ValueError("the outbox does not carry attachments")
    if mail.content_subtype not in {"plain", "html"}:
        raise ValueError(f"the outbox does not carry text/{mail.content_subtype} bodies")
    html = ""
    for content, mimetype in getattr(mail, "alternatives", []):
        if mimetype != "text/html" or html or mail.content_subtype == "html":
            raise ValueError(f"the outbox carries one HTML part, not another {mimetype}")
        html = str(content)
    if mail.content_subtype == "html":
        return "", str(mail.body)
    return str(mail.body), html


@transaction.atomic
def email_message_store(*, mail: EmailMessage) -> list[Message]:
    """Put a mail Django composed into the outbox, in the caller's transaction: one message
    per distinct recipient (to, cc and bcc alike; each copy is addressed to its recipient
    only), each delivered by ``deliver_message`` after commit and retried like any other.

    Kept: subject, text, HTML part, sender, reply-to, the addressee as written and the extra
    headers; the language is the mail's Content-Language, else the language active now. The
    Message-ID is the outbox's own. ``X-Laurel-Template`` names the mail in the outbox (else
    "email"). A recipient whose address has an account is linked; there is no award.
    The mail is keyed by an id kept on the object: storing it again returns the same
    messages and delivers nothing more. Side effects: the messages, their delivery tasks
    (on commit). Raises ValueError for attachments and other parts the outbox cannot keep,
    BadHeaderError for a subject with a line break (as sending it would).
    """
    subject = str(mail.subject)
    if "\n" in subject or "\r" in subject:
        raise BadHeaderError(f"Header values can't contain newlines (got {subject!r})")
    body_text, body_html = _bodies(mail)
    send_id = getattr(mail, _SEND_ID, None) or uuid.uuid4().hex
    setattr(mail, _SEND_ID, send_id)
    written_as: dict[str, str] = {}  # address, lower-cased → the recipient as written
    for written in mail.recipients():
        address = (parseaddr(str(written))[1] or str(written)).strip()
        written_as.setdefault(address.lower(), str(written))
    if not written_as:
        return []
    accounts = Q()
    for address in written_as:
        accounts |= Q(email__iexact=address)
    users = {user.email.lower(): user for user in User.objects.filter(accounts)}
    composed = {
        "from": str(mail.from_email),
        "reply_to": [str(address) for address in mail.reply_to],
        "headers": {
            str(name): str(value)
            for name, value in mail.extra_headers.items()
            if name.lower() not in _OWN_HEADERS
        },
    }
    language = _language_of(mail)
    template_key = _header(mail, TEMPLATE_HEADER)[:64] or EMAIL_TEMPLATE_KEY
    stored = []
    for address, written in written_as.items():
        key = f"email:{send_id}:{hashlib.sha256(address.encode()).hexdigest()[:24]}"
        message = Message(
            award=None,
            recipient=users.get(address),
            recipient_email=parseaddr(written)[1] or written,
            language=language,
            template_key=template_key,
            context={_COMPOSED: {**composed, "to": written}},
            idempotency_key=key,
            subject=subject[:255],
            body_text=body_text,
            body_html=body_html,
            provider_message_id=message_id_for(key),
            next_attempt_at=timezone.now(),
        )
        stored.append(_message_save_once(message))
    return stored


def _message_save_once(message: Message) -> Message:
    """Save ``message`` and deliver it after commit, unless its idempotency key is taken:
    then the message already there is the one (and nothing more is sent)."""
    existing = Message.objects.filter(idempotency_key=message.idempotency_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return Message.objects.get(idempotency_key=message.idempotency_key)
    message_enqueue_on_commit(message.pk)
    return message


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


def delivery_backend() -> str:
    """The transport that really sends the outbox's mails (SMTP, files; locmem in tests).

    ``LAUREL_DELIVERY_EMAIL_BACKEND`` while ``EMAIL_BACKEND`` is the outbox, as the settings
    have it; a configuration that points ``EMAIL_BACKEND`` at a transport itself (Django's
    own mails then skip the outbox) has the outbox deliver there too. Never the outbox
    itself: its mails would go round for ever.
    """
    backend = settings.EMAIL_BACKEND
    if backend == OUTBOX_EMAIL_BACKEND:
        backend = settings.LAUREL_DELIVERY_EMAIL_BACKEND
    if backend == OUTBOX_EMAIL_BACKEND:
        raise ImproperlyConfigured(
            "LAUREL_DELIVERY_EMAIL_BACKEND names the outbox; it must name a transport (SMTP)."
        )
    return backend


def _email_for(message: Message, *, connection: Any = None) -> EmailMultiAlternatives:
    """The mail as it goes out: the outbox's Message-ID and the message's language on every
    mail; a mail Django composed (``email_message_store``) keeps its sender, reply-to,
    addressee as written, extra headers, and its parts (text, HTML or both)."""
    composed = message.context.get(_COMPOSED) or {}
    headers = dict(composed.get("headers") or {})
    if "auto-submitted" not in {name.lower() for name in headers}:
        headers["Auto-Submitted"] = "auto-generated"
    headers.update(
        {
            "Content-Language": message.language,
            "Message-ID": message.provider_message_id,
            "X-Laurel-Message": message.idempotency_key[:200],
        }
    )
    html_only = bool(message.body_html) and not message.body_text
    mail = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_html if html_only else message.body_text,
        from_email=composed.get("from"),
        to=[composed.get("to") or message.recipient_email],
        reply_to=composed.get("reply_to"),
        headers=headers,
        connection=connection,
    )
    if html_only:
        mail.content_subtype = "html"
    elif message.body_html:
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
    The mail goes out through ``delivery_backend()``, the real transport, never back into
    the outbox.
    """
    # Before the claim: a misconfigured transport leaves the message pending, not failed.
    backend = delivery_backend()
    message = _claim(message_id)
    if message is None:
        return Delivery("skipped")
    try:
        connection = get_connection(backend=backend, fail_silently=False)
        _email_for(message, connection=connection).send(fail_silently=False)
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
        enqueue(deliver_message, message_id)
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


@transaction.atomic
def messages_retry_failed_by_id(*, message_ids: list[int]) -> int:
    """Give the failed messages among ``message_ids`` another round of attempts, whatever
    their award or none (the admin's action: account mails have no award page). Side
    effect: their delivery tasks, on commit. Returns how many."""
    ids = list(
        Message.objects.select_for_update()
        .filter(pk__in=message_ids, status=MessageStatus.FAILED)
        .values_list("pk", flat=True)
    )
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
    "delivery_backend",
    "email_message_store",
    "message_deliver",
    "messages_retry_failed",
    "messages_retry_failed_by_id",
    "messages_sweep",
    "notify",
    "wording_for",
]
