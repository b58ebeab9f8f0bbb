"""How well the jury of each category agrees, how strict and how consistent each juror is,
and how the totals are distributed. Pure computation on the same inputs as the ranking;
everything uses the raw review totals (before any normalisation) of complete reviews.

In plain words, for organisers:

* **Agreement** (Krippendorff's alpha, interval version): 1 means every juror gave each
  entry exactly the same total; 0 means the jurors agree no more than if their totals had
  been handed out at random; below 0 they disagree systematically. It copes with each
  entry being reviewed by a different subset of jurors: only entries with at least two
  complete reviews count. As a rule of thumb, values from about 0.67 up show usable
  agreement, from 0.8 up good agreement. It cannot be computed (shown as empty) when no
  entry has two reviews or when every total is the same.
* **Severity** of a juror: how many points the juror's totals lie above (milder) or below
  (harsher) the other jurors' totals *for the same entries*: for each entry the juror
  reviewed that someone else also reviewed, the difference between the juror's total and
  the average of the others' totals; severity is the average of these paired differences.
  It comes with a 95 % interval (Student's t over the paired differences), which is wide
  when few entries were compared and empty with fewer than two.
* **Consistency** of a juror: the correlation between the juror's totals and the other
  jurors' averages on the same entries: 1 when the juror orders entries as the others do,
  0 for no relation, below 0 when the juror tends to prefer what the others rate low.
  Empty with fewer than two such entries, or when either side gives all of them the same.
* **Flags**: a juror is flagged for severity when the interval excludes 0 (the difference
  is not chance) *and* the severity is at least 10 points on 0–100 (it matters in
  practice); flagged for consistency when the correlation is below 0 over at least three
  compared entries. A flag is a prompt to look, not a verdict. A juror compared on a
  single entry is never flagged: one difference cannot tell severity from a different view.
* **Agreement of what is ranked**: alpha is computed twice, on the raw totals and on the
  values the ranking uses after normalisation (the same formula); the second is the one
  that says how far the ranking shown can be trusted.
* **Distributions**: the number of review totals in each tenth of the scale (0–10, 10–20,
  …, 90–100; a total on a boundary goes to the upper bin, 100 to the last), per category
  and per juror.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scipy.stats import t as student_t

from .ranking import (
    DECIMALS,
    SD_FLOOR,
    CriterionSpec,
    ReviewData,
    category_rows,
    normalise,
    review_table,
)

BINS = 10
SEVERITY_THRESHOLD = 10.0  # points on 0–100: a severity that matters in practice
CONFIDENCE = 0.95
CONSISTENCY_MIN_COMPARED = 3
BIN_WIDTH = 100 / BINS


@dataclass(frozen=True, slots=True)
class Histogram:
    """Counts of totals in the ten bins 0–10, 10–20, …, 90–100."""

    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def bins(self) -> tuple[tuple[float, float, int], ...]:
        """(lower bound, upper bound, count) of each bin."""
        return tuple(
            (index * BIN_WIDTH, (index + 1) * BIN_WIDTH, count)
            for index, count in enumerate(self.counts)
        )


def histogram(totals: Iterable[float]) -> Histogram:
    counts = [0] * BINS
    for total in totals:
        index = math.floor(round(total, DECIMALS) / BIN_WIDTH)
        counts[min(BINS - 1, max(0, index))] += 1
    return Histogram(tuple(counts))


def krippendorff_alpha(units: Iterable[Sequence[float]]) -> float | None:
    """Krippendorff's alpha with the interval metric (squared differences) for ``units``,
    each the values the raters gave one item (any number of raters per item; items with
    fewer than two values are left out, as the method prescribes).

    alpha = 1 − D_o / D_e, where D_o is the observed disagreement within items and D_e the
    disagreement expected between any two values at all. With n the number of pairable
    values, m_u the values of item u and SS the sum of squared deviations from a mean:
    D_o = (2/n) · Σ_u m_u · SS_u / (m_u − 1) and D_e = 2 · SS_all / (n − 1).
    None when no item has two values or all values are equal (no disagreement to
    expect)."""
    pairable = [list(values) for values in units if len(values) >= 2]
    values = [value for unit in pairable for value in unit]
    n = len(values)
    if not pairable:
        return None
    grand_mean = math.fsum(values) / n
    ss_all = math.fsum((value - grand_mean) ** 2 for value in values)
    if math.sqrt(ss_all / n) <= SD_FLOOR:
        return None
    within = math.fsum(len(unit) * _ss(unit) / (len(unit) - 1) for unit in pairable)
    observed = 2 * within / n
    expected = 2 * ss_all / (n - 1)
    return 1 - observed / expected


def _ss(values: Sequence[float]) -> float:
    mean = math.fsum(values) / len(values)
    return math.fsum((value - mean) ** 2 for value in values)


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r, or None with fewer than two pairs or no spread on either side."""
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = _mean(xs), _mean(ys)
    sxx = math.fsum((x - mean_x) ** 2 for x in xs)
    syy = math.fsum((y - mean_y) ** 2 for y in ys)
    if math.sqrt(sxx / n) <= SD_FLOOR or math.sqrt(syy / n) <= SD_FLOOR:
        return None
    sxy = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


@dataclass(frozen=True, slots=True)
class JurorQuality:
    """One juror in one category. ``compared`` counts the reviews of entries someone else
    also reviewed (what severity and consistency rest on); ``severity`` is the average
    paired difference (+ milder, − harsher) and ``severity_low``/``severity_high`` its 95 %
    interval; ``reasons`` names why the juror is flagged: "severity" and/or
    "consistency"."""

    juror_id: int
    reviews: int
    compared: int
    severity: float | None
    severity_low: float | None
    severity_high: float | None
    consistency: float | None
    outlier: bool
    reasons: tuple[str, ...]
    histogram: Histogram


@dataclass(frozen=True, slots=True)
class CategoryQuality:
    """The jury of one category: agreement on the raw totals (``alpha``) and on the values
    the ranking uses (``alpha_ranked``, with ``normalisation``), the spread of the jurors'
    severities, each juror, and the distribution of all totals."""

    category_id: int
    alpha: float | None
    alpha_ranked: float | None
    normalisation: str
    entries: int
    reviews: int
    severity_sd: float | None
    jurors: tuple[JurorQuality, ...]
    histogram: Histogram


def jury_quality(
    reviews: Iterable[ReviewData],
    criteria: Iterable[CriterionSpec],
    *,
    normalisation: str = "raw",
) -> dict[int, CategoryQuality]:
    """Category id → the quality figures of its jury (see the module's description);
    ``normalisation`` is the method the ranking uses (for the second alpha)."""
    table = review_table(reviews, criteria)
    result = {}
    for category_id, rows in sorted(category_rows(table).items()):
        if not len(rows):
            continue
        ranked = normalise(
            table.juror[rows], table.total[rows], normalisation, table.submission[rows]
        )
        by_entry: dict[int, list[float]] = defaultdict(list)
        for submission, value in zip(table.submission[rows].tolist(), ranked.tolist(), strict=True):
            by_entry[submission].append(value)
        result[category_id] = _category_quality(
            category_id,
            table.juror[rows].tolist(),
            table.submission[rows].tolist(),
            table.total[rows].tolist(),
            alpha_ranked=krippendorff_alpha(by_entry.values()),
            normalisation=normalisation,
        )
    return result


def _interval(differences: Sequence[float]) -> tuple[float | None, float | None]:
    """The 95 % interval of the mean of ``differences`` (Student's t); None below two."""
    n = len(differences)
    if n < 2:
        return None, None
    mean = _mean(differences)
    sd = math.sqrt(_ss(differences) / (n - 1))
    half = float(student_t.ppf(0.5 + CONFIDENCE / 2, n - 1)) * sd / math.sqrt(n)
    return mean - half, mean + half


def _category_quality(
    category_id: int,
    jurors: list[int],
    submissions: list[int],
    totals: list[float],
    *,
    alpha_ranked: float | None,
    normalisation: str,
) -> CategoryQuality:
    by_entry: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for juror, submission, total in zip(jurors, submissions, totals, strict=True):
        by_entry[submission].append((juror, total))
    own: dict[int, list[float]] = defaultdict(list)
    pairs: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for juror, submission, total in zip(jurors, submissions, totals, strict=True):
        own[juror].append(total)
        others = [value for other, value in by_entry[submission] if other != juror]
        if others:
            pairs[juror].append((total, _mean(others)))
    severities: dict[int, float | None] = {}
    intervals: dict[int, tuple[float | None, float | None]] = {}
    consistencies: dict[int, float | None] = {}
    for juror in own:
        compared = sorted(pairs.get(juror, []))
        differences = [t - o for t, o in compared]
        severities[juror] = _mean(differences) if compared else None
        intervals[juror] = _interval(differences)
        consistencies[juror] = _correlation([t for t, _ in compared], [o for _, o in compared])
    known = [value for value in severities.values() if value is not None]
    severity_sd = math.sqrt(_ss(known) / len(known)) if known else None
    lines = []
    for juror in sorted(own):
        severity, consistency = severities[juror], consistencies[juror]
        low, high = intervals[juror]
        compared_count = len(pairs.get(juror, []))
        reasons = []
        if (
            severity is not None
            and low is not None
            and high is not None
            and (low > 0 or high < 0)
            and abs(severity) >= SEVERITY_THRESHOLD
        ):
            reasons.append("severity")
        if (
            consistency is not None
            and consistency < 0
            and compared_count >= CONSISTENCY_MIN_COMPARED
        ):
            reasons.append("consistency")
        lines.append(
            JurorQuality(
                juror_id=juror,
                reviews=len(own[juror]),
                compared=compared_count,
                severity=severity,
                severity_low=low,
                severity_high=high,
                consistency=consistency,
                outlier=bool(reasons),
                reasons=tuple(reasons),
                histogram=histogram(own[juror]),
            )
        )
    return CategoryQuality(
        category_id=category_id,
        alpha=krippendorff_alpha([[total for _, total in values] for values in by_entry.values()]),
        alpha_ranked=alpha_ranked,
        normalisation=normalisation,
        entries=len(by_entry),
        reviews=len(totals),
        severity_sd=severity_sd,
        jurors=tuple(lines),
        histogram=histogram(totals),
    )
