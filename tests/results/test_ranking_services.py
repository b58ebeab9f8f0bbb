"""The rankings of a round fed from the database with the award's methods: a scores round
with each normalisation and aggregation, the tie-breaker, rounds without reviews, categories
on their own, and a ranking round counted by the Schulze method."""

import pytest

from jury.models import JurorCategory, RoundEntry
from results import selectors as results_selectors
from results.engine import CriterionSpec, RankedEntry, ReviewData, ranking_compute
from tests.factories import CategoryFactory, SubmissionFactory, judging_setup
from tests.results.service_helpers import ballot, places_of, raw_setup, scored

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# --- Rankings of a scores round ----------------------------------------------------------


@pytest.fixture
def scores_round():
    """Three jurors of different severity on five entries (the fifth has no review, the
    third juror's draft on it does not count). Criteria 1–10, equal weights; each review
    gives both criteria the same score, so its total is (score − 1) / 9 × 100."""
    setup = raw_setup(entries=5, jurors=3, criteria=2)
    j0, j1, j2 = setup.jurors
    e = setup.submissions
    plan = [
        (j0, e[0], 4),
        (j0, e[1], 2),
        (j0, e[2], 1),
        (j1, e[0], 9),
        (j1, e[1], 10),
        (j1, e[3], 8),
        (j2, e[1], 6),
        (j2, e[2], 5),
        (j2, e[3], 7),
        (j2, e[0], 3),
    ]
    setup.reviews = [(scored(setup, j, s, v), j, s, v) for j, s, v in plan]
    scored(setup, j2, e[4], 10, submit=False)
    return setup


def by_hand(setup):
    """The same reviews as plain data, written out from the plan (not read back)."""
    first, second = setup.criteria
    criteria = [
        CriterionSpec(first.pk, 1.0, 1, 10),
        CriterionSpec(second.pk, 1.0, 1, 10),
    ]
    reviews = [
        ReviewData(review.pk, juror.pk, entry.pk, setup.category.pk, {first.pk: v, second.pk: v})
        for review, juror, entry, v in setup.reviews
    ]
    return criteria, reviews


@pytest.mark.parametrize("normalisation", ["raw", "zscore", "borda"])
@pytest.mark.parametrize("aggregation", ["mean", "median", "trimmed_mean"])
def test_a_scores_round_is_ranked_with_the_awards_methods(scores_round, normalisation, aggregation):
    setup = scores_round
    setup.award.ranking_normalisation = normalisation
    setup.award.ranking_aggregation = aggregation
    setup.award.save()
    setup.round.refresh_from_db()
    criteria, reviews = by_hand(setup)
    entries = {s.pk: setup.category.pk for s in setup.submissions}

    rankings = results_selectors.round_rankings(setup.round)

    expected = ranking_compute(
        reviews, criteria, normalisation=normalisation, aggregation=aggregation, entries=entries
    )
    assert rankings == expected
    assert list(rankings) == [setup.category.pk]
    ranking = rankings[setup.category.pk]
    assert (ranking.normalisation, ranking.aggregation) == (normalisation, aggregation)
    # The entry with only a draft is listed, last, without a score or a place.
    assert ranking.rows[-1] == RankedEntry(setup.submissions[4].pk, None, None, False, 0, None, ())


def test_the_awards_normalisation_changes_the_winner(scores_round):
    setup = scores_round
    e = setup.submissions

    raw = results_selectors.round_rankings(setup.round)[setup.category.pk]
    assert (raw.normalisation, raw.aggregation) == ("raw", "mean")
    setup.award.ranking_normalisation = "zscore"
    setup.award.save()
    setup.round.refresh_from_db()
    zscore = results_selectors.round_rankings(setup.round)[setup.category.pk]

    # By hand: raw means 72.2 (e3: 77.8, 66.7), 55.6 (e1: 11.1, 100, 55.6),
    # 48.1 (e0: 33.3, 88.9, 22.2), 22.2 (e2: 0, 44.4).
    assert places_of(raw) == [
        (e[3].pk, 1, False, 2),
        (e[1].pk, 2, False, 3),
        (e[0].pk, 3, False, 3),
        (e[2].pk, 4, False, 2),
        (e[4].pk, None, False, 0),
    ]
    assert raw.rows[0].score == pytest.approx(650 / 9)
    assert raw.rows[1].score == pytest.approx(500 / 9)
    assert [row.submission_id for row in zscore.ranked][:2] == [e[1].pk, e[3].pk]


def test_the_tie_breaker_criterion_separates_equal_scores():
    setup = raw_setup(entries=3, jurors=2, criteria=2)
    j0, j1 = setup.jurors[:2]
    e = setup.submissions
    scored(setup, j0, e[0], 10, 4)  # (100 + 33.3) / 2
    scored(setup, j1, e[1], 4, 10)  # the same total, the other way round
    scored(setup, j0, e[2], 1, 1)

    untied = results_selectors.round_rankings(setup.round)[setup.category.pk]
    assert places_of(untied) == [
        (e[0].pk, 1, True, 1),
        (e[1].pk, 1, True, 1),
        (e[2].pk, 3, False, 1),
    ]

    setup.award.tie_break_criterion = setup.criteria[1]
    setup.award.save()
    setup.round.refresh_from_db()
    ranking = results_selectors.round_rankings(setup.round)[setup.category.pk]

    assert ranking.tie_breakers == (("criterion", setup.criteria[1].pk),)
    assert places_of(ranking) == [
        (e[1].pk, 1, False, 1),
        (e[0].pk, 2, False, 1),
        (e[2].pk, 3, False, 1),
    ]
    assert [row.tie_break_values for row in ranking.rows] == [(10.0,), (4.0,), (1.0,)]


def test_a_round_without_any_review_lists_its_entries_without_places():
    setup = judging_setup(entries=2, jurors=1, criteria=2)

    ranking = results_selectors.round_rankings(setup.round)[setup.category.pk]

    assert places_of(ranking) == [
        (setup.submissions[0].pk, None, False, 0),
        (setup.submissions[1].pk, None, False, 0),
    ]
    assert ranking.ranked == ()


def test_each_category_is_ranked_on_its_own():
    setup = judging_setup(entries=2, jurors=2, criteria=2)
    other = CategoryFactory(award=setup.award)
    entry = SubmissionFactory(award=setup.award, category=other, status="eligible")
    RoundEntry.objects.create(round=setup.round, submission=entry)
    JurorCategory.objects.create(juror=setup.jurors[0], category=other)
    scored(setup, setup.jurors[0], entry, 2)
    scored(setup, setup.jurors[0], setup.submissions[0], 9)

    rankings = results_selectors.round_rankings(setup.round)

    assert places_of(rankings[other.pk]) == [(entry.pk, 1, False, 1)]
    assert places_of(rankings[setup.category.pk]) == [
        (setup.submissions[0].pk, 1, False, 1),
        (setup.submissions[1].pk, None, False, 0),
    ]


# --- Rankings of a ranking round (Schulze) -----------------------------------------------


def test_a_ranking_round_gives_schulze_places_from_submitted_ballots(final):
    s = final
    j0, j1, j2, j3 = s.jurors
    ballot(s, j0, {s.a: 1, s.b: 2, s.c: 3})
    ballot(s, j1, {s.b: 1, s.a: 2, s.c: 3})
    ballot(s, j2, {s.a: 1, s.b: 2, s.c: 3}, status="draft")  # would break the tie
    j3.is_active = False
    j3.save()
    ballot(s, j3, {s.a: 1, s.b: 2, s.c: 3})  # a juror no longer on the jury

    ranking = results_selectors.round_rankings(s.final)[s.category.pk]

    assert places_of(ranking) == [
        (s.a.pk, 1, True, 2),
        (s.b.pk, 1, True, 2),
        (s.c.pk, 3, False, 2),
    ]
    assert (ranking.normalisation, ranking.aggregation) == ("schulze", "schulze")
    assert results_selectors.method_of(s.award, s.final) == {"round": 2, "method": "schulze"}


def test_a_third_ballot_breaks_the_schulze_tie(final):
    s = final
    j0, j1, j2, _ = s.jurors
    ballot(s, j0, {s.a: 1, s.b: 2, s.c: 3})
    ballot(s, j1, {s.b: 1, s.a: 2, s.c: 3})
    ballot(s, j2, {s.b: 1, s.c: 2, s.a: 3})

    ranking = results_selectors.round_rankings(s.final)[s.category.pk]

    assert places_of(ranking) == [
        (s.b.pk, 1, False, 3),
        (s.a.pk, 2, False, 3),
        (s.c.pk, 3, False, 3),
    ]


def test_a_ranking_round_without_ballots_has_no_places(final):
    ranking = results_selectors.round_rankings(final.final)[final.category.pk]

    assert places_of(ranking) == [
        (final.a.pk, None, False, 0),
        (final.b.pk, None, False, 0),
        (final.c.pk, None, False, 0),
    ]
