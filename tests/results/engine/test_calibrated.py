"""The calibrated normalisation on hand-computed and constructed juries: recovery of known
offsets, shrinkage of a juror with one review, full correction of a juror with many,
constant jurors, disconnected groups of jurors, standard errors, and the invariances that
hold for any jury. Pure computation: no database."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from results.engine import CriterionSpec, ReviewData, calibrate, explain, ranking_compute

SCORE = CriterionSpec(criterion_id=1, weight=1.0, scale_min=0, scale_max=100)


def fit_of(rows, **options):
    juror, submission, total = (np.array(column) for column in zip(*rows, strict=True))
    return calibrate(juror, submission, total.astype(float), **options)


def reviews_of(rows):
    return [
        ReviewData(n + 1, juror, submission, 1, {1: total})
        for n, (juror, submission, total) in enumerate(rows)
    ]


def test_two_jurors_with_a_known_offset_are_recovered():
    # Juror 1 scores every entry exactly 10 points milder than juror 2, without noise.
    truth = {1: 50, 2: 60, 3: 70, 4: 80, 5: 90}
    rows = [(1, e, q + 10) for e, q in truth.items()] + [(2, e, q) for e, q in truth.items()]
    fit = fit_of(rows)

    # The offsets are relative to the average juror: +5 and −5 (the shrinkage of a
    # noise-free jury is tiny: λ = (1 / 5)² = 0.04 of a review against five).
    assert fit.offset[0] - fit.offset[1] == pytest.approx(10, abs=0.1)
    assert fit.offset[0] == pytest.approx(-fit.offset[1])
    assert fit_of(rows, stretch=True).stretch == pytest.approx([1, 1], abs=1e-6)
    # Both corrected values of an entry agree, and the scores keep the true distances.
    scores = dict(zip(fit.entries.tolist(), fit.quality.tolist(), strict=True))
    assert [scores[e] - scores[1] for e in truth] == pytest.approx([0, 10, 20, 30, 40])
    assert scores[1] == pytest.approx(55)  # the average juror: 5 milder than juror 2


def test_a_juror_with_one_review_moves_their_entry_by_little_not_by_a_reset():
    # Jurors 1–3 share every entry and agree; juror 9 reviewed only entry 1, 30 points
    # above the others' 60 there.
    rows = [(j, e, 40 + 10 * e + (j - 2)) for j in (1, 2, 3) for e in (1, 2, 3, 4)]
    rows.append((9, 1, 80))
    fit = fit_of(rows)
    guest = fit.juror(9)
    others = np.mean([t for j, e, t in rows if e == 1 and j != 9])

    # The guest's offset is part of the 30 points, not all of it and not none.
    assert 0 < fit.offset[guest] < 30
    corrected = fit.corrected[-1]
    assert others < corrected < 80
    # z-scores count the guest's single review as the category's average total instead.
    zscore = explain(reviews_of(rows), [SCORE], 1, normalisation="zscore", aggregation="mean")
    guest_line = next(line for line in zscore.lines if line.juror_id == 9)
    assert guest_line.normalised == pytest.approx(np.mean([t for _, _, t in rows]))


def test_a_juror_with_many_reviews_is_corrected_fully():
    rng = np.random.default_rng(4)
    quality = rng.normal(55, 12, 40)
    rows = []
    for e in range(40):
        for j in (1, 2, 3):
            rows.append((j, e, quality[e] + rng.normal(0, 2)))
        rows.append((4, e, quality[e] + 15 + rng.normal(0, 2)))  # 15 milder on all 40
    fit = fit_of(rows)

    # Relative to the three fair jurors' average offset, juror 4 is 15 points milder.
    fair = np.mean(fit.offset[:3])
    assert fit.offset[3] - fair == pytest.approx(15, abs=1)


def test_a_juror_who_gives_every_entry_the_same_total_counts_near_the_average():
    rows = [(j, e, 30 + 10 * e + j) for j in (1, 2) for e in (1, 2, 3, 4)]
    rows += [(3, e, 70) for e in (1, 2, 3, 4)]  # no opinion on which is better
    fit = fit_of(rows)
    constant = fit.corrected[-4:]

    # Their four reviews tell nothing about the order: all corrected values lie close
    # together, near the category's average, instead of at 70 each.
    assert np.ptp(constant) < 5
    assert abs(np.mean(constant) - fit.average) < 5


def test_jurors_who_share_no_entry_form_separate_groups():
    rows = [(1, 1, 80), (2, 1, 70), (1, 2, 60), (2, 2, 50)]  # group one
    rows += [(3, 3, 40), (4, 3, 50), (3, 4, 20), (4, 4, 30)]  # group two
    assert fit_of(rows).groups == 2
    assert fit_of([*rows, (1, 3, 45)]).groups == 1


def test_standard_errors_shrink_with_more_reviews():
    rng = np.random.default_rng(7)
    rows = [(j, e, 50 + 5 * e + rng.normal(0, 5)) for e in range(6) for j in (1, 2, 3)]
    rows += [(j, 6, 60 + rng.normal(0, 5)) for j in (1,)]  # entry 6: one review
    fit = fit_of(rows)

    errors = dict(zip(fit.entries.tolist(), fit.standard_error.tolist(), strict=True))
    assert all(errors[6] > errors[e] for e in range(6))
    assert errors[6] > 1.4 * max(errors[e] for e in range(6))


def test_the_ranking_reports_the_standard_error_and_the_explanation_the_correction():
    rows = [(1, 1, 80), (2, 1, 70), (1, 2, 60), (2, 2, 50), (3, 2, 58), (3, 1, 75)]
    reviews = reviews_of(rows)
    ranking = ranking_compute(reviews, [SCORE], normalisation="calibrated", aggregation="mean")
    first = ranking[1].entry(1)
    assert first.place == 1 and first.standard_error > 0

    explanation = explain(reviews, [SCORE], 1, normalisation="calibrated", aggregation="mean")
    # corrected = average + (total − average − offset) ÷ stretch, for every line.
    for line in explanation.lines:
        expected = explanation.average + (line.total - explanation.average - line.offset) / (
            line.stretch
        )
        assert line.normalised == pytest.approx(min(100, max(0, expected)), abs=1e-6)
    assert explanation.standard_error == pytest.approx(first.standard_error)


PROPERTY = settings(deadline=None, max_examples=40)


@st.composite
def complete_juries(draw):
    """Every juror scores every entry: 2–5 jurors, 2–6 entries, totals 0..100."""
    jurors = draw(st.integers(2, 5))
    entries = draw(st.integers(2, 6))
    totals = draw(
        st.lists(st.integers(20, 80), min_size=jurors * entries, max_size=jurors * entries)
    )
    return [(j + 1, e + 1, totals[j * entries + e]) for j in range(jurors) for e in range(entries)]


@PROPERTY
@given(rows=complete_juries(), data=st.data())
def test_adding_a_constant_to_one_jurors_totals_keeps_the_calibrated_places(rows, data):
    # In a complete design every entry meets the shifted juror once, so whatever part of
    # the constant the shrinkage leaves in the scores moves every entry alike. (Totals stay
    # inside the scale: a corrected value clipped at 0 or 100 would lose the difference.)
    juror = data.draw(st.sampled_from(sorted({j for j, _, _ in rows})))
    constant = data.draw(st.integers(-20, 20))
    shifted = [(j, e, t + constant if j == juror else t) for j, e, t in rows]
    methods = {"normalisation": "calibrated", "aggregation": "mean"}

    def places(reviews):
        return {
            row.submission_id: row.place
            for row in ranking_compute(reviews, [SCORE], **methods)[1].rows
        }

    assert places(reviews_of(rows)) == places(reviews_of(shifted))


@PROPERTY
@given(rows=complete_juries(), data=st.data())
def test_relabelling_jurors_changes_no_calibrated_value(rows, data):
    labels = sorted({j for j, _, _ in rows})
    shuffled = data.draw(st.permutations(labels))
    relabel = dict(zip(labels, shuffled, strict=True))
    fit, other = fit_of(rows), fit_of([(relabel[j], e, t) for j, e, t in rows])

    assert other.corrected.tolist() == fit.corrected.tolist()
    for j in labels:
        assert other.offset[other.juror(relabel[j])] == pytest.approx(
            fit.offset[fit.juror(j)], abs=1e-9
        )


def _dense_standard_errors(fit, juror, submission):
    """The standard errors by brute force: the whole linear system of qualities and
    offsets, solved for one column per review (scores = G · totals)."""
    jurors, j = np.unique(juror, return_inverse=True)
    entries, e = np.unique(submission, return_inverse=True)
    nj, ne, n = len(jurors), len(entries), len(j)
    s = fit.stretch
    matrix = np.zeros((ne + nj, ne + nj))
    matrix[np.arange(ne), np.arange(ne)] = np.bincount(e, minlength=ne)
    np.add.at(matrix, (e, ne + j), 1.0 / s[j])
    matrix[ne + np.arange(nj), ne + np.arange(nj)] = (
        np.bincount(j, minlength=nj) + fit.prior.offset_weight
    )
    np.add.at(matrix, (ne + j, e), s[j])
    rhs = np.zeros((ne + nj, n))
    rhs[e, np.arange(n)] = 1.0 / s[j]
    rhs[ne + j, np.arange(n)] = 1.0
    gain = np.linalg.solve(matrix, rhs)[:ne]
    return fit.prior.noise_sd * np.sqrt(np.sum(gain**2, axis=1))


@pytest.mark.parametrize("stretch", [False, True])
def test_the_standard_errors_equal_the_brute_force_computation(stretch):
    rng = np.random.default_rng(11)
    rows = []
    for entry in range(15):
        for juror in rng.choice(7, 3, replace=False):
            rows.append((int(juror), entry, 50 + 2 * entry + 3 * juror + rng.normal(0, 6)))
    rows.append((9, 3, 80.0))  # a guest with a single review
    juror, submission, total = (np.array(c) for c in zip(*rows, strict=True))
    fit = calibrate(juror, submission, total.astype(float), stretch=stretch)

    assert fit.standard_error == pytest.approx(
        _dense_standard_errors(fit, juror, submission), rel=1e-6
    )
