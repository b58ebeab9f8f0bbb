"""How fast the jury assignment solver places the reviews of a large edition, and how evenly.

The solver (``jury.assignment.assignment_solve``) is pure computation on plain data, so this
bench needs no database and does not set up Django: it generates a round the size of a real
edition and calls the solver directly.

* N entries (``--submissions``) spread evenly over 4 categories, each needing k reviews
  (``--k``);
* J jurors (``--jurors``), a quarter per category, a few of them judging a second category,
  expertise 1–3, a few with a capacity below the average load;
* about 2 % of the possible (juror, entry) pairs conflicted, about 10 % with a bid (mostly
  "want", some "rather not").

The solve runs ``--repeat`` times (after one untimed warm-up run); the bench reports the best
and median seconds, the loads afterwards, the reviews left short, and whether every run (and
a run on shuffled input) gave the same pairs. ``spread_by_category`` is max − min load over
every juror of a category's pool; jurors held back by a capacity or busy in a second category
widen it legitimately, so ``spread_plain_by_category`` gives the same over the jurors of that
category only who are below any capacity (expected ≤ 1). The last line on stdout is one JSON
object.

    .venv/bin/python bench/assignment.py [--submissions 2000] [--jurors 60] [--k 3]
"""

import argparse
import random
import statistics
import sys
import time
from collections import Counter

from _common import ROOT, emit, log

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from jury.assignment import EntryNeed, JurorSlot, assignment_solve

CATEGORIES = (1, 2, 3, 4)
WANT, RATHER_NOT = 1, -1  # jury.enums.Preference
CONFLICT_SHARE = 0.02
BID_SHARE = 0.10
WANT_SHARE = 0.7  # of the bids; the rest are "rather not"
SECOND_CATEGORY_SHARE = 0.1  # of the jurors judge a second category
CAPACITY_SHARE = 0.05  # of the jurors (at least one) have a capacity


def generate(*, submissions: int, jurors: int, k: int, rng: random.Random):
    """Entries, jurors, conflicts and bids of one round, as the solver takes them."""
    entries = [
        EntryNeed(submission_id=1000 + n, category_id=CATEGORIES[n % len(CATEGORIES)], need=k)
        for n in range(submissions)
    ]
    per_juror = submissions * k / max(1, jurors)
    two_categories = set(rng.sample(range(jurors), round(jurors * SECOND_CATEGORY_SHARE)))
    limited = set(rng.sample(range(jurors), max(1, round(jurors * CAPACITY_SHARE))))
    slots = []
    for n in range(jurors):
        home = CATEGORIES[n % len(CATEGORIES)]
        categories = {home: rng.randint(1, 3)}
        if n in two_categories:
            second = rng.choice([c for c in CATEGORIES if c != home])
            categories[second] = rng.randint(1, 3)
        capacity = None
        if n in limited:
            capacity = rng.randint(int(per_juror * 0.3), int(per_juror * 0.8))
        slots.append(JurorSlot(juror_id=100 + n, categories=categories, load=0, capacity=capacity))
    conflicts, bids = [], {}
    for juror in slots:
        for entry in entries:
            if entry.category_id not in juror.categories:
                continue
            pair = (juror.juror_id, entry.submission_id)
            if rng.random() < CONFLICT_SHARE:
                conflicts.append(pair)
            elif rng.random() < BID_SHARE:
                bids[pair] = WANT if rng.random() < WANT_SHARE else RATHER_NOT
    return entries, slots, conflicts, bids


def shuffled(entries, jurors, conflicts, bids, rng: random.Random):
    entries, jurors, conflicts = list(entries), list(jurors), list(conflicts)
    bid_items = list(bids.items())
    for items in (entries, jurors, conflicts, bid_items):
        rng.shuffle(items)
    return entries, jurors, conflicts, dict(bid_items)


def main(argv: list[str] | None = None) -> None:
    arguments = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    arguments.add_argument(
        "--submissions", type=int, default=2000, help="entries in the round (default: 2000)"
    )
    arguments.add_argument("--jurors", type=int, default=60, help="jurors (default: 60)")
    arguments.add_argument("--k", type=int, default=3, help="reviews per entry (default: 3)")
    arguments.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    arguments.add_argument("--repeat", type=int, default=3, help="timed solves (default: 3)")
    args = arguments.parse_args(argv)
    rng = random.Random(args.seed)

    entries, jurors, conflicts, bids = generate(
        submissions=args.submissions, jurors=args.jurors, k=args.k, rng=rng
    )
    log(
        f"generated {len(entries)} entries, {len(jurors)} jurors, {len(conflicts)} conflicts, "
        f"{len(bids)} bids"
    )

    def solve(data):
        e, j, c, b = data
        started = time.perf_counter()
        result = assignment_solve(e, j, forbidden=c, preferences=b)
        return time.perf_counter() - started, result

    data = (entries, jurors, conflicts, bids)
    warmup_s, first = solve(data)
    log(f"warm-up solve: {warmup_s:.2f} s")
    times, runs = [], []
    for n in range(max(1, args.repeat)):
        elapsed, result = solve(data)
        times.append(elapsed)
        runs.append(result)
        log(f"solve {n + 1}: {elapsed:.2f} s")
    _shuffled_s, from_shuffled = solve(shuffled(*data, rng))
    deterministic = all(r.pairs == first.pairs for r in runs)
    deterministic_shuffled = from_shuffled.pairs == first.pairs

    result = runs[0]
    loads = result.loads
    capped = {
        j.juror_id for j in jurors if j.capacity is not None and loads[j.juror_id] >= j.capacity
    }
    spread, spread_plain = {}, {}
    for category in CATEGORIES:
        pool = [j.juror_id for j in jurors if category in j.categories]
        if pool:
            spread[str(category)] = max(loads[i] for i in pool) - min(loads[i] for i in pool)
        # Jurors of this category only and below any capacity: their loads should be even.
        plain = [
            j.juror_id
            for j in jurors
            if set(j.categories) == {category} and j.juror_id not in capped
        ]
        if plain:
            spread_plain[str(category)] = max(loads[i] for i in plain) - min(
                loads[i] for i in plain
            )
    per_category = Counter(e.category_id for e in entries)
    figures = {
        "submissions": len(entries),
        "jurors": len(jurors),
        "k": args.k,
        "seed": args.seed,
        "repeat": len(times),
        "conflicts": len(conflicts),
        "bids": len(bids),
        "two_category_jurors": sum(1 for j in jurors if len(j.categories) > 1),
        "capacity_jurors": sum(1 for j in jurors if j.capacity is not None),
        "capped_jurors": len(capped),
        "reviews_needed": sum(e.need for e in entries),
        "reviews_placed": len(result.pairs),
        "solve_s": round(statistics.median(times), 3),
        "solve_s_best": round(min(times), 3),
        "solve_s_median": round(statistics.median(times), 3),
        "load_min": min(loads.values()),
        "load_max": max(loads.values()),
        "short": sum(result.short.values()),
        "short_entries": len(result.short),
        "spread_by_category": spread,
        "spread_plain_by_category": spread_plain,
        "entries_by_category": {str(c): n for c, n in sorted(per_category.items())},
        "wanted_pairs_placed": sum(1 for p in result.pairs if bids.get(p) == WANT),
        "rather_not_pairs_placed": sum(1 for p in result.pairs if bids.get(p) == RATHER_NOT),
        "deterministic": deterministic and deterministic_shuffled,
        "deterministic_repeat": deterministic,
        "deterministic_shuffled": deterministic_shuffled,
    }
    log(
        f"median {figures['solve_s']} s, best {figures['solve_s_best']} s; loads "
        f"{figures['load_min']}–{figures['load_max']}, short {figures['short']}, spread {spread}"
    )
    emit(figures)


if __name__ == "__main__":
    main()
