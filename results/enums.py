from django.db import models
from django.utils.translation import gettext_lazy as _


class DecisionKind(models.TextChoices):
    PLACE = "place", _("Place")
    MENTION = "mention", _("Special mention")
