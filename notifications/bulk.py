"""Announcements to many recipients, expanded into messages in chunks.

10,000 recipients never sit in one transaction or one task: each chunk of
``LAUREL_BULK_CHUNK`` recipients is one transaction in one task, which enqueues the next.

The expansion is a state machine in the database, not a chain that exists only in the
broker: the announcement records how far it got (``cursor``, ``expanded``) and when it last
moved on (``advanced_at``); every chunk is idempotent (one message per recipient key); and
the sweeper (``bulks_resume_stalled``, every minute with the outbox sweep) resumes an
expansion that has not moved on for ``LAUREL_BULK_STALL_AFTER`` seconds, whatever happened
to its task: a flushed or unreachable broker, a killed worker, a database error that outlived
the task's retries. The organiser sees it as paused and can resume it at once
(``bulk_resume``).

Before anything is sent, ``bulk_send_preview`` says who receives it and how many mails go out
in each language, with the mail rendered in German and English; ``bulk_send_test`` sends the
organiser alone a test of both through the outbox.
"""

import datetime as dt
import hashlib
import re
import uuid
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from awards.models import Award, Category
from awards.services import audit_log
from core.queue import enqueue, enqueue_on_commit

from .audiences import audience_users
from .catalogue import COMMON
from .enums import Audience, BulkStatus
from .models import BulkSend, Message
from .previews import MailPreview, mail_preview
from .rendering import template_errors
from .services import Wording, notify
from .tasks import expand_bulk_send

MAX_CUSTOM_RECIPIENTS = 10_000


def custom_recipients_parse(text: str) -> list[str]:
    """Distinct, lower-cased, valid addresses from a pasted list; raises naming bad ones."""
    candidates = [c.strip().strip("<>").lower() for c in re.split(r"[\s,;]+", text) if c.strip()]
    invalid = []
    for candidate in candidates:
        try:
            validate_email(candidate)
        except ValidationError:
            invalid.append(candidate)
    if invalid:
        raise ValidationError(
            _("These are not email addresses: %(addresses)s")
            % {"addresses": ", ".join(invalid[:10]) + (" …" if len(invalid) > 10 else "")}
        )
    addresses = sorted(set(candidates))
    if not addresses:
        raise ValidationError(_("Enter at least one address."))
    if len(addresses) > MAX_CUSTOM_RECIPIENTS:
        raise ValidationError(
            _("At most %(max)d addresses at once.") % {"max": MAX_CUSTOM_RECIPIENTS}
        )
    return addresses


def _validate_texts(texts: dict[str, str]) -> None:
    errors = {}
    for field, text in texts.items():
        problems = template_errors(text, COMMON)
        if problems:
            errors[field] = problems
    if errors:
        raise ValidationError(errors)


@dataclass
class AnnouncementPreview:
    """What sending an announcement would do, before anything is written: who receives it,
    how many mails go out in each language, and the mail in each language as a sample
    recipient of that language gets it."""

    total: int
    by_language: dict[str, int]  # language code → recipients, in settings.LANGUAGES' order
    previews: list[MailPreview]


def bulk_send_preview(
    *,
    award: Award,
    audience: str,
    subject_de: str,
    body_de: str,
    subject_en: str,
    body_en: str,
    category: Category | None = None,
    custom_recipients: str = "",
    **_ignored,
) -> AnnouncementPreview:
    """The recipients and the rendered mails of an announcement not sent yet (reads only).
    Counts and languages are those of the expansion (``bulk_expand_chunk``): a user's
    language, German for an address without an account. Raises ValidationError, as
    ``bulk_send_create`` would, for an empty audience or bad addresses."""
    _validate_texts(
        {"subject_de": subject_de, "body_de": body_de, "subject_en": subject_en, "body_en": body_en}
    )
    counts: Counter[str] = Counter()
    samples: dict[str, tuple[User | None, str]] = {}
    if audience == Audience.CUSTOM:
        addresses = custom_recipients_parse(custom_recipients)
        users = {u.email: u for u in User.objects.filter(email__in=addresses, is_active=True)}
        for address in addresses:
            user = users.get(address)
            language = user.preferred_language if user else settings.LANGUAGE_CODE
            counts[language] += 1
            samples.setdefault(language, (user, address))
    else:
        bulk = BulkSend(award=award, audience=audience, category=category)
        users = audience_users(bulk)
        counts.update(
            dict(
                User.objects.filter(pk__in=users.values("pk"))
                .order_by()
                .values_list("preferred_language")
                .annotate(n=Count("pk"))
                .values_list("preferred_language", "n")
            )
        )
        for language, _name in settings.LANGUAGES:
            if counts[language]:
                samples[language] = (users.filter(preferred_language=language).first(), "")
    total = sum(counts.values())
    if total == 0:
        raise ValidationError(_("Nobody is in this audience yet; nothing was sent."))
    wordings = {"de": Wording(subject_de, body_de), "en": Wording(subject_en, body_en)}
    previews = []
    for language, _name in settings.LANGUAGES:
        user, address = samples.get(language, (None, ""))
        previews.append(
            mail_preview(
                key="announcement",
                award=award,
                language=language,
                values={},
                recipient=user,
                email=address,
                wording=wordings[language],
            )
        )
    return AnnouncementPreview(
        total=total,
        by_language={code: counts[code] for code, _name in settings.LANGUAGES},
        previews=previews,
    )


TEST_SUBJECT_PREFIX = "[Test] "


@transaction.atomic
def bulk_send_test(
    *,
    award: Award,
    actor: User,
    request_token: uuid.UUID,
    subject_de: str,
    body_de: str,
    subject_en: str,
    body_en: str,
    **_ignored,
) -> list[Message]:
    """A test of an announcement not sent yet: the German and the English mail to ``actor``
    only, through the outbox like any mail, the subject marked "[Test]". Idempotent per
    form and wording: the same test asked twice (a double click) is written once; changed
    texts make a new test. Raises ValidationError for unknown placeholders. Side effects:
    one message per language to ``actor`` (delivered after commit); nothing else."""
    wordings = {"de": (subject_de, body_de), "en": (subject_en, body_en)}
    _validate_texts(
        {"subject_de": subject_de, "body_de": body_de, "subject_en": subject_en, "body_en": body_en}
    )
    sent = []
    for language, _name in settings.LANGUAGES:
        subject, body = wordings[language]
        digest = hashlib.sha256(f"{subject}\n{body}".encode()).hexdigest()[:16]
        sent.append(
            notify(
                key="announcement",
                award=award,
                idempotency_key=f"bulk-test:{request_token}:{actor.pk}:{language}:{digest}",
                values={},
                recipient=actor,
                language=language,
                wording=Wording(TEST_SUBJECT_PREFIX + subject, body),
            )
        )
    return sent


def bulk_send_create(
    *,
    award: Award,
    actor: User,
    request_token: uuid.UUID,
    audience: str,
    subject_de: str,
    body_de: str,
    subject_en: str,
    body_en: str,
    category: Category | None = None,
    custom_recipients: str = "",
) -> tuple[BulkSend, bool]:
    """Create an announcement and start expanding it after commit.

    The form's ``request_token`` makes this idempotent: a second call with the same token
    (a double click, a resubmitted form) returns the first announcement and ``False``.
    Raises ValidationError for an empty audience, a category of another award, bad addresses
    or unknown placeholders. Side effects: an ``announcement.created`` audit entry; the
    expansion task is enqueued on commit.
    """
    existing = BulkSend.objects.filter(request_token=request_token).first()
    if existing is not None:
        return existing, False
    if audience not in Audience.values:
        raise ValidationError(_("Choose who receives the announcement."))
    if audience == Audience.CATEGORY_APPLICANTS and (
        category is None or category.award_id != award.pk
    ):
        raise ValidationError({"category": _("Choose a category of this award.")})
    _validate_texts(
        {"subject_de": subject_de, "body_de": body_de, "subject_en": subject_en, "body_en": body_en}
    )
    addresses = custom_recipients_parse(custom_recipients) if audience == Audience.CUSTOM else []
    bulk = BulkSend(
        advanced_at=timezone.now(),
        award=award,
        created_by=actor,
        request_token=request_token,
        audience=audience,
        category=category if audience == Audience.CATEGORY_APPLICANTS else None,
        custom_recipients="\n".join(addresses),
        subject_de=subject_de,
        body_de=body_de,
        subject_en=subject_en,
        body_en=body_en,
    )
    bulk.total = len(addresses) if addresses else audience_users(bulk).count()
    if bulk.total == 0:
        raise ValidationError(_("Nobody is in this audience yet; nothing was sent."))
    try:
        with transaction.atomic():
            bulk.save()
            audit_log(
                award=award,
                actor=actor,
                action="announcement.created",
                target=bulk,
                data={"audience": audience, "total": bulk.total, "subject": subject_en},
            )
    except IntegrityError:
        return BulkSend.objects.get(request_token=request_token), False
    enqueue_on_commit(expand_bulk_send, bulk.pk)
    return bulk, True


def _wording(bulk: BulkSend, language: str) -> Wording:
    if language == "en":
        return Wording(bulk.subject_en, bulk.body_en)
    return Wording(bulk.subject_de, bulk.body_de)


@transaction.atomic
def bulk_expand_chunk(*, bulk_id: int) -> bool:
    """Turn the next chunk of recipients into messages; True if more remain.

    When more remain, the task for the next chunk is enqueued on commit, ahead of this
    chunk's deliveries.

    Safe to run twice: the bulk row is locked, the cursor moves with the chunk in the same
    transaction, and each message's idempotency key is the bulk and the address.
    """
    bulk = BulkSend.objects.select_for_update().filter(pk=bulk_id).first()
    if bulk is None or bulk.status != BulkStatus.EXPANDING:
        return False
    size = settings.LAUREL_BULK_CHUNK
    recipients: list[tuple[str, User | None, str]] = []
    if bulk.audience == Audience.CUSTOM:
        addresses = [a for a in bulk.custom_recipients.split("\n") if a > bulk.cursor][:size]
        users = {u.email: u for u in User.objects.filter(email__in=addresses, is_active=True)}
        recipients = [(address, users.get(address), address) for address in addresses]
    else:
        users = audience_users(bulk)
        if bulk.cursor:
            users = users.filter(pk__gt=int(bulk.cursor))
        recipients = [(str(u.pk), u, u.email) for u in users[:size]]
    more = len(recipients) == size
    if more:
        # Queued before this chunk's mails (on_commit runs in order), so the next chunk is
        # prepared while these are delivered instead of waiting behind them.
        enqueue_on_commit(expand_bulk_send, bulk.pk)
    for _cursor, user, address in recipients:
        language = user.preferred_language if user else settings.LANGUAGE_CODE
        notify(
            key="announcement",
            award=bulk.award,
            idempotency_key=f"bulk:{bulk.pk}:{address}",
            values={},
            recipient=user,
            email=address,
            language=language,
            bulk=bulk,
            wording=_wording(bulk, language),
        )
    if recipients:
        bulk.cursor = recipients[-1][0]
        bulk.expanded += len(recipients)
    if not more:
        bulk.status = BulkStatus.QUEUED
    bulk.advanced_at = timezone.now()
    bulk.save(update_fields=["cursor", "expanded", "status", "advanced_at"])
    return more


def bulks_resume_stalled(*, stalled_after: dt.timedelta | None = None) -> int:
    """Resume every expansion that has not moved on for ``stalled_after`` (default
    ``LAUREL_BULK_STALL_AFTER`` seconds); returns how many. Its task was lost, or failed
    beyond its retries: a new one continues at the cursor.

    Safe to run twice and beside a live expansion: each announcement is claimed with a
    conditional update (its ``advanced_at`` moves to now, so the next sweep leaves it alone
    for another ``stalled_after``), and a chunk that runs twice creates nothing twice.
    """
    now = timezone.now()
    if stalled_after is None:
        stalled_after = dt.timedelta(seconds=settings.LAUREL_BULK_STALL_AFTER)
    stalled = BulkSend.objects.annotate(last=Coalesce("advanced_at", "created_at")).filter(
        status=BulkStatus.EXPANDING, last__lt=now - stalled_after
    )
    resumed = 0
    for pk, last in stalled.values_list("pk", "last"):
        claimed = (
            BulkSend.objects.annotate(last=Coalesce("advanced_at", "created_at"))
            .filter(pk=pk, status=BulkStatus.EXPANDING, last=last)
            .update(advanced_at=now)
        )
        if claimed:
            enqueue(expand_bulk_send, pk)
            resumed += 1
    return resumed


@transaction.atomic
def bulk_resume(*, bulk: BulkSend, actor: User) -> bool:
    """The organiser resumes an announcement that is still being prepared, at once; False
    (nothing done) when its recipients are all prepared. Side effects: audit entry
    ``announcement.resumed``; the expansion task, after commit."""
    bulk = BulkSend.objects.select_for_update().get(pk=bulk.pk)
    if bulk.status != BulkStatus.EXPANDING:
        return False
    bulk.advanced_at = timezone.now()
    bulk.save(update_fields=["advanced_at"])
    audit_log(
        award=bulk.award,
        actor=actor,
        action="announcement.resumed",
        target=bulk,
        data={"expanded": bulk.expanded, "total": bulk.total},
    )
    enqueue_on_commit(expand_bulk_send, bulk.pk)
    return True
