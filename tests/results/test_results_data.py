"""The data the results engine ranks: the award's criteria and the submitted reviews of a
round with their scores, read in two queries."""

from decimal import Decimal

import pytest
from django.utils import timezone

from jury import services
from jury.models import RoundEntry, Score
from results.engine import CriterionSpec, ReviewData, ranking_compute
from results.selectors.feed import review_data_for_round
from tests.factories import (
    CategoryFactory,
    JurorFactory,
    RoundFactory,
    SubmissionFactory,
    judging_setup,
)

pytestmark = pytest.mark.django_db


def assign(setup, juror, submission, round=None):
    return services.assignment_add(
        round=round or setup.round, juror=juror, submission=submission, actor=setup.organiser
    )


def review(setup, juror, submission, first, second, *, submit=True, round=None):
    """The juror scores the entry (first and second criterion) through the real service."""
    assignment = assign(setup, juror, submission, round)
    return services.review_save(
        assignment=assignment,
        actor=juror.user,
        version=0,
        scores={setup.criteria[0].pk: first, setup.criteria[1].pk: second},
        submit=submit,
    )


@pytest.fixture
def setup():
    setup = judging_setup(entries=3, jurors=3, criteria=2, k=2)
    setup.criteria[1].weight = Decimal("2.50")
    setup.criteria[1].save(update_fields=["weight"])
    return setup


def test_criteria_and_submitted_reviews_come_in_two_queries(setup, django_assert_num_queries):
    jurors, entries, (first, second) = setup.jurors, setup.submissions, setup.criteria
    r1 = review(setup, jurors[0], entries[0], 10, 10)
    r2 = review(setup, jurors[0], entries[1], 1, 1)
    r3 = review(setup, jurors[1], entries[0], 7, 4)
    review(setup, jurors[1], entries[1], 5, None, submit=False)  # a draft never counts
    r5 = review(setup, jurors[2], entries[2], 4, 7)

    with django_assert_num_queries(2):
        criteria, reviews = review_data_for_round(setup.round)

    assert criteria == [
        CriterionSpec(criterion_id=first.pk, weight=1.0, scale_min=1, scale_max=10),
        CriterionSpec(criterion_id=second.pk, weight=2.5, scale_min=1, scale_max=10),
    ]
    category = setup.category.pk
    assert reviews == [
        ReviewData(r1.pk, jurors[0].pk, entries[0].pk, category, {first.pk: 10, second.pk: 10}),
        ReviewData(r2.pk, jurors[0].pk, entries[1].pk, category, {first.pk: 1, second.pk: 1}),
        ReviewData(r3.pk, jurors[1].pk, entries[0].pk, category, {first.pk: 7, second.pk: 4}),
        ReviewData(r5.pk, jurors[2].pk, entries[2].pk, category, {first.pk: 4, second.pk: 7}),
    ]


def test_the_data_ranks_the_round(setup):
    jurors, entries = setup.jurors, setup.submissions
    review(setup, jurors[0], entries[0], 10, 10)  # 100
    review(setup, jurors[1], entries[0], 7, 4)  # (1 · 6/9 + 2.5 · 3/9)/3.5 = 45.2
    review(setup, jurors[0], entries[1], 1, 1)  # 0
    review(setup, jurors[2], entries[2], 4, 7)  # (1 · 3/9 + 2.5 · 6/9)/3.5 = 57.1

    criteria, reviews = review_data_for_round(setup.round)
    ranking = ranking_compute(reviews, criteria, normalisation="raw", aggregation="mean")

    rows = ranking[setup.category.pk].rows
    assert [(row.submission_id, row.place, row.reviews) for row in rows] == [
        (entries[0].pk, 1, 2),
        (entries[2].pk, 2, 1),
        (entries[1].pk, 3, 1),
    ]
    assert [row.score for row in rows] == [
        pytest.approx((100 + 100 * (6 / 9 + 2.5 * 3 / 9) / 3.5) / 2),
        pytest.approx(100 * (3 / 9 + 2.5 * 6 / 9) / 3.5),
        0.0,
    ]


def test_one_category_can_be_asked_for(setup, django_assert_num_queries):
    other = CategoryFactory(award=setup.award)
    entry = SubmissionFactory(award=setup.award, category=other, status="eligible")
    RoundEntry.objects.create(round=setup.round, submission=entry)
    outsider = JurorFactory(award=setup.award, categories=[other])
    mine = review(setup, setup.jurors[0], setup.submissions[0], 8, 8)
    theirs = review(setup, outsider, entry, 3, 3)

    with django_assert_num_queries(2):
        _criteria, only_mine = review_data_for_round(setup.round, category=setup.category)
    _criteria, only_theirs = review_data_for_round(setup.round, category=other.pk)
    _criteria, both = review_data_for_round(setup.round)

    assert [(r.review_id, r.category_id) for r in only_mine] == [(mine.pk, setup.category.pk)]
    assert [(r.review_id, r.category_id) for r in only_theirs] == [(theirs.pk, other.pk)]
    assert [r.review_id for r in both] == [mine.pk, theirs.pk]


def test_reviews_of_another_round_are_left_out(setup):
    final = RoundFactory(award=setup.award, number=2, status="open", opened_at=timezone.now())
    RoundEntry.objects.create(round=final, submission=setup.submissions[0])
    first_round = review(setup, setup.jurors[0], setup.submissions[0], 6, 6)
    final_round = review(setup, setup.jurors[1], setup.submissions[0], 9, 9, round=final)

    assert [r.review_id for r in review_data_for_round(setup.round)[1]] == [first_round.pk]
    assert [r.review_id for r in review_data_for_round(final)[1]] == [final_round.pk]


def test_a_review_counts_while_its_assignment_exists(setup):
    kept = review(setup, setup.jurors[0], setup.submissions[0], 6, 6)
    dropped = review(setup, setup.jurors[1], setup.submissions[1], 9, 9)
    # Juror 0 leaves the jury: their submitted review stays on record and counts.
    services.juror_remove(juror=setup.jurors[0], actor=setup.organiser)
    # A conflict of juror 1 with the entry comes to light: the assignment and its review go.
    services.conflict_record(
        juror=setup.jurors[1],
        submission=setup.submissions[1],
        whole_organisation=False,
        note="Former employer.",
        actor=setup.organiser,
    )

    reviews = review_data_for_round(setup.round)[1]
    assert [(r.review_id, r.juror_id) for r in reviews] == [(kept.pk, setup.jurors[0].pk)]
    assert dropped.pk not in [r.review_id for r in reviews]


def test_an_emptied_score_leaves_the_review_incomplete_and_the_entry_unranked(setup):
    done = review(setup, setup.jurors[0], setup.submissions[0], 6, 6)
    Score.objects.filter(review=done, criterion=setup.criteria[1]).update(value=None)

    criteria, reviews = review_data_for_round(setup.round)
    ranking = ranking_compute(reviews, criteria, normalisation="zscore", aggregation="mean")

    assert reviews[0].scores == {setup.criteria[0].pk: 6}
    row = ranking[setup.category.pk].rows[0]
    assert (row.submission_id, row.score, row.place) == (setup.submissions[0].pk, None, None)


def test_a_round_without_reviews_gives_the_criteria_and_no_reviews(setup):
    criteria, reviews = review_data_for_round(setup.round)

    assert [c.criterion_id for c in criteria] == [c.pk for c in setup.criteria]
    assert reviews == []
