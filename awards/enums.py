from django.db import models
from django.utils.translation import gettext_lazy as _


class AwardStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for submissions")
    CLOSED = "closed", _("Submissions closed")
    JUDGING = "judging", _("Judging")
    DECIDED = "decided", _("Decided")
    PUBLISHED = "published", _("Results published")


# Every allowed change of an award's status. Going back is allowed where an organiser may
# need it (reopening submissions, reopening the judging before publication); nothing leaves
# "published".
AWARD_TRANSITIONS: dict[str, frozenset[str]] = {
    AwardStatus.DRAFT: frozenset({AwardStatus.OPEN}),
    AwardStatus.OPEN: frozenset({AwardStatus.CLOSED, AwardStatus.DRAFT}),
    AwardStatus.CLOSED: frozenset({AwardStatus.JUDGING, AwardStatus.OPEN}),
    AwardStatus.JUDGING: frozenset({AwardStatus.DECIDED, AwardStatus.CLOSED}),
    AwardStatus.DECIDED: frozenset({AwardStatus.PUBLISHED, AwardStatus.JUDGING}),
    AwardStatus.PUBLISHED: frozenset(),
}

# States in which the public landing page of an award is visible.
PUBLIC_STATUSES = frozenset(
    {
        AwardStatus.OPEN,
        AwardStatus.CLOSED,
        AwardStatus.JUDGING,
        AwardStatus.DECIDED,
        AwardStatus.PUBLISHED,
    }
)


class RoundKind(models.TextChoices):
    SCORING = "scoring", _("Scoring round")
    FINAL = "final", _("Final round")


class AwardRoleKind(models.TextChoices):
    """Roles held on the award itself. A seat on the jury (juror or chair) is the jury app's
    ``Juror`` row, the one place that says who judges."""

    ORGANISER = "organiser", _("Organiser")


class RoundMethod(models.TextChoices):
    SCORES = "scores", _("Scores against the criteria")
    RANKING = "ranking", _("Ranked ballot (Schulze method)")


class RoundStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ScoreVisibility(models.TextChoices):
    NEVER = "never", _("Never")
    AFTER_OWN = "after_own", _("After the juror has submitted their own review")
    ALWAYS = "always", _("Always")


class Normalisation(models.TextChoices):
    RAW = "raw", _("Raw scores")
    ZSCORE = "zscore", _("Per-juror z-scores")
    BORDA = "borda", _("Per-juror ranks (Borda)")
    CALIBRATED = "calibrated", _("Calibrated per juror (recommended)")


class Aggregation(models.TextChoices):
    MEAN = "mean", _("Mean")
    MEDIAN = "median", _("Median")
    TRIMMED_MEAN = "trimmed_mean", _("Trimmed mean")


class ScoreControl(models.TextChoices):
    """How a juror enters a criterion's score; each is usable with the keyboard alone."""

    BUTTONS = "buttons", _("A row of buttons, one per score")
    SLIDER = "slider", _("A slider with a number box")
    NUMBER = "number", _("A number box")
