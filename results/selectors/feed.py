"""The data the results engine (``results.engine``) ranks: the criteria of the award and
the submitted reviews of a round with their scores, as plain data, in two queries.

The one place where jury rows become the engine's plain data: ``results.engine`` stays
free of the database and of every Laurel app.
"""

from __future__ import annotations

from awards.models import Category, Criterion, Round
from jury.enums import ReviewStatus
from jury.models import RoundEntry, Score
from results.engine import CriterionSpec, ReviewData


def criteria_specs(award_id: int) -> list[CriterionSpec]:
    """The award's criteria in their order, as the engine takes them. One query."""
    return [
        CriterionSpec(criterion_id=pk, weight=float(weight), scale_min=low, scale_max=high)
        for pk, weight, low, high in Criterion.objects.filter(award_id=award_id)
        .order_by("position", "pk")
        .values_list("pk", "weight", "scale_min", "scale_max")
    ]


def review_data_for_round(
    round: Round,
    *,
    category: Category | int | None = None,
    criteria: list[CriterionSpec] | None = None,
) -> tuple[list[CriterionSpec], list[ReviewData]]:
    """The award's criteria (in their order) and the submitted reviews of ``round``
    (optionally of one category), each with its scores. Two queries, whatever the size.

    A review counts while its assignment exists: removing a juror's assignment (for
    instance after a conflict was declared) removes the review with it, and a juror made
    inactive keeps the reviews they submitted. Drafts never count; an empty score is left
    out, which leaves the review incomplete (the engine then ignores it). Reviews of the
    round's calibration entries are left out when the round does not count them."""
    if criteria is None:
        criteria = criteria_specs(round.award_id)
    scores = Score.objects.filter(
        review__assignment__round_id=round.pk,
        review__status=ReviewStatus.SUBMITTED,
        value__isnull=False,
    )
    if not round.calibration_counts:
        # The round's calibration entries were scored by every juror to compare them;
        # the organisers chose not to count those reviews.
        scores = scores.exclude(
            review__assignment__submission_id__in=RoundEntry.objects.filter(
                round_id=round.pk, is_calibration=True
            ).values("submission_id")
        )
    if category is not None:
        category_id = category if isinstance(category, int) else category.pk
        scores = scores.filter(review__assignment__submission__category_id=category_id)
    heads: dict[int, tuple[int, int, int]] = {}
    values: dict[int, dict[int, int]] = {}
    for (
        review_id,
        juror_id,
        submission_id,
        category_id,
        criterion_id,
        value,
    ) in scores.order_by().values_list(
        "review_id",
        "review__assignment__juror_id",
        "review__assignment__submission_id",
        "review__assignment__submission__category_id",
        "criterion_id",
        "value",
    ):
        review_scores = values.get(review_id)
        if review_scores is None:
            review_scores = values[review_id] = {}
            heads[review_id] = (juror_id, submission_id, category_id)
        review_scores[criterion_id] = value
    reviews = [
        ReviewData(review_id, *heads[review_id], scores=values[review_id])
        for review_id in sorted(values)
    ]
    return criteria, reviews
