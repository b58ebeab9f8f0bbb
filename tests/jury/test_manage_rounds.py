"""The organisers' work inside a round (/manage/<slug>/jury/rounds/<n>/…): opening and
closing it, assignments computed and by hand, progress with reminders, a review's detail and
reopening, and the jury discussion of an entry; the assignments and progress pages run a fixed
number of queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from awards.enums import RoundStatus
from jury import services
from jury.enums import AssignmentSource, ReviewStatus
from jury.models import Assignment, Conflict, DiscussionPost, Juror, Review, RoundEntry
from notifications.models import Message
from tests.factories import (
    CategoryFactory,
    JurorFactory,
    RoundFactory,
    SubmissionFactory,
    judging_setup,
)
from tests.helpers import prefer_english, text
from tests.jury.manage_helpers import (
    assign,
    confirm_assignment_run,
    confirm_remind,
    followed_messages,
    has_text,
    submit_review,
    url,
)

pytestmark = pytest.mark.django_db

# --- Helpers -----------------------------------------------------------------------------


def tag_attrs(html: str, testid: str) -> dict[str, str]:
    match = re.search(rf'<[a-z]+\b[^>]*data-testid="{re.escape(testid)}"[^>]*>', html)
    assert match, f"no element with data-testid={testid!r}"
    return dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(0)))


def row_cells(html: str, row_attr: str) -> dict[str, str]:
    """The ``data-col`` cells of the table row ``<tr {row_attr}>``."""
    row = re.search(rf"<tr {row_attr}>(.*?)</tr>", html, re.S)
    assert row, f"no row {row_attr!r}"
    return {k: v.strip() for k, v in re.findall(r'data-col="(\w+)"[^>]*>([^<]*)<', row.group(1))}


def draft_review(assignment: Assignment, value: int) -> Review:
    criterion = assignment.round.award.criteria.order_by("position").first()
    return services.review_save(
        assignment=assignment, actor=assignment.juror.user, version=0, scores={criterion.pk: value}
    )


# --- Rounds: open, close -----------------------------------------------------------------


def test_close_and_reopen_a_round(organiser_client, s):
    response = organiser_client.post(url(s, "round_close", number=1), {"confirm": "on"})
    assert followed_messages(organiser_client, response) == [
        "The round is closed; nothing more can be scored or ranked in it."
    ]
    s.round.refresh_from_db()
    assert s.round.status == RoundStatus.CLOSED

    again = organiser_client.post(url(s, "round_close", number=1))
    assert followed_messages(organiser_client, again) == ["Only an open round can be closed."]

    reopen = organiser_client.post(url(s, "round_open", number=1))
    assert followed_messages(organiser_client, reopen) == ["The round is open for the jury."]
    s.round.refresh_from_db()
    assert s.round.status == RoundStatus.OPEN


def test_closing_a_planned_round_is_refused(organiser_client, s):
    RoundFactory(award=s.award, number=2, kind="final")
    response = organiser_client.post(url(s, "round_close", number=2))
    assert followed_messages(organiser_client, response) == ["Only an open round can be closed."]
    assert s.award.rounds.get(number=2).status == RoundStatus.PLANNED


def test_opening_a_round_needs_the_award_in_judging(organiser_client, s):
    s.round.status = RoundStatus.PLANNED
    s.round.save()
    s.award.status = "closed"
    s.award.save()
    response = organiser_client.post(url(s, "round_open", number=1))
    assert followed_messages(organiser_client, response) == [
        "Rounds can be opened while the award is in “Judging”."
    ]
    s.round.refresh_from_db()
    assert s.round.status == RoundStatus.PLANNED


# --- Assignments -------------------------------------------------------------------------


def test_assignment_run_reports_short_entries_with_the_reason(client):
    s = judging_setup(entries=2, jurors=2, criteria=1, k=3)
    client.force_login(prefer_english(s.organiser))
    response = confirm_assignment_run(client, s)
    assert response.status_code == 302
    assert response["Location"] == url(s, "assignments", number=1)

    page = client.get(response["Location"])

    html = text(page)
    assert [str(m) for m in page.context["messages"]] == ["The assignments have been computed."]
    assert re.search(r'data-testid="report-created">4<', html)
    assert re.search(r'data-testid="report-kept">0<', html)
    short = re.search(r'data-testid="short-entries">(.*?)</table>', html, re.S).group(1)
    for entry in s.submissions:
        assert escape(entry.title) in short
    assert short.count('data-testid="missing">1<') == 2
    assert short.count('data-testid="reason">The category has only 2 jurors.<') == 2
    # Shown once: the report is gone on the next visit.
    assert 'data-testid="assignment-report"' not in text(
        client.get(url(s, "assignments", number=1))
    )


def test_assignments_page_lists_jurors_per_entry_and_loads(organiser_client, s):
    a = assign(s, 0, 0)
    submit_review(a, 8)
    Assignment.objects.create(
        round=s.round,
        juror=s.jurors[1],
        submission=s.submissions[0],
        source=AssignmentSource.MANUAL,
    )
    assign(s, 0, 1)
    html = text(organiser_client.get(url(s, "assignments", number=1)))
    row = re.search(rf'<tr data-submission="{s.submissions[0].pk}">(.*?)</tr>', html, re.S).group(1)
    assert escape(s.jurors[0].user.full_name) in row and escape(s.jurors[1].user.full_name) in row
    assert 'data-review-status="submitted"' in row and 'data-review-status="not_started"' in row
    assert 'data-source="manual">By hand<' in row and 'data-source="automatic">Automatic<' in row
    assert f'href="{url(s, "review_detail", pk=a.review.pk)}"' in row
    summary = re.search(r'data-testid="load-summary">([^<]*)<', html).group(1)
    assert summary == "3 assignments; each juror has between 0 and 2."


def test_manual_add_assigns_by_hand(organiser_client, s):
    response = organiser_client.post(
        url(s, "assignment_add", number=1),
        {"juror": s.jurors[2].pk, "submission": s.submissions[1].pk},
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get(juror=s.jurors[2], submission=s.submissions[1])
    assert assignment.source == AssignmentSource.MANUAL
    assert assignment.created_by == s.organiser


def test_manual_add_refused_for_a_conflicted_juror(organiser_client, s):
    services.conflict_record(
        juror=s.jurors[0],
        submission=s.submissions[0],
        whole_organisation=False,
        note="",
        actor=s.organiser,
    )
    response = organiser_client.post(
        url(s, "assignment_add", number=1),
        {"juror": s.jurors[0].pk, "submission": s.submissions[0].pk},
    )
    assert response.status_code == 400
    assert has_text(response, "This juror has a conflict of interest with the entry.")
    assert f'<option value="{s.jurors[0].pk}" selected>' in text(response)
    assert not Assignment.objects.filter(juror=s.jurors[0], submission=s.submissions[0]).exists()


def test_manual_add_refused_for_a_juror_of_another_category(organiser_client, s):
    other_category = CategoryFactory(award=s.award, code="BAU")
    outsider = JurorFactory(award=s.award, categories=[other_category])
    response = organiser_client.post(
        url(s, "assignment_add", number=1),
        {"juror": outsider.pk, "submission": s.submissions[0].pk},
    )
    assert response.status_code == 400
    assert has_text(response, "This juror does not judge the entry's category.")
    assert not Assignment.objects.filter(juror=outsider).exists()


def test_manual_add_refuses_a_juror_of_another_award(organiser_client, s):
    response = organiser_client.post(
        url(s, "assignment_add", number=1),
        {"juror": s.other.jurors[0].pk, "submission": s.submissions[0].pk},
    )
    assert response.status_code == 400
    assert "Select a valid choice." in text(response)


def test_remove_assignment_refused_for_a_submitted_review(organiser_client, s):
    submitted = assign(s, 0, 0)
    submit_review(submitted, 4)
    response = organiser_client.post(url(s, "assignment_remove", number=1, pk=submitted.pk))
    assert followed_messages(organiser_client, response) == [
        "The juror has submitted this review; reopen it first if it must go."
    ]
    assert Assignment.objects.filter(pk=submitted.pk).exists()

    open_one = assign(s, 1, 0)
    response = organiser_client.post(url(s, "assignment_remove", number=1, pk=open_one.pk))
    assert followed_messages(organiser_client, response) == [
        f"{s.jurors[1].user.full_name} no longer reviews “{s.submissions[0].title}”."
    ]
    assert not Assignment.objects.filter(pk=open_one.pk).exists()


def _add_jurors_with_work(s, count: int) -> None:
    """``count`` more jurors, each with three assignments in different states and a
    conflict, so every branch of the page has rows."""
    for n in range(count):
        juror = JurorFactory(award=s.award, categories=[s.category])
        entries = [
            SubmissionFactory(award=s.award, category=s.category, status="eligible")
            for _ in range(3)
        ]
        for entry in entries:
            RoundEntry.objects.create(round=s.round, submission=entry)
        assignments = [
            Assignment.objects.create(round=s.round, juror=juror, submission=entry)
            for entry in entries
        ]
        draft_review(assignments[0], 3)
        submit_review(assignments[1], 7)
        if n % 2:
            Conflict.objects.create(juror=juror, submission=s.submissions[0])


@pytest.mark.parametrize("page", ["assignments", "progress"])
def test_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, page):
    s = judging_setup(entries=3, jurors=0, criteria=2, k=2)
    client.force_login(prefer_english(s.organiser))
    _add_jurors_with_work(s, 6)
    address = url(s, page, number=1)
    client.get(address)  # warm up whatever is cached per process
    with CaptureQueriesContext(connection) as small:
        assert client.get(address).status_code == 200

    count = len(small)
    _add_jurors_with_work(s, 54)
    assert Juror.objects.filter(award=s.award).count() == 60
    client.get(address)  # the navigation's lists are read again after the new seats, once

    with django_assert_num_queries(count):
        response = client.get(address)
    assert response.status_code == 200
    if page == "progress":
        assert text(response).count('data-testid="juror-progress-') == 60
    else:
        assert text(response).count("<tr data-submission=") == 3 + 180


# --- Progress and reminders --------------------------------------------------------------


def test_progress_counts_are_exact(organiser_client, s):
    juror = s.jurors[0]
    first, second, _third = (assign(s, 0, i) for i in range(3))
    draft_review(first, 5)
    submit_review(second, 9)
    Conflict.objects.create(juror=s.jurors[1], organisation=s.submissions[2].organisation)

    response = organiser_client.get(url(s, "progress", number=1))

    html = text(response)
    assert row_cells(html, f'data-juror="{juror.pk}"') == {
        "assigned": "3",
        "not_started": "1",
        "drafts": "1",
        "submitted": "1",
        "conflicts": "0",
        "percent": "33 %",
    }
    assert row_cells(html, f'data-juror="{s.jurors[1].pk}"')["conflicts"] == "1"
    assert row_cells(html, f'data-category="{s.category.code}"') == {
        "assigned": "3",
        "not_started": "1",
        "drafts": "1",
        "submitted": "1",
        "conflicts": "1",
        "percent": "33 %",
    }
    bar = tag_attrs(html, f"juror-progress-{juror.pk}")
    assert (bar["role"], bar["aria-valuenow"]) == ("progressbar", "33")
    overall = tag_attrs(html, "progress-bar")
    assert (overall["role"], overall["aria-valuenow"]) == ("progressbar", "33")
    assert re.search(r'data-testid="overall-percent">33 %<', html)
    assert tag_attrs(html, f"juror-progress-{s.jurors[1].pk}")["aria-valuenow"] == "0"


def test_reminder_goes_only_to_jurors_with_open_reviews(organiser_client, s):
    busy, done, idle = s.jurors
    assign(s, 0, 0)  # busy: one not started
    submit_review(assign(s, 1, 0), 6)  # done: everything submitted
    page = text(organiser_client.get(url(s, "progress", number=1)))
    assert f'data-testid="remind-{busy.pk}"' in page
    assert f'data-testid="remind-{done.pk}"' not in page
    assert f'data-testid="remind-{idle.pk}"' not in page

    response = confirm_remind(organiser_client, s)

    assert followed_messages(organiser_client, response) == ["A reminder has been sent to 1 juror."]
    reminders = Message.objects.filter(template_key="jury.reminder")
    assert list(reminders.values_list("recipient_email", flat=True)) == [busy.user.email]

    response = confirm_remind(organiser_client, s, juror=done.pk)
    assert followed_messages(organiser_client, response) == [
        "Nobody has open reviews in this round; no reminder sent."
    ]
    # Reminded a moment ago: again only when forced (test_remind_confirmation.py).
    response = confirm_remind(organiser_client, s, juror=busy.pk, force="on")
    assert followed_messages(organiser_client, response) == ["A reminder has been sent to 1 juror."]
    assert reminders.filter(recipient_email=busy.user.email).count() == 2
    assert reminders.count() == 2


# --- Reviews -----------------------------------------------------------------------------


def test_review_detail_shows_scores_comments_and_note(organiser_client, s):
    assignment = assign(s, 0, 0)
    first, second = s.criteria
    review = services.review_save(
        assignment=assignment,
        actor=assignment.juror.user,
        version=0,
        scores={first.pk: 7, second.pk: 3},
        comments={first.pk: "<b>Strong</b> idea"},
        overall_comment="Convincing overall.",
        private_note="The juror knows the founders by name.",
        submit=True,
    )
    response = organiser_client.get(url(s, "review_detail", pk=review.pk))
    html = text(response)
    assert response.status_code == 200
    first_row = re.search(rf'<tr data-criterion="{first.pk}">(.*?)</tr>', html, re.S).group(1)
    assert 'data-testid="score">7<' in first_row
    assert "&lt;b&gt;Strong&lt;/b&gt; idea" in first_row
    second_row = re.search(rf'<tr data-criterion="{second.pk}">(.*?)</tr>', html, re.S).group(1)
    assert 'data-testid="score">3<' in second_row
    assert "Convincing overall." in html
    assert "The juror knows the founders by name." in html
    assert re.search(r'data-testid="version">1<', html)
    assert 'data-review-status="submitted"' in html
    assert 'data-testid="review-reopen"' in html


def test_review_reopen_unlocks_a_submitted_review(organiser_client, s):
    review = submit_review(assign(s, 0, 0), 6)
    response = organiser_client.post(url(s, "review_reopen", pk=review.pk))
    assert followed_messages(organiser_client, response) == [
        f"The review has been reopened; {s.jurors[0].user.full_name} can change and submit "
        "it again."
    ]
    review.refresh_from_db()
    assert (review.status, review.version) == (ReviewStatus.DRAFT, 2)
    assert review.reopened_at is not None

    again = organiser_client.post(url(s, "review_reopen", pk=review.pk))
    assert followed_messages(organiser_client, again) == [
        "Only a submitted review can be reopened."
    ]


def test_no_reopen_once_the_round_is_closed(organiser_client, s):
    review = submit_review(assign(s, 0, 0), 6)
    services.round_close(round=s.round, actor=s.organiser)
    page = text(organiser_client.get(url(s, "review_detail", pk=review.pk)))
    assert 'data-testid="review-reopen"' not in page
    response = organiser_client.post(url(s, "review_reopen", pk=review.pk))
    assert followed_messages(organiser_client, response) == [
        "Reviews can only be reopened while their round is open."
    ]
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED


# --- Discussion --------------------------------------------------------------------------


def test_organiser_reads_and_posts_to_the_discussion(organiser_client, s):
    entry = s.submissions[0]
    DiscussionPost.objects.create(
        round=s.round, submission=entry, author=s.jurors[0].user, body="Is the <i>weight</i> real?"
    )
    address = url(s, "discussion", number=1, pk=entry.pk)
    page = text(organiser_client.get(address))
    assert "Is the &lt;i&gt;weight&lt;/i&gt; real?" in page
    assert escape(s.jurors[0].user.full_name) in page

    response = organiser_client.post(address, {"body": "We asked the applicant for data."})
    assert followed_messages(organiser_client, response) == [
        "Your message has been added to the discussion."
    ]
    post = DiscussionPost.objects.get(author=s.organiser)
    assert (post.round, post.submission, post.body) == (
        s.round,
        entry,
        "We asked the applicant for data.",
    )


def test_discussion_is_closed_with_the_round(organiser_client, s):
    entry = s.submissions[0]
    services.round_close(round=s.round, actor=s.organiser)
    address = url(s, "discussion", number=1, pk=entry.pk)
    assert 'data-testid="discussion-closed"' in text(organiser_client.get(address))
    response = organiser_client.post(address, {"body": "Too late?"})
    assert response.status_code == 400
    assert "The discussion is closed with the round." in text(response)
    assert DiscussionPost.objects.count() == 0


def test_discussion_refuses_an_empty_message(organiser_client, s):
    address = url(s, "discussion", number=1, pk=s.submissions[0].pk)
    response = organiser_client.post(address, {"body": "   "})
    assert response.status_code == 400
    assert "This field is required." in text(response)
    assert DiscussionPost.objects.count() == 0
