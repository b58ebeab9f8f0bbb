from django.db import models
from django.utils.translation import gettext_lazy as _


class DecisionKind(models.TextChoices):
    PLACE = "place", _("Place")
    MENTION = "mention", _("Special mention")


class FeedbackDisclosure(models.TextChoices):
    """What an applicant sees besides the jury's feedback texts, once released."""

    TEXTS = "texts", _("The jury's feedback only")
    CRITERIA = (
        "criteria",
        _("The feedback and the entry's average per criterion beside the category's"),
    )
    BAND = "band", _("The feedback and the entry's band (top 10 %, 25 %, half; finalist)")


class FeedbackStatus(models.TextChoices):
    """The organisers' review of one juror's feedback to one entry."""

    PENDING = "pending", _("Not reviewed yet")
    APPROVED = "approved", _("Approved")
    WITHHELD = "withheld", _("Withheld")


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", _("Spreadsheet (XLSX)")


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
