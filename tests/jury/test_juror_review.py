"""The review page (/jury/<slug>/reviews/<pk>/): who may open it, the entry with a form per
criterion, blind review, drafts and submitting, refused scores with the input kept, a stale
version, the deadline and extensions, escaped comments, and the other jurors' scores as the
award shows them."""

import datetime as dt

import pytest
from django.utils import timezone

from jury import services
from jury.models import Assignment, Review
from submissions.models import Submission
from tests.factories import standard_answers
from tests.helpers import login, login_url, text
from tests.jury.juror_helpers import (
    ENTRY_PAGE_STATUS,
    ESCAPED_SCRIPT,
    SCRIPT,
    assign,
    criterion_fields,
    expected_deadline,
    full_scores,
    people,
    url,
    user_of,
)

pytestmark = pytest.mark.django_db

# --- Who may open which page ----------------------------------------------------------------


@pytest.mark.parametrize("role", [*ENTRY_PAGE_STATUS, "anonymous"])
def test_review_page_by_role(client, matrix, role):
    assignment = Assignment.objects.get(juror=matrix.jurors[0])
    if role == "in_conflict":
        assignment = Assignment.objects.get(juror=matrix.jurors[2])
    page = url("review", matrix, pk=assignment.pk)
    login(client, user_of(people(matrix)[role]))

    response = client.get(page)

    if role == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_url(page))
    else:
        assert response.status_code == ENTRY_PAGE_STATUS[role]


@pytest.mark.parametrize("role", ["applicant", "organiser", "not_assigned", "other_award"])
def test_review_of_someone_elses_assignment_is_404(client, matrix, role):
    assignment = Assignment.objects.get(juror=matrix.jurors[0])
    login(client, user_of(people(matrix)[role]))

    response = client.post(
        url("review", matrix, pk=assignment.pk),
        criterion_fields(matrix, full_scores(matrix), action="draft"),
    )

    assert response.status_code == 404
    assert not Review.objects.exists()


def test_review_in_a_planned_round_is_404(client, jury):
    jury.round.status = "planned"
    jury.round.save(update_fields=["status"])
    assignment = assign(jury, jury.jurors[0], jury.submissions[0])
    login(client, jury.jurors[0].user)

    assert client.get(url("review", jury, pk=assignment.pk)).status_code == 404


# --- Reviews --------------------------------------------------------------------------------


def post_review(client, jury, assignment, data, **kwargs):
    return client.post(url("review", jury, pk=assignment.pk), data, **kwargs)


def test_the_review_page_shows_the_entry_and_a_form_per_criterion(client, jury, assigned):
    c1, c2 = jury.criteria
    c1.description_en = "How much *weight* is saved?"
    c1.weight = 2
    c1.save()
    c2.score_control = "number"
    c2.save(update_fields=["score_control"])
    submission = jury.submissions[0]
    submission.answers = standard_answers(
        jury.award,
        description="Description of entry 1",
        video_url="https://video.example.net/flax",
        market_readiness="7",
    )
    submission.save()
    organisation = submission.organisation
    organisation.website = "https://flax.example.net"
    organisation.contact_email = "info@flax.example.net"
    organisation.save()
    login(client, jury.jurors[0].user)

    response = client.get(url("review", jury, pk=assigned.pk))

    page = text(response)
    assert response.status_code == 200
    for value in (
        submission.title,
        submission.reference,
        submission.summary,
        "Description of entry 1",
    ):
        assert value in page
    assert "TRL 7 – prototype demonstrated in an operational environment" in page
    assert (
        '<a href="https://video.example.net/flax" rel="noopener noreferrer" target="_blank">'
        in page
    )
    assert organisation.name in page
    assert "https://flax.example.net" in page
    assert "info@flax.example.net" in page
    assert c1.name_en in page and "How much *weight* is saved?" in page
    assert "Weight 2 · score from 1 to 10" in page
    # c1 as a row of buttons ("–" for no score, then 1 to 10), c2 as a number box.
    assert f'type="radio" name="score_{c1.pk}" value=""' in page
    for score in range(1, 11):
        assert f'type="radio" name="score_{c1.pk}" value="{score}"' in page
    assert f'type="radio" name="score_{c1.pk}" value="11"' not in page
    assert f'type="number" name="score_{c2.pk}"' in page
    assert 'min="1"' in page and 'max="10"' in page
    assert '<input type="hidden" name="version" value="0"' in page
    assert 'name="private_note"' in page
    assert 'data-testid="autosave-status"' in page
    assert 'data-testid="other-reviews"' not in page


def test_a_javascript_video_link_is_not_a_link(client, jury, assigned):
    Submission.objects.filter(pk=jury.submissions[0].pk).update(
        answers=standard_answers(jury.award, video_url="javascript:alert(1)")
    )
    login(client, jury.jurors[0].user)

    page = text(client.get(url("review", jury, pk=assigned.pk)))

    assert 'href="javascript:' not in page
    assert "javascript:alert(1)" in page


def test_without_private_notes_there_is_no_note_field(client, jury, assigned):
    jury.award.private_notes = False
    jury.award.save(update_fields=["private_notes"])
    login(client, jury.jurors[0].user)

    assert 'name="private_note"' not in text(client.get(url("review", jury, pk=assigned.pk)))


def test_blind_review_hides_the_company_on_the_review_page(client, jury, assigned):
    jury.award.blind_review = True
    jury.award.save(update_fields=["blind_review"])
    organisation = jury.submissions[0].organisation
    organisation.website = "https://flax.example.net"
    organisation.contact_name = "Rita Roth"
    organisation.contact_email = "rita@flax.example.net"
    organisation.save()
    login(client, jury.jurors[0].user)

    page = text(client.get(url("review", jury, pk=assigned.pk)))

    assert jury.submissions[0].title in page
    for hidden in (organisation.name, "flax.example.net", "Rita Roth"):
        assert hidden not in page
    assert 'data-testid="blind-note"' in page


def test_a_draft_is_saved_and_shown_again(client, jury, assigned):
    c1, _c2 = jury.criteria
    login(client, jury.jurors[0].user)

    response = post_review(
        client,
        jury,
        assigned,
        criterion_fields(
            jury,
            {f"score_{c1.pk}": "7", f"comment_{c1.pk}": "Strong idea"},
            overall_comment="Promising",
            private_note="Ask about the price",
            action="draft",
        ),
    )

    assert (response.status_code, response["Location"]) == (
        302,
        url("review", jury, pk=assigned.pk),
    )
    review = Review.objects.get(assignment=assigned)
    assert (review.status, review.version, review.overall_comment, review.private_note) == (
        "draft",
        1,
        "Promising",
        "Ask about the price",
    )
    assert {s.criterion_id: (s.value, s.comment) for s in review.scores.all()} == {
        c1.pk: (7, "Strong idea")
    }
    page = text(client.get(url("review", jury, pk=assigned.pk)))
    assert f'name="score_{c1.pk}" value="7"' in page
    assert "Strong idea</textarea>" in page
    assert "Promising</textarea>" in page
    assert '<input type="hidden" name="version" value="1"' in page
    assert 'data-status="draft"' in page


def test_submitting_a_complete_review_locks_it(client, jury, assigned):
    login(client, jury.jurors[0].user)

    response = post_review(
        client, jury, assigned, criterion_fields(jury, full_scores(jury), action="submit")
    )

    assert (response.status_code, response["Location"]) == (302, url("dashboard", jury))
    review = Review.objects.get(assignment=assigned)
    assert review.status == "submitted"
    page = text(client.get(url("review", jury, pk=assigned.pk)))
    assert 'data-testid="review-locked"' in page
    assert "locked; the organisers can reopen it" in page
    assert 'data-testid="review-form"' not in page


def test_submitting_without_every_score_names_the_missing_criterion_and_keeps_the_input(
    client, jury, assigned
):
    c1, c2 = jury.criteria
    login(client, jury.jurors[0].user)

    response = post_review(
        client,
        jury,
        assigned,
        criterion_fields(
            jury, {f"score_{c1.pk}": "7"}, overall_comment="Half done", action="submit"
        ),
    )

    page = text(response)
    assert response.status_code == 400
    assert f"Please score every criterion before submitting: {c2.name_en}." in page
    assert f'name="score_{c1.pk}" value="7"' in page
    assert "Half done</textarea>" in page
    assert not Review.objects.exists()


@pytest.mark.parametrize("control", ["number", "buttons"])
def test_a_score_outside_the_scale_is_refused_at_its_field(client, jury, assigned, control):
    """Typed into a number box, or sent for a row of buttons 1–10 by a tampered page: refused
    at its field, with everything else kept as it was sent."""
    c1, c2 = jury.criteria
    for criterion in jury.criteria:
        criterion.score_control = control
        criterion.save(update_fields=["score_control"])
    login(client, jury.jurors[0].user)

    response = post_review(
        client,
        jury,
        assigned,
        criterion_fields(
            jury,
            {f"score_{c1.pk}": "11", f"score_{c2.pk}": "4", f"comment_{c2.pk}": "Keep me"},
            action="draft",
        ),
    )

    page = text(response)
    assert response.status_code == 400
    field = page.split(f'data-criterion="{c1.pk}"')[1].split("data-criterion=")[0]
    assert "Enter a score from 1 to 10." in field
    assert "is-invalid" in field and 'aria-invalid="true"' in field
    if control == "number":
        assert 'value="11"' in field
        assert f'name="score_{c2.pk}" value="4"' in page
    else:
        button = page.split(f'name="score_{c2.pk}" value="4" class="btn-check score-input"')[1]
        assert "checked" in button.split(">")[0]
    assert "Keep me</textarea>" in page
    assert not Review.objects.exists()


def test_a_score_that_is_not_a_number_is_refused(client, jury, assigned):
    c1, _c2 = jury.criteria
    login(client, jury.jurors[0].user)

    response = post_review(
        client, jury, assigned, criterion_fields(jury, {f"score_{c1.pk}": "7.5"}, action="draft")
    )

    assert response.status_code == 400
    assert "Enter a whole number." in text(response)
    assert not Review.objects.exists()


def test_a_criterion_of_another_award_is_refused_and_nothing_saved(client, jury, assigned):
    foreign = jury.other_juror.award.criteria.create(name_de="Fremd", name_en="Foreign")
    login(client, jury.jurors[0].user)

    response = post_review(
        client,
        jury,
        assigned,
        criterion_fields(jury, full_scores(jury), **{f"score_{foreign.pk}": "5"}, action="draft"),
    )

    assert response.status_code == 400
    assert "A criterion of another award was sent." in text(response)
    assert not Review.objects.exists()


def test_a_stale_version_is_refused_with_409_and_nothing_saved(client, jury, assigned):
    c1, _c2 = jury.criteria
    login(client, jury.jurors[0].user)
    post_review(
        client, jury, assigned, criterion_fields(jury, {f"score_{c1.pk}": "3"}, action="draft")
    )

    response = post_review(
        client,
        jury,
        assigned,
        criterion_fields(
            jury, {f"score_{c1.pk}": "9"}, overall_comment="Older tab", version="0", action="draft"
        ),
    )

    page = text(response)
    assert response.status_code == 409
    assert "This review was saved in another window since you opened it." in page
    assert f'name="score_{c1.pk}" value="9"' in page
    assert "Older tab</textarea>" in page
    review = Review.objects.get(assignment=assigned)
    assert (review.version, review.overall_comment, review.scores.get().value) == (1, "", 3)


@pytest.mark.parametrize("where", ["round", "award"])
def test_after_the_deadline_a_review_is_refused_with_the_deadline(client, jury, assigned, where):
    deadline = timezone.now() - dt.timedelta(hours=1)
    if where == "round":
        jury.round.deadline_at = deadline
        jury.round.save(update_fields=["deadline_at"])
    else:
        # Still after the submission deadline, as the award's constraints demand.
        jury.award.jury_deadline_at = deadline
        jury.award.save(update_fields=["jury_deadline_at"])
    login(client, jury.jurors[0].user)

    response = post_review(
        client,
        jury,
        assigned,
        criterion_fields(jury, full_scores(jury), overall_comment="Late", action="submit"),
    )
    page_after = text(client.get(url("review", jury, pk=assigned.pk)))

    page = text(response)
    assert response.status_code == 400
    assert expected_deadline(jury, deadline) in page
    assert "reviews can no longer be changed" in page
    assert "Late</textarea>" in page
    assert not Review.objects.exists()
    assert 'data-testid="window-problem"' in page_after
    assert 'data-testid="submit-review"' not in page_after


def test_an_individual_extension_lets_a_juror_submit_after_the_deadline(client, jury, assigned):
    jury.round.deadline_at = timezone.now() - dt.timedelta(hours=1)
    jury.round.save(update_fields=["deadline_at"])
    juror = jury.jurors[0]
    juror.deadline_extended_until = timezone.now() + dt.timedelta(days=2)
    juror.save(update_fields=["deadline_extended_until"])
    login(client, juror.user)

    response = post_review(
        client, jury, assigned, criterion_fields(jury, full_scores(jury), action="submit")
    )

    assert response.status_code == 302
    assert Review.objects.get(assignment=assigned).status == "submitted"


def test_a_submitted_review_cannot_be_changed(client, jury, assigned):
    login(client, jury.jurors[0].user)
    post_review(
        client, jury, assigned, criterion_fields(jury, full_scores(jury, 6, 6), action="submit")
    )

    response = post_review(
        client,
        jury,
        assigned,
        criterion_fields(jury, full_scores(jury, 1, 1), version="1", action="draft"),
    )

    assert response.status_code == 400
    assert "This review has been submitted and is locked." in text(response)
    review = Review.objects.get(assignment=assigned)
    assert (review.status, sorted(review.scores.values_list("value", flat=True))) == (
        "submitted",
        [6, 6],
    )


def test_html_in_comments_is_escaped_on_the_review_page(client, jury, assigned):
    c1, _c2 = jury.criteria
    login(client, jury.jurors[0].user)
    post_review(
        client,
        jury,
        assigned,
        criterion_fields(
            jury, {f"comment_{c1.pk}": SCRIPT}, overall_comment=SCRIPT, action="draft"
        ),
    )

    draft_page = text(client.get(url("review", jury, pk=assigned.pk)))
    post_review(
        client,
        jury,
        assigned,
        criterion_fields(
            jury,
            full_scores(jury),
            **{f"comment_{c1.pk}": SCRIPT},
            overall_comment=SCRIPT,
            version="1",
            action="submit",
        ),
    )
    locked_page = text(client.get(url("review", jury, pk=assigned.pk)))

    for page in (draft_page, locked_page):
        assert SCRIPT not in page
        assert page.count(ESCAPED_SCRIPT) == 2


# --- Other jurors' scores -------------------------------------------------------------------


@pytest.fixture
def two_reviews(jury, assigned):
    """jurors[1] has submitted a review of the same entry, with a comment holding HTML."""
    other = assign(jury, jury.jurors[1], jury.submissions[0])
    c1, _c2 = jury.criteria
    services.review_save(
        assignment=other,
        actor=jury.jurors[1].user,
        version=0,
        scores={c.pk: 9 for c in jury.criteria},
        comments={c1.pk: "Outstanding <b>fibre</b>"},
        overall_comment=SCRIPT,
        private_note="For the organisers only",
        submit=True,
    )
    return assigned


def submit_own(jury, assignment):
    services.review_save(
        assignment=assignment,
        actor=assignment.juror.user,
        version=0,
        scores={c.pk: 5 for c in jury.criteria},
        submit=True,
    )


def others_section(client, jury, assignment) -> str | None:
    page = text(client.get(url("review", jury, pk=assignment.pk)))
    if 'data-testid="other-reviews"' not in page:
        return None
    return page.split('data-testid="other-reviews"')[1]


@pytest.mark.parametrize(
    ("visibility", "own_submitted", "shown"),
    [
        ("never", False, False),
        ("never", True, False),
        ("after_own", False, False),
        ("after_own", True, True),
        ("always", False, True),
    ],
)
def test_other_jurors_scores_follow_the_awards_setting(
    client, jury, two_reviews, visibility, own_submitted, shown
):
    jury.award.score_visibility = visibility
    jury.award.save(update_fields=["score_visibility"])
    if own_submitted:
        submit_own(jury, two_reviews)
    login(client, jury.jurors[0].user)

    section = others_section(client, jury, two_reviews)

    if not shown:
        assert section is None
        page = text(client.get(url("review", jury, pk=two_reviews.pk)))
        assert "Outstanding" not in page
        return
    assert section.count('data-testid="other-review"') == 1
    assert "Juror 1" in section
    assert jury.jurors[1].user.full_name not in section
    assert '<strong data-testid="other-score">9</strong>' in section
    assert "Outstanding &lt;b&gt;fibre&lt;/b&gt;" in section
    assert ESCAPED_SCRIPT in section and SCRIPT not in section
    assert "For the organisers only" not in section


def test_the_jury_chair_sees_the_other_jurors_names(client, jury, two_reviews):
    jury.award.score_visibility = "always"
    jury.award.save(update_fields=["score_visibility"])
    chair = jury.jurors[0]
    chair.role = "jury_chair"
    chair.save(update_fields=["role"])
    login(client, chair.user)

    section = others_section(client, jury, two_reviews)

    assert "Juror Person 1" in section
    assert "Juror 1<" not in section


def test_a_draft_of_another_juror_is_never_shown(client, jury, assigned):
    jury.award.score_visibility = "always"
    jury.award.save(update_fields=["score_visibility"])
    other = assign(jury, jury.jurors[1], jury.submissions[0])
    services.review_save(
        assignment=other, actor=jury.jurors[1].user, version=0, scores={}, overall_comment="Draft"
    )
    login(client, jury.jurors[0].user)

    section = others_section(client, jury, assigned)

    assert 'data-testid="other-review"' not in section
    assert "No other juror has submitted a review of this entry yet." in section
