import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    URLValidator,
)
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from awards.models import Award, Category, localized

from .enums import (
    AttachmentKind,
    MembershipRole,
    OrganisationSize,
    PreviewStatus,
    QuestionKind,
    SubmissionStatus,
)

SUMMARY_MAX = 600
validate_web_url = URLValidator(schemes=["http", "https"])


class Organisation(models.Model):
    """A company (or studio, institute) that applies; its members act for it."""

    name = models.CharField(_("name"), max_length=200)
    legal_form = models.CharField(_("legal form"), max_length=60, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, default="Deutschland", blank=True)
    website = models.CharField(
        _("website"), max_length=300, blank=True, validators=[validate_web_url]
    )
    size_class = models.CharField(
        _("size"), max_length=16, choices=OrganisationSize.choices, blank=True
    )
    founded_year = models.PositiveSmallIntegerField(
        _("founded in"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2100)],
    )
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=MembershipRole.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation} ({self.role})"


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


class OrganisationInvitation(models.Model):
    """An owner's invitation of a colleague, by email; single use, expiring."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    token = models.CharField(max_length=64, unique=True, default=_invitation_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                "organisation",
                Lower("email"),
                condition=Q(accepted_at__isnull=True),
                name="organisation_invitation_open_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"


class Question(models.Model):
    """One item of an award's application form: a question, a file slot or a section heading.

    Applies to every category of the award, or only to those in ``categories``. Shown only
    when ``show_if`` (an earlier choice or yes/no question) was answered with one of
    ``show_if_values``. ``version`` counts the changes of the definition; each answer keeps
    the version it answered (``Submission.answers``). A question with answers is never
    deleted: ``retired`` hides it from entries that have not answered it.
    """

    award = models.ForeignKey(
        Award, on_delete=models.CASCADE, related_name="questions", verbose_name=_("award")
    )
    categories = models.ManyToManyField(
        Category,
        blank=True,
        related_name="questions",
        verbose_name=_("categories"),
        help_text=_("Leave empty to ask in every category."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("type"), max_length=16, choices=QuestionKind.choices)
    # A stable name for exports and the API ("patent_status"); unique within the award.
    key = models.SlugField(_("key"), max_length=60)
    label_de = models.CharField(_("question (German)"), max_length=300)
    label_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    help_de = models.TextField(_("help text (German)"), blank=True)
    help_en = models.TextField(_("help text (English)"), blank=True)
    required = models.BooleanField(_("required"), default=False)
    max_length = models.PositiveIntegerField(_("character limit"), null=True, blank=True)
    min_value = models.DecimalField(
        _("smallest value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("largest value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    decimals = models.PositiveSmallIntegerField(
        _("decimal places"), default=0, validators=[MaxValueValidator(2)]
    )
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    # [{"value": "granted", "de": "erteilt", "en": "granted"}, …] for choice questions.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    # Which kinds of file a file slot takes (AttachmentKind values), how many, how large.
    file_kinds = models.JSONField(_("file types"), default=list, blank=True)
    max_files = models.PositiveSmallIntegerField(_("at most files"), null=True, blank=True)
    max_file_mb = models.PositiveSmallIntegerField(_("largest file (MB)"), null=True, blank=True)
    show_if = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dependants",
        verbose_name=_("show only if"),
    )
    show_if_values = models.JSONField(_("is answered with"), default=list, blank=True)
    retired = models.BooleanField(_("hidden for new entries"), default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["award", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["award", "key"], name="question_key_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values), name="question_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return localized(self, "label")

    @property
    def help(self) -> str:
        return localized(self, "help")

    @property
    def field_name(self) -> str:
        """The name of its field in the applicant's form and its key in missing items."""
        return f"q{self.pk}"


class Submission(models.Model):
    """An entry of an organisation for one category of one award."""

    award = models.ForeignKey(
        Award, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("award")
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("category"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("organisation"),
    )
    # NULL until first submitted: drafts have no number. A number is unique across the whole
    # platform (every award, every edition): exports, ZIPs and mails name an entry by it.
    reference = models.CharField(  # noqa: DJ001
        _("reference number"), max_length=40, null=True, blank=True
    )
    # The number the entry had before reference numbers were made unique across awards
    # (submissions 0006): mails and printouts sent before then name this one.
    former_reference = models.CharField(
        _("former reference number"), max_length=40, blank=True, default="", editable=False
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(
        _("short summary"),
        max_length=SUMMARY_MAX,
        blank=True,
        help_text=_("At most 600 characters; published if the entry wins."),
    )
    # What the applicant answered to the award's questions, by question id:
    # {"12": {"value": …, "version": 3}} (``submissions.questions`` reads and checks them).
    answers = models.JSONField(_("answers"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    # What the organisers' list searches and filters, kept beside the answers by the services
    # (``questions.answers_index``) so that a filter does not read every entry's whole answers:
    # the text answers in one casefolded string, and the choice and yes/no answers by id.
    answers_text = models.TextField(blank=True, default="", editable=False)
    choice_answers = models.JSONField(default=dict, blank=True, editable=False)
    consent_terms = models.BooleanField(
        _("I accept the conditions of participation."), default=False
    )
    consent_data = models.BooleanField(
        _("I agree to the processing of the data for the award."), default=False
    )
    consent_publication = models.BooleanField(
        _("If we win, our name, title, summary and image may be published."), default=False
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.DRAFT,
    )
    eligibility_reason = models.TextField(_("reason"), blank=True)
    deadline_extended_until = models.DateTimeField(_("individual deadline"), null=True, blank=True)
    # Optimistic locking: every save increments it; a save of an older version is refused.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="submissions_created",
        verbose_name=_("created by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["award", "category", "pk"]
        indexes = [
            models.Index(fields=["award", "status"]),
            models.Index(fields=["organisation", "category", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SubmissionStatus.values), name="submission_status_valid"
            ),
            # One number, one entry, whatever the award: two awards with the same prefix and
            # edition (awards.Award.clean refuses that) would otherwise repeat numbers.
            models.UniqueConstraint(
                fields=["reference"],
                condition=Q(reference__isnull=False) & ~Q(reference=""),
                name="submission_reference_unique",
                violation_error_message=_("This reference number is taken by another entry."),
            ),
        ]

    def __str__(self) -> str:
        return self.reference or self.title

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list] = {}
        if self.category_id and self.award_id and self.category.award_id != self.award_id:
            errors["category"] = [_("This category belongs to another award.")]
        try:
            # A TextField's max_length reaches only forms; services save through here.
            MaxLengthValidator(SUMMARY_MAX)(self.summary)
        except ValidationError as error:
            errors["summary"] = error.error_list
        if errors:
            raise ValidationError(errors)


class SubmissionSequence(models.Model):
    """The last reference number given in a category (LIA-2023-MOB-0007 → 7)."""

    category = models.OneToOneField(Category, on_delete=models.CASCADE, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.category} #{self.last_number}"


def attachment_upload_to(instance: "Attachment", filename: str) -> str:
    # Generated, never the user's name: no path tricks, no guessable addresses.
    return f"submissions/{instance.submission.award_id}/{secrets.token_hex(16)}{instance.extension}"


def thumbnail_upload_to(instance: "Attachment", filename: str) -> str:
    return f"submissions/{instance.submission.award_id}/thumbs/{secrets.token_hex(16)}.jpg"


class Attachment(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=16, choices=AttachmentKind.choices)
    # The file slot (a question of kind "file") it was uploaded to.
    question = models.ForeignKey(
        Question,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("file slot"),
    )
    file = models.FileField(upload_to=attachment_upload_to, max_length=255)
    thumbnail = models.FileField(upload_to=thumbnail_upload_to, max_length=255, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Page images of a PDF for reading it in the browser, rendered by a task after upload
    # (``submissions.previews``): how far that stands, and the pages rendered / in the file.
    preview_status = models.CharField(
        max_length=16, choices=PreviewStatus.choices, default=PreviewStatus.NONE
    )
    preview_pages = models.PositiveSmallIntegerField(default=0)
    page_count = models.PositiveIntegerField(default=0)
    preview_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["submission", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AttachmentKind.values), name="attachment_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        return {
            "application/pdf": ".pdf",
            "image/jpeg": ".jpg",
            "image/png": ".png",
            "image/webp": ".webp",
        }.get(self.content_type, ".bin")
