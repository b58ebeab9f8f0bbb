"""The ranking, robustness and jury quality on the organisers' results pages come from the
cache by a version of the data they rest on (results/selectors/figures.py): a repeat view
reads no score, and every change that moves a ranking shows on the next view. The
robustness is computed by a task after reviews change and the page says so meanwhile."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from awards.models import Award, Criterion
from jury import services as jury_services
from jury.models import Assignment, Review
from results import tasks
from results.selectors import figures
from tests.factories import JurorFactory, SubmissionFactory
from tests.helpers import text
from tests.results.manage_helpers import review, rows, scored, url

pytestmark = pytest.mark.django_db


def category_page(client, s):
    return client.get(url(s.award, "category", category=s.category.pk))


def scores_read(client, s) -> tuple[object, bool]:
    """The category page, and whether rendering it read any score from the database."""
    with CaptureQueriesContext(connection) as queries:
        response = category_page(client, s)
    assert response.status_code == 200
    return response, any("jury_score" in q["sql"] for q in queries.captured_queries)


def places(response) -> list[tuple[str, str]]:
    return [(row["place"], row["reference"]) for row in rows(text(response))]


@pytest.fixture
def queued(monkeypatch):
    """The robustness refreshes handed to the broker, as (round id, countdown)."""
    sent = []

    def apply_async(args, countdown=None, **kwargs):
        sent.append((args[0], countdown))

    monkeypatch.setattr(tasks.robustness_refresh, "apply_async", apply_async)
    return sent


def test_a_repeat_view_reads_no_score_and_shows_the_same_ranking(client):
    s = scored(close=False)
    client.force_login(s.organiser)

    first, read_first = scores_read(client, s)
    again, read_again = scores_read(client, s)

    assert read_first and not read_again
    assert places(again) == places(first)
    assert [p for p, _ in places(first)] == ["1", "2", "3"]


def test_a_submitted_review_moves_the_ranking_on_the_next_view(client, queued):
    s = scored(((5, 6, 7), (5, 6, 7)), close=False)
    client.force_login(s.organiser)
    e0, e1, e2 = s.submissions
    assert places(category_page(client, s))[0] == ("1", e2.reference)

    # A third juror finds the first entry outstanding and the third poor.
    third = JurorFactory(award=s.award, categories=[s.category])
    for submission, value in ((e0, 10), (e1, 6), (e2, 1)):
        review(s, third, submission, value)
    response, read = scores_read(client, s)

    assert read
    assert places(response)[0] == ("1", e0.reference)


def test_a_reopened_review_leaves_the_ranking_at_once(client, queued):
    s = scored(((9, 1), (9, 1)), close=False)
    client.force_login(s.organiser)
    assert [r["reviews"] for r in rows(text(category_page(client, s)))] == ["2", "2"]

    submitted = Review.objects.filter(assignment__submission=s.submissions[0]).first()
    jury_services.review_reopen(review=submitted, actor=s.organiser)

    assert [r["reviews"] for r in rows(text(category_page(client, s)))] == ["1", "2"]


def test_a_draft_saved_by_autosave_does_not_touch_the_figures(client, queued):
    s = scored(close=False)
    client.force_login(s.organiser)
    category_page(client, s)
    newcomer = SubmissionFactory(award=s.award, category=s.category, status="eligible")
    assignment = Assignment.objects.create(round=s.round, juror=s.jurors[0], submission=newcomer)
    s.round.entries.create(submission=newcomer)
    category_page(client, s)  # the new entry is in the round: a new version, read once

    jury_services.review_save(
        assignment=assignment,
        actor=s.jurors[0].user,
        version=0,
        scores={s.criteria[0].pk: 4},
    )
    _response, read = scores_read(client, s)

    assert not read


@pytest.mark.parametrize(
    "change",
    ["normalisation", "weight", "calibration"],
)
def test_a_change_of_method_weight_or_counting_shows_on_the_next_view(client, change, queued):
    # Juror 0 scores criterion 0 high, juror 1 criterion 1: the weights decide.
    s = scored(((9, 1), (1, 9)), close=False)
    client.force_login(s.organiser)
    before = category_page(client, s)

    if change == "normalisation":
        Award.objects.filter(pk=s.award.pk).update(ranking_normalisation="zscore")
    elif change == "weight":
        Criterion.objects.filter(pk=s.criteria[0].pk).update(weight=5)
    else:
        s.round.entries.filter(submission=s.submissions[0]).update(is_calibration=True)
        type(s.round).objects.filter(pk=s.round.pk).update(calibration_counts=False)
    _after, read = scores_read(client, s)

    assert read, f"the figures were not computed again after the {change} changed"
    assert before.status_code == 200


def test_the_version_changes_when_an_entry_moves_to_another_category(client):
    s = scored(close=False)
    s.round.award = s.award
    before = figures.RoundFeed(s.round).version
    other = s.award.categories.create(code="OTH", name_de="Andere", name_en="Other", position=9)
    type(s.submissions[0]).objects.filter(pk=s.submissions[0].pk).update(category=other)

    assert figures.RoundFeed(s.round).version != before


# --- Robustness ---------------------------------------------------------------------------


def test_the_first_view_computes_the_robustness_and_shows_it_fresh(client, queued):
    s = scored(close=False)
    client.force_login(s.organiser)

    response = category_page(client, s)

    assert 'data-testid="robustness-' in response.content.decode()
    assert 'data-testid="robustness-updating"' not in response.content.decode()
    assert queued == []


def test_after_a_review_the_last_verdict_shows_as_updating_until_the_task_ran(
    client, queued, django_capture_on_commit_callbacks
):
    s = scored(((9, 6, 3), (8, 5, 2)), close=False)
    client.force_login(s.organiser)
    category_page(client, s)  # computed once, in the request
    third = JurorFactory(award=s.award, categories=[s.category])

    with django_capture_on_commit_callbacks(execute=True):
        for submission, value in zip(s.submissions, (1, 5, 10), strict=True):
            review(s, third, submission, value)

    # Three reviews in a row: one refresh, after the burst has settled.
    assert queued == [(s.round.pk, figures.ROBUSTNESS_DEBOUNCE_S)]
    with django_capture_on_commit_callbacks(execute=True):
        stale = category_page(client, s).content.decode()
    assert 'data-testid="robustness-updating"' in stale
    assert 'data-testid="robustness-stale"' in stale
    assert len(queued) == 1  # the page does not queue what is queued already

    tasks.robustness_refresh.run(s.round.pk)  # the worker
    fresh = category_page(client, s).content.decode()

    assert 'data-testid="robustness-updating"' not in fresh
    assert 'data-testid="robustness-' in fresh


def test_a_refresh_lost_on_the_way_is_queued_again_by_the_next_view(
    client, queued, django_capture_on_commit_callbacks
):
    s = scored(((9, 6, 3), (8, 5, 2)), close=False)
    client.force_login(s.organiser)
    category_page(client, s)
    third = JurorFactory(award=s.award, categories=[s.category])
    with django_capture_on_commit_callbacks(execute=True):
        review(s, third, s.submissions[0], 1)
    assert len(queued) == 1

    # The task never ran (a flushed broker) and its marker expired.
    cache.delete(f"results:robustness:{s.round.pk}:queued")
    with django_capture_on_commit_callbacks(execute=True):
        category_page(client, s)

    assert queued[-1] == (s.round.pk, 0)


def test_page_views_while_the_task_computes_queue_nothing_more(
    client, queued, monkeypatch, django_capture_on_commit_callbacks
):
    s = scored(((9, 6, 3), (8, 5, 2)), close=False)
    client.force_login(s.organiser)
    category_page(client, s)
    third = JurorFactory(award=s.award, categories=[s.category])
    with django_capture_on_commit_callbacks(execute=True):
        review(s, third, s.submissions[0], 1)
    assert len(queued) == 1
    compute = figures.robustness_compute

    def computing(feed):
        # A page view while the worker computes: no fresh figure yet.
        with django_capture_on_commit_callbacks(execute=True):
            category_page(client, s)
        return compute(feed)

    monkeypatch.setattr(figures, "robustness_compute", computing)
    tasks.robustness_refresh.run(s.round.pk)

    assert len(queued) == 1


def test_a_review_that_comes_in_while_the_task_computes_queues_the_next_run(
    client, queued, monkeypatch, django_capture_on_commit_callbacks
):
    s = scored(((9, 6, 3), (8, 5, 2)), close=False)
    client.force_login(s.organiser)
    category_page(client, s)
    third = JurorFactory(award=s.award, categories=[s.category])
    with django_capture_on_commit_callbacks(execute=True):
        review(s, third, s.submissions[0], 1)
    compute = figures.robustness_compute

    def computing(feed):
        state = compute(feed)
        with django_capture_on_commit_callbacks(execute=True):
            review(s, third, s.submissions[1], 5)  # finds the marker: queues nothing
        return state

    monkeypatch.setattr(figures, "robustness_compute", computing)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.robustness_refresh.run(s.round.pk)

    assert queued == [(s.round.pk, figures.ROBUSTNESS_DEBOUNCE_S), (s.round.pk, 0)]


def test_the_refresh_task_of_a_round_that_is_gone_does_nothing():
    assert tasks.robustness_refresh.run(999_999) is False


def test_the_overview_shows_the_verdict_and_the_updating_mark(client, queued):
    s = scored(((9, 6, 3), (8, 5, 2)), close=False)
    client.force_login(s.organiser)
    fresh = client.get(url(s.award, "overview")).content.decode()
    third = JurorFactory(award=s.award, categories=[s.category])
    review(s, third, s.submissions[2], 10)

    stale = client.get(url(s.award, "overview")).content.decode()

    assert 'data-testid="verdict"' in fresh and "robustness-updating" not in fresh
    assert 'data-testid="robustness-updating"' in stale


# --- Jury quality -------------------------------------------------------------------------


def test_the_jury_quality_is_read_from_the_cache_on_a_repeat_view(client):
    s = scored()
    client.force_login(s.organiser)

    with CaptureQueriesContext(connection) as first:
        assert client.get(url(s.award, "quality")).status_code == 200
    with CaptureQueriesContext(connection) as again:
        response = client.get(url(s.award, "quality"))

    assert any("jury_score" in q["sql"] for q in first.captured_queries)
    assert not any("jury_score" in q["sql"] for q in again.captured_queries)
    assert response.status_code == 200
