import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .enums import (
    Aggregation,
    AwardRoleKind,
    AwardStatus,
    Normalisation,
    RoundKind,
    RoundMethod,
    RoundStatus,
    ScoreControl,
    ScoreVisibility,
)


def localized(obj: models.Model, field: str) -> str:
    """``obj.<field>_en`` when the active language is English, else ``<field>_de``; falls back
    to the other language when the preferred one is empty."""
    first, second = ("en", "de") if (get_language() or "de").startswith("en") else ("de", "en")
    return getattr(obj, f"{field}_{first}") or getattr(obj, f"{field}_{second}")


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


# The websites that may show an award's results widget in a frame (its CSP frame-ancestors).
EMBED_ORIGINS_MAX = 20
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1"})
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _embed_origin(line: str) -> tuple[str | None, str | None]:
    """One line of ``Award.embed_origins`` as (normalised origin, None) or (None, why not)."""
    params = {"line": line}
    if "*" in line:
        return None, _(
            "“%(line)s”: wildcards are not allowed; list each website on its own line."
        ) % params
    example = _("“%(line)s” is not a website address; write it like https://www.example.org.")
    try:
        parts = urlsplit(line)
        port = parts.port
    except ValueError:
        return None, example % params
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in ("http", "https") or not host or parts.username or parts.password:
        return None, example % params
    if parts.path not in ("", "/") or parts.query or parts.fragment or line.endswith(("?", "#")):
        return None, _(
            "“%(line)s”: give only the website, without a path, query or fragment, e.g. "
            "https://www.example.org."
        ) % params
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None, example % params
    if host not in _LOCAL_HOSTS and not all(_HOST_LABEL.match(p) for p in host.split(".")):
        return None, example % params
    if scheme == "http" and host not in _LOCAL_HOSTS:
        return None, _(
            "“%(line)s”: use https://; http:// is only allowed for localhost and 127.0.0.1."
        ) % params
    if port is not None and port != {"http": 80, "https": 443}[scheme]:
        return f"{scheme}://{host}:{port}", None
    return f"{scheme}://{host}", None


def embed_origins_parse(text: str) -> tuple[list[str], list[str]]:
    """The origins listed in ``text`` (one a line), normalised (lowercase host, no trailing
    slash, no default port, each once, in their order), and the messages for the lines that
    are not an origin ``https://host[:port]`` (``http://`` only for localhost and 127.0.0.1),
    or for more than ``EMBED_ORIGINS_MAX`` origins."""
    origins: list[str] = []
    problems: list[str] = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        origin, problem = _embed_origin(line)
        if problem is not None:
            problems.append(str(problem))
        elif origin not in origins:
            origins.append(origin)
    if len(origins) > EMBED_ORIGINS_MAX:
        problems.append(
            str(
                _("At most %(max)d websites may embed the results; you listed %(count)d.")
                % {"max": EMBED_ORIGINS_MAX, "count": len(origins)}
            )
        )
    return origins, problems


TIMELINE = (
    ("submissions_open_at", _("Submissions open")),
    ("submissions_close_at", _("Submission deadline")),
    ("jury_deadline_at", _("Jury deadline")),
    ("announcement_at", _("Announcement of the winners")),
)


class Award(models.Model):
    """One edition of an award (e.g. the Lightweight Innovation Award 2023)."""

    name = models.CharField(_("name"), max_length=200)
    edition = models.PositiveSmallIntegerField(
        _("edition"), validators=[MinValueValidator(2000)], help_text=_("The year, e.g. 2023.")
    )
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    reference_prefix = models.CharField(
        _("reference prefix"),
        max_length=8,
        validators=[RegexValidator(r"^[A-Z0-9]{2,8}$", _("2 to 8 capital letters or digits."))],
        help_text=_("Starts every entry's reference number, e.g. LIA for LIA-2023-MOB-0007."),
    )
    organiser_name = models.CharField(_("organised by"), max_length=200)
    description_de = models.TextField(_("description (German)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="EUR",
        validators=[RegexValidator(r"^[A-Z]{3}$", _("A three-letter ISO code, e.g. EUR."))],
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Berlin", validators=[validate_timezone]
    )
    submissions_open_at = models.DateTimeField(_("submissions open"), null=True, blank=True)
    submissions_close_at = models.DateTimeField(_("submission deadline"), null=True, blank=True)
    jury_deadline_at = models.DateTimeField(_("jury deadline"), null=True, blank=True)
    announcement_at = models.DateTimeField(_("announcement"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=AwardStatus.choices, default=AwardStatus.DRAFT
    )
    max_pdf_mb = models.PositiveSmallIntegerField(
        _("largest PDF (MB)"), default=20, validators=[MinValueValidator(1)]
    )
    max_image_mb = models.PositiveSmallIntegerField(
        _("largest image (MB)"), default=10, validators=[MinValueValidator(1)]
    )
    max_attachments = models.PositiveSmallIntegerField(
        _("files per entry"), default=10, validators=[MinValueValidator(1)]
    )
    # The jury's rules for this award.
    reviews_per_submission = models.PositiveSmallIntegerField(
        _("reviews per entry"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("How many jurors score each entry in a scoring round."),
    )
    blind_review = models.BooleanField(
        _("blind review"),
        default=False,
        help_text=_("Jurors do not see the company, its people or its contact data."),
    )
    score_visibility = models.CharField(
        _("jurors see each other's scores"),
        max_length=16,
        choices=ScoreVisibility.choices,
        default=ScoreVisibility.AFTER_OWN,
    )
    mfa_required = models.BooleanField(
        _("two-factor login for the jury and the organisers"),
        default=False,
        help_text=_(
            "Organisers and jurors of this award must log in with a second factor (an "
            "authenticator app or a passkey). Whoever has none set up is asked to set one up "
            "and sees no entry before."
        ),
    )
    private_notes = models.BooleanField(
        _("private notes to the organisers"),
        default=True,
        help_text=_("Jurors may add a note to a review that only the organisers read."),
    )
    confidentiality_de = models.TextField(
        _("confidentiality statement (German)"),
        blank=True,
        help_text=_("Jurors confirm it before they see any entry."),
    )
    confidentiality_en = models.TextField(_("confidentiality statement (English)"), blank=True)
    criterion_comments = models.BooleanField(
        _("a comment per criterion"),
        default=True,
        help_text=_("Jurors may comment on each criterion, besides their overall comment."),
    )
    applicant_feedback = models.BooleanField(
        _("feedback to the applicants"),
        default=False,
        help_text=_(
            "Jurors write feedback meant for the applicant, kept apart from their comments; "
            "it reaches the applicants only once you release it."
        ),
    )
    embed_origins = models.TextField(
        _("websites that may embed the winners"),
        blank=True,
        help_text=_(
            "One address per line, e.g. https://www.example.org. Only these sites may show "
            "the winners widget in a frame; none while empty."
        ),
    )
    # How results are computed, decided and published.
    ranking_normalisation = models.CharField(
        _("normalisation of the jurors' scores"),
        max_length=16,
        choices=Normalisation.choices,
        default=Normalisation.CALIBRATED,
    )
    ranking_aggregation = models.CharField(
        _("combining an entry's reviews"),
        max_length=16,
        choices=Aggregation.choices,
        default=Aggregation.MEAN,
    )
    tie_break_criterion = models.ForeignKey(
        "Criterion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tie-breaker"),
        help_text=_(
            "On equal scores the higher score on this criterion ranks first; a tie that "
            "remains is decided by the jury chair."
        ),
    )
    places_per_category = models.PositiveSmallIntegerField(
        _("places awarded per category"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text=_("1: a winner; 2 or 3: also a second and third place."),
    )
    special_mentions = models.BooleanField(_("special mentions"), default=False)
    jurors_see_ranking = models.BooleanField(
        _("jurors see the ranking before publication"), default=False
    )
    results_publish_at = models.DateTimeField(_("results published at"), null=True, blank=True)
    results_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Data protection: the files and texts of entries that won nothing are deleted this many
    # months after the results are published (submissions.retention); the applicants are
    # told in advance. 0 keeps them.
    retention_months = models.PositiveSmallIntegerField(
        _("keep entries that won nothing for (months)"),
        default=12,
        validators=[MaxValueValidator(120)],
        help_text=_(
            "After the results are published, the files and texts of entries without a place "
            "or mention are deleted after this many months; their companies are told a month "
            "before. 0 keeps them."
        ),
    )
    retention_notice_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    retention_done_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When anything the public results show last changed (decisions, statements,
    # publication): part of the public pages' cache key, so a change is seen at once.
    results_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-edition", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "edition"], name="award_name_edition_unique"),
            models.CheckConstraint(
                condition=Q(submissions_open_at__isnull=True)
                | Q(submissions_close_at__isnull=True)
                | Q(submissions_close_at__gt=F("submissions_open_at")),
                name="award_close_after_open",
            ),
            models.CheckConstraint(
                condition=Q(submissions_close_at__isnull=True)
                | Q(jury_deadline_at__isnull=True)
                | Q(jury_deadline_at__gt=F("submissions_close_at")),
                name="award_jury_deadline_after_close",
            ),
            models.CheckConstraint(
                condition=Q(jury_deadline_at__isnull=True)
                | Q(announcement_at__isnull=True)
                | Q(announcement_at__gte=F("jury_deadline_at")),
                name="award_announcement_after_jury_deadline",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AwardStatus.values), name="award_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(reviews_per_submission__gte=1),
                name="award_reviews_per_submission_gte_1",
            ),
            models.CheckConstraint(
                condition=Q(score_visibility__in=ScoreVisibility.values),
                name="award_score_visibility_valid",
            ),
            models.CheckConstraint(
                condition=Q(places_per_category__gte=1) & Q(places_per_category__lte=3),
                name="award_places_per_category_1_to_3",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.edition}"

    @property
    def description(self) -> str:
        return localized(self, "description")

    def results_are_public(self, now: dt.datetime | None = None) -> bool:
        """The one rule for who may see results: everyone once the scheduled moment has
        passed and the award is decided (the status flips to published a moment later, when
        the worker runs); nobody but the organisers before."""
        now = now or timezone.now()
        return (
            self.status in (AwardStatus.DECIDED, AwardStatus.PUBLISHED)
            and self.results_publish_at is not None
            and self.results_publish_at <= now
        )

    @property
    def confidentiality(self) -> str:
        return localized(self, "confidentiality")

    @property
    def embed_origin_list(self) -> list[str]:
        """The websites that may show the results widget in a frame, normalised (e.g.
        ``["https://www.example.org"]``), for its ``Content-Security-Policy:
        frame-ancestors``; empty: none may. Lines that are not an origin are left out (the
        settings page refuses them)."""
        return embed_origins_parse(self.embed_origins)[0]

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def timeline(self) -> list[tuple[str, object]]:
        """The dates that are set, in order, as (label, aware datetime) pairs."""
        return [(label, getattr(self, name)) for name, label in TIMELINE if getattr(self, name)]

    def clean(self) -> None:
        super().clean()
        errors = {}
        dates = [(name, getattr(self, name)) for name, _label in TIMELINE]
        previous_name, previous = None, None
        for name, value in dates:
            if value is None:
                continue
            if previous is not None and (
                value < previous if name == "announcement_at" else value <= previous
            ):
                errors[name] = _("Must be later than “%(previous)s”.") % {
                    "previous": dict(TIMELINE)[previous_name]
                }
            previous_name, previous = name, value
        if errors:
            raise ValidationError(errors)

    def validate_unique(self, exclude: Iterable[str] | None = None) -> None:
        """Also: no other award of the same edition has this reference prefix, since a
        reference number names one entry across the platform (LIA-2026-MOB-0001 is one entry,
        in exports, ZIPs and mails). Checked wherever both fields are validated (the admin,
        ``full_clean()``); a form without them (the settings page) leaves them alone."""
        super().validate_unique(exclude=exclude)
        if {"reference_prefix", "edition"} & set(exclude or ()):
            return
        if self.reference_prefix and self.edition and not self.reference_prefix_is_free():
            raise ValidationError(
                {
                    "reference_prefix": _(
                        "Another award already uses the reference prefix “%(prefix)s” for "
                        "%(edition)s, so the reference numbers of the two would repeat. Choose "
                        "another prefix, e.g. “%(suggestion)s”."
                    )
                    % {
                        "prefix": self.reference_prefix,
                        "edition": self.edition,
                        "suggestion": self.free_reference_prefix(),
                    }
                }
            )

    def _prefix_taken(self, prefix: str) -> bool:
        others = Award.objects.filter(reference_prefix=prefix, edition=self.edition)
        return others.exclude(pk=self.pk).exists() if self.pk else others.exists()

    def reference_prefix_is_free(self) -> bool:
        """No other award of the same edition starts its reference numbers with this prefix
        (a reference number is unique across the platform: LIA-2026-MOB-0001 is one entry)."""
        return not self._prefix_taken(self.reference_prefix)

    def free_reference_prefix(self) -> str:
        """The prefix with the smallest number appended that no award of the edition uses:
        LIA → LIA2, LIA3, … (at most 8 characters)."""
        number = 2
        while True:
            suffix = str(number)
            candidate = self.reference_prefix[: 8 - len(suffix)] + suffix
            if not self._prefix_taken(candidate):
                return candidate
            number += 1


class Category(models.Model):
    award = models.ForeignKey(
        Award, on_delete=models.CASCADE, related_name="categories", verbose_name=_("award")
    )
    code = models.CharField(
        _("code"),
        max_length=8,
        validators=[RegexValidator(r"^[A-Z0-9]{2,8}$", _("2 to 8 capital letters or digits."))],
        help_text=_("Part of the reference number, e.g. MOB."),
    )
    name_de = models.CharField(_("name (German)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    description_de = models.TextField(_("description (German)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    prize_amount = models.DecimalField(
        _("prize money"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    max_entries_per_organisation = models.PositiveSmallIntegerField(
        _("entries per organisation"),
        null=True,
        blank=True,
        default=1,
        help_text=_("Empty for no limit."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["award", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["award", "code"], name="category_code_unique"),
            models.UniqueConstraint(fields=["award", "name_en"], name="category_name_en_unique"),
            models.UniqueConstraint(fields=["award", "name_de"], name="category_name_de_unique"),
            models.CheckConstraint(condition=Q(prize_amount__gte=0), name="category_prize_gte_0"),
            models.CheckConstraint(
                condition=Q(max_entries_per_organisation__isnull=True)
                | Q(max_entries_per_organisation__gte=1),
                name="category_max_entries_gte_1",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def description(self) -> str:
        return localized(self, "description")


class Criterion(models.Model):
    award = models.ForeignKey(
        Award, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("award")
    )
    name_de = models.CharField(_("name (German)"), max_length=160)
    name_en = models.CharField(_("name (English)"), max_length=160)
    description_de = models.TextField(_("description (German)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    scale_min = models.SmallIntegerField(_("lowest score"), default=1)
    scale_max = models.SmallIntegerField(_("highest score"), default=10)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    score_control = models.CharField(
        _("score entered with"),
        max_length=16,
        choices=ScoreControl.choices,
        default=ScoreControl.BUTTONS,
    )

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["award", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_gt_0"),
            models.CheckConstraint(
                condition=Q(scale_min__lt=F("scale_max")), name="criterion_scale_min_lt_max"
            ),
            models.UniqueConstraint(fields=["award", "name_en"], name="criterion_name_en_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def description(self) -> str:
        return localized(self, "description")

    def clean(self) -> None:
        super().clean()
        if (
            self.scale_min is not None
            and self.scale_max is not None
            and self.scale_min >= self.scale_max
        ):
            raise ValidationError(
                {"scale_max": _("The highest score must be greater than the lowest score.")}
            )


class RubricLevel(models.Model):
    """What a range of scores of a criterion means (e.g. 9–10: "breakthrough, first of its
    kind"), shown to the juror next to the score they choose."""

    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="levels", verbose_name=_("criterion")
    )
    low = models.SmallIntegerField(_("from score"))
    high = models.SmallIntegerField(_("to score"))
    description_de = models.CharField(_("meaning (German)"), max_length=300)
    description_en = models.CharField(_("meaning (English)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("score level")
        verbose_name_plural = _("score levels")
        ordering = ["criterion", "low", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(low__lte=F("high")), name="rubric_level_low_le_high"
            ),
            models.UniqueConstraint(fields=["criterion", "low"], name="rubric_level_low_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.low}–{self.high}: {self.description}"

    @property
    def description(self) -> str:
        return localized(self, "description")

    def covers(self, value: int) -> bool:
        return self.low <= value <= self.high


class Round(models.Model):
    award = models.ForeignKey(
        Award, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("award")
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    name_de = models.CharField(_("name (German)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    kind = models.CharField(
        _("kind"), max_length=16, choices=RoundKind.choices, default=RoundKind.SCORING
    )
    shortlist_size = models.PositiveSmallIntegerField(
        _("shortlist size per category"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("How many entries per category go on from this round; empty for none."),
    )
    method = models.CharField(
        _("how the jury decides"),
        max_length=16,
        choices=RoundMethod.choices,
        default=RoundMethod.SCORES,
        help_text=_("A final round may rank the finalists instead of scoring them."),
    )
    deadline_at = models.DateTimeField(
        _("deadline of this round"),
        null=True,
        blank=True,
        help_text=_("Empty: the award's jury deadline."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.PLANNED
    )
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    calibration_counts = models.BooleanField(
        _("calibration reviews count in the ranking"),
        default=True,
        help_text=_(
            "The reviews of the calibration entries, which every juror of a category scores "
            "first, also count towards those entries' places."
        ),
    )

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["award", "number"]
        constraints = [
            models.UniqueConstraint(fields=["award", "number"], name="round_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="round_number_gte_1"),
            models.CheckConstraint(
                condition=Q(shortlist_size__isnull=True) | Q(shortlist_size__gte=1),
                name="round_shortlist_size_gte_1",
            ),
            models.CheckConstraint(condition=Q(kind__in=RoundKind.values), name="round_kind_valid"),
            models.CheckConstraint(
                condition=Q(method__in=RoundMethod.values), name="round_method_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RoundStatus.values), name="round_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def effective_deadline(self):
        """When jurors must be done: the round's own deadline, else the award's."""
        return self.deadline_at or self.award.jury_deadline_at


class AwardRole(models.Model):
    """A person's role in one award: organiser (a jury seat is ``jury.Juror``)."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="award_roles"
    )
    role = models.CharField(_("role"), max_length=16, choices=AwardRoleKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("award role")
        verbose_name_plural = _("award roles")
        constraints = [
            models.UniqueConstraint(fields=["award", "user", "role"], name="award_role_unique"),
            models.CheckConstraint(
                condition=Q(role__in=AwardRoleKind.values), name="award_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.award}"


class AuditEntry(models.Model):
    """One line of an award's change log (Änderungsprotokoll).

    Entries are chained: each carries the SHA-256 of its own content and of the entry before
    it in the same award, so an edited or deleted line breaks the chain
    (``manage.py audit_verify``).
    """

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="audit_entries")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("time"))
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)
    # How the entry is hashed (awards.services.audit): 1, the data itself (entries written
    # before erasure existed); 2, a salted commitment to each value of the data, so that a
    # value naming a person can be erased (value and salt removed) with the chain intact.
    # The database's default is 1: a row written without these columns (by an older data
    # migration) is hashed the old way and verifies as such.
    scheme = models.PositiveSmallIntegerField(default=2, db_default=1)
    commitments = models.JSONField(default=dict, blank=True, db_default={})
    salts = models.JSONField(default=dict, blank=True, db_default={})

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["award", "pk"]
        indexes = [models.Index(fields=["award", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"
