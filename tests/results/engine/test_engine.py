"""The ranking engine on hand-computed examples: every normalisation × aggregation, ties,
incomplete and missing reviews, tie-breakers, the shortlist and the explanation.
Pure computation: no database."""

import math

import pytest

from results.engine import (
    AGGREGATIONS,
    NORMALISATIONS,
    CriterionSpec,
    ReviewData,
    explain,
    ranking_compute,
    review_total,
    shortlist,
)
from results.engine.ranking import trim_count

# One criterion on 0..100 with weight 1: a review's total is its score.
SCORE = CriterionSpec(criterion_id=1, weight=1.0, scale_min=0, scale_max=100)
X, Y, Z, W, V = 10, 11, 12, 13, 14


def reviews_of(rows, *, category=1, criterion=1, first_id=1):
    """ReviewData from (juror, submission, score) rows; score None = left unscored."""
    return [
        ReviewData(
            review_id=first_id + n,
            juror_id=juror,
            submission_id=submission,
            category_id=category,
            scores={} if score is None else {criterion: score},
        )
        for n, (juror, submission, score) in enumerate(rows)
    ]


# Five jurors with two complete reviews each; everyone reviewed X. Juror 1 also left a
# review of V incomplete.
EXAMPLE = reviews_of(
    [
        (1, X, 80), (1, Y, 60),
        (2, X, 50), (2, Y, 70),
        (3, X, 90), (3, Z, 30),
        (4, X, 20), (4, Z, 40),
        (5, X, 70), (5, W, 10),
        (1, V, None),
    ]
)  # fmt: skip
# z-scores: each juror's two totals lie one standard deviation either side of their mean
# (e.g. juror 1: mean 70, sd 10, so X = +1 and Y = −1). So X gets +1, −1, +1, −1, +1;
# Y gets −1 (juror 1), +1 (juror 2); Z −1, +1; W −1.
# The category's ten complete totals sum to 520: pooled mean 52; squared deviations
# 784 + 64 + 4 + 324 + 1444 + 484 + 1024 + 144 + 324 + 1764 = 6360, / 10 = 636:
# pooled sd S = √636 ≈ 25.219. A z of ±1 maps back to 52 ± S.
S = math.sqrt(636)
# Borda: each juror has two entries: their better one gets 100, the other 0.
EXPECTED = {
    # raw X: 20 50 70 80 90 → mean 310/5 = 62, median 70, trimmed (drop 20 and 90)
    # (50 + 70 + 80)/3 = 66.67. Y: 60 70 → 65 by every method. Z: 30 40 → 35. W: 10.
    ("raw", "mean"): {X: (62, 2), Y: (65, 1), Z: (35, 3), W: (10, 4)},
    ("raw", "median"): {X: (70, 1), Y: (65, 2), Z: (35, 3), W: (10, 4)},
    ("raw", "trimmed_mean"): {X: (200 / 3, 1), Y: (65, 2), Z: (35, 3), W: (10, 4)},
    # zscore X: three times 52 + S, twice 52 − S → mean 52 + S/5; median 52 + S; trimmed
    # drops one 52 − S and one 52 + S: (52 − S + 2·(52 + S))/3 = 52 + S/3.
    # Y and Z: (52 − S + 52 + S)/2 = 52, a tie for second place; W: 52 − S.
    ("zscore", "mean"): {X: (52 + S / 5, 1), Y: (52, 2), Z: (52, 2), W: (52 - S, 4)},
    ("zscore", "median"): {X: (52 + S, 1), Y: (52, 2), Z: (52, 2), W: (52 - S, 4)},
    ("zscore", "trimmed_mean"): {X: (52 + S / 3, 1), Y: (52, 2), Z: (52, 2), W: (52 - S, 4)},
    # borda X: 100 0 100 0 100 → mean 60, median 100, trimmed (0 + 100 + 100)/3;
    # Y: 0 100 → 50; Z: 0 100 → 50; W: 0.
    ("borda", "mean"): {X: (60, 1), Y: (50, 2), Z: (50, 2), W: (0, 4)},
    ("borda", "median"): {X: (100, 1), Y: (50, 2), Z: (50, 2), W: (0, 4)},
    ("borda", "trimmed_mean"): {X: (200 / 3, 1), Y: (50, 2), Z: (50, 2), W: (0, 4)},
}


def test_the_hand_computed_cases_cover_every_method():
    # The calibrated method's hand-computed cases are in test_calibrated.py.
    assert set(EXPECTED) == {
        (n, a) for n in NORMALISATIONS if n != "calibrated" for a in AGGREGATIONS
    }


@pytest.mark.parametrize(("normalisation", "aggregation"), sorted(EXPECTED))
def test_every_method_gives_the_hand_computed_scores_and_places(normalisation, aggregation):
    ranking = ranking_compute(
        EXAMPLE, [SCORE], normalisation=normalisation, aggregation=aggregation
    )

    rows = ranking[1].rows
    expected = EXPECTED[normalisation, aggregation]
    got = {row.submission_id: (row.score, row.place) for row in rows if row.score is not None}
    assert set(got) == set(expected)
    for submission_id, (score, place) in expected.items():
        assert got[submission_id][0] == pytest.approx(score, abs=1e-9)
        assert got[submission_id][1] == place
    # Best first; equal places in the order of the entries' ids; V (no complete review) last.
    order = sorted(expected, key=lambda s: (expected[s][1], s))
    assert [row.submission_id for row in rows] == [*order, V]


@pytest.mark.parametrize("normalisation", ["raw", "zscore", "borda"])
def test_equal_scores_share_a_place_and_the_next_place_is_skipped(normalisation):
    ranking = ranking_compute(EXAMPLE, [SCORE], normalisation=normalisation, aggregation="mean")

    rows = {row.submission_id: row for row in ranking[1].rows}
    if normalisation == "raw":
        assert [rows[s].place for s in (Y, X, Z, W)] == [1, 2, 3, 4]
        assert not any(row.tied for row in rows.values())
    else:
        # Y and Z are equal (52, or 50 in Borda points): both second, then fourth.
        assert [rows[s].place for s in (X, Y, Z, W)] == [1, 2, 2, 4]
        assert [rows[s].tied for s in (X, Y, Z, W)] == [False, True, True, False]


def test_the_raw_mean_and_the_number_of_reviews_are_reported_whatever_the_method():
    ranking = ranking_compute(EXAMPLE, [SCORE], normalisation="borda", aggregation="median")

    rows = {row.submission_id: row for row in ranking[1].rows}
    assert {s: (rows[s].raw_mean, rows[s].reviews) for s in (X, Y, Z, W)} == {
        X: (pytest.approx(62), 5),
        Y: (pytest.approx(65), 2),
        Z: (pytest.approx(35), 2),
        W: (pytest.approx(10), 1),
    }


def test_an_entry_without_a_complete_review_is_listed_last_without_score_or_place():
    ranking = ranking_compute(
        EXAMPLE,
        [SCORE],
        normalisation="zscore",
        aggregation="mean",
        entries={15: 1, X: 1},  # 15 is in the round but nobody has reviewed it yet
    )

    last_two = ranking[1].rows[-2:]
    assert [(r.submission_id, r.score, r.place, r.tied, r.reviews) for r in last_two] == [
        (V, None, None, False, 0),
        (15, None, None, False, 0),
    ]


def test_an_incomplete_review_does_not_count_towards_the_jurors_normalisation():
    # Juror 1's incomplete review of V is ignored: their z-scores rest on X and Y only,
    # so the result is the same as without it.
    without = [review for review in EXAMPLE if review.submission_id != V]
    with_it = ranking_compute(EXAMPLE, [SCORE], normalisation="zscore", aggregation="mean")
    plain = ranking_compute(without, [SCORE], normalisation="zscore", aggregation="mean")

    assert with_it[1].rows[:-1] == plain[1].rows


def test_a_juror_with_one_review_or_one_total_counts_as_the_category_average():
    reviews = reviews_of(
        [(1, X, 90), (2, X, 40), (2, Y, 60), (3, Y, 70), (3, Z, 70)],
    )
    # Pooled totals 90 40 60 70 70: mean 330/5 = 66. Juror 1 (one review) and juror 3
    # (the same total twice) tell nothing about their scale: z = 0, value 66.
    explanation = explain(reviews, [SCORE], X, normalisation="zscore", aggregation="mean")

    juror_1 = next(line for line in explanation.lines if line.juror_id == 1)
    assert juror_1.normalised == pytest.approx(66)
    assert juror_1.effect == pytest.approx(66 - 90)
    ranking = ranking_compute(reviews, [SCORE], normalisation="zscore", aggregation="mean")
    # Deviations 24 −26 −6 4 4: squares 576 + 676 + 36 + 16 + 16 = 1320, /5 = 264.
    # Juror 2: 40 and 60 are z = −1 and +1, so X = (66 + 66 − √264)/2 and
    # Y = (66 + √264 + 66)/2; Z = 66.
    scores = {row.submission_id: row.score for row in ranking[1].rows}
    assert scores == {
        X: pytest.approx(66 - math.sqrt(264) / 2),
        Y: pytest.approx(66 + math.sqrt(264) / 2),
        Z: pytest.approx(66),
    }


def test_borda_gives_equal_totals_of_a_juror_their_average_rank_and_a_single_entry_50():
    reviews = reviews_of([(1, X, 80), (1, Y, 80), (1, Z, 20), (2, W, 35)])
    # Juror 1 ranks X and Y 1.5 each, Z 3: (3 − 1.5)/2 = 75 points, (3 − 3)/2 = 0.
    ranking = ranking_compute(reviews, [SCORE], normalisation="borda", aggregation="mean")

    assert {row.submission_id: row.score for row in ranking[1].rows} == {
        X: 75.0,
        Y: 75.0,
        Z: 0.0,
        W: 50.0,
    }


def test_borda_spreads_a_jurors_entries_evenly_from_100_to_0():
    reviews = reviews_of([(1, X, 90), (1, Y, 70), (1, Z, 65), (1, W, 10), (1, V, 5)])
    ranking = ranking_compute(reviews, [SCORE], normalisation="borda", aggregation="mean")

    # Five entries: (5 − rank)/4 × 100.
    assert [row.score for row in ranking[1].rows] == [100.0, 75.0, 50.0, 25.0, 0.0]


def test_the_trimmed_mean_drops_a_fifth_at_each_end_at_least_one_from_four_reviews():
    assert [int(trim_count(n)) for n in (1, 2, 3, 4, 5, 9, 10, 14, 15)] == [
        0, 0, 0, 1, 1, 1, 2, 2, 3,
    ]  # fmt: skip
    values = [0, 0, 10, 10, 10, 10, 10, 10, 100, 100]
    reviews = reviews_of([(juror, X, value) for juror, value in enumerate(values, start=1)])
    ranking = ranking_compute(reviews, [SCORE], normalisation="raw", aggregation="trimmed_mean")

    # Ten reviews: two dropped at each end, the six 10s remain. (The mean would be 26.)
    assert ranking[1].rows[0].score == pytest.approx(10)


def test_the_median_of_an_even_number_of_reviews_is_the_mean_of_the_middle_two():
    reviews = reviews_of([(1, X, 20), (2, X, 90), (3, X, 50), (4, X, 80)])
    ranking = ranking_compute(reviews, [SCORE], normalisation="raw", aggregation="median")

    assert ranking[1].rows[0].score == pytest.approx(65)  # (50 + 80)/2


def test_each_category_is_ranked_on_its_own():
    reviews = reviews_of([(1, X, 50), (2, Y, 40)], category=1) + reviews_of(
        [(1, Z, 10), (3, W, 90)], category=2, first_id=10
    )
    ranking = ranking_compute(reviews, [SCORE], normalisation="raw", aggregation="mean")

    assert {c: [(r.submission_id, r.place) for r in ranking[c].rows] for c in ranking} == {
        1: [(X, 1), (Y, 2)],
        2: [(W, 1), (Z, 2)],
    }


# --- tie-breakers ------------------------------------------------------------------------
INNOVATION = CriterionSpec(criterion_id=1, weight=1.0, scale_min=0, scale_max=10)
IMPACT = CriterionSpec(criterion_id=2, weight=1.0, scale_min=0, scale_max=10)


def two_criteria(rows):
    """(juror, submission, innovation, impact) → reviews in category 1."""
    return [
        ReviewData(n, juror, submission, 1, {1: innovation, 2: impact})
        for n, (juror, submission, innovation, impact) in enumerate(rows, start=1)
    ]


# Totals: A (8, 4), B (4, 8), C (6, 6) and D (8, 4) all total 60; E (10, 4) totals 70.
A, B, C, D, E = 21, 22, 23, 24, 25
TIES = two_criteria([(1, A, 8, 4), (2, B, 4, 8), (3, C, 6, 6), (4, D, 8, 4), (5, E, 10, 4)])


def places(ranking):
    return [(row.submission_id, row.place, row.tied) for row in ranking[1].rows]


def test_without_tie_breakers_equal_totals_stay_tied():
    ranking = ranking_compute(TIES, [INNOVATION, IMPACT], normalisation="raw", aggregation="mean")

    # 0.8 + 0.4 is 1.2000000000000002 in floating point, 0.6 + 0.6 is 1.2: A and C
    # differ in the 15th digit and still tie (scores are compared to 9 decimals).
    assert places(ranking) == [
        (E, 1, False),
        (A, 2, True),
        (B, 2, True),
        (C, 2, True),
        (D, 2, True),
    ]


def test_a_tie_breaker_orders_equal_scores_by_the_mean_raw_score_on_its_criterion():
    ranking = ranking_compute(
        TIES,
        [INNOVATION, IMPACT],
        normalisation="raw",
        aggregation="mean",
        tie_breakers=[("criterion", 2)],
    )

    # Impact: B 8 > C 6 > A 4 = D 4. E stays first: tie-breakers only separate equal
    # scores, though E's impact is only 4.
    assert places(ranking) == [
        (E, 1, False),
        (B, 2, False),
        (C, 3, False),
        (A, 4, True),
        (D, 4, True),
    ]
    assert [row.tie_break_values for row in ranking[1].rows] == [
        (4.0,), (8.0,), (6.0,), (4.0,), (4.0,),
    ]  # fmt: skip


def test_tie_breakers_apply_in_order_and_a_remaining_tie_stays_for_the_chair():
    ranking = ranking_compute(
        TIES,
        [INNOVATION, IMPACT],
        normalisation="raw",
        aggregation="mean",
        tie_breakers=[("criterion", 1), ("criterion", 2)],
    )

    # Innovation: A 8 = D 8 > C 6 > B 4; impact cannot separate A and D (4 each).
    assert places(ranking) == [
        (E, 1, False),
        (A, 2, True),
        (D, 2, True),
        (C, 4, False),
        (B, 5, False),
    ]


def test_a_tie_breaker_uses_the_mean_over_all_reviews_of_the_entry():
    reviews = two_criteria([(1, A, 9, 3), (2, A, 5, 7), (3, B, 6, 6), (4, B, 8, 4)])
    # Totals all 60; innovation means A (9 + 5)/2 = 7, B (6 + 8)/2 = 7: still tied.
    ranking = ranking_compute(
        reviews,
        [INNOVATION, IMPACT],
        normalisation="raw",
        aggregation="mean",
        tie_breakers=[("criterion", 1)],
    )

    assert places(ranking) == [(A, 1, True), (B, 1, True)]


def test_unknown_methods_and_tie_breakers_are_refused():
    with pytest.raises(ValueError, match="normalisation"):
        ranking_compute(EXAMPLE, [SCORE], normalisation="minmax", aggregation="mean")
    with pytest.raises(ValueError, match="aggregation"):
        ranking_compute(EXAMPLE, [SCORE], normalisation="raw", aggregation="mode")
    with pytest.raises(ValueError, match="criterion 9"):
        ranking_compute(
            EXAMPLE,
            [SCORE],
            normalisation="raw",
            aggregation="mean",
            tie_breakers=[("criterion", 9)],
        )
    with pytest.raises(ValueError, match="tie-breaker"):
        ranking_compute(
            EXAMPLE, [SCORE], normalisation="raw", aggregation="mean", tie_breakers=[("chair", 1)]
        )


def test_an_empty_round_gives_an_empty_ranking():
    assert ranking_compute([], [SCORE], normalisation="zscore", aggregation="median") == {}


# --- review totals -----------------------------------------------------------------------
def test_a_review_total_is_the_weighted_mean_of_the_scores_on_their_own_scales():
    innovation = CriterionSpec(1, 3.0, 1, 10)
    market = CriterionSpec(2, 1.0, 1, 5)
    # (3 · 9/9 + 1 · 2/4) / 4 = 3.5/4 = 87.5 %
    assert review_total({1: 10, 2: 3}, [innovation, market]) == 87.5
    assert review_total({1: 10}, [innovation, market]) is None
    assert review_total({1: 10, 2: None}, [innovation, market]) is None


def test_the_ranking_uses_the_weighted_totals():
    innovation = CriterionSpec(1, 3.0, 1, 10)
    market = CriterionSpec(2, 1.0, 1, 5)
    reviews = [
        ReviewData(1, 1, X, 1, {1: 10, 2: 1}),  # (3 · 1 + 0)/4 = 75
        ReviewData(2, 2, Y, 1, {1: 1, 2: 5}),  # (0 + 1 · 1)/4 = 25
        ReviewData(3, 2, Z, 1, {1: 10}),  # incomplete
    ]
    ranking = ranking_compute(
        reviews, [innovation, market], normalisation="raw", aggregation="mean"
    )

    assert [(r.submission_id, r.score) for r in ranking[1].rows] == [
        (X, 75.0),
        (Y, 25.0),
        (Z, None),
    ]


# --- shortlist ---------------------------------------------------------------------------
def test_the_shortlist_takes_the_best_entries_and_everyone_tied_at_the_cut():
    ranking = ranking_compute(EXAMPLE, [SCORE], normalisation="zscore", aggregation="mean")
    # Places: X 1, Y 2, Z 2, W 4; V has no score.

    assert shortlist(ranking, 1) == {1: [X]}
    assert shortlist(ranking, 2) == {1: [X, Y, Z]}
    assert shortlist(ranking, 3) == {1: [X, Y, Z]}
    assert shortlist(ranking, 10) == {1: [X, Y, Z, W]}
    with pytest.raises(ValueError):
        shortlist(ranking, 0)


# --- explanation -------------------------------------------------------------------------
def test_the_explanation_shows_each_jurors_scores_and_the_normalisation_effect():
    explanation = explain(EXAMPLE, [SCORE], X, normalisation="zscore", aggregation="mean")

    lines = [
        (line.juror_id, line.scores, line.total, line.normalised, line.effect)
        for line in explanation.lines
    ]
    assert lines == [
        (1, {1: 80}, pytest.approx(80), pytest.approx(52 + S), pytest.approx(52 + S - 80)),
        (2, {1: 50}, pytest.approx(50), pytest.approx(52 - S), pytest.approx(52 - S - 50)),
        (3, {1: 90}, pytest.approx(90), pytest.approx(52 + S), pytest.approx(52 + S - 90)),
        (4, {1: 20}, pytest.approx(20), pytest.approx(52 - S), pytest.approx(52 - S - 20)),
        (5, {1: 70}, pytest.approx(70), pytest.approx(52 + S), pytest.approx(52 + S - 70)),
    ]
    # Juror 1's mean is over their complete reviews (80 and 60), not the incomplete one.
    assert [(line.juror_reviews, line.juror_mean) for line in explanation.lines] == [
        (2, 70.0), (2, 60.0), (2, 60.0), (2, 30.0), (2, 40.0),
    ]  # fmt: skip
    assert explanation.score == pytest.approx(52 + S / 5)
    assert (explanation.place, explanation.tied, explanation.ranked_entries) == (1, False, 4)
    assert explanation.raw_mean == pytest.approx(62)
    assert explanation.criterion_means == {1: pytest.approx(62)}
    assert explanation.above is None
    # Y and Z tie in second place; Y (lower id) is listed first, right below X.
    below = explanation.below
    assert (below.submission_id, below.place, below.decided_by_tie_breaker) == (Y, 2, False)
    assert below.gap == pytest.approx(S / 5, abs=1e-8)


def test_the_explanation_of_a_tied_entry_shows_no_gap_to_its_tied_neighbour():
    explanation = explain(EXAMPLE, [SCORE], Y, normalisation="zscore", aggregation="mean")

    assert (explanation.place, explanation.tied) == (2, True)
    assert explanation.above.submission_id == X
    assert explanation.above.gap == pytest.approx(S / 5, abs=1e-8)
    assert (explanation.below.submission_id, explanation.below.gap) == (Z, 0.0)


def test_the_explanation_says_when_a_tie_breaker_decided():
    explanation = explain(
        TIES,
        [INNOVATION, IMPACT],
        B,
        normalisation="raw",
        aggregation="mean",
        tie_breakers=[("criterion", 2)],
    )

    assert (explanation.place, explanation.tie_break_values) == (2, (8.0,))
    assert (explanation.above.submission_id, explanation.above.gap) == (E, 10.0)
    assert explanation.above.decided_by_tie_breaker is False
    below = explanation.below
    assert (below.submission_id, below.gap, below.decided_by_tie_breaker) == (C, 0.0, True)


def test_the_explanation_of_an_entry_without_a_complete_review_has_no_score():
    explanation = explain(EXAMPLE, [SCORE], V, normalisation="raw", aggregation="mean")

    assert (explanation.score, explanation.place, explanation.above) == (None, None, None)
    line = explanation.lines[0]
    assert (line.juror_id, line.scores, line.total, line.normalised) == (1, {1: None}, None, None)
    assert explain(EXAMPLE, [SCORE], 999, normalisation="raw", aggregation="mean") is None
