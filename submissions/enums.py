from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Not eligible")


# Entries that count as applications: they fill the entry limit and reach the jury's checks.
APPLIED_STATUSES = frozenset(
    {SubmissionStatus.SUBMITTED, SubmissionStatus.ELIGIBLE, SubmissionStatus.INELIGIBLE}
)

SUBMISSION_TRANSITIONS: dict[str, frozenset[str]] = {
    SubmissionStatus.DRAFT: frozenset({SubmissionStatus.SUBMITTED}),
    SubmissionStatus.SUBMITTED: frozenset(
        {SubmissionStatus.WITHDRAWN, SubmissionStatus.ELIGIBLE, SubmissionStatus.INELIGIBLE}
    ),
    SubmissionStatus.WITHDRAWN: frozenset({SubmissionStatus.DRAFT}),
    SubmissionStatus.ELIGIBLE: frozenset({SubmissionStatus.INELIGIBLE}),
    SubmissionStatus.INELIGIBLE: frozenset({SubmissionStatus.ELIGIBLE}),
}

# How each status looks wherever an entry's status is shown (``templates/includes/badge.html``).
SUBMISSION_BADGES: dict[str, str] = {
    SubmissionStatus.DRAFT: "text-bg-secondary",
    SubmissionStatus.SUBMITTED: "text-bg-primary",
    SubmissionStatus.WITHDRAWN: "text-bg-light border",
    SubmissionStatus.ELIGIBLE: "text-bg-success",
    SubmissionStatus.INELIGIBLE: "text-bg-danger",
}


def submission_badge(status: str) -> str:
    """The badge class of ``status`` (a neutral one for a status without its own)."""
    return SUBMISSION_BADGES.get(status, "text-bg-secondary")


class OrganisationSize(models.TextChoices):
    STARTUP = "startup", _("Start-up")
    SME = "sme", _("Small or medium-sized enterprise")
    LARGE = "large", _("Large company")
    RESEARCH = "research", _("Research institution or studio")


class MembershipRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    MEMBER = "member", _("Member")


class AttachmentKind(models.TextChoices):
    DOCUMENT = "document", _("Document")
    IMAGE = "image", _("Image")


class TechnologyReadiness(models.IntegerChoices):
    TRL1 = 1, _("TRL 1 – basic principles observed")
    TRL2 = 2, _("TRL 2 – technology concept formulated")
    TRL3 = 3, _("TRL 3 – experimental proof of concept")
    TRL4 = 4, _("TRL 4 – technology validated in the lab")
    TRL5 = 5, _("TRL 5 – technology validated in a relevant environment")
    TRL6 = 6, _("TRL 6 – technology demonstrated in a relevant environment")
    TRL7 = 7, _("TRL 7 – prototype demonstrated in an operational environment")
    TRL8 = 8, _("TRL 8 – system complete and qualified")
    TRL9 = 9, _("TRL 9 – proven in operation, on the market")


class PreviewStatus(models.TextChoices):
    """Where the page images of a PDF document stand (rendered by a task after upload)."""

    NONE = "none", _("No pages to show")
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Could not be read")


class QuestionKind(models.TextChoices):
    """What a question of the application form asks for (``submissions.questions``)."""

    SECTION = "section", _("Section heading")
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    MONEY = "money", _("Amount of money")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    YES_NO = "yes_no", _("Yes / no")
    URL = "url", _("Web address")
    EMAIL = "email", _("Email address")
    FILE = "file", _("Files")


# Kinds whose answer a condition of a later question can test.
CONDITION_KINDS = frozenset({QuestionKind.CHOICE, QuestionKind.MULTIPLE, QuestionKind.YES_NO})
# Kinds with choices the organiser lists.
CHOICE_KINDS = frozenset({QuestionKind.CHOICE, QuestionKind.MULTIPLE})
# Kinds answered in words: searched by the organisers' list.
TEXT_KINDS = frozenset(
    {QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT, QuestionKind.URL, QuestionKind.EMAIL}
)
# Kinds without a value in ``Submission.answers``: a heading, and files (attachments).
NO_VALUE_KINDS = frozenset({QuestionKind.SECTION, QuestionKind.FILE})
