"""The assignment solver (jury/assignment.py) on plain data: properties and hand examples.

No database. The properties check the solver against an independent max-flow (networkx):
coverage is maximal, every constraint holds, the result does not depend on input order, and
within equal coverage the cost (load, preferences, expertise) is minimal.
"""

from collections import Counter, defaultdict

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from jury.assignment import (
    EXPERTISE_MAX,
    AssignmentResult,
    EntryNeed,
    JurorSlot,
    assignment_solve,
)

WANT, NEUTRAL, RATHER_NOT = 1, 0, -1  # jury.enums.Preference


# --- instances ---------------------------------------------------------------------------
@st.composite
def instances(draw, *, simple: bool = False):
    """A random round: entries, jurors, forbidden pairs and preferences.

    ``simple``: every juror in exactly one category, no capacities, no base loads and no
    forbidden pairs (the setting in which the loads of a pool must be even).
    """
    n_categories = draw(st.integers(1, 4))
    category_ids = draw(
        st.lists(st.integers(1, 99), min_size=n_categories, max_size=n_categories, unique=True)
    )
    n_entries = draw(st.integers(0, 40))
    submission_ids = draw(
        st.lists(st.integers(1, 10_000), min_size=n_entries, max_size=n_entries, unique=True)
    )
    entries = [
        EntryNeed(
            submission_id=sid,
            category_id=draw(st.sampled_from(category_ids)),
            need=draw(st.integers(1, 4)),
        )
        for sid in submission_ids
    ]
    n_jurors = draw(st.integers(1, 15))
    juror_ids = draw(
        st.lists(st.integers(1, 10_000), min_size=n_jurors, max_size=n_jurors, unique=True)
    )
    jurors = []
    for jid in juror_ids:
        judged = draw(
            st.lists(
                st.sampled_from(category_ids), min_size=1, max_size=1 if simple else 2, unique=True
            )
        )
        jurors.append(
            JurorSlot(
                juror_id=jid,
                categories={c: draw(st.integers(1, EXPERTISE_MAX)) for c in judged},
                load=0 if simple else draw(st.integers(0, 3)),
                capacity=None if simple else draw(st.none() | st.integers(0, 20)),
            )
        )
    pair = st.tuples(st.sampled_from(juror_ids), st.sampled_from(submission_ids or [0]))
    forbidden = [] if simple else draw(st.lists(pair, max_size=40))
    preferences = draw(st.dictionaries(pair, st.sampled_from([RATHER_NOT, NEUTRAL, WANT])))
    return entries, jurors, forbidden, preferences


def room(juror: JurorSlot, entries: list[EntryNeed]) -> int:
    """How many new reviews the juror may take."""
    if juror.capacity is None:
        return len(entries)
    return max(0, juror.capacity - juror.load)


def allowed(juror: JurorSlot, entry: EntryNeed, forbidden: set) -> bool:
    return (
        entry.category_id in juror.categories
        and (juror.juror_id, entry.submission_id) not in forbidden
    )


def flow_network(entries, jurors, forbidden) -> nx.DiGraph:
    """source → entry (need) → juror (1) → sink (room), independent of the solver."""
    forbidden = set(forbidden)
    graph = nx.DiGraph()
    graph.add_node("source")
    graph.add_node("sink")
    for entry in entries:
        graph.add_edge("source", ("s", entry.submission_id), capacity=entry.need)
        for juror in jurors:
            if allowed(juror, entry, forbidden):
                graph.add_edge(("s", entry.submission_id), ("j", juror.juror_id), capacity=1)
    for juror in jurors:
        graph.add_edge(("j", juror.juror_id), "sink", capacity=room(juror, entries))
    return graph


def max_flow(entries, jurors, forbidden) -> int:
    return nx.maximum_flow_value(flow_network(entries, jurors, forbidden), "source", "sink")


# Integer costs for the independent min-cost check: the solver's costs × 4 (LOAD_WEIGHT 100,
# PREFERENCE_WEIGHT 1, EXPERTISE_WEIGHT 0.25), coverage first by taking a maximum flow.
def cost_network(entries, jurors, forbidden, preferences) -> nx.DiGraph:
    forbidden = set(forbidden)
    graph = nx.DiGraph()
    graph.add_node("source")
    graph.add_node("sink")
    for entry in entries:
        graph.add_edge("source", ("s", entry.submission_id), capacity=entry.need, weight=0)
        for juror in jurors:
            if allowed(juror, entry, forbidden):
                graph.add_edge(
                    ("s", entry.submission_id),
                    ("j", juror.juror_id),
                    capacity=1,
                    weight=pair_cost4(juror, entry, preferences),
                )
    for juror in jurors:
        for level in range(1, min(room(juror, entries), len(entries)) + 1):
            node = ("l", juror.juror_id, level)
            graph.add_edge(("j", juror.juror_id), node, capacity=1, weight=0)
            graph.add_edge(node, "sink", capacity=1, weight=400 * (juror.load + level))
    return graph


def pair_cost4(juror, entry, preferences) -> int:
    preference = preferences.get((juror.juror_id, entry.submission_id), 0)
    return -4 * preference + (EXPERTISE_MAX - juror.categories[entry.category_id])


def solution_cost4(result: AssignmentResult, entries, jurors, preferences) -> int:
    by_entry = {e.submission_id: e for e in entries}
    by_juror = {j.juror_id: j for j in jurors}
    total = 0
    new = Counter(juror_id for juror_id, _sid in result.pairs)
    for juror_id, sid in result.pairs:
        total += pair_cost4(by_juror[juror_id], by_entry[sid], preferences)
    for juror_id, count in new.items():
        load = by_juror[juror_id].load
        total += sum(400 * (load + level) for level in range(1, count + 1))
    return total


def check_valid(result: AssignmentResult, entries, jurors, forbidden) -> None:
    """Every hard constraint, and the bookkeeping of ``short`` and ``loads``."""
    by_entry = {e.submission_id: e for e in entries}
    by_juror = {j.juror_id: j for j in jurors}
    forbidden = set(forbidden)
    pairs = result.pairs
    assert len(pairs) == len(set(pairs)), "a juror twice on one entry"
    assert pairs == sorted(pairs)
    for juror_id, sid in pairs:
        assert (juror_id, sid) not in forbidden
        assert by_entry[sid].category_id in by_juror[juror_id].categories
    placed = Counter(sid for _jid, sid in pairs)
    for entry in entries:
        assert placed[entry.submission_id] <= entry.need
    assert result.short == {
        e.submission_id: e.need - placed[e.submission_id]
        for e in entries
        if placed[e.submission_id] < e.need
    }
    new = Counter(jid for jid, _sid in pairs)
    assert result.loads == {j.juror_id: j.load + new[j.juror_id] for j in jurors}
    for juror in jurors:
        if juror.capacity is not None:
            assert new[juror.juror_id] <= max(0, juror.capacity - juror.load)


def shuffled(instance, rng):
    entries, jurors, forbidden, preferences = instance
    entries, jurors, forbidden = list(entries), list(jurors), list(forbidden)
    rng.shuffle(entries)
    rng.shuffle(forbidden)
    jurors = [
        JurorSlot(
            juror_id=j.juror_id,
            categories=dict(rng.sample(list(j.categories.items()), len(j.categories))),
            load=j.load,
            capacity=j.capacity,
        )
        for j in jurors
    ]
    rng.shuffle(jurors)
    items = list(preferences.items())
    rng.shuffle(items)
    return entries, jurors, forbidden, dict(items)


def solve(entries, jurors, forbidden, preferences) -> AssignmentResult:
    return assignment_solve(entries, jurors, forbidden=forbidden, preferences=preferences)


# --- properties --------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(instances())
def test_constraints_hold_and_coverage_is_maximal(instance):
    entries, jurors, forbidden, preferences = instance
    result = solve(entries, jurors, forbidden, preferences)
    check_valid(result, entries, jurors, forbidden)
    assert len(result.pairs) == max_flow(entries, jurors, forbidden)
    assert sum(result.short.values()) == sum(e.need for e in entries) - len(result.pairs)


@settings(max_examples=60, deadline=None)
@given(instances(), st.randoms(use_true_random=False))
def test_deterministic_and_independent_of_input_order(instance, rng):
    first = solve(*instance)
    again = solve(*instance)
    other = solve(*shuffled(instance, rng))
    assert again.pairs == first.pairs
    assert other.pairs == first.pairs
    assert other.short == first.short
    assert other.loads == first.loads


@settings(max_examples=60, deadline=None)
@given(instances())
def test_cost_is_minimal_among_maximal_assignments(instance):
    """Independent check of the objective: networkx's min-cost maximum flow on the same
    costs (scaled to integers) is no cheaper than the solver's assignment."""
    entries, jurors, forbidden, preferences = instance
    result = solve(entries, jurors, forbidden, preferences)
    graph = cost_network(entries, jurors, forbidden, preferences)
    flow = nx.max_flow_min_cost(graph, "source", "sink")
    best = nx.cost_of_flow(graph, flow)
    assert solution_cost4(result, entries, jurors, preferences) == best


@settings(max_examples=60, deadline=None)
@given(instances(simple=True))
def test_loads_even_within_each_pool_when_fully_covered(instance):
    entries, jurors, forbidden, preferences = instance
    result = solve(entries, jurors, forbidden, preferences)
    check_valid(result, entries, jurors, forbidden)
    if result.short:
        return
    pools = defaultdict(list)
    for juror in jurors:
        (category_id,) = juror.categories
        pools[category_id].append(result.loads[juror.juror_id])
    for loads in pools.values():
        assert max(loads) - min(loads) <= 1, pools


# --- hand examples -----------------------------------------------------------------------
def juror(juror_id, *categories, expertise=2, load=0, capacity=None):
    return JurorSlot(
        juror_id=juror_id,
        categories=dict.fromkeys(categories or (1,), expertise),
        load=load,
        capacity=capacity,
    )


def test_three_jurors_three_entries_need_two_each_juror_gets_two():
    entries = [EntryNeed(sid, 1, 2) for sid in (11, 12, 13)]
    result = assignment_solve(entries, [juror(1), juror(2), juror(3)])
    assert result.loads == {1: 2, 2: 2, 3: 2}
    assert result.short == {}
    assert len(result.pairs) == 6
    assert Counter(sid for _j, sid in result.pairs) == {11: 2, 12: 2, 13: 2}


def test_conflict_forces_the_juror_out():
    entries = [EntryNeed(11, 1, 2)]
    result = assignment_solve(entries, [juror(1), juror(2), juror(3)], forbidden=[(1, 11)])
    assert result.pairs == [(2, 11), (3, 11)]
    assert result.short == {}
    assert result.loads == {1: 0, 2: 1, 3: 1}


def test_conflict_leaves_the_entry_short():
    entries = [EntryNeed(11, 1, 2)]
    result = assignment_solve(entries, [juror(1), juror(2)], forbidden=[(2, 11)])
    assert result.pairs == [(1, 11)]
    assert result.short == {11: 1}


def test_need_larger_than_the_pool_is_reported_short():
    entries = [EntryNeed(11, 1, 5), EntryNeed(12, 1, 3), EntryNeed(13, 2, 2)]
    jurors = [juror(1), juror(2), juror(3, 2)]
    result = assignment_solve(entries, jurors)
    assert result.pairs == [(1, 11), (1, 12), (2, 11), (2, 12), (3, 13)]
    assert result.short == {11: 3, 12: 1, 13: 1}
    assert result.loads == {1: 2, 2: 2, 3: 1}


def test_entry_without_any_juror_in_its_category_is_short():
    result = assignment_solve([EntryNeed(11, 7, 3)], [juror(1)])
    assert result.pairs == []
    assert result.short == {11: 3}
    assert result.loads == {1: 0}


def test_entries_with_nothing_to_place_are_ignored():
    result = assignment_solve([EntryNeed(11, 1, 0)], [juror(1)])
    assert result == AssignmentResult(pairs=[], short={}, loads={1: 0})


def test_no_entries_and_no_jurors():
    assert assignment_solve([], []) == AssignmentResult()


def test_want_is_honoured_when_loads_are_equal():
    entries = [EntryNeed(1, 1, 1), EntryNeed(2, 1, 1)]
    jurors = [juror(10), juror(20)]
    result = assignment_solve(entries, jurors, preferences={(10, 1): WANT, (20, 2): WANT})
    assert result.pairs == [(10, 1), (20, 2)]
    # ... and the other way round, so the first answer is not the tie-break by chance.
    result = assignment_solve(entries, jurors, preferences={(10, 2): WANT, (20, 1): WANT})
    assert result.pairs == [(10, 2), (20, 1)]


def test_rather_not_is_avoided_when_loads_are_equal():
    entries = [EntryNeed(1, 1, 1), EntryNeed(2, 1, 1)]
    jurors = [juror(10), juror(20)]
    result = assignment_solve(
        entries, jurors, preferences={(10, 1): RATHER_NOT, (20, 2): RATHER_NOT}
    )
    assert result.pairs == [(10, 2), (20, 1)]


def test_want_does_not_beat_an_even_load():
    entries = [EntryNeed(1, 1, 1), EntryNeed(2, 1, 1)]
    result = assignment_solve(
        entries, [juror(10), juror(20)], preferences={(10, 1): WANT, (10, 2): WANT}
    )
    assert result.loads == {10: 1, 20: 1}


def test_expertise_decides_between_equal_jurors():
    jurors = [juror(10, expertise=1), juror(20, expertise=3), juror(30, expertise=2)]
    result = assignment_solve([EntryNeed(1, 1, 1)], jurors)
    assert result.pairs == [(20, 1)]


def test_juror_at_capacity_gets_nothing():
    entries = [EntryNeed(sid, 1, 1) for sid in (1, 2, 3, 4)]
    jurors = [juror(10, load=3, capacity=3), juror(20), juror(30, load=5, capacity=2)]
    result = assignment_solve(entries, jurors)
    assert [j for j, _sid in result.pairs] == [20, 20, 20, 20]
    assert result.loads == {10: 3, 20: 4, 30: 5}
    assert result.short == {}


def test_capacity_limits_new_reviews_and_leaves_the_rest_short():
    entries = [EntryNeed(sid, 1, 1) for sid in (1, 2, 3, 4)]
    result = assignment_solve(entries, [juror(10, load=1, capacity=3)])
    assert len(result.pairs) == 2
    assert result.loads == {10: 3}
    assert sum(result.short.values()) == 2


def test_base_load_is_evened_out():
    entries = [EntryNeed(sid, 1, 1) for sid in range(1, 7)]
    result = assignment_solve(entries, [juror(10, load=4), juror(20)])
    assert result.loads == {10: 5, 20: 5}


def test_coverage_comes_before_balance():
    # Juror 10 judges both categories, juror 20 only category 1: the category-2 entries
    # can only go to 10, however uneven that makes the loads.
    entries = [EntryNeed(1, 2, 1), EntryNeed(2, 2, 1), EntryNeed(3, 2, 1), EntryNeed(4, 1, 1)]
    result = assignment_solve(entries, [juror(10, 1, 2), juror(20, 1)])
    assert result.pairs == [(10, 1), (10, 2), (10, 3), (20, 4)]
    assert result.short == {}
