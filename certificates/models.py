"""Certificates of an edition's outcomes: the award's design, and one certificate per entry
with an unguessable public id that its verification page and QR code name."""

import secrets

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from awards.models import Award
from submissions.models import Submission

from .enums import CertificateKind, CertificateLanguages


def design_image_upload_to(instance: "CertificateDesign", filename: str) -> str:
    # Private storage like every upload: read only by the task that draws certificates.
    return f"certificates/{instance.award_id}/design/{secrets.token_hex(16)}.png"


def certificate_upload_to(instance: "Certificate", filename: str) -> str:
    return f"certificates/{instance.award_id}/{secrets.token_hex(16)}.pdf"


def certificate_public_id() -> str:
    return secrets.token_urlsafe(18)  # 144 bits, 24 characters


HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))


class CertificateDesign(models.Model):
    """How an award's certificates look and read, and who receives one."""

    award = models.OneToOneField(Award, on_delete=models.CASCADE, related_name="certificate_design")
    logo = models.FileField(upload_to=design_image_upload_to, max_length=255, blank=True)
    signature = models.FileField(upload_to=design_image_upload_to, max_length=255, blank=True)
    signatory_name = models.CharField(_("signed by"), max_length=120, blank=True)
    signatory_role_de = models.CharField(
        _("role of the signatory (German)"), max_length=120, blank=True
    )
    signatory_role_en = models.CharField(
        _("role of the signatory (English)"), max_length=120, blank=True
    )
    colour = models.CharField(_("colour"), max_length=7, default="#1f4e79", validators=[HEX_COLOUR])
    wording_de = models.TextField(_("wording (German)"), blank=True)
    wording_en = models.TextField(_("wording (English)"), blank=True)
    languages = models.CharField(
        _("languages"),
        max_length=8,
        choices=CertificateLanguages.choices,
        default=CertificateLanguages.BOTH,
    )
    issue_finalists = models.BooleanField(_("certificates for finalists"), default=True)
    issue_participants = models.BooleanField(_("certificates for every participant"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("certificate design")
        verbose_name_plural = _("certificate designs")

    def __str__(self) -> str:
        return str(self.award)


class Certificate(models.Model):
    """One entry's certificate. Drawn again in place (same id) when what it says changes;
    a revoked one stays, so that its verification page can say since when it is revoked."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="certificates")
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="certificates"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CertificateKind.choices)
    place = models.PositiveSmallIntegerField(_("place"), null=True, blank=True)
    public_id = models.CharField(
        max_length=32, unique=True, default=certificate_public_id, editable=False
    )
    file = models.FileField(upload_to=certificate_upload_to, max_length=255, blank=True)
    # A digest of everything the PDF shows: drawn again only when it changes.
    digest = models.CharField(max_length=64, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    generated_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revocation_reason = models.TextField(_("reason for the revocation"), blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["award", "submission", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission"],
                condition=Q(revoked_at__isnull=True),
                name="certificate_one_valid_per_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.kind} {self.public_id}"
