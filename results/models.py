"""Outcomes: the decisions on each category (places and special mentions) and the frozen
ranking each decision was taken on.

The tables keep their names from when these models lived in the jury app
(``jury_decision``, ``jury_rankingsnapshot``): moving them here changed no row."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from awards.models import Award, Category, Round
from submissions.models import Submission

from .enums import DecisionKind, FeedbackDisclosure, FeedbackStatus, ReportFormat, ReportStatus


def share_image_upload_to(instance: "Decision", filename: str) -> str:
    # Private storage like every upload: served only by the public view, after publication.
    return f"share/{instance.award_id}/{secrets.token_hex(16)}.png"


class RankingSnapshot(models.Model):
    """The ranking of a category exactly as it stood when a decision was taken on it: the
    method, every row, and a hash of both, frozen."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="ranking_snapshots")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    method = models.JSONField(default=dict)
    rows = models.JSONField(default=list)
    digest = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "jury_rankingsnapshot"
        verbose_name = _("ranking snapshot")
        verbose_name_plural = _("ranking snapshots")
        ordering = ["award", "category", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.category} @ {self.created_at:%Y-%m-%d %H:%M}"


class Decision(models.Model):
    """A confirmed place (1 = winner) or special mention of an entry in its category."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="decisions")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="decisions")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(
        _("kind"), max_length=16, choices=DecisionKind.choices, default=DecisionKind.PLACE
    )
    place = models.PositiveSmallIntegerField(_("place"), null=True, blank=True)
    justification = models.TextField(_("justification"), blank=True)
    snapshot = models.ForeignKey(RankingSnapshot, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"))
    # What the public sees of the distinction: the jury's statement, whether a place or
    # mention is shown at all (a winner always is), and the share image made for it.
    statement_de = models.TextField(_("jury statement (German)"), blank=True)
    statement_en = models.TextField(_("jury statement (English)"), blank=True)
    public = models.BooleanField(_("shown on the public results"), default=True)
    share_image = models.FileField(upload_to=share_image_upload_to, max_length=255, blank=True)
    share_image_digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        db_table = "jury_decision"
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["award", "category__position", "kind", "place", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "place"],
                condition=Q(kind="place"),
                name="decision_one_entry_per_place",
            ),
            models.UniqueConstraint(
                fields=["category", "submission"], name="decision_one_per_submission"
            ),
            models.CheckConstraint(
                condition=(Q(kind="place") & Q(place__gte=1) & Q(place__lte=3))
                | (Q(kind="mention") & Q(place__isnull=True)),
                name="decision_place_or_mention",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.submission} ({self.place or self.kind})"


class FeedbackRelease(models.Model):
    """When an edition's jury feedback reaches its applicants, and what comes with it.

    Released with the results (at publication) or at a later moment; ``released_at`` is set
    once, by whichever comes first of the publication, the scheduled moment (task, beat
    safety net) or the organisers' "release now"."""

    award = models.OneToOneField(Award, on_delete=models.CASCADE, related_name="feedback_release")
    disclosure = models.CharField(
        _("shown besides the feedback"),
        max_length=16,
        choices=FeedbackDisclosure.choices,
        default=FeedbackDisclosure.TEXTS,
    )
    with_results = models.BooleanField(_("release with the results"), default=True)
    release_at = models.DateTimeField(_("release at"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("feedback release")
        verbose_name_plural = _("feedback releases")

    def __str__(self) -> str:
        return f"{self.award}: {self.released_at or self.release_at or '-'}"


class FeedbackItem(models.Model):
    """The organisers' review of one juror's feedback to an applicant: approved (the text
    the applicant reads, the juror's or the organisers' edit of it) or withheld. A review
    without an item has not been looked at; only approved items ever reach an applicant."""

    review = models.OneToOneField(
        "jury.Review", on_delete=models.CASCADE, related_name="feedback_item"
    )
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="feedback_items"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=FeedbackStatus.choices, default=FeedbackStatus.PENDING
    )
    # What the applicant reads once approved; the juror's text as it was when approved
    # (``source_digest``) unless the organisers edited it (``edited``).
    text = models.TextField(_("feedback"), blank=True)
    source_digest = models.CharField(max_length=64, blank=True)
    edited = models.BooleanField(_("edited by the organisers"), default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("feedback to an applicant")
        verbose_name_plural = _("feedback to applicants")
        ordering = ["submission", "review"]

    def __str__(self) -> str:
        return f"{self.submission_id}/{self.review_id}: {self.status}"


def report_upload_to(instance: "EditionReport", filename: str) -> str:
    # Private storage; served only to the award's organisers.
    return f"reports/{instance.award_id}/{secrets.token_hex(16)}.{instance.format}"


class EditionReport(models.Model):
    """The organisers' report of an edition (PDF or XLSX), built by a task."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="edition_reports")
    format = models.CharField(_("format"), max_length=8, choices=ReportFormat.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    file = models.FileField(upload_to=report_upload_to, max_length=255, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("edition report")
        verbose_name_plural = _("edition reports")
        ordering = ["award", "-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.award} {self.format} {self.status}"
