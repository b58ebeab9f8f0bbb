from django.db import models
from django.utils.translation import gettext_lazy as _


class JuryRole(models.TextChoices):
    JUROR = "juror", _("Juror")
    CHAIR = "jury_chair", _("Jury chair")


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    REVOKED = "revoked", _("Withdrawn")


class Expertise(models.IntegerChoices):
    GENERAL = 1, _("General interest")
    EXPERIENCED = 2, _("Experienced")
    EXPERT = 3, _("Expert")


class ConflictStatus(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested, not yet confirmed")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


# A suggested conflict counts until the juror dismisses it: better one review short than one
# review by someone who may be biased.
BLOCKING_CONFLICT_STATUSES = frozenset({ConflictStatus.SUGGESTED, ConflictStatus.CONFIRMED})


class ConflictSource(models.TextChoices):
    JUROR = "juror", _("Declared by the juror")
    AUTOMATIC = "automatic", _("Suggested by the platform")
    ORGANISER = "organiser", _("Recorded by the organisers")


class Preference(models.IntegerChoices):
    WANT = 1, _("I would like to review this")
    NEUTRAL = 0, _("Neutral")
    RATHER_NOT = -1, _("Rather not")


class AssignmentSource(models.TextChoices):
    AUTOMATIC = "automatic", _("Automatic")
    MANUAL = "manual", _("By hand")


class ReviewStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


# Bootstrap classes of the status badges of reviews and ballots.
REVIEW_BADGES = {
    ReviewStatus.NOT_STARTED: "text-bg-light border",
    ReviewStatus.DRAFT: "text-bg-warning",
    ReviewStatus.SUBMITTED: "text-bg-success",
}


class ConflictScope:
    """What a juror's declaration on one entry says: no conflict, one with the entry, or
    with its whole organisation."""

    NONE = "none"
    SUBMISSION = "submission"
    ORGANISATION = "organisation"
    CHOICES = (NONE, SUBMISSION, ORGANISATION)
