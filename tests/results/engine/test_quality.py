"""Jury quality: Krippendorff's alpha, severity and consistency per juror, outlier flags and
the distributions behind the charts. Pure computation: no database."""

import pytest

from results.engine import (
    CriterionSpec,
    ReviewData,
    histogram,
    jury_quality,
    krippendorff_alpha,
)

SCORE = CriterionSpec(criterion_id=1, weight=1.0, scale_min=0, scale_max=100)


def reviews_of(rows, *, category=1):
    """(juror, submission, total) rows → reviews (one criterion: the total is the score)."""
    return [
        ReviewData(n, juror, submission, category, {1: total})
        for n, (juror, submission, total) in enumerate(rows, start=1)
    ]


# --- Krippendorff's alpha ----------------------------------------------------------------
def test_alpha_is_1_when_every_juror_gives_each_entry_the_same_total():
    assert krippendorff_alpha([[80, 80, 80], [55, 55], [20, 20, 20]]) == 1.0


def test_alpha_of_a_small_example_computed_by_hand():
    # Units (1, 2), (3, 3), (5, 4): n = 6 values, grand mean 3.
    # Within units: m·SS/(m − 1) = 2·0.5/1 = 1, then 0, then 1: sum 2; D_o = 2·2/6 = 2/3.
    # All values: SS = 4 + 1 + 0 + 0 + 4 + 1 = 10; D_e = 2·10/5 = 4.
    # alpha = 1 − (2/3)/4 = 5/6.
    assert krippendorff_alpha([[1, 2], [3, 3], [5, 4]]) == pytest.approx(5 / 6)


def test_alpha_of_krippendorffs_textbook_example_with_missing_values():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": four observers,
    # twelve units, some values missing; the interval alpha is 0.849. Unit 12 has a
    # single value and does not count.
    observers = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    units = [[v for v in unit if v is not None] for unit in zip(*observers, strict=True)]

    assert krippendorff_alpha(units) == pytest.approx(0.849, abs=5e-4)


def test_alpha_is_negative_when_jurors_disagree_systematically():
    # Each entry gets one high and one low total: within-entry differences are larger than
    # between any two totals at random.
    assert krippendorff_alpha([[0, 100], [100, 0], [0, 100]]) < 0


def test_alpha_is_undefined_without_two_reviews_of_an_entry_or_without_any_variation():
    assert krippendorff_alpha([[70], [40], [90]]) is None
    assert krippendorff_alpha([[50, 50], [50, 50, 50]]) is None
    assert krippendorff_alpha([]) is None


def test_the_categorys_alpha_is_computed_on_the_review_totals():
    reviews = reviews_of([(1, 10, 1), (2, 10, 2), (1, 11, 3), (3, 11, 3), (2, 12, 5), (3, 12, 4)])
    quality = jury_quality(reviews, [SCORE])

    assert quality[1].alpha == pytest.approx(5 / 6)
    assert (quality[1].entries, quality[1].reviews) == (3, 6)


# --- severity, consistency, outliers -----------------------------------------------------
def test_severity_and_consistency_of_each_juror_computed_by_hand():
    reviews = reviews_of(
        [
            (1, 10, 80), (1, 11, 60), (1, 12, 40),
            (2, 10, 70), (2, 11, 50), (2, 12, 30),
            (3, 10, 60), (3, 11, 70), (3, 12, 20),
        ]
    )  # fmt: skip
    jurors = {j.juror_id: j for j in jury_quality(reviews, [SCORE])[1].jurors}

    # Juror 1 against the others' means: 80 − (70 + 60)/2 = +15, 60 − (50 + 70)/2 = 0,
    # 40 − (30 + 20)/2 = +15: severity +10 (more generous than the others).
    assert jurors[1].severity == pytest.approx(10)
    # Correlation of (80, 60, 40) with (65, 60, 25): deviations (20, 0, −20) and
    # (15, 10, −25): Sxy = 800, Sxx = 800, Syy = 950: r = 800/√(800·950) = 0.9177.
    assert jurors[1].consistency == pytest.approx(800 / (800 * 950) ** 0.5)
    # Juror 2: 70 − 70, 50 − 65, 30 − 30: severity −5.
    assert jurors[2].severity == pytest.approx(-5)
    # Juror 3: 60 − 75, 70 − 55, 20 − 35: severity −5.
    assert jurors[3].severity == pytest.approx(-5)
    assert [(j.reviews, j.compared, j.outlier) for j in jurors.values()] == [(3, 3, False)] * 3


def test_a_juror_who_orders_entries_against_the_others_is_flagged_for_consistency():
    reviews = reviews_of(
        [
            (1, 10, 90), (1, 11, 60), (1, 12, 30),
            (2, 10, 85), (2, 11, 55), (2, 12, 35),
            (4, 10, 80), (4, 11, 50), (4, 12, 20),
            (5, 10, 95), (5, 11, 65), (5, 12, 25),
            (3, 10, 30), (3, 11, 60), (3, 12, 90),
        ]
    )  # fmt: skip
    jurors = {j.juror_id: j for j in jury_quality(reviews, [SCORE])[1].jurors}

    # Juror 3's (30, 60, 90) against the others' means (87.5, 57.5, 27.5): exactly opposed.
    assert jurors[3].consistency == pytest.approx(-1.0)
    assert (jurors[3].outlier, jurors[3].reasons) == (True, ("consistency",))
    # Juror 1's (90, 60, 30) against (72.5, 57.5, 42.5): the same order, r = 1.
    assert jurors[1].consistency == pytest.approx(1.0)
    assert [juror for juror, j in sorted(jurors.items()) if j.outlier] == [3]


def test_a_much_harsher_juror_is_flagged_for_severity():
    # Seven jurors review the same two entries; six give 60 and 40, one gives 20 and 0.
    rows = [(juror, 10, 60) for juror in range(1, 7)] + [(juror, 11, 40) for juror in range(1, 7)]
    rows += [(7, 10, 20), (7, 11, 0)]
    quality = jury_quality(reviews_of(rows), [SCORE])[1]
    jurors = {j.juror_id: j for j in quality.jurors}

    # Each of the six: 60 − (5·60 + 20)/6 = +6.67 on both entries. The seventh: 20 − 60
    # and 0 − 40: −40. Severities: mean 0, sd √((6·44.4 + 1600)/7) = √266.7 = 16.33.
    # |−40| > 2 × 16.33; 6.67 is not.
    assert jurors[1].severity == pytest.approx(20 / 3)
    assert jurors[7].severity == pytest.approx(-40)
    assert quality.severity_sd == pytest.approx((800 / 3) ** 0.5)
    assert (jurors[7].outlier, jurors[7].reasons) == (True, ("severity",))
    assert [j.outlier for j in quality.jurors[:6]] == [False] * 6


def test_a_juror_without_shared_entries_has_no_severity_or_consistency():
    reviews = reviews_of([(1, 10, 50), (2, 11, 70), (2, 10, 60)])
    jurors = {j.juror_id: j for j in jury_quality(reviews, [SCORE])[1].jurors}

    # Juror 1 shares entry 10 with juror 2: one comparison (severity −10), too few for a
    # correlation. Juror 2's entry 11 has nobody else.
    assert (jurors[1].compared, jurors[1].severity, jurors[1].consistency) == (1, -10.0, None)
    assert (jurors[2].compared, jurors[2].severity, jurors[2].consistency) == (1, 10.0, None)
    assert not jurors[1].outlier and not jurors[2].outlier


def test_quality_is_computed_per_category_and_ignores_incomplete_reviews():
    reviews = [
        *reviews_of([(1, 10, 50), (2, 10, 70)], category=1),
        ReviewData(50, 1, 20, 2, {1: 90}),
        ReviewData(51, 2, 20, 2, {}),
    ]
    quality = jury_quality(reviews, [SCORE])

    assert sorted(quality) == [1, 2]
    assert [(j.juror_id, j.reviews) for j in quality[2].jurors] == [(1, 1)]
    assert (quality[2].reviews, quality[2].alpha) == (1, None)
    assert quality[1].jurors[0].severity == -20.0


# --- distributions -----------------------------------------------------------------------
def test_totals_fall_into_ten_bins_of_ten_points_and_100_into_the_last():
    # 29.999999999999996 is what floating point makes of some totals of 30: it counts as 30.
    result = histogram([0, 9.99, 10, 29.999999999999996, 55, 99.5, 100])

    assert result.counts == (2, 1, 0, 1, 0, 1, 0, 0, 0, 2)
    assert result.total == 7
    assert result.bins[3] == (30.0, 40.0, 1)


def test_the_category_and_each_juror_have_their_distribution():
    reviews = reviews_of([(1, 10, 15), (1, 11, 95), (2, 10, 18), (2, 11, 45)])
    quality = jury_quality(reviews, [SCORE])[1]

    assert quality.histogram.counts == (0, 2, 0, 0, 1, 0, 0, 0, 0, 1)
    assert [j.histogram.counts for j in quality.jurors] == [
        (0, 1, 0, 0, 0, 0, 0, 0, 0, 1),
        (0, 1, 0, 0, 1, 0, 0, 0, 0, 0),
    ]


# --- Severity with its interval, and flags that find severe jurors -----------------------
def test_the_severity_interval_is_students_t_over_the_paired_differences():
    # Juror 3 against the mean of jurors 1 and 2 on four entries: differences −12, −8,
    # −10, −14: mean −11, sd √(20/3) = 2.582, t(0.975, 3) = 3.1824: half-width 4.108.
    rows = [(1, e, 50 + e) for e in range(4)] + [(2, e, 50 + e) for e in range(4)]
    rows += [(3, 0, 38), (3, 1, 43), (3, 2, 42), (3, 3, 39)]
    juror = {j.juror_id: j for j in jury_quality(reviews_of(rows), [SCORE])[1].jurors}[3]

    assert juror.severity == pytest.approx(-11)
    half = 3.182446305 * (20 / 3) ** 0.5 / 2
    assert (juror.severity_low, juror.severity_high) == (
        pytest.approx(-11 - half),
        pytest.approx(-11 + half),
    )
    assert juror.reasons == ("severity",)  # the interval excludes 0 and 11 ≥ 10 points


def test_a_juror_compared_on_a_single_entry_is_never_flagged():
    rows = [(1, 10, 80), (2, 10, 20), (1, 11, 70), (3, 11, 72), (1, 12, 60), (3, 12, 58)]
    juror = {j.juror_id: j for j in jury_quality(reviews_of(rows), [SCORE])[1].jurors}[2]

    assert (juror.compared, juror.severity) == (1, pytest.approx(-60))
    assert (juror.severity_low, juror.outlier) == (None, False)


def test_several_severe_jurors_are_all_flagged_and_the_fair_ones_are_not():
    # Half of the jury scores 30 points off (three milder, three harsher) on 12 shared
    # entries: the old rule (twice the spread of all severities) could flag none of them.
    rows = []
    offsets = {1: 0, 2: 0, 3: 0, 4: 30, 5: 30, 6: 30, 7: -30, 8: -30, 9: -30, 10: 0, 11: 0, 12: 0}
    for entry in range(12):
        for juror, offset in offsets.items():
            rows.append((juror, entry, 50 + 2 * entry + offset + (juror * entry) % 5 - 2))
    quality = jury_quality(reviews_of(rows), [SCORE])[1]

    flagged = sorted(j.juror_id for j in quality.jurors if "severity" in j.reasons)
    assert flagged == [4, 5, 6, 7, 8, 9]


def _simulated_jury(rng, planted: bool):
    """30 entries, 8 jurors with 8–17 reviews each (the entries with fewest reviews first),
    whole-number totals with noise; with ``planted``, two jurors 15–35 points off."""
    import numpy as np

    offsets = rng.normal(0, 3, 8)
    severe = set()
    if planted:
        for juror in rng.choice(8, 2, replace=False):
            offsets[juror] = rng.choice([-1, 1]) * rng.uniform(15, 35)
            severe.add(int(juror) + 1)
    quality = rng.normal(55, 12, 30)
    coverage = np.zeros(30, dtype=int)
    rows = []
    for juror in range(8):
        chosen = np.lexsort((rng.random(30), coverage))[: rng.integers(8, 18)]
        coverage[chosen] += 1
        for entry in chosen:
            total = quality[entry] + offsets[juror] + rng.normal(0, 7)
            rows.append((juror + 1, int(entry), int(np.clip(round(total), 0, 100))))
    return rows, severe


def test_on_seeded_simulations_severe_jurors_are_found_and_fair_ones_spared():
    import numpy as np

    rng = np.random.default_rng(12)
    found = planted_count = false_flags = fair = 0
    for _ in range(60):
        rows, severe = _simulated_jury(rng, planted=True)
        for juror in jury_quality(reviews_of(rows), [SCORE])[1].jurors:
            if juror.juror_id in severe and juror.compared >= 8:
                planted_count += 1
                found += "severity" in juror.reasons
        rows, _ = _simulated_jury(rng, planted=False)
        for juror in jury_quality(reviews_of(rows), [SCORE])[1].jurors:
            fair += 1
            false_flags += juror.outlier

    assert planted_count > 100
    assert found / planted_count >= 0.9
    assert false_flags / fair <= 0.05


def test_agreement_is_given_for_the_raw_totals_and_for_what_is_ranked():
    # Juror 2 scores every entry 30 points harsher: the raw totals disagree, the corrected
    # values agree almost perfectly.
    rows = [(1, e, 40 + 10 * e) for e in range(5)] + [(2, e, 10 + 10 * e) for e in range(5)]
    raw = jury_quality(reviews_of(rows), [SCORE])[1]
    calibrated = jury_quality(reviews_of(rows), [SCORE], normalisation="calibrated")[1]

    assert raw.alpha == raw.alpha_ranked and raw.normalisation == "raw"
    assert raw.alpha < 0.5
    assert calibrated.alpha == raw.alpha
    assert calibrated.alpha_ranked > 0.99
