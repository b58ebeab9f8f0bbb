from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateKind(models.TextChoices):
    """What a certificate attests, from the decisions and the rounds an entry reached."""

    WINNER = "winner", _("Winner")
    PLACE = "place", _("Place")
    MENTION = "mention", _("Special mention")
    FINALIST = "finalist", _("Finalist")
    PARTICIPANT = "participant", _("Participation")


class CertificateLanguages(models.TextChoices):
    BOTH = "both", _("German and English (one page each)")
    DE = "de", _("German")
    EN = "en", _("English")
