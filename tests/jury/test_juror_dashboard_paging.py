"""The juror's dashboard a page at a time (issue #16): what is to do and what is done on tabs
of their own, a page of ``PAGE_SIZE`` rows in the order of what needs doing (expressed in SQL,
across pages), the progress and the figures of the tabs and filters from one aggregate, the
filters kept by every link, accessible pagination, and the same queries for 30 assignments as
for 300."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jury.enums import ReviewStatus
from jury.models import Assignment, Review, RoundEntry
from jury.selectors.dashboard import PAGE_SIZE, WORK_ORDER
from tests.factories import CategoryFactory, RoundFactory
from tests.helpers import login, text
from tests.jury.juror_helpers import add_submissions, url

pytestmark = pytest.mark.django_db


def rows(page: str, round_number: int | None = None) -> list[int]:
    """The assignment ids of a round's table (the first table when no round is named)."""
    section = page
    if round_number is not None:
        section = page.split(f'data-round="{round_number}"')[1].split("</section>")[0]
    table = section.split('data-testid="assignments"')[1].split("</table>")[0]
    return [int(part.split('"')[0]) for part in table.split('data-assignment="')[1:]]


def pagination(page: str) -> str:
    return page.split('data-testid="pagination"')[1].split("</nav>")[0]


def assign_many(jury, juror, count: int, *, round=None, category=None, start=100):
    entries = add_submissions(jury, count, start=start)
    if category is not None:
        for entry in entries:
            entry.category = category
        type(entries[0]).objects.bulk_update(entries, ["category"])
    round = round or jury.round
    RoundEntry.objects.bulk_create(RoundEntry(round=round, submission=e) for e in entries)
    return Assignment.objects.bulk_create(
        Assignment(round=round, juror=juror, submission=e) for e in entries
    )


def set_status(assignments, status: str) -> None:
    Review.objects.bulk_create(Review(assignment=a, status=status) for a in assignments)


# --- Pages ----------------------------------------------------------------------------------


def test_the_first_page_shows_a_page_of_what_is_to_do_with_pagination(client, jury):
    juror = jury.jurors[0]
    assigned = assign_many(jury, juror, PAGE_SIZE * 2 + 7)
    set_status(assigned[:10], ReviewStatus.SUBMITTED)
    login(client, juror.user)

    page = text(client.get(url("dashboard", jury)))

    todo = PAGE_SIZE * 2 + 7 - 10
    assert len(rows(page)) == PAGE_SIZE
    assert f"10 of {PAGE_SIZE * 2 + 7} submitted" in page
    assert f'data-testid="tab-todo" data-count="{todo}"' in page
    assert 'data-testid="tab-done" data-count="10"' in page
    nav = pagination(page)
    assert 'aria-label="Pages of your entries in Scoring round"' in page
    assert '<span class="page-link" aria-current="page">1</span>' in nav
    assert f"Page 1 of 2 (entries 1–{PAGE_SIZE} of {todo})" in nav
    assert 'rel="next"' in nav and 'rel="prev"' not in nav
    assert f"?round={jury.round.number}&amp;tab=todo&amp;page=2" in nav


def test_the_pages_together_hold_every_row_once_in_the_order_of_what_needs_doing(client, jury):
    """Calibration entries first, then drafts, then not started; among them the entries
    locked until the calibration reviews are in come last; then category and reference. The
    submitted ones are on the done tab."""
    juror = jury.jurors[0]
    second = CategoryFactory(award=jury.award, position=jury.category.position + 1)
    first_category = assign_many(jury, juror, PAGE_SIZE)  # jury.category: calibration
    other = assign_many(jury, juror, PAGE_SIZE, category=second, start=500)
    calibration = first_category[:3]
    RoundEntry.objects.filter(
        round=jury.round, submission__in=[a.submission_id for a in calibration]
    ).update(is_calibration=True)
    set_status(calibration[:1], ReviewStatus.SUBMITTED)  # two still open: the category waits
    set_status(first_category[10:20] + other[5:15], ReviewStatus.DRAFT)
    set_status(first_category[30:35] + other[40:45], ReviewStatus.SUBMITTED)
    login(client, juror.user)

    shown = []
    for number in (1, 2):
        page = text(
            client.get(url("dashboard", jury), {"round": jury.round.number, "page": number})
        )
        shown += rows(page)
    done = text(client.get(url("dashboard", jury), {"round": jury.round.number, "tab": "done"}))

    statuses = dict(Review.objects.values_list("assignment_id", "status"))
    calibration_ids = {a.pk for a in calibration}
    categories = {a.pk: (0 if a in first_category else 1) for a in first_category + other}
    references = {
        a.pk: reference
        for a, reference in zip(
            first_category + other,
            [a.submission.reference for a in first_category + other],
            strict=True,
        )
    }

    def key(pk):
        status = statuses.get(pk, ReviewStatus.NOT_STARTED)
        locked = pk not in calibration_ids and categories[pk] == 0
        return (
            pk not in calibration_ids,
            WORK_ORDER[status],
            locked,
            categories[pk],
            references[pk],
        )

    todo = [pk for pk in categories if statuses.get(pk, ReviewStatus.NOT_STARTED) != "submitted"]
    assert shown == sorted(todo, key=key)
    assert len(shown) == len(set(shown)) == PAGE_SIZE * 2 - 11
    assert rows(done) == sorted(
        (pk for pk in categories if statuses.get(pk) == "submitted"), key=key
    )
    first_page = text(client.get(url("dashboard", jury)))
    assert first_page.count('data-calibration="true"') == 2
    assert 'data-testid="calibration-first"' in first_page
    locked = [
        int(pk) for pk in re.findall(r'data-assignment="(\d+)" data-locked="true"', first_page)
    ]
    assert locked and all(categories[pk] == 0 for pk in locked)


def test_a_page_past_the_end_is_the_last_page_and_nonsense_the_first(client, jury):
    juror = jury.jurors[0]
    assign_many(jury, juror, PAGE_SIZE + 5)
    login(client, juror.user)

    last = text(client.get(url("dashboard", jury), {"page": "99"}))
    nonsense = text(client.get(url("dashboard", jury), {"page": "abc"}))

    assert len(rows(last)) == 5
    assert '<span class="page-link" aria-current="page">2</span>' in pagination(last)
    assert len(rows(nonsense)) == PAGE_SIZE


def test_few_entries_need_no_pagination(client, jury):
    juror = jury.jurors[0]
    assign_many(jury, juror, 3)
    login(client, juror.user)

    page = text(client.get(url("dashboard", jury)))

    assert len(rows(page)) == 3
    assert 'data-testid="pagination"' not in page


# --- Tabs and filters -----------------------------------------------------------------------


def test_the_done_tab_lists_the_submitted_reviews_with_their_links(client, jury):
    juror = jury.jurors[0]
    assigned = assign_many(jury, juror, 6)
    set_status(assigned[:2], ReviewStatus.SUBMITTED)
    login(client, juror.user)

    done = text(client.get(url("dashboard", jury), {"round": jury.round.number, "tab": "done"}))

    assert rows(done) == [a.pk for a in assigned[:2]]
    assert 'data-testid="tab-done" data-count="2"' in done
    assert '<a class="nav-link active" href="' in done.split('data-testid="tab-done"')[0][-300:]
    assert 'aria-current="page" data-testid="tab-done"' in done
    for assignment in assigned[:2]:
        assert f'href="{url("review", jury, pk=assignment.pk)}"' in done
    todo = text(client.get(url("dashboard", jury)))
    assert rows(todo) == [a.pk for a in assigned[2:]]
    assert 'aria-current="page" data-testid="tab-todo"' in todo


def test_an_empty_tab_says_why(client, jury):
    juror = jury.jurors[0]
    assigned = assign_many(jury, juror, 2)
    login(client, juror.user)

    done = text(client.get(url("dashboard", jury), {"round": jury.round.number, "tab": "done"}))
    set_status(assigned, ReviewStatus.SUBMITTED)
    query = {"round": jury.round.number, "tab": "todo"}
    todo = text(client.get(url("dashboard", jury), query))

    assert "You have not submitted a review in this round yet." in done
    assert "Nothing left to do in this round: all your reviews are submitted." in todo


def test_once_nothing_is_left_to_do_the_round_opens_on_what_is_done(client, jury):
    juror = jury.jurors[0]
    assigned = assign_many(jury, juror, 2)
    set_status(assigned, ReviewStatus.SUBMITTED)
    login(client, juror.user)

    page = text(client.get(url("dashboard", jury)))

    assert rows(page) == [a.pk for a in assigned]
    assert 'aria-current="page" data-testid="tab-done"' in page
    assert 'data-testid="tab-todo" data-count="0"' in page


def test_filters_and_paging_work_together_and_every_link_keeps_the_filters(client, jury):
    juror = jury.jurors[0]
    second = CategoryFactory(award=jury.award, position=jury.category.position + 1)
    mine = assign_many(jury, juror, PAGE_SIZE + 4, category=second)
    assign_many(jury, juror, 7, start=700)  # another category
    set_status(mine[: PAGE_SIZE + 2], ReviewStatus.DRAFT)
    login(client, juror.user)

    query = {"category": second.pk, "status": "draft"}
    first = text(client.get(url("dashboard", jury), query))
    following = text(client.get(url("dashboard", jury), {**query, "page": 2}))

    assert len(rows(first)) == PAGE_SIZE
    assert len(rows(following)) == 2
    assert set(rows(first) + rows(following)) == {a.pk for a in mine[: PAGE_SIZE + 2]}
    link = (
        f"?category={second.pk}&amp;status=draft"
        f"&amp;round={jury.round.number}&amp;tab=todo&amp;page=2"
    )
    assert link in pagination(first)
    # The status filter's options count under the category filter; the tabs too.
    assert f'<option value="draft" selected>Draft ({PAGE_SIZE + 2})</option>' in first
    assert '<option value="not_started">Not started (2)</option>' in first
    assert '<option value="submitted">Submitted (0)</option>' in first
    assert f'data-testid="tab-todo" data-count="{PAGE_SIZE + 4}"' in first
    # A tab link keeps the category and leaves the status filter.
    assert f'href="?category={second.pk}&amp;round={jury.round.number}&amp;tab=done"' in first
    assert 'data-testid="filter-reset"' in first


def test_a_page_of_one_round_leaves_the_other_rounds_on_their_first_page(client, jury):
    juror = jury.jurors[0]
    jury.round.status = "closed"
    jury.round.save(update_fields=["status"])
    later = RoundFactory(award=jury.award, number=jury.round.number + 1, status="open")
    earlier_rows = assign_many(jury, juror, PAGE_SIZE + 3)
    later_rows = assign_many(jury, juror, PAGE_SIZE + 6, round=later, start=600)
    login(client, juror.user)

    page = text(client.get(url("dashboard", jury), {"round": later.number, "page": 2}))

    assert (
        rows(page, later.number)
        == sorted((a.pk for a in later_rows), key=lambda pk: pk)[PAGE_SIZE:]
    )
    assert len(rows(page, jury.round.number)) == PAGE_SIZE
    assert set(rows(page, jury.round.number)) <= {a.pk for a in earlier_rows}
    # The open round comes first.
    assert page.index(f'data-round="{later.number}"') < page.index(
        f'data-round="{jury.round.number}"'
    )


# --- Queries --------------------------------------------------------------------------------


def test_the_dashboard_runs_the_same_queries_for_30_and_300_assignments(
    client, jury, django_assert_num_queries
):
    juror = jury.jurors[0]
    jury.round.status = "closed"
    jury.round.save(update_fields=["status"])
    later = RoundFactory(award=jury.award, number=jury.round.number + 1, status="open")
    first = assign_many(jury, juror, 15)
    second = assign_many(jury, juror, 15, round=later, start=400)
    set_status(first[:5], ReviewStatus.SUBMITTED)
    set_status(second[:3], ReviewStatus.DRAFT)
    login(client, juror.user)
    client.get(url("dashboard", jury))  # the session settles

    with CaptureQueriesContext(connection) as thirty:
        small = client.get(url("dashboard", jury), {"round": later.number})
    assert "5 of 15 submitted" in text(small)
    more_first = assign_many(jury, juror, 135, start=1000)
    more_second = assign_many(jury, juror, 135, round=later, start=2000)
    set_status(more_first[:40], ReviewStatus.SUBMITTED)
    set_status(more_second[:20], ReviewStatus.DRAFT)
    RoundEntry.objects.filter(round=later, submission_id=more_second[-1].submission_id).update(
        is_calibration=True
    )

    with django_assert_num_queries(len(thirty)):
        response = client.get(url("dashboard", jury), {"round": later.number, "page": 2})

    page = text(response)
    assert "45 of 150 submitted" in page
    assert len(rows(page, later.number)) == PAGE_SIZE
    assert len(rows(page, jury.round.number)) == PAGE_SIZE
    assert 'data-testid="calibration-first"' in page


# --- The review page's markup ---------------------------------------------------------------


def test_the_row_links_are_the_review_pages(client, jury):
    juror = jury.jurors[0]
    assigned = assign_many(jury, juror, 3)
    login(client, juror.user)

    page = text(client.get(url("dashboard", jury)))

    for assignment in assigned:
        address = reverse("jury:review", kwargs={"slug": jury.award.slug, "pk": assignment.pk})
        assert f'<a href="{address}">' in page
