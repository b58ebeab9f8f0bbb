"""Robustness of each category's leader: leaving one juror out, the bootstrap of reviews
and the verdict. Pure computation: no database."""

import pytest

from results.engine import CLOSE_CALL, ROBUST, CriterionSpec, ReviewData, robustness
from results.engine.robustness import INCOMPLETE

SCORE = CriterionSpec(criterion_id=1, weight=1.0, scale_min=0, scale_max=100)
A, B, C = 10, 11, 12


def reviews_of(rows, *, category=1, first_id=1):
    """(juror, submission, total) rows → reviews (one criterion: the total is the score)."""
    return [
        ReviewData(first_id + n, juror, submission, category, {1: total})
        for n, (juror, submission, total) in enumerate(rows)
    ]


def check(reviews, *, normalisation="raw", aggregation="mean", **options):
    return robustness(
        reviews, [SCORE], normalisation=normalisation, aggregation=aggregation, **options
    )


def test_a_clear_leader_is_robust():
    reviews = reviews_of(
        [
            (1, A, 92), (2, A, 88), (3, A, 95),
            (1, B, 60), (2, B, 55), (3, B, 70),
            (1, C, 40), (2, C, 50), (3, C, 45),
        ]
    )  # fmt: skip
    result = check(reviews, normalisation="calibrated", required=3)[1]

    assert (result.leader, result.leaders, result.verdict) == (A, (A,), ROBUST)
    assert result.reasons == ()
    assert [(o.juror_id, o.first, o.stays_first) for o in result.leave_one_out] == [
        (1, (A,), True),
        (2, (A,), True),
        (3, (A,), True),
    ]
    assert result.changed_by == ()
    # Every juror puts A far on top: even B's best resample stays below A's worst.
    assert (result.bootstrap_share, result.resamples) == (1.0, 1000)
    # The lead (about 30 points) is far beyond the uncertainty of the two scores.
    assert result.lead > 1.96 * result.lead_error


def test_the_bootstrap_fits_the_normalisation_again_in_every_resample():
    # The same clear jury under z-scores: in a resample where a juror's drawn reviews are
    # all of one entry, that juror has no spread and counts as the category's average, so
    # A can lose first place. Keeping each review's z-score fixed would hide this (1.0).
    reviews = reviews_of(
        [
            (1, A, 92), (2, A, 88), (3, A, 95),
            (1, B, 60), (2, B, 55), (3, B, 70),
            (1, C, 40), (2, C, 50), (3, C, 45),
        ]
    )  # fmt: skip
    raw = check(reviews, normalisation="raw")[1]
    zscore = check(reviews, normalisation="zscore")[1]

    assert raw.bootstrap_share == 1.0
    assert 0.5 < zscore.bootstrap_share < 0.95
    assert (zscore.verdict, zscore.reasons) == (CLOSE_CALL, ("bootstrap",))


@pytest.mark.parametrize("normalisation", ["raw", "zscore", "calibrated"])
def test_a_leader_with_fewer_reviews_than_required_is_incomplete_never_robust(normalisation):
    # A has one review (of three required) and it is the highest total of the category: a
    # single review cannot vary in a resample, so the bootstrap alone would say 100 %.
    reviews = reviews_of(
        [
            (1, A, 99),
            (1, B, 70), (2, B, 72), (3, B, 71),
            (1, C, 40), (2, C, 50), (3, C, 45),
        ]
    )  # fmt: skip
    result = check(reviews, normalisation=normalisation, required=3)[1]

    assert result.leader == A
    assert result.verdict == INCOMPLETE
    assert (result.leader_reviews, result.required, result.incomplete) == (1, 3, (A,))


def test_complete_entries_are_not_marked_incomplete():
    reviews = reviews_of([(1, A, 90), (2, A, 80), (1, B, 50), (2, B, 60)])
    result = check(reviews, required=2)[1]

    assert result.incomplete == ()
    assert result.verdict != INCOMPLETE


def test_a_near_tie_is_a_close_call_and_names_the_juror_it_depends_on():
    # A: 71 69 70 (mean 70); B: 70 70 69 (mean 69.67): A leads by a third of a point.
    reviews = reviews_of([(1, A, 71), (2, A, 69), (3, A, 70), (1, B, 70), (2, B, 70), (3, B, 69)])
    result = check(reviews)[1]

    # Without juror 1: A (69 + 70)/2 = 69.5, B (70 + 69)/2 = 69.5: a tie, so A is not
    # first on its own. Without juror 2: A 70.5 > B 69.5; without juror 3: A 70 = B 70.
    assert [(o.juror_id, o.first, o.stays_first) for o in result.leave_one_out] == [
        (1, (A, B), False),
        (2, (A,), True),
        (3, (A, B), False),
    ]
    assert result.changed_by == (1, 3)
    assert result.bootstrap_share < 0.95
    assert result.verdict == CLOSE_CALL


def test_the_bootstrap_share_matches_the_probability_worked_out_by_hand():
    # A has two reviews, 100 and 0 (mean 50); B has one, 49 (always 49). A resample of A
    # is (100, 100) with probability 1/4, a mix (mean 50) with 1/2, (0, 0) with 1/4: A
    # stays first with probability 3/4.
    reviews = reviews_of([(1, A, 100), (2, A, 0), (3, B, 49)])
    share = check(reviews)[1].bootstrap_share

    assert share == pytest.approx(0.75, abs=0.05)


def test_the_bootstrap_resamples_the_median_as_the_ranking_aggregates():
    # A: 0, 100, 100 (median 100); B: 99. A's resampled median is 100 when at least two of
    # three draws are 100: 3·(2/3)²·(1/3) + (2/3)³ = 20/27 = 0.741.
    reviews = reviews_of([(1, A, 0), (2, A, 100), (3, A, 100), (4, B, 99)])
    share = check(reviews, aggregation="median")[1].bootstrap_share

    assert share == pytest.approx(20 / 27, abs=0.05)


def test_a_tie_in_a_resample_does_not_count_as_first():
    # B (60, always) leads A (30, 60, 60: mean 50). A ties B when all three draws are 60:
    # (2/3)³ = 8/27; A never exceeds 60. B is first alone in 1 − 8/27 = 19/27 = 0.704.
    reviews = reviews_of([(1, A, 30), (2, A, 60), (3, A, 60), (4, B, 60)])
    result = check(reviews)[1]

    assert result.leader == B
    assert result.bootstrap_share == pytest.approx(19 / 27, abs=0.05)


def test_a_tied_first_place_is_a_close_call_without_a_single_leader():
    reviews = reviews_of([(1, A, 80), (2, B, 80), (3, C, 20)])
    result = check(reviews)[1]

    assert (result.leader, result.leaders, result.verdict) == (None, (A, B), CLOSE_CALL)
    assert (result.leave_one_out, result.bootstrap_share) == ((), None)


def test_leaving_out_the_only_juror_of_the_leader_leaves_it_unranked():
    reviews = reviews_of([(1, A, 90), (2, B, 70), (2, C, 60), (3, B, 65)])
    result = check(reviews)[1]

    outcomes = {o.juror_id: o for o in result.leave_one_out}
    assert (outcomes[1].first, outcomes[1].stays_first) == ((B,), False)
    assert result.changed_by == (1,)
    assert result.verdict == CLOSE_CALL


def test_the_bootstrap_is_the_same_for_the_same_seed():
    reviews = reviews_of(
        [(1, A, 71), (2, A, 64), (3, A, 77), (1, B, 70), (2, B, 66), (3, B, 72), (1, C, 69)]
    )
    first = check(reviews, seed=7, resamples=500)
    again = check(reviews, seed=7, resamples=500)

    assert first == again
    shares = {check(reviews, seed=seed, resamples=500)[1].bootstrap_share for seed in range(5)}
    assert len(shares) > 1  # the seed does drive the draws


def test_each_category_has_its_own_check_and_categories_can_be_chosen():
    reviews = reviews_of([(1, A, 90), (2, A, 85), (1, B, 40)], category=1) + reviews_of(
        [(1, C, 60)], category=2, first_id=10
    )

    assert sorted(check(reviews)) == [1, 2]
    assert sorted(check(reviews, categories=[2])) == [2]
    assert check(reviews)[2].leader == C
