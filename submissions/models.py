from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from awards.models import Award, Category

from .enums import SubmissionStatus


class Submission(models.Model):
    """An entry for one category of one award.

    The foundation holds only what every later part needs (who, where, what, which state);
    the applicant journey adds the organisation, the full form and attachments.
    """

    award = models.ForeignKey(
        Award, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("award")
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("category"),
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.DRAFT,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="submissions_created",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["award", "category", "pk"]
        indexes = [models.Index(fields=["award", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SubmissionStatus.values), name="submission_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.category_id and self.award_id and self.category.award_id != self.award_id:
            raise ValidationError({"category": _("This category belongs to another award.")})
