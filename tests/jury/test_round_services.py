"""Rounds: opening (which entries take part), closing, the shortlist proposal by mean weighted
total, and taking the shortlist into the next round."""

from decimal import Decimal

import pytest

from awards.models import AuditEntry
from jury import services
from jury.models import Assignment, Juror, RoundEntry
from results import selectors as results_selectors
from results import services as results_services
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    JurorFactory,
    RoundFactory,
    SubmissionFactory,
    judging_setup,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def entries_of(round_):
    return set(RoundEntry.objects.filter(round=round_).values_list("submission_id", flat=True))


def refusal(service, **kwargs):
    with pytest.raises(services.RoundError) as caught:
        service(**kwargs)
    return caught.value.messages


# --- Opening and closing -----------------------------------------------------------------


@pytest.fixture
def award():
    return AwardFactory(status="judging")


def test_the_first_round_takes_exactly_the_eligible_entries(award):
    category = CategoryFactory(award=award)
    by_status = {
        status: SubmissionFactory(award=award, category=category, status=status)
        for status in ("draft", "submitted", "withdrawn", "ineligible", "eligible")
    }
    another_eligible = SubmissionFactory(award=award, status="eligible")
    SubmissionFactory(award=AwardFactory(status="judging"), status="eligible")
    first = RoundFactory(award=award, number=1)
    organiser = AwardRoleFactory(award=award, role="organiser").user

    opened = services.round_open(round=first, actor=organiser)

    assert opened.status == "open"
    assert opened.opened_at is not None
    assert entries_of(first) == {by_status["eligible"].pk, another_eligible.pk}
    entry = AuditEntry.objects.get(action="round.opened")
    assert entry.actor == organiser
    assert entry.data == {"number": 1, "entries": 2}


def test_a_round_opens_only_while_the_award_is_judging(award):
    award.status = "closed"
    award.save()
    SubmissionFactory(award=award, status="eligible")
    first = RoundFactory(award=award, number=1)

    assert refusal(services.round_open, round=first, actor=None) == [
        "Rounds can be opened while the award is in “Judging”."
    ]
    first.refresh_from_db()
    assert first.status == "planned"
    assert not RoundEntry.objects.exists()


def test_a_first_round_without_eligible_entries_does_not_open(award):
    SubmissionFactory(award=award, status="submitted")
    first = RoundFactory(award=award, number=1)

    assert refusal(services.round_open, round=first, actor=None) == [
        "No entry has been found eligible yet; check the entries' eligibility first."
    ]
    first.refresh_from_db()
    assert first.status == "planned"


def test_a_later_round_needs_the_shortlist_first(award):
    SubmissionFactory(award=award, status="eligible")
    RoundFactory(award=award, number=1, status="closed")
    final = RoundFactory(award=award, number=2, kind="final")

    assert refusal(services.round_open, round=final, actor=None) == [
        "Take the shortlist from the previous round first."
    ]
    assert not RoundEntry.objects.filter(round=final).exists()


def test_only_one_round_is_open_at_a_time():
    setup = judging_setup(entries=1, jurors=0)
    final = RoundFactory(award=setup.award, number=2, kind="final")
    RoundEntry.objects.create(round=final, submission=setup.submissions[0])

    assert refusal(services.round_open, round=final, actor=setup.organiser) == [
        "Another round is open; close it first."
    ]
    assert refusal(services.round_open, round=setup.round, actor=setup.organiser) == [
        "This round is open already."
    ]


def test_earlier_rounds_must_be_closed_first(award):
    entry = SubmissionFactory(award=award, status="eligible")
    RoundFactory(award=award, number=1)
    final = RoundFactory(award=award, number=2, kind="final")
    RoundEntry.objects.create(round=final, submission=entry)

    assert refusal(services.round_open, round=final, actor=None) == [
        "Close the earlier rounds first."
    ]


def test_closing_a_round_records_the_counts():
    setup = judging_setup(entries=3, jurors=2, k=2)
    services.assignment_run(round=setup.round, actor=setup.organiser)
    first, second = Assignment.objects.filter(juror=setup.jurors[0])[:2]
    scores = {c.pk: 5 for c in setup.criteria}
    services.review_save(
        assignment=first, actor=setup.jurors[0].user, version=0, scores=scores, submit=True
    )
    services.review_save(assignment=second, actor=setup.jurors[0].user, version=0, scores=scores)

    closed = services.round_close(round=setup.round, actor=setup.organiser)

    assert closed.status == "closed"
    assert closed.closed_at is not None
    entry = AuditEntry.objects.get(action="round.closed")
    assert entry.data == {"number": 1, "assignments": 6, "submitted": 1, "drafts": 1}
    with pytest.raises(services.ReviewLocked):
        services.review_save(
            assignment=second, actor=setup.jurors[0].user, version=1, scores=scores
        )


@pytest.mark.parametrize("status", ["planned", "closed"])
def test_only_an_open_round_can_be_closed(award, status):
    round_ = RoundFactory(award=award, number=1, status=status)

    assert refusal(services.round_close, round=round_, actor=None) == [
        "Only an open round can be closed."
    ]


def test_a_closed_round_can_be_reopened_while_the_next_has_not_started():
    setup = judging_setup(entries=2, jurors=0)
    final = RoundFactory(award=setup.award, number=2, kind="final")
    services.round_close(round=setup.round, actor=setup.organiser)

    reopened = services.round_open(round=setup.round, actor=setup.organiser)

    assert reopened.status == "open"
    assert reopened.closed_at is None
    assert entries_of(setup.round) == {s.pk for s in setup.submissions}
    assert AuditEntry.objects.filter(action="round.reopened").count() == 1
    services.round_close(round=setup.round, actor=setup.organiser)
    results_services.shortlist_take(
        round=setup.round, actor=setup.organiser, submission_ids=[setup.submissions[0].pk]
    )
    services.round_open(round=final, actor=setup.organiser)
    services.round_close(round=final, actor=setup.organiser)
    assert refusal(services.round_open, round=setup.round, actor=setup.organiser) == [
        "A later round has started; this round cannot be reopened."
    ]


# --- Shortlist ---------------------------------------------------------------------------


@pytest.fixture
def scored():
    """Round 1 with hand-computable totals. Criteria: weight 1 and weight 3, scale 1–10, so
    a review's total is 100 · (1·(a−1)/9 + 3·(b−1)/9) / 4. The award ranks raw scores by their
    mean, so the shortlist follows these totals (the results engine's tests cover the other
    methods)."""
    setup = judging_setup(entries=4, jurors=2, criteria=2)
    setup.award.ranking_normalisation = "raw"
    setup.award.save(update_fields=["ranking_normalisation"])
    light, heavy = setup.criteria
    heavy.weight = Decimal("3")
    heavy.save()
    second_category = CategoryFactory(award=setup.award)
    other = SubmissionFactory(award=setup.award, category=second_category, status="eligible")
    RoundEntry.objects.create(round=setup.round, submission=other)
    other_juror = JurorFactory(award=setup.award, categories=[second_category])
    e0, e1, e2, _e3 = setup.submissions
    first, second = setup.jurors

    def review(juror, submission, a, b, submit=True):
        assignment = Assignment.objects.create(
            round=setup.round, juror=juror, submission=submission
        )
        services.review_save(
            assignment=assignment,
            actor=juror.user,
            version=0,
            scores={light.pk: a, heavy.pk: b},
            submit=submit,
        )

    review(first, e0, 10, 1)  # 25
    review(second, e0, 1, 10)  # 75 → mean 50
    review(first, e1, 1, 7)  # 50
    review(second, e1, 10, 10)  # 100 → mean 75
    review(first, e2, 4, 4)  # 33.33…
    review(second, e2, 10, 10, submit=False)  # a draft does not count
    review(other_juror, other, 7, 7)  # 66.66…
    # e3 has no review.
    setup.other_category, setup.other = second_category, other
    return setup


def test_the_shortlist_proposal_ranks_by_mean_weighted_total_per_category(scored):
    e0, e1, e2, _e3 = scored.submissions

    proposal = results_selectors.shortlist_proposal(scored.round, 2)

    assert proposal == {
        scored.category.pk: [(e1.pk, 75.0, 2), (e0.pk, 50.0, 2)],
        scored.other_category.pk: [(scored.other.pk, pytest.approx(200 / 3), 1)],
    }
    everything = results_selectors.shortlist_proposal(scored.round, 10)
    assert everything[scored.category.pk] == [
        (e1.pk, 75.0, 2),
        (e0.pk, 50.0, 2),
        (e2.pk, pytest.approx(100 / 3), 1),
    ]


def test_the_shortlist_is_taken_by_size_per_category(scored):
    final = RoundFactory(award=scored.award, number=2, kind="final")
    services.round_close(round=scored.round, actor=scored.organiser)

    following = results_services.shortlist_take(round=scored.round, actor=scored.organiser, size=1)

    assert following == final
    assert entries_of(final) == {scored.submissions[1].pk, scored.other.pk}
    entry = AuditEntry.objects.get(action="round.shortlist_taken")
    assert entry.actor == scored.organiser
    assert entry.data == {
        "from_round": 1,
        "size": 1,
        "submissions": sorted([scored.submissions[1].pk, scored.other.pk]),
    }
    services.round_open(round=final, actor=scored.organiser)
    assert entries_of(final) == {scored.submissions[1].pk, scored.other.pk}


def test_the_shortlist_size_of_the_round_is_the_default(scored):
    final = RoundFactory(award=scored.award, number=2, kind="final")
    scored.round.shortlist_size = 2
    scored.round.save()
    services.round_close(round=scored.round, actor=scored.organiser)

    results_services.shortlist_take(round=scored.round, actor=scored.organiser)

    e0, e1, _e2, _e3 = scored.submissions
    assert entries_of(final) == {e0.pk, e1.pk, scored.other.pk}


def test_without_a_size_the_shortlist_is_refused(scored):
    RoundFactory(award=scored.award, number=2, kind="final")
    services.round_close(round=scored.round, actor=scored.organiser)

    assert refusal(results_services.shortlist_take, round=scored.round, actor=None) == [
        "Say how many entries per category go on."
    ]


def test_the_shortlist_is_taken_by_hand_and_replaces_an_earlier_one(scored):
    final = RoundFactory(award=scored.award, number=2, kind="final")
    services.round_close(round=scored.round, actor=scored.organiser)
    results_services.shortlist_take(round=scored.round, actor=scored.organiser, size=1)
    _e0, _e1, e2, e3 = scored.submissions

    results_services.shortlist_take(
        round=scored.round, actor=scored.organiser, submission_ids=[e3.pk, e2.pk, e3.pk]
    )

    assert entries_of(final) == {e2.pk, e3.pk}
    latest = AuditEntry.objects.filter(action="round.shortlist_taken").last()
    assert latest.data == {"from_round": 1, "size": None, "submissions": sorted([e2.pk, e3.pk])}


def test_a_new_shortlist_drops_assignments_made_for_entries_no_longer_on_it(scored):
    final = RoundFactory(award=scored.award, number=2, kind="final")
    services.round_close(round=scored.round, actor=scored.organiser)
    e0, e1, e2, _e3 = scored.submissions
    results_services.shortlist_take(
        round=scored.round, actor=scored.organiser, submission_ids=[e0.pk, e1.pk]
    )
    services.assignment_run(round=final, actor=scored.organiser)
    assert set(Assignment.objects.filter(round=final).values_list("submission_id", flat=True)) == {
        e0.pk,
        e1.pk,
    }

    results_services.shortlist_take(
        round=scored.round, actor=scored.organiser, submission_ids=[e1.pk, e2.pk]
    )

    assert set(Assignment.objects.filter(round=final).values_list("submission_id", flat=True)) == {
        e1.pk
    }
    # Round 1's assignments are untouched.
    assert Assignment.objects.filter(round=scored.round, submission=e0).count() == 2


def test_an_entry_not_in_the_round_cannot_be_picked(scored):
    final = RoundFactory(award=scored.award, number=2, kind="final")
    services.round_close(round=scored.round, actor=scored.organiser)
    outside = SubmissionFactory(award=scored.award, category=scored.category, status="eligible")

    assert refusal(
        results_services.shortlist_take,
        round=scored.round,
        actor=None,
        submission_ids=[scored.submissions[0].pk, outside.pk],
    ) == ["Only entries of this round can go on to the next."]
    assert refusal(
        results_services.shortlist_take, round=scored.round, actor=None, submission_ids=[]
    ) == ["Pick at least one entry."]
    assert entries_of(final) == set()


def test_the_shortlist_of_an_open_round_is_refused(scored):
    RoundFactory(award=scored.award, number=2, kind="final")

    assert refusal(results_services.shortlist_take, round=scored.round, actor=None, size=2) == [
        "Close the round before taking its shortlist."
    ]


def test_the_shortlist_needs_a_later_round(scored):
    services.round_close(round=scored.round, actor=scored.organiser)

    assert refusal(results_services.shortlist_take, round=scored.round, actor=None, size=2) == [
        "There is no later round; add a final round first."
    ]


def test_the_shortlist_cannot_change_once_the_next_round_has_started(scored):
    final = RoundFactory(award=scored.award, number=2, kind="final")
    services.round_close(round=scored.round, actor=scored.organiser)
    results_services.shortlist_take(round=scored.round, actor=scored.organiser, size=1)
    services.round_open(round=final, actor=scored.organiser)

    assert refusal(results_services.shortlist_take, round=scored.round, actor=None, size=2) == [
        "The next round has started; its entries can no longer change."
    ]
    assert entries_of(final) == {scored.submissions[1].pk, scored.other.pk}


def test_a_shortlist_by_size_without_any_submitted_review_is_refused():
    setup = judging_setup(entries=2, jurors=1)
    RoundFactory(award=setup.award, number=2, kind="final")
    services.round_close(round=setup.round, actor=setup.organiser)

    assert refusal(results_services.shortlist_take, round=setup.round, actor=None, size=1) == [
        "No entry has a submitted review yet."
    ]


def test_opening_a_final_scoring_round_assigns_every_juror_of_the_category(scored):
    final = RoundFactory(award=scored.award, number=2, kind="final", method="scores")
    services.round_close(round=scored.round, actor=scored.organiser)
    results_services.shortlist_take(round=scored.round, actor=scored.organiser, size=1)

    services.round_open(round=final, actor=scored.organiser)

    pairs = set(Assignment.objects.filter(round=final).values_list("juror_id", "submission_id"))
    e1 = scored.submissions[1]
    first, second = scored.jurors
    other_juror = Juror.objects.get(
        award=scored.award, category_links__category=scored.other_category
    )
    assert pairs == {
        (first.pk, e1.pk),
        (second.pk, e1.pk),
        (other_juror.pk, scored.other.pk),
    }
