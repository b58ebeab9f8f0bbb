"""What a review keeps of the texts an award asks for: feedback meant for the applicant only
where the award enables it (kept apart from the comments), comments per criterion only where
the award asks for them; and the way from one open review to the next."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jury import selectors, services
from jury.models import Assignment, Review
from tests.factories import judging_setup

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def setup():
    setup = judging_setup(entries=4, jurors=2, criteria=2)
    setup.juror = setup.jurors[0]
    setup.assignments = [
        Assignment.objects.create(round=setup.round, juror=setup.juror, submission=submission)
        for submission in setup.submissions
    ]
    return setup


def save(setup, assignment, version=0, **kwargs):
    return services.review_save(
        assignment=assignment, actor=setup.juror.user, version=version, **kwargs
    )


def test_feedback_to_the_applicant_is_stored_apart_when_the_award_enables_it(setup):
    setup.award.applicant_feedback = True
    setup.award.save()
    first = setup.assignments[0]

    review = save(
        setup,
        first,
        scores={},
        overall_comment="For the jury.",
        private_note="For the organisers.",
        applicant_feedback="  Show the weight saving in numbers.  ",
    )

    assert review.applicant_feedback == "Show the weight saving in numbers."
    assert review.overall_comment == "For the jury."
    assert review.private_note == "For the organisers."
    # A save that does not send the feedback leaves it as it was.
    review = save(setup, first, version=1, scores={}, overall_comment="For the jury.")
    assert review.applicant_feedback == "Show the weight saving in numbers."


def test_feedback_is_not_stored_where_the_award_does_not_ask_for_it(setup):
    assert setup.award.applicant_feedback is False

    review = save(setup, setup.assignments[0], scores={}, applicant_feedback="Sneaked in")

    assert Review.objects.get(pk=review.pk).applicant_feedback == ""


def test_comments_per_criterion_are_kept_only_where_the_award_asks_for_them(setup):
    first, second = setup.criteria
    review = save(setup, setup.assignments[0], scores={first.pk: 5}, comments={first.pk: "Solid."})
    setup.award.criterion_comments = False
    setup.award.save()

    # A comment sent now is ignored; the one written before stays (nothing is lost).
    review = save(
        setup,
        setup.assignments[0],
        version=review.version,
        scores={first.pk: 6, second.pk: 4},
        comments={first.pk: "Changed", second.pk: "New"},
    )

    stored = {s.criterion_id: (s.value, s.comment) for s in review.scores.all()}
    assert stored == {first.pk: (6, "Solid."), second.pk: (4, "")}


def test_next_and_previous_go_round_the_open_reviews_in_the_list_order(setup):
    a, b, c, d = setup.assignments
    navigation = selectors.review_navigation(setup.juror, b)
    assert (navigation.previous, navigation.next) == (a.pk, c.pk)
    assert (navigation.position, navigation.total) == (2, 4)
    # From the last, "next" wraps round to the first; from the first, "previous" to the last.
    assert selectors.review_navigation(setup.juror, d).next == a.pk
    assert selectors.review_navigation(setup.juror, a).previous == d.pk


def test_a_submitted_review_leaves_the_way_and_a_draft_does_not_move_it(setup):
    a, b, c, d = setup.assignments
    scores = {criterion.pk: 5 for criterion in setup.criteria}
    save(setup, b, scores=scores, submit=True)
    save(setup, d, scores={setup.criteria[0].pk: 3})  # a draft: still open, same place

    navigation = selectors.review_navigation(setup.juror, a)
    assert navigation.next == c.pk
    assert navigation.total == 3
    assert selectors.review_navigation(setup.juror, c).next == d.pk
    # The submitted one is not among the open reviews; its "next" is the first open one.
    submitted = selectors.review_navigation(setup.juror, b)
    assert submitted.position is None
    assert submitted.next == a.pk


def test_the_only_open_review_has_no_neighbours(setup):
    scores = {criterion.pk: 5 for criterion in setup.criteria}
    for assignment in setup.assignments[1:]:
        save(setup, assignment, scores=scores, submit=True)

    navigation = selectors.review_navigation(setup.juror, setup.assignments[0])

    assert (navigation.previous, navigation.next, navigation.total) == (None, None, 1)


def test_the_way_through_the_reviews_costs_the_same_queries_for_4_and_40_entries(setup):
    with CaptureQueriesContext(connection) as few:
        selectors.review_navigation(setup.juror, setup.assignments[0])
    more = judging_setup(entries=40, jurors=1, criteria=2)
    juror = more.jurors[0]
    assignments = [
        Assignment.objects.create(round=more.round, juror=juror, submission=submission)
        for submission in more.submissions
    ]
    with CaptureQueriesContext(connection) as many:
        selectors.review_navigation(juror, assignments[5])
    assert len(many) == len(few) <= 3
