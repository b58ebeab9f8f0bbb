"""The decisions taken on a round's ranking: who may decide what, when a justification is
needed, the frozen snapshot, the audit trail, what is refused, and reopening."""

import datetime as dt
import hashlib
import json

import pytest
from django.utils import timezone

from awards.models import AuditEntry, Award
from jury import services
from jury.models import JurorCategory, RoundEntry, Score
from results import selectors as results_selectors
from results import services as results_services
from results.models import Decision, RankingSnapshot
from tests.factories import CategoryFactory, SubmissionFactory, judging_setup
from tests.results.service_helpers import ballot, places_of, raw_setup, scored

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def close(setup):
    services.round_close(round=setup.round, actor=setup.organiser)
    setup.round.refresh_from_db()


def refusal(**kwargs):
    with pytest.raises(results_services.DecisionError) as caught:
        results_services.decision_confirm(**kwargs)
    return caught.value


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


def confirm(
    setup, places, mentions=(), justification="", category=None, award=None, gaps_confirmed=True
):
    # Some tests choose entries with fewer reviews than the award requires (e3 has none);
    # deciding with such gaps has its own tests (test_decision_gaps.py).
    return results_services.decision_confirm(
        award=award or setup.award,
        category=category or setup.category,
        choice=results_services.Choice(
            places=[p.pk for p in places], mentions=[m.pk for m in mentions]
        ),
        justification=justification,
        actor=setup.organiser,
        gaps_confirmed=gaps_confirmed,
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
        "missing_reviews": 0,
        "incomplete_chosen": [],
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
