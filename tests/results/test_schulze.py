"""The Schulze method (jury/schulze.py): the worked example from Wikipedia, ties, partial
ballots, and properties. No database."""

from hypothesis import given, settings
from hypothesis import strategies as st

from results.engine.schulze import schulze

# Wikipedia, "Schulze method", example with 45 voters.
WIKIPEDIA = [
    (5, "ACBED"),
    (5, "ADECB"),
    (8, "BEDAC"),
    (3, "CABED"),
    (7, "CAEBD"),
    (2, "CBADE"),
    (7, "DCEBA"),
    (8, "EBADC"),
]
# d[row][column] and p[row][column] in the order A..E, as in the article.
WIKIPEDIA_D = {
    "A": [None, 20, 26, 30, 22],
    "B": [25, None, 16, 33, 18],
    "C": [19, 29, None, 17, 24],
    "D": [15, 12, 28, None, 14],
    "E": [23, 27, 21, 31, None],
}
WIKIPEDIA_P = {
    "A": [None, 28, 28, 30, 24],
    "B": [25, None, 28, 33, 24],
    "C": [25, 29, None, 29, 24],
    "D": [25, 28, 28, None, 24],
    "E": [25, 28, 28, 31, None],
}


def ranked(order: str) -> dict:
    return {candidate: rank for rank, candidate in enumerate(order, start=1)}


def wikipedia_ballots() -> list[dict]:
    return [ranked(order) for count, order in WIKIPEDIA for _ in range(count)]


def as_rows(matrix: dict) -> dict:
    return {a: [matrix[a].get(b) for b in "ABCDE"] for a in "ABCDE"}


def test_wikipedia_example():
    ballots = wikipedia_ballots()
    assert len(ballots) == 45
    result = schulze("ABCDE", ballots)
    assert result.places == {"E": 1, "A": 2, "C": 3, "B": 4, "D": 5}
    assert [c for _place, c in result.ranking()] == list("EACBD")
    assert result.d["A"]["B"] == 20
    assert result.d["B"]["A"] == 25
    assert result.p["A"]["B"] == 28
    assert result.p["E"]["D"] == 31
    assert as_rows(result.d) == WIKIPEDIA_D
    assert as_rows(result.p) == WIKIPEDIA_P


def test_pairwise_counts_match_a_direct_count():
    ballots = wikipedia_ballots()
    result = schulze("ABCDE", ballots)
    for a in "ABCDE":
        for b in "ABCDE":
            if a != b:
                assert result.d[a][b] == sum(1 for x in ballots if x[a] < x[b])
                assert result.d[a][b] + result.d[b][a] == 45


def test_two_candidates_one_ballot_each_way_tie():
    result = schulze(["A", "B"], [{"A": 1, "B": 2}, {"B": 1, "A": 2}])
    assert result.places == {"A": 1, "B": 1}
    assert result.d == {"A": {"B": 1}, "B": {"A": 1}}
    assert result.p == {"A": {"B": 0}, "B": {"A": 0}}


def test_no_ballots_everyone_shares_first_place():
    assert schulze("ABC", []).places == {"A": 1, "B": 1, "C": 1}


def test_single_candidate():
    assert schulze(["A"], [{"A": 1}]).places == {"A": 1}


def test_equal_ranks_and_unranked_candidates():
    # Ballot 1 ties A and B and leaves C and D out; ballot 2 ranks C over A, leaves B and D
    # out; ballot 3 ranks everyone. A ballot says nothing about a pair it does not rank
    # (a juror in conflict with a finalist never sees it): only ranked pairs count.
    ballots = [{"A": 1, "B": 1}, {"C": 1, "A": 2}, {"A": 1, "B": 2, "C": 3, "D": 4}]
    result = schulze("ABCD", ballots)
    assert result.d["A"] == {"B": 1, "C": 1, "D": 1}
    assert result.d["B"] == {"A": 0, "C": 1, "D": 1}
    assert result.d["C"] == {"A": 1, "B": 0, "D": 1}
    assert result.d["D"] == {"A": 0, "B": 0, "C": 0}
    # A–C tie 1:1 directly, but A beats C through B (A > B > C, strength 1).
    assert result.p["A"]["C"] == 1
    assert result.p["C"]["A"] == 0
    assert result.places == {"A": 1, "B": 2, "C": 3, "D": 4}


def test_a_candidate_missing_from_a_ballot_is_not_counted_against_it():
    # The first juror is in conflict with A and ranks only B: the two jurors who ranked both
    # split 1:1, so A and B tie.
    result = schulze(["A", "B"], [{"B": 1}, {"A": 1, "B": 2}, {"B": 1, "A": 2}])
    assert result.d == {"A": {"B": 1}, "B": {"A": 1}}
    assert result.places == {"A": 1, "B": 1}


def test_ballot_ties_give_shared_places():
    # Everyone ranks A first and ties B and C: B and C are never preferred to each other.
    ballots = [{"A": 1, "B": 2, "C": 2}] * 3 + [{"A": 1}]
    result = schulze("ABC", ballots)
    assert result.d["B"]["C"] == result.d["C"]["B"] == 0
    assert result.places == {"A": 1, "B": 2, "C": 2}


def test_condorcet_cycle_resolved_by_strength():
    # A > B by 6:3, B > C by 7:2, C > A by 5:4; the weakest link (C > A) is dropped.
    ballots = [ranked("ABC")] * 4 + [ranked("BCA")] * 3 + [ranked("CAB")] * 2
    result = schulze("ABC", ballots)
    assert result.d["A"]["B"] == 6
    assert result.d["B"]["C"] == 7
    assert result.d["C"]["A"] == 5
    assert result.places == {"A": 1, "B": 2, "C": 3}


def test_ballot_mentioning_unknown_candidate_is_counted_for_the_rest():
    result = schulze("AB", [{"Z": 1, "B": 2, "A": 3}])
    assert result.places == {"B": 1, "A": 2}


def test_every_unbeaten_candidate_is_placed_first():
    # d: C beats A 2:0, A–B 1:1 and B–C 1:1 are ties. Nobody beats B (p[C][B] = p[B][C] = 0),
    # so the Schulze winners are B and C; A, beaten by C, comes third.
    ballots = [ranked("BCA"), ranked("CAB")]
    result = schulze("ABC", ballots)
    assert result.d["C"]["A"] == 2
    assert result.p["C"]["B"] == result.p["B"]["C"] == 0
    assert result.places == {"B": 1, "C": 1, "A": 3}


# --- properties --------------------------------------------------------------------------
@st.composite
def elections(draw):
    n = draw(st.integers(1, 6))
    candidates = [f"c{i}" for i in range(n)]
    rank = st.none() | st.integers(1, n)
    ballots = []
    for _ in range(draw(st.integers(0, 15))):
        ranks = draw(st.lists(rank, min_size=n, max_size=n))
        ballots.append({c: r for c, r in zip(candidates, ranks, strict=True) if r is not None})
    return candidates, ballots


def beats(result, a, b) -> bool:
    return result.p[a][b] > result.p[b][a]


@settings(max_examples=60, deadline=None)
@given(elections(), st.randoms(use_true_random=False))
def test_order_of_ballots_and_candidates_does_not_matter(election, rnd):
    candidates, ballots = election
    result = schulze(candidates, ballots)
    candidates2, ballots2 = list(candidates), list(ballots)
    rnd.shuffle(candidates2)
    rnd.shuffle(ballots2)
    ballots2 = [dict(rnd.sample(list(b.items()), len(b))) for b in ballots2]
    other = schulze(candidates2, ballots2)
    assert other.places == result.places
    assert other.d == result.d
    assert other.p == result.p


@settings(max_examples=60, deadline=None)
@given(elections())
def test_condorcet_winner_is_first_alone(election):
    candidates, ballots = election
    result = schulze(candidates, ballots)
    for w in candidates:
        if all(result.d[w][x] > result.d[x][w] for x in candidates if x != w):
            assert result.places[w] == 1
            assert [c for c in candidates if result.places[c] == 1] == [w]


@settings(max_examples=60, deadline=None)
@given(elections())
def test_places_follow_the_beat_relation(election):
    candidates, ballots = election
    result = schulze(candidates, ballots)
    assert set(result.places) == set(candidates)
    for a in candidates:
        # A place counts the candidates placed strictly above, plus one.
        above = sum(1 for b in candidates if result.places[b] < result.places[a])
        assert result.places[a] == above + 1
        for b in candidates:
            if a == b:
                continue
            if beats(result, a, b):
                assert result.places[a] < result.places[b]
                # The beat relation is transitive (Schulze's theorem).
                for c in candidates:
                    if c not in (a, b) and beats(result, b, c):
                        assert beats(result, a, c)
            if result.places[a] == result.places[b]:
                assert not beats(result, a, b)
    # Whoever is placed first is beaten by nobody.
    for w in candidates:
        if result.places[w] == 1:
            assert not any(beats(result, x, w) for x in candidates if x != w)
