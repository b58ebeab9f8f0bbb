"""How firmly each category's leader holds first place.

In plain words, for organisers:

* **Leave one juror out.** The ranking is computed again without each juror of the
  category in turn (with the same normalisation, aggregation and tie-breakers, so a
  z-score is recomputed from the remaining jurors). If the leader is not alone in first
  place every time, the jurors whose absence changes it are listed.
* **Bootstrap.** The jury could have turned out slightly differently. To see whether that
  matters, 1,000 alternative juries are simulated: for each entry, its reviews are drawn
  at random with replacement (an entry with three reviews gets three draws from its own
  three, so one review may count twice and another not at all), and the entry's score is
  aggregated again from the drawn values. Each review keeps the value it has after
  normalisation in the real ranking. The figure is the share of simulations in which the
  leader is first on its own; a tie for first counts as not first. Tie-breakers do not
  take part here. The random draws are seeded, so the same data always give the same
  figure.
* **Verdict.** "robust" when the leader stays first whichever juror is left out and in at
  least 95 % of the simulations; otherwise "close call". When first place is already
  tied, there is no single leader and the verdict is "close call".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .ranking import (
    DECIMALS,
    Aggregation,
    CriterionSpec,
    Normalisation,
    ReviewData,
    ReviewTable,
    TieBreaker,
    category_rank,
    category_rows,
    check_methods,
    groups_of,
    review_table,
    trim_count,
)

ROBUST = "robust"
CLOSE_CALL = "close call"
RESAMPLES = 1000
ROBUST_SHARE = 0.95
# Draws per block of resamples (resamples × reviews): bounds the memory of a block.
BLOCK_ELEMENTS = 1_000_000


@dataclass(frozen=True, slots=True)
class LeaveOneOut:
    """The category's first place without ``juror_id`` (one entry, several when tied, or
    none when nothing is left to rank)."""

    juror_id: int
    first: tuple[int, ...]
    stays_first: bool


@dataclass(frozen=True, slots=True)
class Robustness:
    """The figures behind the verdict for one category. ``leader`` is None when first
    place is tied (``leaders`` then lists the tied entries)."""

    category_id: int
    leader: int | None
    leaders: tuple[int, ...]
    leave_one_out: tuple[LeaveOneOut, ...]
    changed_by: tuple[int, ...]
    bootstrap_share: float | None
    resamples: int
    verdict: str


def robustness(
    reviews: Iterable[ReviewData],
    criteria: Iterable[CriterionSpec],
    *,
    normalisation: Normalisation,
    aggregation: Aggregation,
    tie_breakers: Sequence[TieBreaker] = (),
    resamples: int = RESAMPLES,
    seed: int = 0,
    categories: Iterable[int] | None = None,
) -> dict[int, Robustness]:
    """Category id → how firmly its leader holds first place (see the module's
    description), for every category with a ranked entry, or for ``categories``.
    ``seed`` (≥ 0) and the category id seed the category's random draws."""
    if resamples < 1:
        raise ValueError("the bootstrap needs at least one resample")
    table = review_table(reviews, criteria)
    columns = check_methods(normalisation, aggregation, tuple(tie_breakers), table)
    wanted = None if categories is None else set(categories)
    result = {}
    for category_id, rows in sorted(category_rows(table).items()):
        if not len(rows) or (wanted is not None and category_id not in wanted):
            continue
        result[category_id] = _category_robustness(
            table,
            category_id,
            rows,
            normalisation=normalisation,
            aggregation=aggregation,
            columns=columns,
            resamples=resamples,
            # A generator per category: one category's draws never depend on another's.
            rng=np.random.default_rng([seed, category_id]),
        )
    return result


def _category_robustness(
    table: ReviewTable,
    category_id: int,
    rows: np.ndarray,
    *,
    normalisation: str,
    aggregation: str,
    columns: list[int],
    resamples: int,
    rng: np.random.Generator,
) -> Robustness:
    methods = {
        "normalisation": normalisation,
        "aggregation": aggregation,
        "tie_break_columns": columns,
    }
    ranked = category_rank(table, rows, **methods)
    leaders = tuple(sorted(int(s) for s in ranked.leaders()))
    leader = ranked.sole_leader()
    if leader is None:
        return Robustness(category_id, None, leaders, (), (), None, resamples, CLOSE_CALL)
    jurors = table.juror[rows]
    outcomes = []
    for juror in np.unique(jurors).tolist():
        without = category_rank(table, rows[jurors != juror], **methods)
        first = tuple(sorted(int(s) for s in without.leaders()))
        outcomes.append(LeaveOneOut(juror, first, first == (leader,)))
    changed_by = tuple(outcome.juror_id for outcome in outcomes if not outcome.stays_first)
    share = bootstrap_share(
        table.submission[rows],
        ranked.normalised,
        leader=leader,
        aggregation=aggregation,
        resamples=resamples,
        rng=rng,
    )
    verdict = ROBUST if not changed_by and share >= ROBUST_SHARE else CLOSE_CALL
    return Robustness(
        category_id, leader, leaders, tuple(outcomes), changed_by, share, resamples, verdict
    )


def bootstrap_share(
    submission: np.ndarray,
    values: np.ndarray,
    *,
    leader: int,
    aggregation: str,
    resamples: int,
    rng: np.random.Generator,
) -> float:
    """The share of ``resamples`` bootstrap resamples in which ``leader`` has the highest
    score on its own. ``submission`` and ``values`` give each (complete) review's entry and
    normalised value; each entry's values are resampled with replacement, as many as it
    has, and aggregated as in the ranking.

    Vectorised: entries with the same number m of reviews are drawn together, a block of
    resamples at a time. A draw is m positions in the entry's values sorted ascending; the
    mean, median and trimmed mean all are the average of a range of the sorted draw (all
    of it, the middle one or two, all but ``cut`` at each end), so the score is computed
    from how often each position was drawn, without sorting every draw."""
    groups = groups_of(submission, values)
    at = int(np.searchsorted(groups.keys, leader))
    if at >= len(groups.keys) or groups.keys[at] != leader:
        raise ValueError(f"entry {leader} has no review to resample")
    sizes = []
    for m in np.unique(groups.counts).tolist():
        members = np.flatnonzero(groups.counts == m)
        # Entries with m reviews: an (entries × m) matrix of their values, rows ascending.
        matrix = groups.values[groups.starts[members][:, None] + np.arange(m)]
        sizes.append((m, members, matrix, _kept_range(m, aggregation)))
    per_block = max(1, BLOCK_ELEMENTS // max(1, int(groups.counts.sum())))
    wins = 0
    done = 0
    while done < resamples:
        block = min(per_block, resamples - done)
        scores = np.empty((block, len(groups.keys)))
        for m, members, matrix, (low, high) in sizes:
            # How often each position was drawn, over m draws per entry and resample.
            drawn = np.zeros((m, block, len(members)), dtype=np.int16)
            for _draw in range(m):
                picks = rng.integers(0, m, size=(block, len(members)), dtype=np.int16)
                for position in range(m):
                    drawn[position] += picks == position
            total = np.zeros((block, len(members)))
            below = np.zeros((block, len(members)), dtype=np.int16)
            for position in range(m):
                upto = below + drawn[position]
                # The copies of this position fill sorted places [below, upto); count
                # those inside the kept range [low, high).
                inside = np.minimum(upto, high) - np.maximum(below, low)
                total += np.maximum(inside, 0) * matrix[:, position]
                below = upto
            scores[:, members] = total / (high - low)
        scores = np.round(scores, DECIMALS)
        lead = scores[:, at].copy()
        scores[:, at] = -np.inf
        wins += int(np.count_nonzero(lead > scores.max(axis=1)))
        done += block
    return wins / resamples


def _kept_range(m: int, aggregation: str) -> tuple[int, int]:
    """The positions [low, high) of a sorted draw of m values that the aggregation
    averages."""
    if aggregation == "mean":
        cut = 0
    elif aggregation == "median":
        cut = (m - 1) // 2  # the middle value, or the middle two
    elif aggregation == "trimmed_mean":
        cut = int(trim_count(m))
    else:
        raise ValueError(f"unknown aggregation {aggregation!r}")
    return cut, m - cut
