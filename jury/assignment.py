"""Who reviews what: the assignment of jurors to entries as a min-cost flow.

Pure computation on plain data, no database. The problem, for one round:

    source ──need_s──▶ entry s ──1──▶ juror j ──levels──▶ sink

Each entry s asks for ``need_s`` more reviews (k minus the reviews it keeps); an edge s → j
exists when j judges s's category, has no conflict with s and does not already review it; a
juror's ``l``-th review costs ``LOAD_WEIGHT × l``, so the marginal cost rises with the load
and the cheapest flow spreads the work as evenly as the edges allow (max − min ≤ 1 whenever a
chain of swaps could even it out). Every review placed earns ``COVERAGE_REWARD``, far above
any load cost, so the flow first places as many reviews as possible; within equal coverage
and equal loads, juror preferences (bids) and expertise decide.

The flow's constraint matrix is a network matrix, hence totally unimodular: the simplex
method returns a vertex, and every vertex is integral. We solve it as a linear programme with
HiGHS' dual simplex (scipy), which is deterministic: the same input gives the same
assignment. Inputs are sorted first, so the order in which callers list them does not matter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

COVERAGE_REWARD = 10_000_000.0
LOAD_WEIGHT = 100.0
# Preference (jury.enums.Preference): "want" +1 lowers the cost, "rather not" −1 raises it.
# Expertise 1..3: a small nudge towards experts.
PREFERENCE_WEIGHT = 1.0
EXPERTISE_WEIGHT = 0.25
EXPERTISE_MAX = 3


@dataclass(frozen=True)
class EntryNeed:
    submission_id: int
    category_id: int
    need: int


@dataclass(frozen=True)
class JurorSlot:
    juror_id: int
    # category id → expertise (1..3)
    categories: Mapping[int, int]
    load: int = 0  # reviews already kept in this round
    capacity: int | None = None  # most reviews in this round, kept ones included


@dataclass
class AssignmentResult:
    pairs: list[tuple[int, int]] = field(default_factory=list)  # (juror_id, submission_id)
    short: dict[int, int] = field(default_factory=dict)  # submission_id → reviews missing
    loads: dict[int, int] = field(default_factory=dict)  # juror_id → total load afterwards


def assignment_solve(
    entries: Iterable[EntryNeed],
    jurors: Iterable[JurorSlot],
    *,
    forbidden: Iterable[tuple[int, int]] = (),
    preferences: Mapping[tuple[int, int], int] | None = None,
) -> AssignmentResult:
    """Place up to ``need`` new reviews per entry; see the module docstring for the model.

    ``forbidden`` holds (juror_id, submission_id) pairs that must not be assigned: conflicts
    and the reviews the juror already has. ``preferences`` maps such pairs to −1, 0 or 1.
    """
    entries = sorted((e for e in entries if e.need > 0), key=lambda e: e.submission_id)
    jurors = sorted(jurors, key=lambda j: j.juror_id)
    forbidden = set(forbidden)
    preferences = preferences or {}
    result = AssignmentResult(loads={j.juror_id: j.load for j in jurors})

    pool: dict[int, list[JurorSlot]] = defaultdict(list)
    for juror in jurors:
        if juror.capacity is not None and juror.load >= juror.capacity:
            continue
        for category_id in juror.categories:
            pool[category_id].append(juror)

    edges: list[tuple[int, int, float]] = []  # (entry index, juror index, cost)
    juror_index = {j.juror_id: i for i, j in enumerate(jurors)}
    degree = [0] * len(jurors)
    for s_index, entry in enumerate(entries):
        for juror in pool.get(entry.category_id, ()):
            if (juror.juror_id, entry.submission_id) in forbidden:
                continue
            preference = preferences.get((juror.juror_id, entry.submission_id), 0)
            expertise = juror.categories[entry.category_id]
            cost = (
                -COVERAGE_REWARD
                - PREFERENCE_WEIGHT * preference
                + EXPERTISE_WEIGHT * (EXPERTISE_MAX - expertise)
            )
            j_index = juror_index[juror.juror_id]
            edges.append((s_index, j_index, cost))
            degree[j_index] += 1

    # Load levels: juror j's (load + l)-th review, l = 1..levels_j, costs LOAD_WEIGHT·(load + l).
    levels: list[tuple[int, float]] = []  # (juror index, cost)
    for j_index, juror in enumerate(jurors):
        room = degree[j_index]
        if juror.capacity is not None:
            room = min(room, juror.capacity - juror.load)
        levels.extend((j_index, LOAD_WEIGHT * (juror.load + level)) for level in range(1, room + 1))

    if edges:
        n_x, n_y = len(edges), len(levels)
        cost = np.array([c for _s, _j, c in edges] + [c for _j, c in levels])
        # Entry rows: Σ x ≤ need.
        ub_rows = np.array([s for s, _j, _c in edges])
        a_ub = coo_matrix(
            (np.ones(n_x), (ub_rows, np.arange(n_x))), shape=(len(entries), n_x + n_y)
        )
        b_ub = np.array([e.need for e in entries], dtype=float)
        # Juror rows: Σ x − Σ y = 0.
        eq_rows = np.concatenate(
            [np.array([j for _s, j, _c in edges]), np.array([j for j, _c in levels], dtype=int)]
        )
        eq_values = np.concatenate([np.ones(n_x), -np.ones(n_y)])
        a_eq = coo_matrix(
            (eq_values, (eq_rows, np.arange(n_x + n_y))), shape=(len(jurors), n_x + n_y)
        )
        solution = linprog(
            cost,
            A_ub=a_ub.tocsr(),
            b_ub=b_ub,
            A_eq=a_eq.tocsr(),
            b_eq=np.zeros(len(jurors)),
            bounds=(0, 1),
            method="highs-ds",
        )
        if solution.status != 0:  # pragma: no cover - the flow is always feasible (x = 0)
            raise RuntimeError(f"assignment solver failed: {solution.message}")
        chosen = np.flatnonzero(solution.x[:n_x] > 0.5)
        for index in chosen:
            s_index, j_index, _cost = edges[index]
            result.pairs.append((jurors[j_index].juror_id, entries[s_index].submission_id))

    placed: dict[int, int] = defaultdict(int)
    for juror_id, submission_id in result.pairs:
        placed[submission_id] += 1
        result.loads[juror_id] += 1
    for entry in entries:
        missing = entry.need - placed[entry.submission_id]
        if missing > 0:
            result.short[entry.submission_id] = missing
    result.pairs.sort()
    return result
