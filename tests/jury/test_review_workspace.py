"""The juror's workspace (issue #14), server side: the score levels of each criterion, the
control the organisers chose per criterion, comments per criterion and feedback to the
applicant only where the award has them, the way through the open entries (previous/next,
"Save and next", submitting goes on to the next one), the dashboard's order and filters, and
a review page whose number of queries does not grow with the juror's list."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from awards.models import RubricLevel
from jury import services
from jury.models import Assignment, Review
from tests.helpers import login, text
from tests.jury.juror_helpers import add_submissions, assign, criterion_fields, full_scores, url

pytestmark = pytest.mark.django_db


def levels(criterion):
    for low, high, en, de in (
        (1, 3, "Hardly any weight saved", "Kaum Gewicht gespart"),
        (4, 7, "A clear saving", "Eine deutliche Ersparnis"),
        (8, 10, "Half the weight or less", "Halbes Gewicht oder weniger"),
    ):
        RubricLevel.objects.create(
            criterion=criterion, low=low, high=high, description_en=en, description_de=de
        )


def block_of(page: str, criterion) -> str:
    return page.split(f'data-criterion="{criterion.pk}"')[1].split("data-criterion=")[0]


# --- Criteria: levels and controls ----------------------------------------------------------


def test_each_criterion_shows_what_its_scores_mean(client, jury, assigned):
    c1, c2 = jury.criteria
    levels(c1)
    login(client, jury.jurors[0].user)

    page = text(client.get(url("review", jury, pk=assigned.pk)))

    first = block_of(page, c1)
    assert "What the scores mean" in first
    assert 'data-low="1" data-high="3"' in first and "Hardly any weight saved" in first
    assert 'data-low="8" data-high="10"' in first and "Half the weight or less" in first
    assert f'id="level_score_{c1.pk}"' in first and 'aria-live="polite"' in first
    assert f'aria-describedby="help_score_{c1.pk} level_score_{c1.pk}"' in first
    # A criterion without levels has no list, but the live element its inputs point to.
    assert "What the scores mean" not in block_of(page, c2)
    assert f'id="level_score_{c2.pk}"' in block_of(page, c2)


def test_the_levels_appear_in_the_jurors_language(client, jury, assigned):
    c1, _c2 = jury.criteria
    levels(c1)
    user = jury.jurors[0].user
    user.preferred_language = "de"
    user.save(update_fields=["preferred_language"])
    login(client, user)

    page = text(client.get(url("review", jury, pk=assigned.pk), HTTP_ACCEPT_LANGUAGE="de"))

    assert "Eine deutliche Ersparnis" in block_of(page, c1)


def test_each_criterion_is_scored_with_the_control_the_organisers_chose(client, jury, assigned):
    c1, c2 = jury.criteria
    c2.score_control = "slider"
    c2.save(update_fields=["score_control"])
    login(client, jury.jurors[0].user)

    page = text(client.get(url("review", jury, pk=assigned.pk)))

    buttons, slider = block_of(page, c1), block_of(page, c2)
    assert 'role="radiogroup"' in buttons and f'aria-labelledby="label_score_{c1.pk}"' in buttons
    assert buttons.count('class="btn-check score-input"') == 11  # "–" and 1..10
    assert buttons.count('class="btn btn-outline-primary score-button"') == 11
    assert "No score" in buttons
    assert 'type="range"' not in buttons
    assert f'type="number" name="score_{c2.pk}"' in slider
    range_input = slider.split('type="range"')[1].split(">")[0]
    assert "name=" not in range_input  # never posted: the number box carries the score
    assert 'min="1" max="10"' in range_input and "aria-label=" in range_input
    assert " hidden" in range_input  # until the script shows it

    c2.score_control = "number"
    c2.save(update_fields=["score_control"])
    page = text(client.get(url("review", jury, pk=assigned.pk)))
    assert 'type="range"' not in page
    assert f'type="number" name="score_{c2.pk}"' in block_of(page, c2)


def test_a_chosen_button_stays_chosen(client, jury, assigned):
    c1, _c2 = jury.criteria
    login(client, jury.jurors[0].user)
    client.post(
        url("review", jury, pk=assigned.pk),
        criterion_fields(jury, full_scores(jury, 3, 9), action="draft"),
    )

    page = text(client.get(url("review", jury, pk=assigned.pk)))

    chosen = page.split(f'name="score_{c1.pk}" value="3"')[1].split(">")[0]
    assert "checked" in chosen
    assert "checked" not in page.split(f'name="score_{c1.pk}" value="4"')[1].split(">")[0]


def test_the_running_total_has_what_it_needs(client, jury, assigned):
    c1, _c2 = jury.criteria
    c1.weight = "2.50"
    c1.save(update_fields=["weight"])
    login(client, jury.jurors[0].user)

    page = text(client.get(url("review", jury, pk=assigned.pk)))

    assert 'data-weight="2.50" data-min="1" data-max="10"' in block_of(page, c1)
    assert 'data-testid="running-total"' in page and 'data-decimal="1.5"' in page

    german = text(client.get(url("review", jury, pk=assigned.pk), HTTP_ACCEPT_LANGUAGE="de"))
    assert 'data-weight="2.50"' in german  # never localised: the script reads it
    assert 'data-decimal="1,5"' in german or 'data-decimal="1.5"' in german


# --- Comments and feedback where the award has them ---------------------------------------


def test_comments_per_criterion_only_where_the_award_has_them(client, jury, assigned):
    c1, c2 = jury.criteria
    login(client, jury.jurors[0].user)
    assert f'name="comment_{c1.pk}"' in text(client.get(url("review", jury, pk=assigned.pk)))

    jury.award.criterion_comments = False
    jury.award.save(update_fields=["criterion_comments"])
    page = text(client.get(url("review", jury, pk=assigned.pk)))

    assert f'name="comment_{c1.pk}"' not in page and f'name="comment_{c2.pk}"' not in page
    assert "Comment (optional)" not in page
    assert 'name="overall_comment"' in page


def test_feedback_to_the_applicant_only_where_the_award_enables_it(client, jury, assigned):
    login(client, jury.jurors[0].user)
    jury.award.applicant_feedback = False
    jury.award.save(update_fields=["applicant_feedback"])
    page = text(client.get(url("review", jury, pk=assigned.pk)))
    assert 'name="applicant_feedback"' not in page
    assert 'data-testid="feedback-box"' not in page

    jury.award.applicant_feedback = True
    jury.award.save(update_fields=["applicant_feedback"])
    page = text(client.get(url("review", jury, pk=assigned.pk)))

    box = page.split('data-testid="feedback-box"')[1].split("</fieldset>")[0]
    assert "For the applicant" in box and 'name="applicant_feedback"' in box
    assert "the organisers review it and may release it after the decision" in box
    # The comments say who reads them, by the award's rule on seeing other reviews.
    assert "once they have submitted their own review; never by the applicant" in page


@pytest.mark.parametrize(
    ("visibility", "readers"),
    [
        ("never", "Read by the organisers, never by the applicant."),
        ("always", "Read by the organisers and by the other jurors of this entry; never by"),
    ],
)
def test_the_overall_comment_says_who_reads_it(client, jury, assigned, visibility, readers):
    jury.award.score_visibility = visibility
    jury.award.save(update_fields=["score_visibility"])
    login(client, jury.jurors[0].user)

    page = text(client.get(url("review", jury, pk=assigned.pk)))

    assert readers in page


def test_feedback_is_stored_and_shown_once_submitted(client, jury, assigned):
    jury.award.applicant_feedback = True
    jury.award.save(update_fields=["applicant_feedback"])
    login(client, jury.jurors[0].user)

    response = client.post(
        url("review", jury, pk=assigned.pk),
        criterion_fields(
            jury, full_scores(jury), applicant_feedback="Try <b>hemp</b> too", action="submit"
        ),
    )

    assert response.status_code == 302
    review = Review.objects.get(assignment=assigned)
    assert review.applicant_feedback == "Try <b>hemp</b> too"
    page = text(client.get(url("review", jury, pk=assigned.pk)))
    readonly = page.split('data-testid="feedback-readonly"')[1].split("</div>")[0]
    assert "Try &lt;b&gt;hemp&lt;/b&gt; too" in readonly
    assert "<b>hemp</b>" not in page


# --- The way through the open entries -------------------------------------------------------


@pytest.fixture
def three(jury):
    """jurors[0] reviews all three entries (in the list's order: by reference)."""
    return [assign(jury, jury.jurors[0], submission) for submission in jury.submissions]


def test_the_page_says_where_the_entry_stands_and_links_its_neighbours(client, jury, three):
    first, second, third = three
    login(client, jury.jurors[0].user)

    page = text(client.get(url("review", jury, pk=second.pk)))

    nav = page.split('data-testid="review-navigation"')[1].split("</nav>")[0]
    assert "Entry 2 of 3 open" in nav
    assert f'href="{url("review", jury, pk=first.pk)}" rel="prev"' in nav
    assert f'href="{url("review", jury, pk=third.pk)}" rel="next"' in nav
    assert 'name="action" value="next"' in page and "Save and next" in page


def test_a_submitted_entry_is_not_counted_among_the_open_ones(client, jury, three):
    first, _second, third = three
    services.review_save(
        assignment=first,
        actor=jury.jurors[0].user,
        version=0,
        scores={c.pk: 5 for c in jury.criteria},
        submit=True,
    )
    login(client, jury.jurors[0].user)

    submitted = text(client.get(url("review", jury, pk=first.pk)))
    page = text(client.get(url("review", jury, pk=third.pk)))

    assert "2 open entries in this round" in submitted
    assert "Entry 2 of 2 open" in page


def test_save_and_next_keeps_the_draft_and_opens_the_next_entry(client, jury, three):
    first, second, _third = three
    login(client, jury.jurors[0].user)

    response = client.post(
        url("review", jury, pk=first.pk),
        criterion_fields(jury, full_scores(jury, 4, 6), action="next"),
    )

    assert response.status_code == 302
    assert response["Location"] == url("review", jury, pk=second.pk)
    review = Review.objects.get(assignment=first)
    assert review.status == "draft"
    assert sorted(s.value for s in review.scores.all()) == [4, 6]


def test_submitting_opens_the_next_open_entry(client, jury, three):
    first, second, _third = three
    login(client, jury.jurors[0].user)

    response = client.post(
        url("review", jury, pk=first.pk), criterion_fields(jury, full_scores(jury), action="submit")
    )

    assert response["Location"] == url("review", jury, pk=second.pk)
    assert Review.objects.get(assignment=first).status == "submitted"
    page = text(client.get(response["Location"]))
    assert "has been submitted" in page
    assert "Entry 1 of 2 open" in page


def test_the_last_open_entry_leads_back_to_the_dashboard(client, jury, assigned):
    login(client, jury.jurors[0].user)
    page = text(client.get(url("review", jury, pk=assigned.pk)))
    assert 'rel="next"' not in page and 'value="next"' not in page

    response = client.post(
        url("review", jury, pk=assigned.pk),
        criterion_fields(jury, full_scores(jury), action="next"),
    )

    assert response["Location"] == url("dashboard", jury)
    dashboard = text(client.get(url("dashboard", jury)))
    assert "That was your last open review in this round." in dashboard


def test_a_refused_save_and_next_stays_on_the_entry_with_the_input(client, jury, three):
    first, _second, _third = three
    c1, c2 = jury.criteria
    login(client, jury.jurors[0].user)

    response = client.post(
        url("review", jury, pk=first.pk),
        criterion_fields(
            jury, {f"score_{c1.pk}": "99", f"comment_{c2.pk}": "Keep me"}, action="next"
        ),
    )

    assert response.status_code == 400
    assert "Keep me</textarea>" in text(response)
    assert not Review.objects.exists()


# --- The dashboard: order and filters -------------------------------------------------------


def rows(page: str) -> list[str]:
    table = page.split('data-testid="assignments"')[1].split("</table>")[0]
    return [part.split('"')[0] for part in table.split('data-assignment="')[1:]]


def test_the_dashboard_lists_what_needs_doing_first(client, jury, three):
    first, second, third = three
    user = jury.jurors[0].user
    services.review_save(
        assignment=first,
        actor=user,
        version=0,
        scores={c.pk: 5 for c in jury.criteria},
        submit=True,
    )
    services.review_save(assignment=third, actor=user, version=0, scores={})
    login(client, user)

    page = text(client.get(url("dashboard", jury)))
    done = text(client.get(url("dashboard", jury), {"round": jury.round.number, "tab": "done"}))

    # What is to do: the draft, then the one not started; the submitted one on its own tab.
    assert rows(page) == [str(third.pk), str(second.pk)]
    assert rows(done) == [str(first.pk)]
    assert 'data-testid="tab-todo" data-count="2"' in page
    assert 'data-testid="tab-done" data-count="1"' in page
    assert "1 of 3 submitted" in page
    assert 'data-testid="dashboard-filter"' in page
    assert 'data-testid="filter-reset"' not in page


def test_the_dashboard_filters_by_status_and_category(client, jury, three):
    _first, _second, third = three
    services.review_save(assignment=third, actor=jury.jurors[0].user, version=0, scores={})
    login(client, jury.jurors[0].user)

    drafts = text(client.get(url("dashboard", jury), {"status": "draft"}))
    category = text(
        client.get(url("dashboard", jury), {"category": jury.category.pk, "status": ""})
    )
    none = text(client.get(url("dashboard", jury), {"status": "submitted"}))

    assert rows(drafts) == [str(third.pk)]
    assert "0 of 3 submitted" in drafts  # the progress counts the whole list
    assert '<option value="draft" selected>' in drafts
    assert 'data-testid="filter-reset"' in drafts
    assert len(rows(category)) == 3
    assert f'<option value="{jury.category.pk}" selected>' in category
    assert rows(none) == []
    assert "No entries match the filter." in none


@pytest.mark.parametrize(
    "query",
    [
        {"status": "nonsense"},
        {"category": "abc"},
        {"category": "-1"},
        {"category": "999999"},
        {"status": "<script>", "category": "1e3"},
    ],
)
def test_a_bad_filter_value_is_no_filter(client, jury, three, query):
    login(client, jury.jurors[0].user)

    response = client.get(url("dashboard", jury), query)

    page = text(response)
    assert response.status_code == 200
    assert "<script>" not in page.split("<main")[1]
    if query.get("category") == "999999":
        assert rows(page) == [] and "No entries match the filter." in page
    else:
        assert len(rows(page)) == 3


def test_the_dashboard_shows_the_time_left_of_an_open_round(client, jury, three):
    jury.round.deadline_at = timezone.now() + dt.timedelta(days=3, hours=2)
    jury.round.save(update_fields=["deadline_at"])
    login(client, jury.jurors[0].user)

    page = text(client.get(url("dashboard", jury)))

    countdown = page.split('data-testid="jury-countdown"')[1].split("</p>")[0]
    assert "Time left: 3 days" in countdown


# --- A fixed number of queries --------------------------------------------------------------


def test_the_review_page_needs_as_many_queries_for_100_entries_as_for_one(client, jury, assigned):
    levels(jury.criteria[0])
    login(client, jury.jurors[0].user)
    page = url("review", jury, pk=assigned.pk)
    client.get(page)  # warm caches (session, content types)

    with CaptureQueriesContext(connection) as one:
        assert client.get(page).status_code == 200
    Assignment.objects.bulk_create(
        Assignment(round=jury.round, juror=jury.jurors[0], submission=submission)
        for submission in add_submissions(jury, 99)
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get(page)

    assert "Entry 1 of 100 open" in text(response)
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]
