"""The rankings of a round fed from the database with the award's methods, and the decisions
taken on them: who may decide what, when a justification is needed, the frozen snapshot,
the audit trail, and reopening."""

import datetime as dt
import hashlib
import json

import pytest
from django.utils import timezone, translation

from awards.models import AuditEntry, Award
from jury import services
from jury.models import Ballot, JurorCategory, RoundEntry, Score
from results import selectors as results_selectors
from results import services as results_services
from results.engine import CriterionSpec, RankedEntry, ReviewData, ranking_compute
from results.models import Decision, RankingSnapshot
from tests.factories import (
    CategoryFactory,
    RoundFactory,
    SubmissionFactory,
    judging_setup,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def raw_setup(**kwargs):
    """``judging_setup`` with the award ranking plain means of raw totals (the default is
    z-scores), so that places can be worked out by hand."""
    setup = judging_setup(**kwargs)
    setup.award.ranking_normalisation = "raw"
    setup.award.save()
    setup.round.refresh_from_db()
    return setup


def scored(setup, juror, submission, first, second=None, *, submit=True):
    """``juror`` scores ``submission`` through the real services (assignment, review)."""
    assignment = services.assignment_add(
        round=setup.round, juror=juror, submission=submission, actor=setup.organiser
    )
    second = first if second is None else second
    return services.review_save(
        assignment=assignment,
        actor=juror.user,
        version=0,
        scores={setup.criteria[0].pk: first, setup.criteria[1].pk: second},
        submit=submit,
    )


def close(setup):
    services.round_close(round=setup.round, actor=setup.organiser)
    setup.round.refresh_from_db()


def refusal(**kwargs):
    with pytest.raises(results_services.DecisionError) as caught:
        results_services.decision_confirm(**kwargs)
    return caught.value


def places_of(ranking):
    return [(row.submission_id, row.place, row.tied, row.reviews) for row in ranking.rows]


# --- Rankings of a scores round ----------------------------------------------------------


@pytest.fixture
def scores_round():
    """Three jurors of different severity on five entries (the fifth has no review, the
    third juror's draft on it does not count). Criteria 1–10, equal weights; each review
    gives both criteria the same score, so its total is (score − 1) / 9 × 100."""
    setup = raw_setup(entries=5, jurors=3, criteria=2)
    j0, j1, j2 = setup.jurors
    e = setup.submissions
    plan = [
        (j0, e[0], 4),
        (j0, e[1], 2),
        (j0, e[2], 1),
        (j1, e[0], 9),
        (j1, e[1], 10),
        (j1, e[3], 8),
        (j2, e[1], 6),
        (j2, e[2], 5),
        (j2, e[3], 7),
        (j2, e[0], 3),
    ]
    setup.reviews = [(scored(setup, j, s, v), j, s, v) for j, s, v in plan]
    scored(setup, j2, e[4], 10, submit=False)
    return setup


def by_hand(setup):
    """The same reviews as plain data, written out from the plan (not read back)."""
    first, second = setup.criteria
    criteria = [
        CriterionSpec(first.pk, 1.0, 1, 10),
        CriterionSpec(second.pk, 1.0, 1, 10),
    ]
    reviews = [
        ReviewData(review.pk, juror.pk, entry.pk, setup.category.pk, {first.pk: v, second.pk: v})
        for review, juror, entry, v in setup.reviews
    ]
    return criteria, reviews


@pytest.mark.parametrize("normalisation", ["raw", "zscore", "borda"])
@pytest.mark.parametrize("aggregation", ["mean", "median", "trimmed_mean"])
def test_a_scores_round_is_ranked_with_the_awards_methods(scores_round, normalisation, aggregation):
    setup = scores_round
    setup.award.ranking_normalisation = normalisation
    setup.award.ranking_aggregation = aggregation
    setup.award.save()
    setup.round.refresh_from_db()
    criteria, reviews = by_hand(setup)
    entries = {s.pk: setup.category.pk for s in setup.submissions}

    rankings = results_selectors.round_rankings(setup.round)

    expected = ranking_compute(
        reviews, criteria, normalisation=normalisation, aggregation=aggregation, entries=entries
    )
    assert rankings == expected
    assert list(rankings) == [setup.category.pk]
    ranking = rankings[setup.category.pk]
    assert (ranking.normalisation, ranking.aggregation) == (normalisation, aggregation)
    # The entry with only a draft is listed, last, without a score or a place.
    assert ranking.rows[-1] == RankedEntry(setup.submissions[4].pk, None, None, False, 0, None, ())


def test_the_awards_normalisation_changes_the_winner(scores_round):
    setup = scores_round
    e = setup.submissions

    raw = results_selectors.round_rankings(setup.round)[setup.category.pk]
    assert (raw.normalisation, raw.aggregation) == ("raw", "mean")
    setup.award.ranking_normalisation = "zscore"
    setup.award.save()
    setup.round.refresh_from_db()
    zscore = results_selectors.round_rankings(setup.round)[setup.category.pk]

    # By hand: raw means 72.2 (e3: 77.8, 66.7), 55.6 (e1: 11.1, 100, 55.6),
    # 48.1 (e0: 33.3, 88.9, 22.2), 22.2 (e2: 0, 44.4).
    assert places_of(raw) == [
        (e[3].pk, 1, False, 2),
        (e[1].pk, 2, False, 3),
        (e[0].pk, 3, False, 3),
        (e[2].pk, 4, False, 2),
        (e[4].pk, None, False, 0),
    ]
    assert raw.rows[0].score == pytest.approx(650 / 9)
    assert raw.rows[1].score == pytest.approx(500 / 9)
    assert [row.submission_id for row in zscore.ranked][:2] == [e[1].pk, e[3].pk]


def test_the_tie_breaker_criterion_separates_equal_scores():
    setup = raw_setup(entries=3, jurors=2, criteria=2)
    j0, j1 = setup.jurors[:2]
    e = setup.submissions
    scored(setup, j0, e[0], 10, 4)  # (100 + 33.3) / 2
    scored(setup, j1, e[1], 4, 10)  # the same total, the other way round
    scored(setup, j0, e[2], 1, 1)

    untied = results_selectors.round_rankings(setup.round)[setup.category.pk]
    assert places_of(untied) == [
        (e[0].pk, 1, True, 1),
        (e[1].pk, 1, True, 1),
        (e[2].pk, 3, False, 1),
    ]

    setup.award.tie_break_criterion = setup.criteria[1]
    setup.award.save()
    setup.round.refresh_from_db()
    ranking = results_selectors.round_rankings(setup.round)[setup.category.pk]

    assert ranking.tie_breakers == (("criterion", setup.criteria[1].pk),)
    assert places_of(ranking) == [
        (e[1].pk, 1, False, 1),
        (e[0].pk, 2, False, 1),
        (e[2].pk, 3, False, 1),
    ]
    assert [row.tie_break_values for row in ranking.rows] == [(10.0,), (4.0,), (1.0,)]


def test_a_round_without_any_review_lists_its_entries_without_places():
    setup = judging_setup(entries=2, jurors=1, criteria=2)

    ranking = results_selectors.round_rankings(setup.round)[setup.category.pk]

    assert places_of(ranking) == [
        (setup.submissions[0].pk, None, False, 0),
        (setup.submissions[1].pk, None, False, 0),
    ]
    assert ranking.ranked == ()


def test_each_category_is_ranked_on_its_own():
    setup = judging_setup(entries=2, jurors=2, criteria=2)
    other = CategoryFactory(award=setup.award)
    entry = SubmissionFactory(award=setup.award, category=other, status="eligible")
    RoundEntry.objects.create(round=setup.round, submission=entry)
    JurorCategory.objects.create(juror=setup.jurors[0], category=other)
    scored(setup, setup.jurors[0], entry, 2)
    scored(setup, setup.jurors[0], setup.submissions[0], 9)

    rankings = results_selectors.round_rankings(setup.round)

    assert places_of(rankings[other.pk]) == [(entry.pk, 1, False, 1)]
    assert places_of(rankings[setup.category.pk]) == [
        (setup.submissions[0].pk, 1, False, 1),
        (setup.submissions[1].pk, None, False, 0),
    ]


# --- Rankings of a ranking round (Schulze) -----------------------------------------------


@pytest.fixture
def final():
    """A closed first round and a ranking round with three finalists a, b, c."""
    setup = judging_setup(entries=4, jurors=4, criteria=2)
    services.round_close(round=setup.round, actor=setup.organiser)
    final = RoundFactory(award=setup.award, number=2, method="ranking", status="open")
    for entry in setup.submissions[:3]:
        RoundEntry.objects.create(round=final, submission=entry)
    setup.final = final
    setup.a, setup.b, setup.c = setup.submissions[:3]
    return setup


def ballot(setup, juror, ranking, status="submitted"):
    return Ballot.objects.create(
        round=setup.final,
        juror=juror,
        category=setup.category,
        ranking={str(entry.pk): rank for entry, rank in ranking.items()},
        status=status,
    )


def test_a_ranking_round_gives_schulze_places_from_submitted_ballots(final):
    s = final
    j0, j1, j2, j3 = s.jurors
    ballot(s, j0, {s.a: 1, s.b: 2, s.c: 3})
    ballot(s, j1, {s.b: 1, s.a: 2, s.c: 3})
    ballot(s, j2, {s.a: 1, s.b: 2, s.c: 3}, status="draft")  # would break the tie
    j3.is_active = False
    j3.save()
    ballot(s, j3, {s.a: 1, s.b: 2, s.c: 3})  # a juror no longer on the jury

    ranking = results_selectors.round_rankings(s.final)[s.category.pk]

    assert places_of(ranking) == [
        (s.a.pk, 1, True, 2),
        (s.b.pk, 1, True, 2),
        (s.c.pk, 3, False, 2),
    ]
    assert (ranking.normalisation, ranking.aggregation) == ("schulze", "schulze")
    assert results_selectors.method_of(s.award, s.final) == {"round": 2, "method": "schulze"}


def test_a_third_ballot_breaks_the_schulze_tie(final):
    s = final
    j0, j1, j2, _ = s.jurors
    ballot(s, j0, {s.a: 1, s.b: 2, s.c: 3})
    ballot(s, j1, {s.b: 1, s.a: 2, s.c: 3})
    ballot(s, j2, {s.b: 1, s.c: 2, s.a: 3})

    ranking = results_selectors.round_rankings(s.final)[s.category.pk]

    assert places_of(ranking) == [
        (s.b.pk, 1, False, 3),
        (s.a.pk, 2, False, 3),
        (s.c.pk, 3, False, 3),
    ]


def test_a_ranking_round_without_ballots_has_no_places(final):
    ranking = results_selectors.round_rankings(final.final)[final.category.pk]

    assert places_of(ranking) == [
        (final.a.pk, None, False, 0),
        (final.b.pk, None, False, 0),
        (final.c.pk, None, False, 0),
    ]


# --- Deciding ----------------------------------------------------------------------------


@pytest.fixture
def decidable():
    """Two categories in a closed round. First category: e0 (first), e1, e2 ranked, e3
    without review. Second category: b0 before b1."""
    setup = raw_setup(entries=4, jurors=3, criteria=2)
    j0, j1, j2 = setup.jurors
    e = setup.submissions
    second = CategoryFactory(award=setup.award)
    b0, b1 = (
        SubmissionFactory(award=setup.award, category=second, status="eligible") for _ in range(2)
    )
    for entry in (b0, b1):
        RoundEntry.objects.create(round=setup.round, submission=entry)
    JurorCategory.objects.create(juror=j2, category=second)
    scored(setup, j0, e[0], 9)
    scored(setup, j1, e[0], 8)
    scored(setup, j0, e[1], 6)
    scored(setup, j1, e[1], 7)
    scored(setup, j2, e[2], 3)
    scored(setup, j2, b0, 9)
    scored(setup, j2, b1, 2)
    close(setup)
    setup.e, setup.second, setup.b0, setup.b1 = e, second, b0, b1
    return setup


def confirm(setup, places, mentions=(), justification="", category=None, award=None):
    return results_services.decision_confirm(
        award=award or setup.award,
        category=category or setup.category,
        choice=results_services.Choice(
            places=[p.pk for p in places], mentions=[m.pk for m in mentions]
        ),
        justification=justification,
        actor=setup.organiser,
    )


def choice_of(category):
    return [
        (d.submission_id, d.kind, d.place)
        for d in Decision.objects.filter(category=category).order_by("kind", "place", "pk")
    ]


def test_following_the_ranking_needs_no_justification(decidable):
    s = decidable

    decisions = confirm(s, [s.e[0]])

    assert choice_of(s.category) == [(s.e[0].pk, "place", 1)]
    assert [(d.justification, d.decided_by) for d in decisions] == [("", s.organiser)]
    entry = AuditEntry.objects.filter(award=s.award, action="decision.confirmed").get()
    assert (entry.actor, entry.object_type, entry.object_id) == (
        s.organiser,
        "awards.category",
        str(s.category.pk),
    )
    snapshot = RankingSnapshot.objects.get(category=s.category)
    assert entry.data == {
        "before": None,
        "after": {"places": [s.e[0].pk], "mentions": []},
        "references": {str(s.e[0].pk): s.e[0].reference},
        "departures": [],
        "justification": "",
        "round": 1,
        "snapshot": snapshot.digest,
    }


def test_departing_from_the_ranking_needs_a_justification(decidable):
    s = decidable

    error = refusal(
        award=s.award,
        category=s.category,
        choice=results_services.Choice(places=[s.e[1].pk]),
        justification="   ",
        actor=s.organiser,
    )

    assert list(error.message_dict) == ["justification"]
    assert error.message_dict["justification"] == [
        "The choice departs from the ranking (place 1): please give the jury's reasons."
    ]
    assert choice_of(s.category) == []
    assert not RankingSnapshot.objects.exists()
    assert not AuditEntry.objects.filter(action="decision.confirmed").exists()

    confirm(s, [s.e[1]], justification="  Built and tested; the leader is a concept.  ")

    assert choice_of(s.category) == [(s.e[1].pk, "place", 1)]
    decision = Decision.objects.get(category=s.category)
    assert decision.justification == "Built and tested; the leader is a concept."
    entry = AuditEntry.objects.get(action="decision.confirmed")
    assert entry.data["departures"] == [1]
    assert entry.data["justification"] == "Built and tested; the leader is a concept."


def test_each_departing_place_is_named(decidable):
    s = decidable
    s.award.places_per_category = 3
    s.award.save()

    error = refusal(
        award=s.award,
        category=s.category,
        choice=results_services.Choice(places=[s.e[0].pk, s.e[2].pk, s.e[3].pk]),
        justification="",
        actor=s.organiser,
    )

    # e2 passes over e1 for place 2; e3 has no review at all.
    assert error.message_dict["justification"] == [
        "The choice departs from the ranking (place 2, 3): please give the jury's reasons."
    ]
    confirm(s, [s.e[0], s.e[1], s.e[2]])
    assert choice_of(s.category) == [
        (s.e[0].pk, "place", 1),
        (s.e[1].pk, "place", 2),
        (s.e[2].pk, "place", 3),
    ]


def test_choosing_either_entry_tied_for_first_needs_no_justification():
    setup = raw_setup(entries=3, jurors=2, criteria=2)
    j0, j1 = setup.jurors
    e = setup.submissions
    scored(setup, j0, e[0], 8)
    scored(setup, j1, e[1], 8)
    scored(setup, j0, e[2], 2)
    close(setup)
    assert places_of(results_selectors.round_rankings(setup.round)[setup.category.pk])[:2] == [
        (e[0].pk, 1, True, 1),
        (e[1].pk, 1, True, 1),
    ]

    confirm(setup, [e[1]])

    assert choice_of(setup.category) == [(e[1].pk, "place", 1)]
    assert AuditEntry.objects.get(action="decision.confirmed").data["departures"] == []


def test_either_finalist_tied_by_schulze_can_win_without_justification(final):
    s = final
    ballot(s, s.jurors[0], {s.a: 1, s.b: 2, s.c: 3})
    ballot(s, s.jurors[1], {s.b: 1, s.a: 2, s.c: 3})
    services.round_close(round=s.final, actor=s.organiser)

    confirm(s, [s.b])

    assert choice_of(s.category) == [(s.b.pk, "place", 1)]
    snapshot = RankingSnapshot.objects.get(category=s.category)
    assert snapshot.round == s.final
    assert snapshot.method == {"round": 2, "method": "schulze"}
    assert [(r["submission"], r["place"], r["tied"]) for r in snapshot.rows] == [
        (s.a.pk, 1, True),
        (s.b.pk, 1, True),
        (s.c.pk, 3, False),
    ]


def test_the_snapshot_freezes_the_ranking_the_decision_was_taken_on(decidable):
    s = decidable
    s.award.places_per_category = 2
    s.award.special_mentions = True
    s.award.save()
    ranking = results_selectors.round_rankings(s.round)[s.category.pk]

    decisions = confirm(s, [s.e[0], s.e[1]], mentions=[s.e[2]])

    snapshot = RankingSnapshot.objects.get(category=s.category)
    assert {d.snapshot_id for d in decisions} == {snapshot.pk}
    expected_rows = [
        {
            "submission": row.submission_id,
            "reference": "",
            "place": row.place,
            "tied": row.tied,
            "score": None if row.score is None else round(row.score, 6),
            "raw_mean": None if row.raw_mean is None else round(row.raw_mean, 6),
            "reviews": row.reviews,
        }
        for row in ranking.rows
    ]
    assert [r["submission"] for r in expected_rows] == [e.pk for e in s.e]
    assert [r["score"] for r in expected_rows] == [
        round(1500 / 18, 6),  # (88.9 + 77.8) / 2
        round(1100 / 18, 6),
        round(200 / 9, 6),
        None,
    ]
    method = {
        "round": 1,
        "method": "scores",
        "normalisation": "raw",
        "aggregation": "mean",
        "tie_breakers": [],
    }
    assert (snapshot.round, snapshot.method, snapshot.rows) == (s.round, method, expected_rows)
    assert snapshot.created_by == s.organiser
    digest = hashlib.sha256(
        json.dumps({"method": method, "rows": expected_rows}, sort_keys=True).encode()
    ).hexdigest()
    assert snapshot.digest == digest

    # A score changed afterwards changes today's ranking, not the frozen one.
    Score.objects.filter(review__assignment__submission=s.e[2]).update(value=10)
    assert (
        results_selectors.round_rankings(s.round)[s.category.pk].rows[0].submission_id == s.e[2].pk
    )
    snapshot.refresh_from_db()
    assert (snapshot.rows, snapshot.digest) == (expected_rows, digest)
    assert choice_of(s.category) == [
        (s.e[2].pk, "mention", None),
        (s.e[0].pk, "place", 1),
        (s.e[1].pk, "place", 2),
    ]


def test_the_award_is_decided_once_every_category_has_its_winner(decidable):
    s = decidable

    confirm(s, [s.e[0]])
    s.award.refresh_from_db()
    assert s.award.status == "judging"

    confirm(s, [s.b0], category=s.second)
    s.award.refresh_from_db()
    assert s.award.status == "decided"
    change = AuditEntry.objects.filter(award=s.award, action="award.status_changed").last()
    assert change.data == {"from": "judging", "to": "decided"}


def test_decisions_lock_their_round(decidable):
    s = decidable
    confirm(s, [s.e[0]])

    with pytest.raises(services.RoundError) as caught:
        services.round_open(round=s.round, actor=s.organiser)

    assert caught.value.messages == [
        "Decisions have been taken on this round; reopen them before the round."
    ]
    s.round.refresh_from_db()
    assert s.round.status == "closed"

    reopen(s)
    services.round_open(round=s.round, actor=s.organiser)
    s.round.refresh_from_db()
    assert s.round.status == "open"


# --- Refusals ----------------------------------------------------------------------------


def assert_refused(setup, messages, *, places, mentions=(), category=None, justification="x"):
    error = refusal(
        award=setup.award,
        category=category or setup.category,
        choice=results_services.Choice(
            places=[p.pk for p in places], mentions=[m.pk for m in mentions]
        ),
        justification=justification,
        actor=setup.organiser,
    )
    assert error.messages == messages
    assert not Decision.objects.exists()
    assert not RankingSnapshot.objects.exists()
    assert not AuditEntry.objects.filter(action="decision.confirmed").exists()


@pytest.mark.parametrize("status", ["closed", "decided"])
def test_deciding_is_refused_unless_the_award_is_judging(decidable, status):
    Award.objects.filter(pk=decidable.award.pk).update(status=status)

    assert_refused(
        decidable,
        ["Decisions are taken while the award is “Judging”."],
        places=[decidable.e[0]],
    )


def test_deciding_is_refused_while_the_round_is_open():
    setup = judging_setup(entries=2, jurors=1, criteria=2)
    scored(setup, setup.jurors[0], setup.submissions[0], 9)

    assert_refused(
        setup,
        ["Close the round “Scoring round” before deciding on it."],
        places=[setup.submissions[0]],
    )


def test_deciding_is_refused_before_any_round_has_judged_the_category(decidable):
    fresh = CategoryFactory(award=decidable.award)
    entry = SubmissionFactory(award=decidable.award, category=fresh, status="eligible")

    assert_refused(
        decidable, ["No round has judged this category yet."], places=[entry], category=fresh
    )


def test_deciding_a_category_of_another_award_is_refused(decidable):
    other = judging_setup(entries=1, jurors=1)
    close(other)

    assert_refused(
        decidable,
        ["This category belongs to another award."],
        places=[other.submissions[0]],
        category=other.category,
    )


def test_deciding_the_same_category_twice_is_refused_until_reopened(decidable):
    s = decidable
    confirm(s, [s.e[0]])

    with pytest.raises(results_services.DecisionError) as caught:
        confirm(s, [s.e[1]], justification="Second thoughts.")

    assert caught.value.messages == ["This category is decided; reopen the decision to change it."]
    assert choice_of(s.category) == [(s.e[0].pk, "place", 1)]
    assert RankingSnapshot.objects.count() == 1


def test_entries_of_another_category_or_outside_the_round_are_refused(decidable):
    s = decidable
    outside = SubmissionFactory(award=s.award, category=s.category, status="eligible")
    foreign = judging_setup(entries=1, jurors=1).submissions[0]
    message = ["Only entries of this category in the round can be chosen."]

    assert_refused(s, message, places=[s.b0])
    assert_refused(s, message, places=[outside])
    assert_refused(s, message, places=[foreign])
    s.award.special_mentions = True
    s.award.save()
    assert_refused(s, message, places=[s.e[0]], mentions=[s.b1])


def test_an_entry_chosen_twice_is_refused(decidable):
    s = decidable
    s.award.places_per_category = 2
    s.award.special_mentions = True
    s.award.save()
    message = ["An entry can be chosen only once."]

    assert_refused(s, message, places=[s.e[0], s.e[0]])
    assert_refused(s, message, places=[s.e[0]], mentions=[s.e[0]])


def test_more_places_than_the_award_gives_are_refused(decidable):
    s = decidable
    s.award.places_per_category = 2
    s.award.save()

    error = refusal(
        award=s.award,
        category=s.category,
        choice=results_services.Choice(places=[s.e[0].pk, s.e[1].pk, s.e[2].pk]),
        justification="",
        actor=s.organiser,
    )

    assert error.message_dict == {"places": ["This award gives 2 places per category."]}
    assert not Decision.objects.exists()


def test_no_winner_is_refused(decidable):
    s = decidable

    error = refusal(
        award=s.award,
        category=s.category,
        choice=results_services.Choice(places=[]),
        justification="",
        actor=s.organiser,
    )

    assert error.message_dict == {"places": ["Choose the winner."]}


def test_mentions_are_refused_when_the_award_has_none(decidable):
    s = decidable

    error = refusal(
        award=s.award,
        category=s.category,
        choice=results_services.Choice(places=[s.e[0].pk], mentions=[s.e[1].pk]),
        justification="",
        actor=s.organiser,
    )

    assert error.message_dict == {"mentions": ["This award has no special mentions."]}
    assert not Decision.objects.exists()


# --- Reopening ---------------------------------------------------------------------------


def reopen(setup, reason="The jury revisits its choice.", category=None):
    return results_services.decision_reopen(
        award=setup.award, category=category or setup.category, reason=reason, actor=setup.organiser
    )


def test_reopening_undoes_the_decision_and_returns_the_award_to_judging(decidable):
    s = decidable
    confirm(s, [s.e[1]], justification="Built and tested.")
    confirm(s, [s.b0], category=s.second)
    s.award.refresh_from_db()
    assert s.award.status == "decided"

    reopen(s, reason="  A conflict of interest came to light.  ")

    s.award.refresh_from_db()
    assert s.award.status == "judging"
    assert choice_of(s.category) == []
    assert choice_of(s.second) == [(s.b0.pk, "place", 1)]
    assert RankingSnapshot.objects.filter(category=s.category).count() == 1  # kept
    entry = AuditEntry.objects.filter(award=s.award).last()
    assert (entry.action, entry.actor, entry.object_id) == (
        "decision.reopened",
        s.organiser,
        str(s.category.pk),
    )
    assert entry.data == {
        "before": {"places": [s.e[1].pk], "mentions": [], "justification": "Built and tested."},
        "after": None,
        "reason": "A conflict of interest came to light.",
    }
    # The other category's decision still locks the round; this one can be decided anew.
    with pytest.raises(services.RoundError):
        services.round_open(round=s.round, actor=s.organiser)
    confirm(s, [s.e[0]])
    assert choice_of(s.category) == [(s.e[0].pk, "place", 1)]


def test_reopening_cancels_a_scheduled_publication(decidable):
    s = decidable
    confirm(s, [s.e[0]])
    confirm(s, [s.b0], category=s.second)
    at = timezone.now() + dt.timedelta(days=2)
    results_services.publication_schedule(award=s.award, at=at, actor=s.organiser)
    s.award.refresh_from_db()
    assert s.award.results_publish_at == at

    reopen(s, category=s.second)

    s.award.refresh_from_db()
    assert (s.award.status, s.award.results_publish_at) == ("judging", None)
    assert (
        results_services.results_publish(award_id=s.award.pk, now=at + dt.timedelta(days=1))
        is False
    )


def test_reopening_needs_a_reason(decidable):
    s = decidable
    confirm(s, [s.e[0]])

    with pytest.raises(results_services.DecisionError) as caught:
        reopen(s, reason=" \n ")

    assert caught.value.message_dict == {"reason": ["Say why the decision is reopened."]}
    assert choice_of(s.category) == [(s.e[0].pk, "place", 1)]
    assert not AuditEntry.objects.filter(action="decision.reopened").exists()


def test_reopening_what_was_not_decided_is_refused(decidable):
    with pytest.raises(results_services.DecisionError) as caught:
        reopen(decidable)

    assert caught.value.messages == ["Nothing has been decided for this category."]


def test_reopening_a_category_of_another_award_is_refused(decidable):
    other = judging_setup(entries=1, jurors=1)

    with pytest.raises(results_services.DecisionError) as caught:
        reopen(decidable, category=other.category)

    assert caught.value.messages == ["This category belongs to another award."]


@pytest.mark.parametrize("status", ["decided", "published"])
def test_reopening_is_refused_once_the_results_are_public(decidable, status):
    s = decidable
    confirm(s, [s.e[0]])
    confirm(s, [s.b0], category=s.second)
    Award.objects.filter(pk=s.award.pk).update(
        status=status, results_publish_at=timezone.now() - dt.timedelta(seconds=1)
    )

    with pytest.raises(results_services.DecisionError) as caught:
        reopen(s)

    assert caught.value.messages == ["The results are public; decisions can no longer change."]
    assert choice_of(s.category) == [(s.e[0].pk, "place", 1)]
    s.award.refresh_from_db()
    assert s.award.status == status
