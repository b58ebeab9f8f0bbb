"""Weighted review totals (0..100), by hand: the formula every ranking starts from.
Pure computation: no database."""

import pytest

from results.engine import CriterionSpec as CriterionScale
from results.engine import review_total

INNOVATION = CriterionScale(criterion_id=1, weight=1.0, scale_min=1, scale_max=10)
LIGHTWEIGHT = CriterionScale(criterion_id=2, weight=3.0, scale_min=1, scale_max=10)
MARKET = CriterionScale(criterion_id=3, weight=1.0, scale_min=1, scale_max=5)
TEAM = CriterionScale(criterion_id=4, weight=2.0, scale_min=0, scale_max=4)


def test_the_lowest_score_everywhere_totals_0_and_the_highest_100():
    assert review_total({1: 1, 2: 1}, [INNOVATION, LIGHTWEIGHT]) == 0.0
    assert review_total({1: 10, 2: 10}, [INNOVATION, LIGHTWEIGHT]) == 100.0


def test_weights_decide_how_much_a_criterion_counts():
    # (1·9/9 + 3·0/9) / 4 = 0.25 and (1·0/9 + 3·9/9) / 4 = 0.75
    assert review_total({1: 10, 2: 1}, [INNOVATION, LIGHTWEIGHT]) == 25.0
    assert review_total({1: 1, 2: 10}, [INNOVATION, LIGHTWEIGHT]) == 75.0
    # (1·0 + 3·6/9) / 4 = 0.5
    assert review_total({1: 1, 2: 7}, [INNOVATION, LIGHTWEIGHT]) == 50.0


def test_scores_on_different_scales_are_mapped_onto_their_own_scale_first():
    # 3 on 1–5 is the middle (0.5), 10 on 1–10 is the top (1.0): the mean is 0.75.
    assert review_total({3: 3, 1: 10}, [MARKET, INNOVATION]) == 75.0
    # 5 on 1–5 (1.0, weight 1) and 1 on 0–4 (0.25, weight 2): (1 + 0.5) / 3 = 0.5.
    assert review_total({3: 5, 4: 1}, [MARKET, TEAM]) == 50.0
    # A scale starting at 0: 2 of 0–4 is 0.5, whatever the weight.
    assert review_total({4: 2}, [TEAM]) == 50.0


def test_a_total_with_a_third_is_not_rounded():
    # (1·3/9 + 3·3/9) / 4 = 1/3
    assert review_total({1: 4, 2: 4}, [INNOVATION, LIGHTWEIGHT]) == pytest.approx(100 / 3)


def test_a_review_with_a_criterion_unscored_has_no_total():
    assert review_total({1: 10}, [INNOVATION, LIGHTWEIGHT]) is None
    assert review_total({1: 10, 2: None}, [INNOVATION, LIGHTWEIGHT]) is None


def test_scores_of_criteria_not_listed_do_not_count():
    assert review_total({1: 10, 2: 10, 99: 1}, [INNOVATION, LIGHTWEIGHT]) == 100.0


def test_without_criteria_there_is_no_total():
    assert review_total({}, []) is None
