"""How firmly each category's leader holds first place.

In plain words, for organisers:

* **Leave one juror out.** The ranking is computed again without each juror of the
  category in turn (with the same normalisation, aggregation and tie-breakers, so a
  z-score is recomputed from the remaining jurors). If the leader is not alone in first
  place every time, the jurors whose absence changes it are listed.
* **Bootstrap.** The jury could have turned out slightly differently. To see whether that
  matters, 1,000 alternative juries are simulated: for each entry, its reviews are drawn
  at random with replacement (an entry with three reviews gets three draws from its own
  three, so one review may count twice and another not at all), and the whole ranking is
  computed again from the drawn reviews: the normalisation is fitted anew in each
  simulated jury (a juror's average, spread or offset changes with the reviews drawn),
  with the calibrated method's shrinkage kept from the real fit. The figure is the share
  of simulations in which the leader is first on its own; a tie for first counts as not
  first. Tie-breakers do not take part here. The random draws are seeded, so the same
  data always give the same figure.
* **Incomplete entries.** An entry with fewer complete reviews than the round requires is
  *incomplete*; a single review cannot vary in a resample, so the bootstrap knows nothing
  about it. An incomplete leader is never called robust.
* **Uncertainty of the scores** (calibrated method): the leader's lead over the second is
  compared with the standard errors of both scores; a lead smaller than 1.96 times their
  combined error is within the uncertainty of the scores.
* **Verdict.** "robust" when the leader is complete, stays first whichever juror is left
  out, in at least 95 % of the simulations, and (calibrated method) leads by more than the
  uncertainty; otherwise "close call", with every reason that applies; "incomplete" when
  the leader has fewer reviews than required. When first place is already tied, there is
  no single leader and the verdict is "close call".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .calibrated import CalibratedFit, corrected_replicates
from .ranking import (
    DECIMALS,
    Aggregation,
    CriterionSpec,
    Normalisation,
    ReviewData,
    ReviewTable,
    TieBreaker,
    aggregate,
    category_rank,
    category_rows,
    check_methods,
    groups_of,
    normalise,
    review_table,
    trim_count,
)

ROBUST = "robust"
CLOSE_CALL = "close call"
INCOMPLETE = "incomplete"
# Why a leader is a close call (several may apply).
TIED = "tied"
LEAVE_ONE_OUT = "leave_one_out"
BOOTSTRAP = "bootstrap"
WITHIN_ERROR = "within_error"
Z_95 = 1.96
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
    reasons: tuple[str, ...] = ()
    required: int = 1
    reviews: Mapping[int, int] = field(default_factory=dict)
    lead: float | None = None
    lead_error: float | None = None

    @property
    def incomplete(self) -> tuple[int, ...]:
        """The entries of the category with fewer complete reviews than required."""
        return tuple(sorted(pk for pk, count in self.reviews.items() if count < self.required))

    @property
    def leader_reviews(self) -> int:
        return self.reviews.get(self.leader, 0) if self.leader is not None else 0


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
    required: int = 1,
) -> dict[int, Robustness]:
    """Category id → how firmly its leader holds first place (see the module's
    description), for every category with a ranked entry, or for ``categories``.
    ``seed`` (≥ 0) and the category id seed the category's random draws; ``required`` is
    the number of complete reviews an entry needs to be complete."""
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
            required=required,
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
    required: int,
) -> Robustness:
    methods = {
        "normalisation": normalisation,
        "aggregation": aggregation,
        "tie_break_columns": columns,
    }
    ranked = category_rank(table, rows, **methods)
    prior = ranked.fit.prior if ranked.fit is not None else None
    counts = dict(zip(ranked.submissions.tolist(), ranked.reviews.tolist(), strict=True))
    leaders = tuple(sorted(int(s) for s in ranked.leaders()))
    leader = ranked.sole_leader()
    common = {"category_id": category_id, "resamples": resamples, "required": required}
    if leader is None:
        return Robustness(
            leader=None, leaders=leaders, leave_one_out=(), changed_by=(),
            bootstrap_share=None, verdict=CLOSE_CALL, reasons=(TIED,), reviews=counts,
            **common,
        )  # fmt: skip
    jurors = table.juror[rows]
    outcomes = []
    for juror in np.unique(jurors).tolist():
        without = category_rank(table, rows[jurors != juror], **methods, prior=prior)
        first = tuple(sorted(int(s) for s in without.leaders()))
        outcomes.append(LeaveOneOut(juror, first, first == (leader,)))
    changed_by = tuple(outcome.juror_id for outcome in outcomes if not outcome.stays_first)
    share = bootstrap_share(
        jurors,
        table.submission[rows],
        table.total[rows],
        leader=leader,
        normalisation=normalisation,
        aggregation=aggregation,
        resamples=resamples,
        rng=rng,
        fit=ranked.fit,
    )
    lead = lead_error = None
    if len(ranked.scores) > 1:
        lead = float(ranked.scores[0] - ranked.scores[1])
        if ranked.standard_errors is not None:
            lead_error = float(np.hypot(ranked.standard_errors[0], ranked.standard_errors[1]))
    reasons = []
    if changed_by:
        reasons.append(LEAVE_ONE_OUT)
    if share < ROBUST_SHARE:
        reasons.append(BOOTSTRAP)
    if lead is not None and lead_error is not None and lead < Z_95 * lead_error:
        reasons.append(WITHIN_ERROR)
    verdict = INCOMPLETE if counts[leader] < required else CLOSE_CALL if reasons else ROBUST
    return Robustness(
        leader=leader,
        leaders=leaders,
        leave_one_out=tuple(outcomes),
        changed_by=changed_by,
        bootstrap_share=share,
        verdict=verdict,
        reasons=tuple(reasons),
        reviews=counts,
        lead=lead,
        lead_error=lead_error,
        **common,
    )


def bootstrap_share(
    juror: np.ndarray,
    submission: np.ndarray,
    total: np.ndarray,
    *,
    leader: int,
    normalisation: str,
    aggregation: str,
    resamples: int,
    rng: np.random.Generator,
    fit: CalibratedFit | None = None,
) -> float:
    """The share of ``resamples`` bootstrap resamples in which ``leader`` has the highest
    score on its own. ``juror``, ``submission`` and ``total`` describe each complete review
    of the category; in each resample every entry draws as many of its own reviews as it
    has, with replacement, and the normalisation and the aggregation are computed again
    from the drawn reviews alone (``fit``: the calibrated method's full fit, whose shrinkage
    is kept and whose stretches are the start of each resample's).

    Vectorised: a block of resamples is one problem in which each resample's jurors and
    entries get their own ids (juror + resample × jurors), so one normalisation of the
    block normalises every resample on its own."""
    jurors, j = np.unique(juror, return_inverse=True)
    entries, e = np.unique(submission, return_inverse=True)
    at = int(np.searchsorted(entries, leader))
    if at >= len(entries) or entries[at] != leader:
        raise ValueError(f"entry {leader} has no review to resample")
    # Reviews ordered by entry, and within an entry by total and by a description of the
    # juror that does not depend on their id (their number of reviews and the sum of their
    # totals): the draws then never depend on how jurors are numbered.
    load = np.bincount(j)[j]
    weight = np.bincount(j, total)[j]
    order = np.lexsort((weight, load, total, e))
    counts = np.bincount(e, minlength=len(entries))
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    n = len(order)
    per_block = max(1, BLOCK_ELEMENTS // max(1, n))
    wins = 0
    done = 0
    while done < resamples:
        block = min(per_block, resamples - done)
        # For each resample and each review slot: a random position among its entry's.
        entry_of_slot = e[order]
        picks = starts[entry_of_slot] + np.floor(
            rng.random((block, n)) * counts[entry_of_slot]
        ).astype(np.int64)
        drawn = order[picks]  # (block, n) review indices
        replicate = np.repeat(np.arange(block), n)
        block_juror = replicate * len(jurors) + j[drawn].ravel()
        block_entry = replicate * len(entries) + e[drawn].ravel()
        if normalisation == "calibrated":
            if fit is None:
                raise ValueError("the calibrated bootstrap needs the full fit")
            values = corrected_replicates(
                juror[drawn].ravel(),
                submission[drawn].ravel(),
                total[drawn].ravel(),
                replicate,
                replicates=block,
                prior=fit.prior,
                stretch=fit.stretch if fit.stretched else None,
            )
        else:
            values = normalise(block_juror, total[drawn].ravel(), normalisation, block_entry)
        scores = aggregate(groups_of(block_entry, values), aggregation).reshape(block, -1)
        scores = np.round(scores, DECIMALS)
        lead = scores[:, at].copy()
        scores[:, at] = -np.inf
        wins += int(np.count_nonzero(lead > scores.max(axis=1))) if len(entries) > 1 else block
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
