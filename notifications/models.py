import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from awards.models import Award, Category

from .enums import Audience, BulkStatus, MessageStatus
from .rendering import render_subject


class BulkSend(models.Model):
    """An announcement an organiser sends to an audience; expanded into Messages in chunks."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="bulk_sends")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The form's one-time token: a double-clicked "send" creates one bulk send, not two.
    request_token = models.UUIDField(unique=True)
    audience = models.CharField(_("audience"), max_length=32, choices=Audience.choices)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("category")
    )
    custom_recipients = models.TextField(_("addresses"), blank=True)
    subject_de = models.CharField(_("subject (German)"), max_length=200)
    body_de = models.TextField(_("text (German)"))
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    body_en = models.TextField(_("text (English)"))
    status = models.CharField(
        max_length=16, choices=BulkStatus.choices, default=BulkStatus.EXPANDING
    )
    total = models.PositiveIntegerField(default=0)
    expanded = models.PositiveIntegerField(default=0)
    # The last recipient key expanded, so the expansion continues where it stopped.
    cursor = models.CharField(max_length=254, blank=True)
    # When the expansion last moved on (or was resumed): one that has not moved for
    # LAUREL_BULK_STALL_AFTER seconds lost its task, and the sweeper resumes it.
    advanced_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(audience="category_applicants") | Q(category__isnull=False),
                name="bulk_category_audience_has_category",
            ),
        ]

    def __str__(self) -> str:
        return self.subject_shown()

    def subject_shown(self, language: str | None = None) -> str:
        """The subject as the organisers' pages show it: in ``language`` (default: the active
        one; the other language's when it is empty), its placeholders filled with what is
        known without a recipient (the award and its organiser; no name)."""
        language = language or get_language() or settings.LANGUAGE_CODE
        first, second = (
            (self.subject_en, self.subject_de)
            if language.startswith("en")
            else (self.subject_de, self.subject_en)
        )
        award = self.award
        values = {"award_name": str(award), "organiser_name": award.organiser_name}
        return render_subject(first or second, values)

    def is_stalled(self, now: dt.datetime | None = None) -> bool:
        """Still expanding, but not moved on for ``LAUREL_BULK_STALL_AFTER`` seconds: its
        task was lost (a flushed broker, a killed worker, a database error); the sweeper
        resumes it, and so can the organiser."""
        if self.status != BulkStatus.EXPANDING:
            return False
        last = self.advanced_at or self.created_at
        limit = dt.timedelta(seconds=settings.LAUREL_BULK_STALL_AFTER)
        return last is not None and last < (now or timezone.now()) - limit


class Message(models.Model):
    """One mail in the outbox. Written in the same transaction as the event that causes it;
    delivered by a Celery task; never sent twice except when a worker died mid-transaction.

    The subject and texts are rendered when the message is created, so the outbox shows
    exactly what is (or was) sent, and a later template change does not alter queued mail.
    """

    award = models.ForeignKey(
        Award, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    bulk = models.ForeignKey(
        BulkSend, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    recipient_email = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    template_key = models.CharField(_("template"), max_length=64)
    context = models.JSONField(default=dict, blank=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField()
    body_html = models.TextField()
    status = models.CharField(
        _("status"), max_length=16, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    provider_message_id = models.CharField(_("Message-ID"), max_length=255)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["award", "status"]),
            models.Index(fields=["bulk", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=MessageStatus.values), name="message_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template_key} → {self.recipient_email}"


class MailTemplate(models.Model):
    """An organiser's wording of one mail for one award and language (else the default)."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="mail_templates")
    key = models.CharField(_("template"), max_length=64)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mail template")
        verbose_name_plural = _("mail templates")
        constraints = [
            models.UniqueConstraint(
                fields=["award", "key", "language"], name="mail_template_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.language})"
