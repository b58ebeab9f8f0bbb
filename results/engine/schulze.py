"""The Schulze method for the final round's ranked ballots. Pure computation.

Each ballot maps candidates to ranks (1 = best; equal ranks are ties). A ballot counts only
for the pairs it ranks both of: a juror in conflict with a finalist never sees it, and that
must not count as a vote against it. ``d[a][b]`` counts the ballots preferring
a to b; ``p[a][b]`` is the strength of the strongest path from a to b (Floyd–Warshall on the
widest path); a beats b when p[a][b] > p[b][a]. The candidates nobody beats share first
place; of the rest, those nobody else remaining beats share the next place, and so on.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SchulzeResult:
    candidates: tuple
    places: dict  # candidate → place (1 = first; ties share a place)
    d: dict  # d[a][b]: ballots preferring a over b
    p: dict  # p[a][b]: strength of the strongest path from a to b

    def ranking(self) -> list[tuple[int, object]]:
        return sorted(((place, c) for c, place in self.places.items()), key=lambda t: t[0])


def _prefers(ballot: Mapping, a: Hashable, b: Hashable) -> bool:
    return a in ballot and b in ballot and ballot[a] < ballot[b]


def schulze(candidates: Sequence[Hashable], ballots: Iterable[Mapping]) -> SchulzeResult:
    candidates = tuple(candidates)
    ballots = list(ballots)
    d = {a: {b: 0 for b in candidates if b != a} for a in candidates}
    for ballot in ballots:
        for a in candidates:
            for b in candidates:
                if a != b and _prefers(ballot, a, b):
                    d[a][b] += 1
    p = {a: {b: (d[a][b] if d[a][b] > d[b][a] else 0) for b in d[a]} for a in candidates}
    for i in candidates:
        for j in candidates:
            if i == j:
                continue
            for k in candidates:
                if k in (i, j):
                    continue
                p[j][k] = max(p[j][k], min(p[j][i], p[i][k]))
    # Place in rounds: every remaining candidate whom no other remaining candidate beats
    # shares the next place (the Schulze relation is transitive, so a round never empties
    # without placing someone).
    places: dict = {}
    remaining = list(candidates)
    place = 1
    while remaining:
        unbeaten = [c for c in remaining if not any(p[o][c] > p[c][o] for o in remaining if o != c)]
        for c in unbeaten:
            places[c] = place
        place += len(unbeaten)
        remaining = [c for c in remaining if c not in unbeaten]
    return SchulzeResult(candidates=candidates, places=places, d=d, p=p)
