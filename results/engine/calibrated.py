"""The calibrated normalisation: a model of how each juror scores, fitted to the reviews of
one category, that corrects a juror's reviews by as much as the data says about that juror.

In plain words, for organisers:

* Each review total is read as *the entry's quality, as an average juror would score it,*
  moved by the juror's **offset** (how many points milder or harsher the juror scores).
  (The engine can also fit a **stretch** per juror, whether the juror uses more or less of
  the scale than others; the awards do not use it, see ``calibrate``.)
* Offsets and stretches are estimated from the jurors' overlap: when two jurors score the
  same entries, their differences show who is milder. A juror who scored forty entries is
  corrected fully; a juror who scored one entry is pulled towards "no offset, no stretch"
  (shrinkage), so their single review moves their entry by little, neither taken at face
  value nor reset to the category's average. How strongly is estimated from the data too:
  the more the jurors differ, the more the method believes a single juror's deviation
  (empirical Bayes).
* The **corrected value** of a review is what the juror's total becomes after the
  correction: ``total − offset`` (with a stretch: ``average + (total − average − offset) ÷
  stretch``, where *average* is the average of all review totals of the category); a
  corrected value never goes beyond the ends of the scale (0 and 100). An entry's score
  combines its corrected values (by the award's aggregation; with the mean, the score is
  the average of the corrected values).
* Each entry's score comes with a **standard error**: how far the score may be off given
  the scatter of the reviews and how much is known about its jurors.
* Jurors who share no entry with each other form separate **groups**; within each group the
  jurors are compared with each other, and between groups the method can only assume that
  each group's jurors are on average fair. The number of groups is reported.

The model: ``total = average + offset(juror) + stretch(juror) × (quality(entry) − average) +
noise``. For given stretches, offsets and qualities solve one linear system (entries' rows:
quality = mean of the corrected values; jurors' rows: the ridge least-squares offset, i.e.
an offset of 0 counted as ``λ`` extra reviews); stretches are then refitted per juror by
ridge regression towards 1, and the two steps alternate. The noise level and the spread of
offsets and stretches (hence the shrinkage ``λ``) are re-estimated between fits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

# Bounds of the estimated spreads: keep the shrinkage sensible with very few jurors.
OFFSET_SD_BOUNDS = (1.0, 30.0)  # points on 0–100
STRETCH_SD_BOUNDS = (0.02, 0.5)
NOISE_SD_FLOOR = 1.0  # points: review totals are whole-number scores, never exact
STRETCH_BOUNDS = (0.25, 4.0)
START_OFFSET_SD = 10.0
START_STRETCH_SD = 0.2
OUTER_FITS = 8  # re-estimations of the spreads
INNER_FITS = 12  # alternations of (offsets, qualities) and stretches per estimate
REFIT_STRETCH = 4  # alternations in a bootstrap resample, from the full fit's stretches
TOLERANCE = 1e-10
SCALE = (0.0, 100.0)
DECIMALS = 9  # as the ranking: values equal to 9 decimals are equal


@dataclass(frozen=True)
class Prior:
    """How strongly offsets and stretches are pulled towards 0 and 1, as spreads: an
    offset's prior spread (points) and a stretch's, with the noise of a single review."""

    noise_sd: float
    offset_sd: float
    stretch_sd: float

    @property
    def offset_weight(self) -> float:
        """λ of the offsets: an offset of 0 counts as this many reviews."""
        return (self.noise_sd / self.offset_sd) ** 2

    @property
    def stretch_weight(self) -> float:
        return (self.noise_sd / self.stretch_sd) ** 2


@dataclass(frozen=True)
class CalibratedFit:
    """The fitted model of one category. Per juror (``jurors`` ascending): ``offset``,
    ``stretch``, ``reviews``, ``mean`` and ``spread`` (the average and standard deviation of
    their totals). Per review (input order): ``corrected``. ``average`` is the average of
    all totals; ``groups`` the number of groups of jurors linked by shared entries."""

    jurors: np.ndarray
    offset: np.ndarray
    stretch: np.ndarray
    reviews: np.ndarray
    mean: np.ndarray
    spread: np.ndarray
    average: float
    corrected: np.ndarray
    entries: np.ndarray
    quality: np.ndarray
    standard_error: np.ndarray
    groups: int
    prior: Prior
    stretched: bool

    def juror(self, juror_id: int) -> int:
        return int(np.searchsorted(self.jurors, juror_id))


def calibrate(
    juror: np.ndarray,
    submission: np.ndarray,
    total: np.ndarray,
    *,
    stretch: bool = False,
    prior: Prior | None = None,
    errors: bool = True,
) -> CalibratedFit:
    """Fit the model to the complete reviews of one category (``juror``, ``submission`` and
    ``total`` per review). With ``prior`` the spreads are taken as given (the
    leave-one-out refits use the full fit's), otherwise estimated. ``stretch=True`` also
    fits a stretch per juror (the awards use offsets only: ``bench/fairness.py`` found
    stretches no better, as they are hard to estimate from a few reviews, and offsets alone
    keep the ranking independent of a constant added to a juror's totals);
    ``errors=False`` skips the standard errors (NaN), for refits."""
    total = np.asarray(total, dtype=np.float64)
    jurors, by_id = np.unique(juror, return_inverse=True)
    entries, e = np.unique(submission, return_inverse=True)
    nj, ne = len(jurors), len(entries)
    counts = np.bincount(by_id, minlength=nj)
    means = np.bincount(by_id, total, nj) / np.maximum(counts, 1)
    spread = np.sqrt(np.bincount(by_id, (total - means[by_id]) ** 2, nj) / np.maximum(counts, 1))
    average = float(np.sort(total).mean()) if len(total) else 0.0
    # Compute in an order that does not depend on how jurors are numbered or reviews
    # listed: jurors by what they did (reviews, mean, spread), reviews by entry and total.
    canonical = np.lexsort((jurors, spread, means, counts))
    rank = np.empty(nj, dtype=np.int64)
    rank[canonical] = np.arange(nj)
    order = np.lexsort((rank[by_id], total, e))
    back = np.empty(len(order), dtype=np.int64)
    back[order] = np.arange(len(order))
    j, e, total = rank[by_id][order], e[order], total[order]
    estimate = prior is None
    prior = prior or Prior(NOISE_SD_FLOOR * 5, START_OFFSET_SD, START_STRETCH_SD)
    if not len(total):
        empty = np.zeros(0)
        return CalibratedFit(
            jurors, empty, empty, counts, means, spread, 0.0, empty, entries, empty, empty, 0,
            prior, stretch,
        )  # fmt: skip
    problem = _Problem(j, e, total - average, np.zeros(len(j), dtype=np.int64), 1, nj, ne)
    s = np.ones(nj)
    for _outer in range(OUTER_FITS if estimate else 0):
        u, b, s = problem.fit(s, prior, stretch, INNER_FITS)
        prior = _reestimate(problem, u, b, s, counts, prior, stretch)
    u, b, s = problem.fit(s, prior, stretch, INNER_FITS)
    corrected = np.round(np.clip(average + (total - average - b[j]) / s[j], *SCALE), DECIMALS)
    quality = np.bincount(e, corrected, ne) / np.bincount(e, minlength=ne)
    se = np.round(_standard_errors(problem, s, prior), DECIMALS) if errors else np.full(ne, np.nan)
    graph = sparse.coo_matrix((np.ones(len(j)), (j, nj + e)), shape=(nj + ne,) * 2)
    groups, _labels = connected_components(graph, directed=False)
    return CalibratedFit(
        jurors=jurors,
        offset=b[rank],
        stretch=s[rank],
        reviews=counts,
        mean=means,
        spread=spread,
        average=average,
        corrected=corrected[back],
        entries=entries,
        quality=quality,
        standard_error=se,
        groups=int(groups),
        prior=prior,
        stretched=stretch,
    )


def corrected_replicates(
    juror: np.ndarray,
    submission: np.ndarray,
    total: np.ndarray,
    replicate: np.ndarray,
    *,
    replicates: int,
    prior: Prior,
    stretch: np.ndarray | None,
) -> np.ndarray:
    """The corrected values of many resampled juries at once (the bootstrap): review i
    belongs to resample ``replicate[i]``; ``juror`` and ``submission`` are the category's
    ids, the same in every resample. Each resample is fitted on its own, with its own
    average, the shrinkage of ``prior`` and, starting from the full fit's ``stretch`` (None:
    offsets only), a few refits of the stretches."""
    jurors, j = np.unique(juror, return_inverse=True)
    entries, e = np.unique(submission, return_inverse=True)
    nj, ne = len(jurors), len(entries)
    total = np.asarray(total, dtype=np.float64)
    sizes = np.bincount(replicate, minlength=replicates)
    average = np.bincount(replicate, total, replicates) / np.maximum(sizes, 1)
    problem = _Problem(j, e, total - average[replicate], replicate, replicates, nj, ne)
    if stretch is None:
        s = np.ones(replicates * nj)
        _u, b, s = problem.fit(s, prior, False, 1)
    else:
        s = np.tile(np.clip(stretch, *STRETCH_BOUNDS), replicates)
        _u, b, s = problem.fit(s, prior, True, REFIT_STRETCH)
    key = replicate * nj + j
    return np.round(np.clip(average[replicate] + (problem.t - b[key]) / s[key], *SCALE), DECIMALS)


class _Problem:
    """The reviews of one or several independent juries (``replicate`` per review) with
    the same jurors (``j`` in 0..nj−1) and entries (``e`` in 0..ne−1).

    For fixed stretches the qualities and offsets solve a linear system: entry rows say the
    quality is the mean corrected value, u_e = Σ_r (t − b_r)/s_r ÷ n_e; juror rows are the
    ridge least squares of the offset, (n_r + λ)·b_r + s_r·Σ_e u_e = Σ_e t. Substituting the
    entry rows into the juror rows leaves a small system in the offsets alone (jurors ×
    jurors per jury), solved for all juries at once."""

    def __init__(self, j, e, t, replicate, replicates: int, nj: int, ne: int) -> None:
        self.j, self.t, self.replicate = j, t, replicate
        self.replicates, self.nj, self.ne = replicates, nj, ne
        self.key = replicate * nj + j  # a juror in a jury
        self.entry = replicate * ne + e  # an entry in a jury
        self.entry_size = np.bincount(self.entry, minlength=replicates * ne).astype(float)
        self.juror_size = np.bincount(self.key, minlength=replicates * nj).astype(float)
        # Every ordered pair of reviews of the same entry in the same jury (i with itself).
        order = np.argsort(self.entry, kind="stable")
        size_of = self.entry_size[self.entry[order]].astype(np.int64)
        first = np.concatenate(([0], np.cumsum(self.entry_size.astype(np.int64))[:-1]))
        left = np.repeat(order, size_of)
        within = np.arange(len(left)) - np.repeat(np.cumsum(size_of) - size_of, size_of)
        right = order[first[self.entry[left]] + within]
        self.left, self.right = left, right

    def offsets(self, s: np.ndarray, weight: float) -> tuple[np.ndarray, np.ndarray]:
        """(qualities − average, offsets) for the stretches ``s`` (per juror in a jury)."""
        nj, jury_count = self.nj, self.replicates
        sk = s[self.key]
        entry_sum = np.bincount(self.entry, self.t / sk, len(self.entry_size))
        size = np.maximum(self.entry_size, 1)
        left, right = self.left, self.right
        cells = self.replicate[left] * nj * nj + self.j[left] * nj + self.j[right]
        coupling = sk[left] / (sk[right] * size[self.entry[left]])
        matrix = -np.bincount(cells, coupling, jury_count * nj * nj).reshape(jury_count, nj, nj)
        diagonal = (self.juror_size + weight).reshape(jury_count, nj)
        matrix[:, np.arange(nj), np.arange(nj)] += diagonal
        rhs = np.bincount(
            self.key, self.t - sk * entry_sum[self.entry] / size[self.entry], nj * jury_count
        )
        b = np.linalg.solve(matrix, rhs.reshape(jury_count, nj, 1)).ravel()
        u = (entry_sum - np.bincount(self.entry, b[self.key] / sk, len(size))) / size
        return u, b

    def fit(
        self, s: np.ndarray, prior: Prior, stretch: bool, rounds: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Alternate offsets and stretches (``rounds`` at most) until stable."""
        s = s.copy() if stretch else np.ones_like(s)
        u, b = self.offsets(s, prior.offset_weight)
        if not stretch:
            return u, b, s
        lam = prior.stretch_weight
        for _round in range(rounds):
            x = u[self.entry]
            size = len(s)
            fitted = (np.bincount(self.key, x * (self.t - b[self.key]), size) + lam) / (
                np.bincount(self.key, x * x, size) + lam
            )
            fitted = np.clip(fitted, *STRETCH_BOUNDS)
            change = float(np.max(np.abs(fitted - s))) if size else 0.0
            s = fitted
            u, b = self.offsets(s, prior.offset_weight)
            if change < TOLERANCE:
                break
        return u, b, s


def _reestimate(
    problem: _Problem,
    u: np.ndarray,
    b: np.ndarray,
    s: np.ndarray,
    counts: np.ndarray,
    prior: Prior,
    stretch: bool,
) -> Prior:
    """The spreads of noise, offsets and stretches, from the current fit (an EM-like step:
    each spread adds the uncertainty of the estimates to their scatter)."""
    nj, ne = len(counts), len(u)
    j, t = problem.j, problem.t
    residual = t - b[j] - s[j] * u[problem.entry]
    freedom = max(1, len(t) - ne - (nj if nj > 1 else 0))
    noise_sd = max(NOISE_SD_FLOOR, float(np.sqrt(np.sum(residual**2) / freedom)))
    noise = noise_sd**2
    offset_var = np.mean(b**2 + noise / (counts + prior.offset_weight))
    offset_sd = float(np.clip(np.sqrt(offset_var), *OFFSET_SD_BOUNDS))
    stretch_sd = prior.stretch_sd
    if stretch:
        x2 = np.bincount(j, u[problem.entry] ** 2, nj)
        stretch_var = np.mean((s - 1) ** 2 + noise / (x2 + prior.stretch_weight))
        stretch_sd = float(np.clip(np.sqrt(stretch_var), *STRETCH_SD_BOUNDS))
    return Prior(noise_sd, offset_sd, stretch_sd)


def _standard_errors(problem: _Problem, s: np.ndarray, prior: Prior) -> np.ndarray:
    """Each entry's standard error. For fixed stretches the scores are linear in the
    totals, u = (P − Q·M⁻¹·C)·t: P averages an entry's corrected totals, C maps the totals
    to the right-hand side of the offsets' system M·b = C·t, and Q averages the offsets of
    an entry's jurors. So var(u_e) = noise² · ‖row e of (P − Q·K)‖² with K = M⁻¹·C (jurors ×
    reviews), which expands into sums over pairs of reviews of the same entry and the small
    jurors × jurors matrix K·Kᵀ: no matrix of entries × reviews is ever formed. It counts both
    the scatter of the entry's own reviews and the uncertainty of its jurors' offsets."""
    j, e, nj, ne = problem.j, problem.entry, problem.nj, problem.ne
    n = len(j)
    size = np.maximum(problem.entry_size, 1)
    inverse_s = 1.0 / s[j]  # per review
    weight = inverse_s / size[e]  # P's (and Q's) weight of review i in its entry
    left, right = problem.left, problem.right
    # C: C[j_i, i] += 1; for each pair (i, i') of an entry: C[j_i, i'] −= s_{j_i}·w(i').
    c = np.zeros((nj, n))
    np.add.at(c, (j, np.arange(n)), 1.0)
    np.add.at(c, (j[left], right), -s[j[left]] * weight[right])
    matrix = -np.bincount(j[left] * nj + j[right], s[j[left]] * weight[right], nj * nj).reshape(
        nj, nj
    )
    matrix[np.arange(nj), np.arange(nj)] += problem.juror_size + prior.offset_weight
    k = np.linalg.solve(matrix, c)  # jurors × reviews
    kk = k @ k.T
    # ‖P_e‖² = Σ_i w(i)²; P_e·(QK)_e = Σ_pairs w(left)·w(right)·K[j_right, left];
    # ‖(QK)_e‖² = Σ_pairs w(left)·w(right)·KKᵀ[j_left, j_right].
    own = np.bincount(e, weight**2, ne)
    cross = np.bincount(e[left], weight[left] * weight[right] * k[j[right], left], ne)
    offsets = np.bincount(e[left], weight[left] * weight[right] * kk[j[left], j[right]], ne)
    return prior.noise_sd * np.sqrt(np.maximum(own - 2 * cross + offsets, 0.0))
