"""The ranking of a round: review totals, normalisation per juror, aggregation per entry,
places with ties and tie-breakers, the explanation of one entry's place, and the shortlist.

Pure computation on plain data (no database): the jury app feeds it with
``results.selectors.feed.review_data_for_round``. Everything is computed per category: an entry
competes only with the entries of its own category, and a juror's scores in one category
never affect another category.

How an entry's score comes about, in plain words:

1. **Review total.** Each criterion score is placed on its own scale (the lowest possible
   score is 0 %, the highest 100 %); the review's total is the weighted mean of these
   percentages, on a scale of 0 to 100. A review with a criterion left unscored has no
   total and does not count.
2. **Normalisation** (per juror, within the round and the category) evens out that some
   jurors score harder than others:

   * ``raw`` – no normalisation: the review totals as the jurors gave them.
   * ``zscore`` – each juror's totals are put on a common footing: how far a total lies
     above or below that juror's own average, measured in that juror's own spread
     ((total − juror's mean) ÷ juror's standard deviation). The result is mapped back to
     the 0–100 scale with the average and spread of all totals in the category, so the
     numbers still read like totals. A strict juror's 60 can thus count as much as a
     lenient juror's 80. A juror who reviewed only one entry of the category, or gave all
     of them the same total, tells us nothing about their scale: their reviews count as
     the category's average total.
   * ``borda`` – only each juror's order counts, not the distances: each juror ranks the
     entries they reviewed in the category; their best entry gets 100, their last 0 and
     the others evenly in between ((n − rank) ÷ (n − 1) × 100 for n entries). Entries a
     juror scored equally share the average of their ranks. A juror who reviewed only
     one entry of the category gives it 50.
3. **Aggregation** of an entry's normalised reviews into its score:

   * ``mean`` – the average.
   * ``median`` – the middle value (with an even number of reviews, the average of the
     two middle values): one extreme review cannot pull the score.
   * ``trimmed_mean`` – the average after dropping the most extreme reviews: with 4 or
     more reviews, a fifth of them at each end (rounded down, but at least the single
     lowest and the single highest); with fewer than 4 reviews, simply the average.
4. **Places.** Entries are ordered by score, highest first. Scores that agree to 9
   decimal places are equal. Equal scores share a place, and the next place is skipped
   (1, 1, 3). Tie-breakers, if set, separate equal scores in the order given: the entry
   with the higher average of its raw scores on the named criterion goes first. Entries
   still equal after every tie-breaker stay tied: the jury chair decides. Entries without
   any complete review get no score and no place and are listed last.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .calibrated import CalibratedFit, Prior, calibrate

Normalisation = Literal["raw", "zscore", "borda", "calibrated"]
Aggregation = Literal["mean", "median", "trimmed_mean"]
NORMALISATIONS: tuple[str, ...] = ("raw", "zscore", "borda", "calibrated")
AGGREGATIONS: tuple[str, ...] = ("mean", "median", "trimmed_mean")
TIE_BREAKER_KINDS: tuple[str, ...] = ("criterion",)

# Scores agreeing to this many decimals are equal: sums of the same numbers in another
# order may differ in the 15th digit, which must never decide a place.
DECIMALS = 9
# A spread (standard deviation) this small is no spread at all: the same totals computed
# along different paths differ by rounding noise far below it.
SD_FLOOR = 1e-9
BORDA_SINGLE = 50.0


# --- inputs ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CriterionSpec:
    """One criterion of the award: its weight and its scale (whole numbers from
    ``scale_min`` to ``scale_max``)."""

    criterion_id: int
    weight: float
    scale_min: int
    scale_max: int


@dataclass(frozen=True, slots=True)
class ReviewData:
    """One juror's review of one entry in the round: criterion id → score (a missing or
    ``None`` score makes the review incomplete)."""

    review_id: int
    juror_id: int
    submission_id: int
    category_id: int
    scores: Mapping[int, int | None]


TieBreaker = tuple[str, int]


# --- outputs -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RankedEntry:
    """An entry's line in its category's ranking.

    ``score`` is the aggregated, normalised score (None without a complete review);
    ``place`` is shared by tied entries (None without a score); ``tied`` says another
    entry shares the place; ``reviews`` counts the complete reviews; ``raw_mean`` is the
    plain average of their totals, before any normalisation; ``tie_break_values`` holds,
    for each tie-breaker, the entry's average raw score on that criterion."""

    submission_id: int
    score: float | None
    place: int | None
    tied: bool
    reviews: int
    raw_mean: float | None
    tie_break_values: tuple[float | None, ...]
    standard_error: float | None = None


@dataclass(frozen=True, slots=True)
class CategoryRanking:
    """The ranking of one category: ranked entries best first, then the entries without a
    complete review (by id)."""

    category_id: int
    normalisation: str
    aggregation: str
    tie_breakers: tuple[TieBreaker, ...]
    rows: tuple[RankedEntry, ...]

    def entry(self, submission_id: int) -> RankedEntry | None:
        return next((row for row in self.rows if row.submission_id == submission_id), None)

    @property
    def ranked(self) -> tuple[RankedEntry, ...]:
        return tuple(row for row in self.rows if row.place is not None)

    @property
    def leaders(self) -> tuple[RankedEntry, ...]:
        """The entries in first place: one, or several when first place is tied."""
        return tuple(row for row in self.rows if row.place == 1)


@dataclass(frozen=True, slots=True)
class JurorLine:
    """One juror's review of the explained entry: their raw criterion scores, their total,
    the value it counts as after normalisation, and the difference (``effect`` =
    normalised − total). ``juror_reviews`` and ``juror_mean`` give the juror's number of
    complete reviews in the category and the average of their totals there, which is what
    a z-score compares against, and ``juror_spread`` their standard deviation. With the
    calibrated method, ``offset`` and ``stretch`` are the juror's fitted correction:
    normalised = average + (total − average − offset) ÷ stretch, within 0..100."""

    review_id: int
    juror_id: int
    scores: Mapping[int, int | None]
    total: float | None
    normalised: float | None
    effect: float | None
    juror_reviews: int
    juror_mean: float | None
    juror_spread: float | None = None
    offset: float | None = None
    stretch: float | None = None


@dataclass(frozen=True, slots=True)
class Neighbour:
    """The entry just above or below in the ranking; ``gap`` is the score difference in
    points (0 for a tie or a tie-breaker decision); ``decided_by_tie_breaker`` says the
    scores were equal and a tie-breaker set the order."""

    submission_id: int
    score: float
    place: int
    gap: float
    decided_by_tie_breaker: bool


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why an entry ranks where it does: each juror's scores and how normalisation moved
    them, the entry's average raw score per criterion, its score and place, and the
    entries right above and below with the score gaps. ``average`` is the average of all
    complete review totals of the category (what z-scores and the calibrated method
    centre on); with the calibrated method, ``standard_error`` is the score's and
    ``groups`` the number of groups of jurors that share no entry; ``spread`` is the
    standard deviation of all complete totals of the category (what z-scores map back
    with)."""

    submission_id: int
    category_id: int
    normalisation: str
    aggregation: str
    criteria: tuple[int, ...]
    lines: tuple[JurorLine, ...]
    criterion_means: Mapping[int, float | None]
    raw_mean: float | None
    score: float | None
    place: int | None
    tied: bool
    ranked_entries: int
    tie_break_values: tuple[float | None, ...]
    above: Neighbour | None
    below: Neighbour | None
    average: float | None = None
    standard_error: float | None = None
    groups: int | None = None
    spread: float | None = None

    @property
    def complete_reviews(self) -> int:
        """How many of the entry's reviews are complete (have a total)."""
        return sum(1 for line in self.lines if line.total is not None)


# --- review totals -----------------------------------------------------------------------
def review_total(
    scores: Mapping[int, int | None], criteria: Iterable[CriterionSpec]
) -> float | None:
    """The review's total on 0..100: the weighted mean of its criterion scores, each first
    mapped onto 0..1 of its own scale. None while a criterion is unscored (or without
    criteria). The vectorised totals of ``review_table`` compute the same, operation for
    operation, so both give identical numbers."""
    weighted = 0.0
    weights = 0.0
    for criterion in criteria:
        value = scores.get(criterion.criterion_id)
        if value is None:
            return None
        span = criterion.scale_max - criterion.scale_min
        weighted += criterion.weight * (value - criterion.scale_min) / span
        weights += criterion.weight
    return 100.0 * weighted / weights if weights else None


@dataclass(frozen=True)
class ReviewTable:
    """The reviews as columns (one row per review), for vectorised computation.
    ``scores[:, i]`` holds the scores of ``criteria[i]`` (NaN where missing); ``total`` is
    NaN for an incomplete review."""

    criteria: tuple[CriterionSpec, ...]
    review: np.ndarray
    juror: np.ndarray
    submission: np.ndarray
    category: np.ndarray
    scores: np.ndarray
    total: np.ndarray

    def __len__(self) -> int:
        return len(self.review)

    @property
    def complete(self) -> np.ndarray:
        return ~np.isnan(self.total)

    def column(self, criterion_id: int) -> int:
        for index, criterion in enumerate(self.criteria):
            if criterion.criterion_id == criterion_id:
                return index
        raise ValueError(f"criterion {criterion_id} is not one of the round's criteria")


def review_table(reviews: Iterable[ReviewData], criteria: Iterable[CriterionSpec]) -> ReviewTable:
    """Check the criteria and put the reviews into columns, with their totals."""
    criteria = tuple(criteria)
    ids = [criterion.criterion_id for criterion in criteria]
    if len(set(ids)) != len(ids):
        raise ValueError("a criterion is listed twice")
    for criterion in criteria:
        if criterion.scale_max <= criterion.scale_min:
            raise ValueError(f"criterion {criterion.criterion_id}: empty scale")
        if not criterion.weight > 0:
            raise ValueError(f"criterion {criterion.criterion_id}: the weight must be positive")
    rows: list[tuple[int, int, int, int]] = []
    values: list[list[int | None]] = []
    for review in reviews:
        rows.append((review.review_id, review.juror_id, review.submission_id, review.category_id))
        get = review.scores.get
        values.append([get(criterion_id) for criterion_id in ids])
    head = np.array(rows, dtype=np.int64).reshape(-1, 4)
    scores = np.array(values, dtype=np.float64).reshape(len(rows), len(ids))
    return ReviewTable(
        criteria=criteria,
        review=head[:, 0],
        juror=head[:, 1],
        submission=head[:, 2],
        category=head[:, 3],
        scores=scores,
        total=_totals(scores, criteria),
    )


def _totals(scores: np.ndarray, criteria: tuple[CriterionSpec, ...]) -> np.ndarray:
    """``review_total`` for every row at once, in the same order of operations, so each
    total is bit for bit the one ``review_total`` gives."""
    weighted = np.zeros(len(scores))
    weights = 0.0
    for index, criterion in enumerate(criteria):
        span = criterion.scale_max - criterion.scale_min
        weight = float(criterion.weight)  # a Decimal weight would not mix with the array
        weighted += weight * (scores[:, index] - criterion.scale_min) / span
        weights += weight
    if not weights:
        return np.full(len(scores), np.nan)
    return 100.0 * weighted / weights  # NaN propagates from any missing score


# --- grouping ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Groups:
    """Values sorted by (group, value), with where each group starts. Every reduction runs
    over a group's values in ascending order, so the result never depends on the order the
    reviews came in, nor on how jurors are numbered."""

    order: np.ndarray  # positions of the input, sorted
    keys: np.ndarray  # the distinct group keys, ascending
    starts: np.ndarray
    counts: np.ndarray
    values: np.ndarray  # sorted values

    @property
    def index(self) -> np.ndarray:
        """For each sorted value, the index of its group."""
        return np.repeat(np.arange(len(self.keys)), self.counts)

    def scatter(self, sorted_result: np.ndarray) -> np.ndarray:
        """A per-value result in sorted order, back in the input's order."""
        result = np.empty_like(sorted_result)
        result[self.order] = sorted_result
        return result

    def sums(self, values: np.ndarray | None = None) -> np.ndarray:
        data = self.values if values is None else values
        return np.add.reduceat(data, self.starts) if len(data) else np.zeros(0)

    def means(self) -> np.ndarray:
        return self.sums() / self.counts


def groups_of(keys: np.ndarray, values: np.ndarray) -> Groups:
    order = np.lexsort((values, keys))
    sorted_keys = keys[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = sorted_keys[1:] != sorted_keys[:-1]
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, len(order)))
    return Groups(order, sorted_keys[starts], starts, counts, values[order])


def rounded(values: np.ndarray) -> np.ndarray:
    return np.round(values, DECIMALS)


# --- normalisation and aggregation -------------------------------------------------------
def normalise(
    juror: np.ndarray,
    total: np.ndarray,
    normalisation: str,
    submission: np.ndarray | None = None,
    prior: Prior | None = None,
) -> np.ndarray:
    """The value each review counts with, given the complete reviews of one category
    (``juror``, ``total`` and, for the calibrated method, ``submission`` per review); see
    the module's description of the methods. ``prior`` fixes the calibrated method's
    shrinkage (refits in the robustness checks)."""
    if normalisation == "raw" or len(total) == 0:
        return total.astype(np.float64, copy=True)
    if normalisation == "calibrated":
        if submission is None:
            raise ValueError("the calibrated normalisation needs the entry of each review")
        return calibrate(juror, submission, total, prior=prior, errors=False).corrected
    if normalisation == "zscore":
        return _zscores(juror, total)
    if normalisation == "borda":
        return _borda(juror, total)
    raise ValueError(f"unknown normalisation {normalisation!r}; choose one of {NORMALISATIONS}")


def _zscores(juror: np.ndarray, total: np.ndarray) -> np.ndarray:
    groups = groups_of(juror, total)
    means = groups.means()
    deviation = groups.values - np.repeat(means, groups.counts)
    sds = np.sqrt(groups.sums(deviation * deviation) / groups.counts)
    spread = np.repeat(sds, groups.counts)
    z = np.divide(deviation, spread, out=np.zeros_like(deviation), where=spread > SD_FLOOR)
    pooled = np.sort(total)
    pooled_mean = pooled.mean()
    pooled_sd = np.sqrt(np.mean((pooled - pooled_mean) ** 2))
    if pooled_sd <= SD_FLOOR:
        pooled_sd = 0.0
    return groups.scatter(pooled_mean + z * pooled_sd)


def _borda(juror: np.ndarray, total: np.ndarray) -> np.ndarray:
    # Rank each juror's totals best first (ties by equality to 9 decimals).
    key = rounded(total)
    order = np.lexsort((-key, juror))
    jurors, keys = juror[order], key[order]
    count = len(order)
    new_juror = np.ones(count, dtype=bool)
    new_juror[1:] = jurors[1:] != jurors[:-1]
    new_block = new_juror.copy()
    new_block[1:] |= keys[1:] != keys[:-1]
    juror_starts = np.flatnonzero(new_juror)
    juror_counts = np.diff(np.append(juror_starts, count))
    juror_index = np.cumsum(new_juror) - 1
    position = np.arange(count) - juror_starts[juror_index]  # 0 = the juror's best
    block_starts = np.flatnonzero(new_block)
    block_sizes = np.diff(np.append(block_starts, count))
    block_index = np.cumsum(new_block) - 1
    first = position[block_starts]
    mean_rank = (first + (first + block_sizes - 1)) / 2 + 1  # ties share their mean rank
    rank = mean_rank[block_index]
    n = juror_counts[juror_index].astype(np.float64)
    points = np.divide((n - rank) * 100.0, n - 1, out=np.full(count, BORDA_SINGLE), where=n > 1)
    result = np.empty(count)
    result[order] = points
    return result


def aggregate(groups: Groups, aggregation: str) -> np.ndarray:
    """Each group's (entry's) score from its values; see the module's description."""
    counts = groups.counts
    if aggregation == "mean":
        return groups.means()
    if aggregation == "median":
        middle = groups.starts + counts // 2
        upper = groups.values[middle]
        lower = groups.values[middle - 1 + counts % 2]
        return np.where(counts % 2 == 1, upper, (lower + upper) / 2)
    if aggregation == "trimmed_mean":
        cut = trim_count(counts)
        position = np.arange(len(groups.values)) - np.repeat(groups.starts, counts)
        keep = (position >= np.repeat(cut, counts)) & (position < np.repeat(counts - cut, counts))
        kept = counts - 2 * cut
        starts = np.concatenate(([0], np.cumsum(kept)[:-1]))
        return np.add.reduceat(groups.values[keep], starts) / kept
    raise ValueError(f"unknown aggregation {aggregation!r}; choose one of {AGGREGATIONS}")


def trim_count(reviews: np.ndarray | int) -> np.ndarray:
    """How many values the trimmed mean drops at each end: none below 4 values, else a
    fifth (rounded down, at least one)."""
    reviews = np.asarray(reviews)
    return np.where(reviews >= 4, np.maximum(1, reviews // 5), 0)


# --- one category ------------------------------------------------------------------------
@dataclass(frozen=True)
class CategoryResult:
    """The arrays behind a category's ranking. ``rows`` are positions in the review table
    of the category's complete reviews, ``normalised`` their values; the per-entry arrays
    are in ranking order (best first, equal entries by id)."""

    rows: np.ndarray
    normalised: np.ndarray
    submissions: np.ndarray
    scores: np.ndarray
    reviews: np.ndarray
    raw_means: np.ndarray
    tie_break_values: tuple[np.ndarray, ...]
    places: np.ndarray
    tied: np.ndarray
    standard_errors: np.ndarray | None = None
    fit: CalibratedFit | None = None

    def leaders(self) -> np.ndarray:
        return self.submissions[self.places == 1]

    def sole_leader(self) -> int | None:
        leaders = self.leaders()
        return int(leaders[0]) if len(leaders) == 1 else None


def category_rank(
    table: ReviewTable,
    rows: np.ndarray,
    *,
    normalisation: str,
    aggregation: str,
    tie_break_columns: Sequence[int] = (),
    prior: Prior | None = None,
) -> CategoryResult:
    """Rank the entries of the complete reviews at ``rows`` of ``table`` (all of one
    category). With the calibrated method, ``prior`` fixes its shrinkage (a refit: no
    standard errors); without, the fit estimates it and reports standard errors."""
    juror, submission, total = table.juror[rows], table.submission[rows], table.total[rows]
    fit = None
    if normalisation == "calibrated" and len(rows):
        fit = calibrate(juror, submission, total, prior=prior, errors=prior is None)
        normalised = fit.corrected
    else:
        normalised = normalise(juror, total, normalisation, submission)
    by_entry = groups_of(submission, normalised)
    scores = aggregate(by_entry, aggregation) if len(rows) else np.zeros(0)
    raw_means = groups_of(submission, total).means() if len(rows) else np.zeros(0)
    tie_values = tuple(
        groups_of(submission, table.scores[rows, column]).means() if len(rows) else np.zeros(0)
        for column in tie_break_columns
    )
    keys = [rounded(scores), *(rounded(values) for values in tie_values)]
    order = np.lexsort((by_entry.keys, *(-key for key in reversed(keys))))
    count = len(order)
    same = np.zeros(count, dtype=bool)
    if count > 1:
        same[1:] = np.logical_and.reduce([key[order][1:] == key[order][:-1] for key in keys])
    start = np.where(~same, np.arange(count) + 1, 0)
    places = np.maximum.accumulate(start) if count else np.zeros(0, dtype=np.int64)
    tied = same.copy()
    if count > 1:
        tied[:-1] |= same[1:]
    errors = None
    if fit is not None and prior is None:
        # The fit's entries are ascending ids, as by_entry.keys.
        errors = fit.standard_error[order]
    return CategoryResult(
        rows=rows,
        normalised=normalised,
        submissions=by_entry.keys[order],
        scores=scores[order],
        reviews=by_entry.counts[order],
        raw_means=raw_means[order],
        tie_break_values=tuple(values[order] for values in tie_values),
        places=places,
        tied=tied,
        standard_errors=errors,
        fit=fit,
    )


def check_methods(
    normalisation: str, aggregation: str, tie_breakers: Sequence[TieBreaker], table: ReviewTable
) -> list[int]:
    """Refuse unknown methods; return the table columns of the tie-breaking criteria."""
    if normalisation not in NORMALISATIONS:
        raise ValueError(f"unknown normalisation {normalisation!r}; choose one of {NORMALISATIONS}")
    if aggregation not in AGGREGATIONS:
        raise ValueError(f"unknown aggregation {aggregation!r}; choose one of {AGGREGATIONS}")
    columns = []
    for kind, criterion_id in tie_breakers:
        if kind not in TIE_BREAKER_KINDS:
            raise ValueError(f"unknown tie-breaker {kind!r}; choose one of {TIE_BREAKER_KINDS}")
        columns.append(table.column(criterion_id))
    return columns


def category_rows(table: ReviewTable) -> dict[int, np.ndarray]:
    """Category id → positions of its complete reviews in the table."""
    complete = np.flatnonzero(table.complete)
    return {
        int(category): complete[table.category[complete] == category]
        for category in np.unique(table.category)
    }


# --- the ranking -------------------------------------------------------------------------
def ranking_compute(
    reviews: Iterable[ReviewData],
    criteria: Iterable[CriterionSpec],
    *,
    normalisation: Normalisation,
    aggregation: Aggregation,
    tie_breakers: Sequence[TieBreaker] = (),
    entries: Mapping[int, int] | None = None,
) -> dict[int, CategoryRanking]:
    """Category id → its ranking (see the module's description for the methods).

    ``tie_breakers`` is an ordered list of ``("criterion", criterion_id)``: among equal
    scores, the higher average raw score on that criterion goes first; entries equal after
    all of them stay tied (the jury chair decides). ``entries`` (submission id → category
    id) may name entries of the round that have no review yet: they are listed without a
    score, like entries whose reviews are all incomplete."""
    table = review_table(reviews, criteria)
    tie_breakers = tuple((kind, criterion_id) for kind, criterion_id in tie_breakers)
    columns = check_methods(normalisation, aggregation, tie_breakers, table)
    listed: dict[int, set[int]] = {}
    for submission_id, category_id in zip(
        table.submission.tolist(), table.category.tolist(), strict=True
    ):
        listed.setdefault(category_id, set()).add(submission_id)
    for submission_id, category_id in (entries or {}).items():
        listed.setdefault(category_id, set()).add(submission_id)
    by_category = category_rows(table)
    result: dict[int, CategoryRanking] = {}
    empty = np.zeros(0, dtype=np.int64)
    for category_id in sorted(listed):
        ranked = category_rank(
            table,
            by_category.get(category_id, empty),
            normalisation=normalisation,
            aggregation=aggregation,
            tie_break_columns=columns,
        )
        rows = _ranked_rows(ranked)
        seen = {row.submission_id for row in rows}
        nothing = (None,) * len(columns)
        rows.extend(
            RankedEntry(submission_id, None, None, False, 0, None, nothing)
            for submission_id in sorted(listed[category_id] - seen)
        )
        result[category_id] = CategoryRanking(
            category_id=category_id,
            normalisation=normalisation,
            aggregation=aggregation,
            tie_breakers=tie_breakers,
            rows=tuple(rows),
        )
    return result


def _ranked_rows(ranked: CategoryResult) -> list[RankedEntry]:
    tie_values = list(zip(*(values.tolist() for values in ranked.tie_break_values), strict=True))
    if not tie_values:
        tie_values = [()] * len(ranked.submissions)
    errors = (
        ranked.standard_errors.tolist()
        if ranked.standard_errors is not None
        else [None] * len(ranked.submissions)
    )
    return [
        RankedEntry(
            submission_id=submission_id,
            score=score,
            place=place,
            tied=tied,
            reviews=reviews,
            raw_mean=raw_mean,
            tie_break_values=tuple(values),
            standard_error=error,
        )
        for submission_id, score, place, tied, reviews, raw_mean, values, error in zip(
            ranked.submissions.tolist(),
            ranked.scores.tolist(),
            ranked.places.tolist(),
            ranked.tied.tolist(),
            ranked.reviews.tolist(),
            ranked.raw_means.tolist(),
            tie_values,
            errors,
            strict=True,
        )
    ]


def shortlist(ranking: Mapping[int, CategoryRanking], size: int) -> dict[int, list[int]]:
    """Category id → the ids of its best ``size`` entries, best first. Entries tied at the
    cut all go through: with places 1, 2, 2, 4 a shortlist of 2 takes three entries, since
    nothing in the scores separates the two in second place. Entries without a score never
    do."""
    if size < 1:
        raise ValueError("a shortlist takes at least one entry per category")
    return {
        category_id: [
            row.submission_id
            for row in category.rows
            if row.place is not None and row.place <= size
        ]
        for category_id, category in ranking.items()
    }


# --- explanation -------------------------------------------------------------------------
def explain(
    reviews: Iterable[ReviewData],
    criteria: Iterable[CriterionSpec],
    submission_id: int,
    *,
    normalisation: Normalisation,
    aggregation: Aggregation,
    tie_breakers: Sequence[TieBreaker] = (),
) -> Explanation | None:
    """Why ``submission_id`` ranks where it does, computed with the same inputs and
    methods as the ranking; None if the round has no review of it."""
    table = review_table(reviews, criteria)
    tie_breakers = tuple(tie_breakers)
    columns = check_methods(normalisation, aggregation, tie_breakers, table)
    own = np.flatnonzero(table.submission == submission_id)
    if not len(own):
        return None
    category_id = int(table.category[own[0]])
    rows = category_rows(table).get(category_id, np.zeros(0, dtype=np.int64))
    ranked = category_rank(
        table,
        rows,
        normalisation=normalisation,
        aggregation=aggregation,
        tie_break_columns=columns,
    )
    value_of = dict(zip(rows.tolist(), ranked.normalised.tolist(), strict=True))
    juror_stats = _juror_stats(table.juror[rows], table.total[rows])
    fit = ranked.fit
    lines = []
    for row in sorted(own.tolist(), key=lambda r: (table.juror[r], table.review[r])):
        total = None if np.isnan(table.total[row]) else float(table.total[row])
        normalised = value_of.get(row)
        count, mean, spread = juror_stats.get(int(table.juror[row]), (0, None, None))
        offset = stretch = None
        if fit is not None and int(table.juror[row]) in fit.jurors:
            at = fit.juror(int(table.juror[row]))
            offset, stretch = float(fit.offset[at]), float(fit.stretch[at])
        lines.append(
            JurorLine(
                review_id=int(table.review[row]),
                juror_id=int(table.juror[row]),
                scores={
                    criterion.criterion_id: _score(table.scores[row, index])
                    for index, criterion in enumerate(table.criteria)
                },
                total=total,
                normalised=normalised,
                effect=None if normalised is None or total is None else normalised - total,
                juror_reviews=count,
                juror_mean=mean,
                juror_spread=spread,
                offset=offset,
                stretch=stretch,
            )
        )
    complete = own[table.complete[own]]
    criterion_means = {
        criterion.criterion_id: (
            float(np.sort(table.scores[complete, index]).mean()) if len(complete) else None
        )
        for index, criterion in enumerate(table.criteria)
    }
    position = np.flatnonzero(ranked.submissions == submission_id)
    common = {
        "submission_id": submission_id,
        "category_id": category_id,
        "normalisation": normalisation,
        "aggregation": aggregation,
        "criteria": tuple(criterion.criterion_id for criterion in table.criteria),
        "lines": tuple(lines),
        "criterion_means": criterion_means,
        "ranked_entries": len(ranked.submissions),
        "average": float(np.sort(table.total[rows]).mean()) if len(rows) else None,
        "spread": float(np.sort(table.total[rows]).std()) if len(rows) else None,
        "groups": fit.groups if fit is not None else None,
    }
    if not len(position):
        return Explanation(
            **common,
            raw_mean=None,
            score=None,
            place=None,
            tied=False,
            tie_break_values=(None,) * len(columns),
            above=None,
            below=None,
        )
    at = int(position[0])
    return Explanation(
        **common,
        raw_mean=float(ranked.raw_means[at]),
        score=float(ranked.scores[at]),
        place=int(ranked.places[at]),
        tied=bool(ranked.tied[at]),
        tie_break_values=tuple(float(values[at]) for values in ranked.tie_break_values),
        above=_neighbour(ranked, at, at - 1),
        below=_neighbour(ranked, at, at + 1),
        standard_error=(
            float(ranked.standard_errors[at]) if ranked.standard_errors is not None else None
        ),
    )


def _score(value: float) -> int | None:
    return None if np.isnan(value) else int(value)


def _juror_stats(juror: np.ndarray, total: np.ndarray) -> dict[int, tuple[int, float, float]]:
    """Juror id → (complete reviews, average total, standard deviation of the totals)."""
    if not len(juror):
        return {}
    groups = groups_of(juror, total)
    means = groups.means()
    deviation = groups.values - np.repeat(means, groups.counts)
    spreads = np.sqrt(groups.sums(deviation * deviation) / groups.counts)
    return {
        int(key): (int(count), float(mean), float(spread))
        for key, count, mean, spread in zip(groups.keys, groups.counts, means, spreads, strict=True)
    }


def _neighbour(ranked: CategoryResult, at: int, other: int) -> Neighbour | None:
    if not 0 <= other < len(ranked.submissions):
        return None
    gap = abs(float(rounded(ranked.scores[other] - ranked.scores[at])))
    same_score = rounded(ranked.scores[other]) == rounded(ranked.scores[at])
    return Neighbour(
        submission_id=int(ranked.submissions[other]),
        score=float(ranked.scores[other]),
        place=int(ranked.places[other]),
        gap=gap,
        decided_by_tie_breaker=bool(same_score and ranked.places[other] != ranked.places[at]),
    )
