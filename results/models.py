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

from .enums import DecisionKind


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
