"""Saving and submitting reviews (version-checked), reopening them; ranked ballots; the
jury's discussion."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from awards.models import AuditEntry
from jury import services
from jury.models import Assignment, Ballot, Conflict, DiscussionPost, Review, RoundEntry, Score
from tests.factories import AwardFactory, CriterionFactory, RoundFactory, judging_setup

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def setup():
    setup = judging_setup(entries=3, jurors=2, criteria=2)
    setup.innovation, setup.lightweight = setup.criteria
    setup.innovation.name_en = "Innovation"
    setup.innovation.save()
    setup.lightweight.name_en = "Lightweight design"
    setup.lightweight.save()
    setup.juror = setup.jurors[0]
    setup.assignment = Assignment.objects.create(
        round=setup.round, juror=setup.juror, submission=setup.submissions[0]
    )
    return setup


def save(setup, version=0, scores=None, assignment=None, actor=None, **kwargs):
    return services.review_save(
        assignment=assignment or setup.assignment,
        actor=actor or setup.juror.user,
        version=version,
        scores=scores or {},
        **kwargs,
    )


def stored(review):
    return [(s.criterion_id, s.value, s.comment) for s in review.scores.order_by("criterion_id")]


def complete(setup, innovation=7, lightweight=9):
    return {setup.innovation.pk: innovation, setup.lightweight.pk: lightweight}


# --- Drafts ------------------------------------------------------------------------------


def test_a_first_save_makes_a_draft_at_version_1(setup):
    review = save(
        setup,
        scores={setup.innovation.pk: 7},
        comments={setup.innovation.pk: "  Clever joint design. "},
        overall_comment=" Promising. ",
    )

    assert review.assignment == setup.assignment
    assert review.status == "draft"
    assert review.version == 1
    assert review.overall_comment == "Promising."
    assert review.submitted_at is None
    assert stored(review) == [(setup.innovation.pk, 7, "Clever joint design.")]
    assert not AuditEntry.objects.filter(action="review.submitted").exists()


def test_a_comment_without_a_score_is_kept(setup):
    review = save(setup, comments={setup.lightweight.pk: "Weight figures unclear."})

    assert stored(review) == [(setup.lightweight.pk, None, "Weight figures unclear.")]


def test_later_saves_count_up_and_keep_what_was_not_sent(setup):
    save(setup, scores={setup.innovation.pk: 7}, comments={setup.innovation.pk: "Clever."})

    review = save(setup, version=1, scores={setup.lightweight.pk: 4})

    assert review.version == 2
    assert stored(review) == [
        (setup.innovation.pk, 7, "Clever."),
        (setup.lightweight.pk, 4, ""),
    ]


def test_clearing_a_score_without_a_comment_removes_it(setup):
    save(setup, scores=complete(setup))

    review = save(setup, version=1, scores={setup.innovation.pk: None, setup.lightweight.pk: ""})

    assert stored(review) == []
    assert review.version == 2


def test_a_save_based_on_an_older_version_is_refused_and_saves_nothing(setup):
    save(setup, scores={setup.innovation.pk: 7}, overall_comment="First window")

    with pytest.raises(services.StaleReview) as caught:
        save(setup, version=0, scores={setup.innovation.pk: 2}, overall_comment="Second window")

    assert caught.value.current == 1
    assert caught.value.messages == [
        "This review was saved in another window since you opened it. Your input below has "
        "not been saved: copy what you need, then reload the page."
    ]
    review = Review.objects.get()
    assert review.version == 1
    assert review.overall_comment == "First window"
    assert stored(review) == [(setup.innovation.pk, 7, "")]


def test_a_first_save_claiming_a_version_is_refused(setup):
    with pytest.raises(services.StaleReview) as caught:
        save(setup, version=3, scores={setup.innovation.pk: 2})

    assert caught.value.current == 0
    assert not Review.objects.exists()


@pytest.mark.parametrize("value", [0, 11, -3, 100])
def test_a_score_outside_the_scale_is_refused(setup, value):
    with pytest.raises(services.ReviewError) as caught:
        save(setup, scores={setup.innovation.pk: value, setup.lightweight.pk: 5})

    assert caught.value.message_dict == {
        f"score_{setup.innovation.pk}": ["Enter a score from 1 to 10."]
    }
    assert not Review.objects.exists()


def test_the_scale_is_the_criterions_own(setup):
    setup.lightweight.scale_min, setup.lightweight.scale_max = 0, 4
    setup.lightweight.save()

    review = save(setup, scores={setup.lightweight.pk: 0})
    with pytest.raises(services.ReviewError) as caught:
        save(setup, version=1, scores={setup.lightweight.pk: 5})

    assert stored(review) == [(setup.lightweight.pk, 0, "")]
    assert caught.value.message_dict == {
        f"score_{setup.lightweight.pk}": ["Enter a score from 0 to 4."]
    }


@pytest.mark.parametrize("value", ["7.5", 7.5, "seven", "7a", True, [7]])
def test_a_score_that_is_not_a_whole_number_is_refused(setup, value):
    with pytest.raises(services.ReviewError) as caught:
        save(setup, scores={setup.innovation.pk: value})

    assert caught.value.message_dict == {f"score_{setup.innovation.pk}": ["Enter a whole number."]}
    assert not Review.objects.exists()


def test_a_score_sent_as_text_is_taken(setup):
    review = save(setup, scores={setup.innovation.pk: "8"})

    assert stored(review) == [(setup.innovation.pk, 8, "")]


def test_a_criterion_of_another_award_is_refused(setup):
    foreign = CriterionFactory(award=AwardFactory())

    with pytest.raises(services.ReviewError) as by_score:
        save(setup, scores={foreign.pk: 5, setup.innovation.pk: 5})
    with pytest.raises(services.ReviewError) as by_comment:
        save(setup, comments={foreign.pk: "Hello"})

    assert by_score.value.messages == ["A criterion of another award was sent."]
    assert by_comment.value.messages == ["A criterion of another award was sent."]
    assert not Review.objects.exists()
    assert not Score.objects.exists()


# --- Submitting --------------------------------------------------------------------------


def test_submitting_without_every_score_names_the_missing_criterion(setup):
    with pytest.raises(services.ReviewError) as caught:
        save(
            setup,
            scores={setup.innovation.pk: 7},
            comments={setup.lightweight.pk: "Still thinking"},
            submit=True,
        )

    assert caught.value.messages == [
        "Please score every criterion before submitting: Lightweight design."
    ]
    assert caught.value.code == "incomplete"
    assert not Review.objects.exists()


def test_submitting_with_nothing_names_every_criterion(setup):
    with pytest.raises(services.ReviewError) as caught:
        save(setup, submit=True)

    assert caught.value.messages == [
        "Please score every criterion before submitting: Innovation, Lightweight design."
    ]


def test_submitting_a_complete_review_locks_it(setup):
    save(setup, scores={setup.innovation.pk: 7})

    review = save(setup, version=1, scores={setup.lightweight.pk: 9}, submit=True)

    assert review.status == "submitted"
    assert review.submitted_at is not None
    assert review.version == 2
    entry = AuditEntry.objects.get(action="review.submitted")
    assert entry.actor == setup.juror.user
    assert entry.data == {
        "submission": setup.submissions[0].pk,
        "round": 1,
        "scores": {str(setup.innovation.pk): 7, str(setup.lightweight.pk): 9},
    }
    with pytest.raises(services.ReviewLocked) as caught:
        save(setup, version=2, scores={setup.innovation.pk: 1})
    assert caught.value.messages == [
        "This review has been submitted and is locked. The organisers can reopen it."
    ]
    assert stored(Review.objects.get()) == [
        (setup.innovation.pk, 7, ""),
        (setup.lightweight.pk, 9, ""),
    ]


def test_after_the_jury_deadline_nothing_can_be_saved(setup):
    setup.round.deadline_at = dt.datetime(2020, 3, 10, 18, 0, tzinfo=BERLIN)
    setup.round.save()

    with pytest.raises(services.DeadlinePassed) as caught:
        save(setup, scores=complete(setup), submit=True)

    assert caught.value.messages == [
        "The jury deadline was 10 March 2020, 6:00 p.m. (Europe/Berlin); reviews can no "
        "longer be changed."
    ]
    assert not Review.objects.exists()


def test_the_award_deadline_counts_when_the_round_has_none(setup):
    moment = timezone.now() - dt.timedelta(minutes=5)
    setup.award.jury_deadline_at = moment
    setup.award.announcement_at = moment + dt.timedelta(days=5)
    setup.award.save()

    with pytest.raises(services.DeadlinePassed):
        save(setup, scores=complete(setup))


def test_an_individual_extension_lets_the_juror_save_after_the_deadline(setup):
    setup.round.deadline_at = timezone.now() - dt.timedelta(hours=1)
    setup.round.save()
    setup.juror.deadline_extended_until = timezone.now() + dt.timedelta(days=2)
    setup.juror.save()

    review = save(setup, scores=complete(setup), submit=True)

    assert review.status == "submitted"
    other = Assignment.objects.create(
        round=setup.round, juror=setup.jurors[1], submission=setup.submissions[0]
    )
    with pytest.raises(services.DeadlinePassed):
        save(setup, assignment=other, actor=setup.jurors[1].user, scores=complete(setup))


def test_an_extension_that_has_run_out_does_not_help(setup):
    setup.round.deadline_at = timezone.now() - dt.timedelta(days=2)
    setup.round.save()
    setup.juror.deadline_extended_until = timezone.now() - dt.timedelta(hours=1)
    setup.juror.save()

    with pytest.raises(services.DeadlinePassed):
        save(setup, scores=complete(setup))


def test_another_jurors_assignment_is_refused(setup):
    with pytest.raises(PermissionDenied):
        save(setup, actor=setup.jurors[1].user, scores=complete(setup))
    with pytest.raises(PermissionDenied):
        save(setup, actor=setup.organiser, scores=complete(setup))

    assert not Review.objects.exists()


def test_a_juror_no_longer_on_the_jury_is_refused(setup):
    setup.juror.is_active = False
    setup.juror.save()

    with pytest.raises(PermissionDenied):
        save(setup, scores=complete(setup))


@pytest.mark.parametrize("status", ["suggested", "confirmed"])
def test_a_conflicted_pair_is_refused(setup, status):
    Conflict.objects.create(
        juror=setup.juror, organisation=setup.submissions[0].organisation, status=status
    )

    with pytest.raises(PermissionDenied):
        save(setup, scores=complete(setup))

    assert not Review.objects.exists()


@pytest.mark.parametrize("status", ["planned", "closed"])
def test_a_round_that_is_not_open_refuses_reviews(setup, status):
    setup.round.status = status
    setup.round.save()

    with pytest.raises(services.ReviewLocked) as caught:
        save(setup, scores=complete(setup))

    assert caught.value.messages == ["This round is not open for reviews."]


def test_a_ranking_round_refuses_scores(setup):
    setup.round.method = "ranking"
    setup.round.save()

    with pytest.raises(services.ReviewLocked) as caught:
        save(setup, scores=complete(setup))

    assert caught.value.messages == ["This round is decided by ranked ballots, not scores."]


def test_the_private_note_is_kept_when_the_award_allows_it(setup):
    review = save(setup, scores=complete(setup), private_note=" Ask about the patent. ")

    assert Review.objects.get(pk=review.pk).private_note == "Ask about the patent."


def test_the_private_note_is_dropped_when_the_award_does_not_allow_it(setup):
    setup.award.private_notes = False
    setup.award.save()

    review = save(setup, scores=complete(setup), private_note="Ask about the patent.")

    assert Review.objects.get(pk=review.pk).private_note == ""


# --- Reopening ---------------------------------------------------------------------------


def test_the_organisers_reopen_a_submitted_review_for_the_juror_to_change(setup):
    save(setup, scores=complete(setup), submit=True)
    review = Review.objects.get()

    reopened = services.review_reopen(review=review, actor=setup.organiser)

    assert reopened.status == "draft"
    assert reopened.reopened_at is not None
    assert reopened.version == 2
    entry = AuditEntry.objects.get(action="review.reopened")
    assert entry.actor == setup.organiser
    assert entry.data == {
        "submission": setup.submissions[0].pk,
        "scores": {str(setup.innovation.pk): 7, str(setup.lightweight.pk): 9},
    }
    with pytest.raises(services.StaleReview):
        save(setup, version=1, scores={setup.innovation.pk: 3})
    changed = save(setup, version=2, scores={setup.innovation.pk: 3}, submit=True)
    assert changed.status == "submitted"
    assert stored(changed)[0] == (setup.innovation.pk, 3, "")


def test_only_a_submitted_review_can_be_reopened(setup):
    review = save(setup, scores=complete(setup))

    with pytest.raises(services.ReviewError) as caught:
        services.review_reopen(review=review, actor=setup.organiser)

    assert caught.value.messages == ["Only a submitted review can be reopened."]
    assert not AuditEntry.objects.filter(action="review.reopened").exists()


def test_a_review_of_a_closed_round_cannot_be_reopened(setup):
    review = save(setup, scores=complete(setup), submit=True)
    setup.round.status = "closed"
    setup.round.save()

    with pytest.raises(services.ReviewError) as caught:
        services.review_reopen(review=review, actor=setup.organiser)

    assert caught.value.messages == ["Reviews can only be reopened while their round is open."]
    assert Review.objects.get().status == "submitted"


# --- Ranked ballots ----------------------------------------------------------------------


@pytest.fixture
def final(setup):
    setup.round.status = "closed"
    setup.round.save()
    final = RoundFactory(award=setup.award, number=2, kind="final", method="ranking", status="open")
    for submission in setup.submissions:
        RoundEntry.objects.create(round=final, submission=submission)
    setup.final = final
    setup.finalists = [s.pk for s in setup.submissions]
    return setup


def ballot(setup, ranking, version=0, submit=False, juror=None):
    return services.ballot_save(
        round=setup.final,
        juror=juror or setup.juror,
        category_id=setup.category.pk,
        ranking=ranking,
        version=version,
        submit=submit,
        finalists=setup.finalists,
    )


def test_a_ballot_draft_stores_the_ranks(final):
    a, _b, c = final.finalists

    saved = ballot(final, {c: 1, a: 2})

    assert saved.status == "draft"
    assert saved.version == 1
    assert Ballot.objects.get().ranking == {str(a): 2, str(c): 1}
    assert not AuditEntry.objects.filter(action="ballot.submitted").exists()


def test_ranking_an_entry_that_is_not_a_finalist_is_refused(final):
    a, _b, _c = final.finalists
    outsider = max(final.finalists) + 1000

    with pytest.raises(services.ReviewError) as caught:
        ballot(final, {a: 1, outsider: 2})

    assert caught.value.messages == ["An entry that is not a finalist was ranked."]
    assert not Ballot.objects.exists()


@pytest.mark.parametrize("rank", [0, 4, -1, "1", 1.0])
def test_a_rank_outside_1_to_n_is_refused(final, rank):
    a, b, _c = final.finalists

    with pytest.raises(services.ReviewError) as caught:
        ballot(final, {a: 1, b: rank})

    assert caught.value.messages == ["Ranks go from 1 to 3."]
    assert not Ballot.objects.exists()


def test_submitting_a_ballot_needs_every_finalist_ranked(final):
    a, b, _c = final.finalists

    with pytest.raises(services.ReviewError) as caught:
        ballot(final, {a: 1, b: 2}, submit=True)

    assert caught.value.messages == ["Please rank every finalist before submitting."]
    assert not Ballot.objects.exists()


def test_a_submitted_ballot_with_ties_is_locked(final):
    a, b, c = final.finalists
    ballot(final, {a: 1})

    submitted = ballot(final, {a: 1, b: 1, c: 3}, version=1, submit=True)

    assert submitted.status == "submitted"
    assert submitted.submitted_at is not None
    assert submitted.version == 2
    entry = AuditEntry.objects.get(action="ballot.submitted")
    assert entry.actor == final.juror.user
    assert entry.data == {"round": 2, "ranking": {str(a): 1, str(b): 1, str(c): 3}}
    with pytest.raises(services.ReviewLocked) as caught:
        ballot(final, {a: 3, b: 2, c: 1}, version=2)
    assert caught.value.messages == ["This ballot has been submitted and is locked."]
    assert Ballot.objects.get().ranking == {str(a): 1, str(b): 1, str(c): 3}


def test_a_ballot_saved_elsewhere_is_not_overwritten(final):
    a, b, _c = final.finalists
    ballot(final, {a: 1})

    with pytest.raises(services.StaleReview) as caught:
        ballot(final, {b: 1}, version=0)

    assert caught.value.current == 1
    assert Ballot.objects.get().ranking == {str(a): 1}


def test_a_scoring_round_refuses_ballots(setup):
    setup.final = setup.round
    setup.finalists = [s.pk for s in setup.submissions]

    with pytest.raises(services.ReviewLocked) as caught:
        ballot(setup, {setup.finalists[0]: 1})

    assert caught.value.messages == ["This round is decided by scores, not ranked ballots."]


def test_a_ballot_after_the_deadline_is_refused(final):
    final.final.deadline_at = timezone.now() - dt.timedelta(minutes=1)
    final.final.save()

    with pytest.raises(services.DeadlinePassed):
        ballot(final, {final.finalists[0]: 1})


# --- Discussion --------------------------------------------------------------------------


def test_a_post_is_added_to_the_discussion(final):
    post = services.post_create(
        round=final.final,
        submission=final.submissions[0],
        author=final.juror.user,
        body="  <b>Strong</b> contender.\n ",
    )

    assert DiscussionPost.objects.get() == post
    assert (post.round, post.submission, post.author) == (
        final.final,
        final.submissions[0],
        final.juror.user,
    )
    assert post.body == "<b>Strong</b> contender."


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write a message first."),
        ("  \n ", "Write a message first."),
        ("x" * 5001, "A message can have at most 5,000 characters."),
    ],
)
def test_an_empty_or_too_long_post_is_refused(final, body, message):
    with pytest.raises(services.ReviewError) as caught:
        services.post_create(
            round=final.final, submission=final.submissions[0], author=final.juror.user, body=body
        )

    assert caught.value.messages == [message]
    assert not DiscussionPost.objects.exists()


def test_a_post_of_5000_characters_is_taken(final):
    post = services.post_create(
        round=final.final,
        submission=final.submissions[0],
        author=final.juror.user,
        body="x" * 5000,
    )

    assert len(post.body) == 5000


def test_the_discussion_closes_with_the_round(final):
    final.final.status = "closed"
    final.final.save()

    with pytest.raises(services.ReviewLocked) as caught:
        services.post_create(
            round=final.final, submission=final.submissions[0], author=final.juror.user, body="Hi"
        )

    assert caught.value.messages == ["The discussion is closed with the round."]
