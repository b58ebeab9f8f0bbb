"""How close each normalisation comes to the truth, and how well the jury-quality flags find
severe jurors, on simulated juries whose truth is known.

A simulated jury scores one category: each entry has a hidden quality (normal, mean 55, sd
12, on 0–100); each juror has a hidden **offset** (normal, sd ``--offset-sd`` points: how
much milder, + or harsher, −) and **stretch** (log-normal, sd ``--stretch-sd``: how much of
the scale they use). A juror's impression of an entry is ``55 + offset + stretch × (quality
− 55)`` plus noise shared by the review (sd 4) and, per criterion, its own noise (sd 10);
each of the demo award's six criteria (scale 1–10, weights 3, 2, 2, 1, 2, 1) gets that
impression as a whole number, clipped to the scale, as on the real form.

Designs (each ``--entries`` entries, 3 reviews per entry, no juror twice on an entry):

* ``dense``: 6 jurors with equal loads (every juror sees half of the entries);
* ``sparse``: 4 regular jurors with uneven loads (weights 4 : 3 : 2 : 1) and 6 guest jurors
  who review only 1 or 2 entries each.

Methods: ``raw`` (the totals as given), ``zscore``, ``borda``, ``calibrated`` (the
calibrated model as the award uses it: a shrunk offset per juror), ``calibrated_stretch``
(the same model with a shrunk stretch per juror as well),
and the ``oracle``, which corrects each review with the juror's *true* offset and stretch:
the limit that the noise of the reviews leaves. Every method aggregates by the mean.

Per design and method: ``<design>_top1_<method>``, the share of juries in which the method's
leader is the truly best entry (a tie for first counts as 1/n), and
``<design>_spearman_<method>``, the mean Spearman correlation of the scores with the true
qualities. ``<design>_top1_ratio_<method>`` is the top-1 share relative to the oracle's.

Jury-quality flags (``results.engine.jury_quality``), on ``--juries`` further juries of 8
jurors (each reviewing 8–17 entries of 30): ``flag_recall`` is the share of jurors with a
planted offset of 15–35 points (two per jury, milder or harsher) and at least 8 compared
reviews that are flagged for severity; ``flag_false_rate`` is the share of jurors flagged
(for anything) on juries without planted bias (offsets sd 3 points, below any practical
threshold).

    .venv/bin/python bench/fairness.py [--juries 1000] [--entries 16] [--seed 1]

The last line on stdout is one JSON object; ``target_met`` says whether the award's default
method reaches ≥ 92 % of the oracle's top-1 share and a Spearman within 0.01 of the
oracle's in both designs, and is never worse than z-scores.
"""

import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
from _common import emit, log, parser
from scipy.stats import spearmanr

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from results.engine import CriterionSpec, ReviewData, jury_quality
from results.engine.calibrated import calibrate
from results.engine.ranking import (
    aggregate,
    groups_of,
    normalise,
)

WEIGHTS = (3, 2, 2, 1, 2, 1)
CRITERIA = tuple(CriterionSpec(i + 1, w, 1, 10) for i, w in enumerate(WEIGHTS))
BASE = 55.0
QUALITY_SD = 12.0
REVIEW_NOISE = 4.0
CRITERION_NOISE = 10.0
K = 3
METHODS = ("raw", "zscore", "borda", "calibrated", "calibrated_stretch", "oracle")
DEFAULT_METHOD = "calibrated"
TARGET_TOP1_RATIO = 0.92
TARGET_SPEARMAN_GAP = 0.01


def impressions(quality, offset, stretch, juror, entry, rng):
    return BASE + offset[juror] + stretch[juror] * (quality[entry] - BASE)


def criterion_scores(impression: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Whole-number scores 1–10 on each criterion for each review's impression (0–100)."""
    shared = impression + rng.normal(0, REVIEW_NOISE, len(impression))
    own = shared[:, None] + rng.normal(0, CRITERION_NOISE, (len(impression), len(CRITERIA)))
    return np.clip(np.rint(1 + 9 * own / 100), 1, 10).astype(int)


def totals(scores: np.ndarray) -> np.ndarray:
    weights = np.array(WEIGHTS, dtype=float)
    return 100 * ((scores - 1) / 9 * weights).sum(axis=1) / weights.sum()


def assign(entries: int, loads: np.ndarray, guests: int, rng: np.random.Generator):
    """(juror, entry) pairs: K distinct jurors per entry. Guests (the last ``guests`` jurors)
    take 1–2 entries each first; regulars fill the rest with probability ∝ their load."""
    regulars = len(loads)
    slots: list[list[int]] = [[] for _ in range(entries)]
    for guest in range(guests):
        for entry in rng.choice(entries, rng.integers(1, 3), replace=False):
            slots[entry].append(regulars + guest)
    weights = loads / loads.sum()
    for entry in range(entries):
        need = K - len(slots[entry])
        if need > 0:
            chosen = rng.choice(regulars, need, replace=False, p=weights)
            slots[entry].extend(int(j) for j in chosen)
    pairs = [(juror, entry) for entry in range(entries) for juror in slots[entry][:K]]
    return np.array(pairs).T


def jury(design: str, entries: int, offset_sd: float, stretch_sd: float, rng):
    if design == "dense":
        loads, guests = np.ones(6), 0
    else:
        loads, guests = np.array([4.0, 3.0, 2.0, 1.0]), 6
    jurors = len(loads) + guests
    juror, entry = assign(entries, loads, guests, rng)
    quality = rng.normal(BASE, QUALITY_SD, entries)
    offset = rng.normal(0, offset_sd, jurors)
    stretch = np.exp(rng.normal(0, stretch_sd, jurors))
    total = totals(criterion_scores(impressions(quality, offset, stretch, juror, entry, rng), rng))
    return quality, offset, stretch, juror, entry, total


def scores_of(method: str, juror, entry, total, offset, stretch) -> np.ndarray:
    """Each entry's score (entries 0..n−1) by ``method``, aggregated by the mean."""
    if method == "oracle":
        values = BASE + (total - BASE - offset[juror]) / stretch[juror]
    elif method == "calibrated_stretch":
        values = calibrate(juror, entry, total, stretch=True, errors=False).corrected
    else:
        values = normalise(juror, total, method, entry)
    return aggregate(groups_of(entry, values), "mean")


def top1(scores: np.ndarray, best: int) -> float:
    leaders = np.flatnonzero(np.round(scores, 9) == np.round(scores.max(), 9))
    return 1 / len(leaders) if best in leaders else 0.0


def fairness(design: str, juries: int, entries: int, offset_sd, stretch_sd, rng) -> dict:
    hits = dict.fromkeys(METHODS, 0.0)
    rhos = {method: [] for method in METHODS}
    for _ in range(juries):
        quality, offset, stretch, juror, entry, total = jury(
            design, entries, offset_sd, stretch_sd, rng
        )
        best = int(np.argmax(quality))
        for method in METHODS:
            scores = scores_of(method, juror, entry, total, offset, stretch)
            hits[method] += top1(scores, best)
            rhos[method].append(spearmanr(scores, quality)[0])
    figures = {}
    for method in METHODS:
        figures[f"{design}_top1_{method}"] = round(hits[method] / juries, 4)
        figures[f"{design}_spearman_{method}"] = round(float(np.mean(rhos[method])), 4)
    for method in METHODS:
        figures[f"{design}_top1_ratio_{method}"] = round(
            figures[f"{design}_top1_{method}"] / figures[f"{design}_top1_oracle"], 4
        )
    return figures


def flagging(juries: int, rng: np.random.Generator) -> dict:
    """Recall of planted severe jurors and false flags on unbiased juries."""
    entries, jurors = 30, 8
    found = planted_total = 0
    false_flags = checked = 0
    for planted in (True, False):
        for _ in range(juries):
            loads = rng.integers(8, 18, jurors)  # reviews per juror
            pairs = []
            coverage = np.zeros(entries, dtype=int)
            for juror_index, load in enumerate(loads):
                # Prefer the entries with the fewest reviews so every entry is compared.
                order = np.lexsort((rng.random(entries), coverage))[:load]
                coverage[order] += 1
                pairs.extend((juror_index, int(e)) for e in order)
            juror, entry = np.array(pairs).T
            quality = rng.normal(BASE, QUALITY_SD, entries)
            offset = rng.normal(0, 3.0, jurors)
            severe = set()
            if planted:
                for juror_index in rng.choice(jurors, 2, replace=False):
                    offset[juror_index] = rng.choice([-1, 1]) * rng.uniform(15, 35)
                    severe.add(int(juror_index))
            stretch = np.exp(rng.normal(0, 0.1, jurors))
            impression = impressions(quality, offset, stretch, juror, entry, rng)
            scores = criterion_scores(impression, rng)
            reviews = [
                ReviewData(i, int(j), int(e), 1, dict(zip(range(1, 7), map(int, s), strict=True)))
                for i, (j, e, s) in enumerate(zip(juror, entry, scores, strict=True))
            ]
            quality_figures = jury_quality(reviews, CRITERIA)[1]
            for line in quality_figures.jurors:
                if planted and line.juror_id in severe and line.compared >= 8:
                    planted_total += 1
                    found += "severity" in line.reasons
                if not planted:
                    checked += 1
                    false_flags += line.outlier
    return {
        "flag_recall": round(found / max(1, planted_total), 4),
        "flag_planted": planted_total,
        "flag_false_rate": round(false_flags / max(1, checked), 4),
        "flag_checked": checked,
    }


def main() -> None:
    arguments = parser(__doc__)
    arguments.add_argument("--juries", type=int, default=1000)
    arguments.add_argument("--entries", type=int, default=16)
    arguments.add_argument("--offset-sd", type=float, default=8.0)
    arguments.add_argument("--stretch-sd", type=float, default=0.2)
    options = arguments.parse_args()
    rng = np.random.default_rng(options.seed)
    started = time.perf_counter()
    figures: dict = {
        "juries": options.juries,
        "entries": options.entries,
        "offset_sd": options.offset_sd,
        "stretch_sd": options.stretch_sd,
        "default_method": DEFAULT_METHOD,
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
    }
    for design in ("dense", "sparse"):
        log(f"{design}: {options.juries} juries")
        figures.update(
            fairness(
                design, options.juries, options.entries, options.offset_sd, options.stretch_sd, rng
            )
        )
    log(f"flags: {options.juries} juries with and without planted bias")
    figures.update(flagging(options.juries, rng))
    met = True
    for design in ("dense", "sparse"):
        default = figures[f"{design}_top1_ratio_{DEFAULT_METHOD}"] >= TARGET_TOP1_RATIO
        close = (
            figures[f"{design}_spearman_oracle"] - figures[f"{design}_spearman_{DEFAULT_METHOD}"]
            <= TARGET_SPEARMAN_GAP
        )
        not_worse = (
            figures[f"{design}_top1_{DEFAULT_METHOD}"] >= figures[f"{design}_top1_zscore"]
            and figures[f"{design}_spearman_{DEFAULT_METHOD}"]
            >= figures[f"{design}_spearman_zscore"]
        )
        met = met and default and close and not_worse
    figures["target_met"] = met
    figures["seconds"] = round(time.perf_counter() - started, 1)
    emit(figures)


if __name__ == "__main__":
    main()
