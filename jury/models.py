"""The jury: jurors and their invitations, conflicts of interest, preferences (bids),
assignments per round, reviews with their scores, ranked ballots and discussion threads.

Each round keeps its own assignments, reviews and ballots: a juror's scores of round 1 and of
the final round are different rows, never overwritten.
"""

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from awards.models import Award, Category, Criterion, Round
from submissions.models import Organisation, Submission

from .enums import (
    AssignmentSource,
    ConflictSource,
    ConflictStatus,
    Expertise,
    InvitationStatus,
    JuryRole,
    Preference,
    ReviewStatus,
)


def _nonce() -> str:
    return secrets.token_hex(16)


class Juror(models.Model):
    """A person on the jury of one award, with the categories they judge."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="jurors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="juror_seats"
    )
    role = models.CharField(
        _("role"), max_length=16, choices=JuryRole.choices, default=JuryRole.JUROR
    )
    categories = models.ManyToManyField(
        Category, through="JurorCategory", related_name="jurors", verbose_name=_("categories")
    )
    affiliation = models.CharField(
        _("affiliation"),
        max_length=200,
        blank=True,
        help_text=_("Your company, university or institution."),
    )
    expertise_note = models.TextField(_("areas of expertise"), blank=True)
    max_assignments = models.PositiveSmallIntegerField(
        _("most entries to review"),
        null=True,
        blank=True,
        help_text=_("Empty for no limit."),
    )
    deadline_extended_until = models.DateTimeField(
        _("individual jury deadline"), null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    confidentiality_confirmed_at = models.DateTimeField(
        _("confidentiality confirmed"), null=True, blank=True
    )
    conflicts_declared_at = models.DateTimeField(_("conflicts declared"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("juror")
        verbose_name_plural = _("jurors")
        ordering = ["award", "user__full_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["award", "user"], name="juror_unique_per_award"),
            models.CheckConstraint(condition=Q(role__in=JuryRole.values), name="juror_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.award})"

    @property
    def is_chair(self) -> bool:
        return self.role == JuryRole.CHAIR

    @property
    def is_ready(self) -> bool:
        """Has confirmed confidentiality and declared conflicts: may open entries."""
        return (
            self.confidentiality_confirmed_at is not None and self.conflicts_declared_at is not None
        )

    def deadline_in(self, round: Round) -> dt.datetime | None:
        """The juror's jury deadline in ``round``: the round's, or the juror's individual
        extension if it is later."""
        deadline = round.effective_deadline
        extension = self.deadline_extended_until
        if deadline is None:
            return extension
        return max(deadline, extension) if extension else deadline


class JurorCategory(models.Model):
    juror = models.ForeignKey(Juror, on_delete=models.CASCADE, related_name="category_links")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    expertise = models.PositiveSmallIntegerField(
        _("expertise"), choices=Expertise.choices, default=Expertise.EXPERIENCED
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["juror", "category"], name="juror_category_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.juror} – {self.category}"


class JuryInvitation(models.Model):
    """An invitation to the jury, sent by mail; the link carries a signed, expiring token
    naming this row and its nonce, and works once."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="jury_invitations")
    email = models.EmailField(_("email address"))
    name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(
        _("role"), max_length=16, choices=JuryRole.choices, default=JuryRole.JUROR
    )
    categories = models.ManyToManyField(Category, related_name="+", verbose_name=_("categories"))
    language = models.CharField(_("language"), max_length=8, default="de")
    nonce = models.CharField(max_length=32, default=_nonce)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=InvitationStatus.choices,
        default=InvitationStatus.PENDING,
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"))
    responded_at = models.DateTimeField(null=True, blank=True)
    juror = models.ForeignKey(
        Juror, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )

    class Meta:
        verbose_name = _("jury invitation")
        verbose_name_plural = _("jury invitations")
        ordering = ["award", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=InvitationStatus.values), name="jury_invitation_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} – {self.award}"


class Conflict(models.Model):
    """A conflict of interest between a juror and an entry or a whole organisation."""

    juror = models.ForeignKey(Juror, on_delete=models.CASCADE, related_name="conflicts")
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, null=True, blank=True, related_name="conflicts"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="conflicts"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ConflictStatus.choices, default=ConflictStatus.CONFIRMED
    )
    source = models.CharField(
        _("source"), max_length=16, choices=ConflictSource.choices, default=ConflictSource.JUROR
    )
    reason = models.CharField(_("why it was suggested"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        ordering = ["juror", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(submission__isnull=True) & Q(organisation__isnull=False))
                | (Q(submission__isnull=False) & Q(organisation__isnull=True)),
                name="conflict_submission_xor_organisation",
            ),
            models.UniqueConstraint(
                fields=["juror", "submission"],
                condition=Q(submission__isnull=False),
                name="conflict_unique_submission",
            ),
            models.UniqueConstraint(
                fields=["juror", "organisation"],
                condition=Q(organisation__isnull=False),
                name="conflict_unique_organisation",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ConflictStatus.values), name="conflict_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.juror} × {self.submission or self.organisation}"


class Bid(models.Model):
    """A juror's wish to review an entry, or not."""

    juror = models.ForeignKey(Juror, on_delete=models.CASCADE, related_name="bids")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="bids")
    preference = models.SmallIntegerField(
        _("preference"), choices=Preference.choices, default=Preference.NEUTRAL
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["juror", "submission"], name="bid_unique"),
            models.CheckConstraint(
                condition=Q(preference__in=Preference.values), name="bid_preference_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.juror} → {self.submission}: {self.preference}"


class RoundEntry(models.Model):
    """An entry taking part in a round: every eligible entry in round 1, the shortlist later."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="entries")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="rounds")
    added_at = models.DateTimeField(auto_now_add=True)
    is_calibration = models.BooleanField(
        _("calibration entry"),
        default=False,
        help_text=_(
            "Every juror of the entry's category scores it first, and then sees privately "
            "how their scores compare with the other jurors' on the same entries."
        ),
    )

    class Meta:
        verbose_name = _("entry in a round")
        verbose_name_plural = _("entries in a round")
        constraints = [
            models.UniqueConstraint(fields=["round", "submission"], name="round_entry_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.round} – {self.submission}"


class Assignment(models.Model):
    """A juror's task to review one entry in one round."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="assignments")
    juror = models.ForeignKey(Juror, on_delete=models.CASCADE, related_name="assignments")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="assignments")
    source = models.CharField(
        _("source"),
        max_length=16,
        choices=AssignmentSource.choices,
        default=AssignmentSource.AUTOMATIC,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["round", "submission", "juror"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "juror", "submission"], name="assignment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.juror} → {self.submission} ({self.round})"


class Review(models.Model):
    """A juror's scoring of one entry in one round. ``version`` goes up with every save, so a
    save based on an older version is refused instead of overwriting newer work."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="review")
    status = models.CharField(
        _("status"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    overall_comment = models.TextField(_("overall comment"), blank=True)
    private_note = models.TextField(_("note to the organisers"), blank=True)
    # Meant for the applicant; released (or withheld) by the organisers after the decision.
    applicant_feedback = models.TextField(_("feedback to the applicant"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[ReviewStatus.DRAFT, ReviewStatus.SUBMITTED]),
                name="review_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} [{self.status}]"


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    # Empty while the juror has written a comment but not decided the score yet.
    value = models.SmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["review", "criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


class Ballot(models.Model):
    """A juror's ranking of the finalists of one category in a ranking round.
    ``ranking`` maps submission ids (as strings) to ranks, 1 = best; equal ranks are ties."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="ballots")
    juror = models.ForeignKey(Juror, on_delete=models.CASCADE, related_name="ballots")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    ranking = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["round", "juror", "category"], name="ballot_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.juror} – {self.category} ({self.round})"


class DiscussionPost(models.Model):
    """One contribution to the jury's discussion of an entry in a round."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="posts")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("discussion post")
        verbose_name_plural = _("discussion posts")
        ordering = ["round", "submission", "created_at", "pk"]
        indexes = [models.Index(fields=["round", "submission", "created_at"])]

    def __str__(self) -> str:
        return f"{self.author} on {self.submission}"
