"""Properties of the results engine that hold for any jury (hypothesis): z-scores ignore
how strict a juror is, nothing depends on how jurors are numbered or reviews ordered, a
category ignores every other category, and the review totals are exactly the jury's.
Plus the planted test: a harsh and a lenient juror on disjoint entries."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from results.engine import (
    AGGREGATIONS,
    NORMALISATIONS,
    CriterionSpec,
    ReviewData,
    explain,
    jury_quality,
    ranking_compute,
    review_total,
    robustness,
)
from results.engine.ranking import review_table

# One criterion on 0..100 with weight 1: a review's total is its score, so adding a
# constant to a juror's scores adds it to their totals.
SCORE = CriterionSpec(criterion_id=1, weight=1.0, scale_min=0, scale_max=100)
METHODS = [(n, a) for n in NORMALISATIONS for a in AGGREGATIONS]
PROPERTY = settings(deadline=None, max_examples=50)


@st.composite
def juries(draw, *, category=1, first_id=1):
    """Reviews of one category: 2–6 jurors, 2–8 entries, each (juror, entry) pair at most
    once, scores 0..100; now and then a review left incomplete."""
    jurors = draw(st.integers(2, 6))
    entries = draw(st.integers(2, 8))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(1, jurors), st.integers(1, entries)),
            min_size=2,
            max_size=30,
            unique=True,
        )
    )
    reviews = []
    for n, (juror, entry) in enumerate(pairs):
        score = draw(
            st.one_of(st.integers(0, 100), st.just(None)) if n % 7 == 6 else st.integers(0, 100)
        )
        reviews.append(
            ReviewData(
                review_id=first_id + n,
                juror_id=juror,
                submission_id=100 * category + entry,
                category_id=category,
                scores={} if score is None else {1: score},
            )
        )
    return reviews


def places(ranking):
    return {
        category_id: {row.submission_id: row.place for row in category.rows}
        for category_id, category in ranking.items()
    }


@PROPERTY
@given(reviews=juries(), data=st.data())
def test_adding_a_constant_to_one_jurors_scores_does_not_change_the_zscore_places(reviews, data):
    juror = data.draw(st.sampled_from(sorted({r.juror_id for r in reviews})))
    constant = data.draw(st.integers(-60, 60))
    shifted = [
        ReviewData(
            r.review_id,
            r.juror_id,
            r.submission_id,
            r.category_id,
            {k: v + constant for k, v in r.scores.items()} if r.juror_id == juror else r.scores,
        )
        for r in reviews
    ]
    for aggregation in AGGREGATIONS:
        before = ranking_compute(reviews, [SCORE], normalisation="zscore", aggregation=aggregation)
        after = ranking_compute(shifted, [SCORE], normalisation="zscore", aggregation=aggregation)
        assert places(after) == places(before)


def test_adding_a_constant_does_change_the_raw_places():
    # The property above is not trivially true: the same shift reorders raw means.
    reviews = [
        ReviewData(1, 1, 10, 1, {1: 60}),
        ReviewData(2, 1, 11, 1, {1: 40}),
        ReviewData(3, 2, 12, 1, {1: 50}),
        ReviewData(4, 2, 13, 1, {1: 45}),
    ]
    harsher = [
        ReviewData(r.review_id, r.juror_id, r.submission_id, 1, {1: r.scores[1] - 20})
        if r.juror_id == 1
        else r
        for r in reviews
    ]
    raw = [
        places(ranking_compute(x, [SCORE], normalisation="raw", aggregation="mean"))
        for x in (reviews, harsher)
    ]
    zscore = [
        places(ranking_compute(x, [SCORE], normalisation="zscore", aggregation="mean"))
        for x in (reviews, harsher)
    ]
    assert raw[0] == {1: {10: 1, 12: 2, 13: 3, 11: 4}}
    assert raw[1] == {1: {12: 1, 13: 2, 10: 3, 11: 4}}
    assert zscore[0] == zscore[1]


def relabelled(reviews, mapping, order):
    """The same reviews with juror ids mapped, new review ids, in another order."""
    return [
        ReviewData(
            1000 + r.review_id * 7, mapping[r.juror_id], r.submission_id, r.category_id, r.scores
        )
        for r in (reviews[n] for n in order)
    ]


@PROPERTY
@given(reviews=juries(), data=st.data())
def test_relabelling_jurors_and_reordering_reviews_changes_no_result(reviews, data):
    jurors = sorted({r.juror_id for r in reviews})
    new_ids = data.draw(st.permutations([50 + n for n in range(len(jurors))]))
    mapping = dict(zip(jurors, new_ids, strict=True))
    back = {new: old for old, new in mapping.items()}
    other = relabelled(reviews, mapping, data.draw(st.permutations(range(len(reviews)))))
    submission = reviews[0].submission_id

    for normalisation, aggregation in METHODS:
        methods = {"normalisation": normalisation, "aggregation": aggregation}
        assert ranking_compute(other, [SCORE], **methods) == ranking_compute(
            reviews, [SCORE], **methods
        )
        first = explain(reviews, [SCORE], submission, **methods)
        second = explain(other, [SCORE], submission, **methods)
        assert (second.score, second.place, second.above, second.below) == (
            first.score,
            first.place,
            first.above,
            first.below,
        )
        assert sorted((back[line.juror_id], line.normalised) for line in second.lines) == sorted(
            (line.juror_id, line.normalised) for line in first.lines
        )

    quality, quality_other = jury_quality(reviews, [SCORE]), jury_quality(other, [SCORE])
    assert quality.keys() == quality_other.keys()
    for category_id, figures in quality.items():
        moved = quality_other[category_id]
        assert (moved.alpha, moved.severity_sd, moved.histogram) == (
            figures.alpha,
            figures.severity_sd,
            figures.histogram,
        )
        assert {back[j.juror_id]: (j.severity, j.consistency, j.outlier) for j in moved.jurors} == {
            j.juror_id: (j.severity, j.consistency, j.outlier) for j in figures.jurors
        }

    methods = {"normalisation": "zscore", "aggregation": "mean", "resamples": 50, "seed": 3}
    checks, checks_other = (
        robustness(reviews, [SCORE], **methods),
        robustness(other, [SCORE], **methods),
    )
    assert checks.keys() == checks_other.keys()
    for category_id, check in checks.items():
        moved = checks_other[category_id]
        assert (moved.leader, moved.bootstrap_share, moved.verdict) == (
            check.leader,
            check.bootstrap_share,
            check.verdict,
        )
        assert sorted(back[juror] for juror in moved.changed_by) == sorted(check.changed_by)


@PROPERTY
@given(
    mine=juries(category=2, first_id=1),
    others=juries(category=1, first_id=500),
    changed=juries(category=1, first_id=500),
)
def test_scores_in_another_category_never_affect_a_category(mine, others, changed):
    # The same juror ids judge both categories; category 1 comes first in every loop.
    for normalisation, aggregation in METHODS:
        methods = {"normalisation": normalisation, "aggregation": aggregation}
        alone = ranking_compute(mine, [SCORE], **methods)
        assert ranking_compute(others + mine, [SCORE], **methods).get(2) == alone.get(2)
        assert ranking_compute(changed + mine, [SCORE], **methods).get(2) == alone.get(2)
    assert jury_quality(others + mine, [SCORE]).get(2) == jury_quality(mine, [SCORE]).get(2)
    methods = {"normalisation": "zscore", "aggregation": "median", "resamples": 50, "seed": 1}
    assert robustness(changed + mine, [SCORE], **methods).get(2) == robustness(
        mine, [SCORE], **methods
    ).get(2)


@st.composite
def criteria_and_scores(draw):
    count = draw(st.integers(1, 5))
    criteria, scores = [], {}
    for criterion_id in range(1, count + 1):
        low = draw(st.integers(-5, 5))
        high = low + draw(st.integers(1, 20))
        weight = draw(
            st.one_of(
                st.integers(1, 10).map(float),
                st.sampled_from([0.25, 0.5, 1.5, 2.25, 3.75, 0.01, 99.99]),
            )
        )
        criteria.append((criterion_id, weight, low, high))
        if draw(st.integers(0, 9)):  # now and then a criterion is left unscored
            scores[criterion_id] = draw(st.integers(low, high))
    return criteria, scores


@PROPERTY
@given(case=criteria_and_scores())
def test_review_totals_are_exactly_the_vectorised_ones(case):
    criteria, scores = case
    specs = [CriterionSpec(*c) for c in criteria]
    expected = review_total(scores, specs)

    table = review_table([ReviewData(1, 1, 1, 1, scores)], specs)
    assert (None if table.total[0] != table.total[0] else float(table.total[0])) == expected


# --- the planted test --------------------------------------------------------------------
# Six entries of known quality A 80 > B 70 > C 60 > D 50 > E 40 > F 30. A fair juror G
# scores all six as they are. A lenient juror L reviews B, D, F and adds 25 points; a harsh
# juror H reviews A, C, E and takes 25 off: L and H never see the same entry.
A, B, C, D, E, F = 1, 2, 3, 4, 5, 6
QUALITY = {A: 80, B: 70, C: 60, D: 50, E: 40, F: 30}
G, L, H = 7, 8, 9
PLANTED = (
    [ReviewData(n, G, s, 1, {1: q}) for n, (s, q) in enumerate(QUALITY.items(), start=1)]
    + [ReviewData(10 + s, L, s, 1, {1: QUALITY[s] + 25}) for s in (B, D, F)]
    + [ReviewData(20 + s, H, s, 1, {1: QUALITY[s] - 25}) for s in (A, C, E)]
)


def test_planted_raw_means_pick_the_entry_of_the_lenient_juror():
    ranking = ranking_compute(PLANTED, [SCORE], normalisation="raw", aggregation="mean")

    # A: (80 + 55)/2 = 67.5, but B: (70 + 95)/2 = 82.5 wins, and D: (50 + 75)/2 = 62.5
    # comes close to A.
    assert [(r.submission_id, r.score) for r in ranking[1].rows[:3]] == [
        (B, 82.5),
        (A, 67.5),
        (D, 62.5),
    ]


def test_planted_zscores_pick_the_best_entry():
    ranking = ranking_compute(PLANTED, [SCORE], normalisation="zscore", aggregation="mean")

    # L's totals 95 75 55 and H's 55 35 15 both have z +1.2247, 0, −1.2247 (sd √266.7);
    # G's 80..30 (mean 55, sd √291.7 = 17.08) have z +1.464, +0.878, +0.293, −0.293, ….
    # A: (1.2247 + 1.464)/2 = 1.344 beats B: (1.2247 + 0.878)/2 = 1.051. The whole order
    # is the true one.
    assert [r.submission_id for r in ranking[1].rows] == [A, B, C, D, E, F]
    assert [r.place for r in ranking[1].rows] == [1, 2, 3, 4, 5, 6]


def test_planted_borda_picks_the_best_entry_too():
    ranking = ranking_compute(PLANTED, [SCORE], normalisation="borda", aggregation="mean")

    # A: H's best (100) and G's best (100); B: L's best (100) and G's second (80).
    assert [(r.submission_id, r.score) for r in ranking[1].rows[:2]] == [(A, 100.0), (B, 90.0)]


@pytest.mark.parametrize("aggregation", AGGREGATIONS)
def test_planted_zscores_pick_the_best_entry_with_every_aggregation(aggregation):
    ranking = ranking_compute(PLANTED, [SCORE], normalisation="zscore", aggregation=aggregation)

    assert ranking[1].leaders[0].submission_id == A
