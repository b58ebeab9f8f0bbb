from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Audience(models.TextChoices):
    APPLICANTS = "applicants", _("All applicants of the award")
    CATEGORY_APPLICANTS = "category_applicants", _("Applicants of one category")
    JURORS = "jurors", _("All jurors of the award")
    CUSTOM = "custom", _("A list of addresses")


class BulkStatus(models.TextChoices):
    EXPANDING = "expanding", _("Preparing recipients")
    QUEUED = "queued", _("Recipients prepared")
