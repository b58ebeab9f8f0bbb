"""The juror's dashboard (/jury/<slug>/): assignments with status and progress, the deadline
in the award's time zone, what a conflict or a planned round hides, blind review, who gets
404, and a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jury import services
from jury.models import Assignment, Review
from tests.factories import AwardRoleFactory, RoundFactory
from tests.helpers import login, prefer_english, text
from tests.jury.juror_helpers import add_submissions, assign, block, url

pytestmark = pytest.mark.django_db

# --- Who may open which page ----------------------------------------------------------------


def test_a_removed_juror_gets_404(client, jury):
    juror = jury.jurors[0]
    services.juror_remove(juror=juror, actor=jury.organiser)
    login(client, juror.user)

    assert client.get(url("dashboard", jury)).status_code == 404


# --- The dashboard --------------------------------------------------------------------------


def test_the_dashboard_lists_assignments_with_status_and_progress(client, jury):
    juror = jury.jurors[0]
    first, second, third = (assign(jury, juror, s) for s in jury.submissions)
    services.review_save(
        assignment=first,
        actor=juror.user,
        version=0,
        scores={c.pk: 5 for c in jury.criteria},
        submit=True,
    )
    services.review_save(assignment=second, actor=juror.user, version=0, scores={})
    login(client, juror.user)

    page = text(client.get(url("dashboard", jury)))
    # The submitted review is on the "Done" tab; the page opens on what is to do.
    done = text(client.get(url("dashboard", jury), {"round": jury.round.number, "tab": "done"}))

    assert "1 of 3 submitted" in page and "1 of 3 submitted" in done
    assert 'data-testid="progress-bar"' in page
    assert 'aria-valuenow="1"' in page and 'aria-valuemax="3"' in page
    statuses = {
        a.pk: (done if a == first else page).split(f'data-assignment="{a.pk}"')[1].split("</tr>")[0]
        for a in (first, second, third)
    }
    assert f'data-assignment="{first.pk}"' not in page
    assert f'data-assignment="{second.pk}"' not in done
    assert 'data-status="submitted">Submitted<' in statuses[first.pk]
    assert 'data-status="draft">Draft<' in statuses[second.pk]
    assert 'data-status="not_started">Not started<' in statuses[third.pk]
    for submission in jury.submissions:
        shown = done if submission == first.submission else page
        assert submission.reference in shown
        assert submission.title in shown
        assert submission.organisation.name in shown
    assert f'href="{url("review", jury, pk=first.pk)}"' in done


def test_the_dashboard_shows_the_deadline_in_the_awards_time_zone(client, jury):
    jury.round.deadline_at = dt.datetime(2031, 1, 15, 17, 0, tzinfo=dt.UTC)
    jury.round.save(update_fields=["deadline_at"])
    assign(jury, jury.jurors[0], jury.submissions[0])
    login(client, jury.jurors[0].user)

    page = text(client.get(url("dashboard", jury)))

    # 17:00 UTC is 18:00 in Berlin in winter.
    assert "Jury deadline: 15 January 2031, 6:00 p.m. (Europe/Berlin)" in page


def test_an_individual_extension_moves_the_dashboard_deadline(client, jury):
    juror = jury.jurors[0]
    jury.round.deadline_at = dt.datetime(2031, 1, 15, 17, 0, tzinfo=dt.UTC)
    jury.round.save(update_fields=["deadline_at"])
    juror.deadline_extended_until = dt.datetime(2031, 1, 22, 17, 0, tzinfo=dt.UTC)
    juror.save(update_fields=["deadline_extended_until"])
    login(client, juror.user)

    assert "Jury deadline: 22 January 2031, 6:00 p.m. (Europe/Berlin)" in text(
        client.get(url("dashboard", jury))
    )


def test_the_dashboard_hides_entries_in_conflict_and_of_planned_rounds(client, jury):
    juror = jury.jurors[0]
    assign(jury, juror, jury.submissions[0])
    assign(jury, juror, jury.submissions[1])
    block(juror, jury.submissions[1])
    planned = RoundFactory(award=jury.award, number=2, status="planned")
    assign(jury, juror, jury.submissions[2], round=planned)
    login(client, juror.user)

    page = text(client.get(url("dashboard", jury)))

    assert jury.submissions[0].title in page
    assert jury.submissions[1].title not in page
    assert jury.submissions[2].title not in page
    assert "0 of 1 submitted" in page


def test_blind_review_hides_the_company_on_the_dashboard(client, jury):
    jury.award.blind_review = True
    jury.award.save(update_fields=["blind_review"])
    assign(jury, jury.jurors[0], jury.submissions[0])
    login(client, jury.jurors[0].user)

    page = text(client.get(url("dashboard", jury)))

    assert jury.submissions[0].title in page
    assert jury.submissions[0].organisation.name not in page


def test_the_dashboard_runs_the_same_queries_for_5_and_100_assignments(
    client, jury, django_assert_num_queries
):
    juror = jury.jurors[0]
    entries = add_submissions(jury, 100)
    Assignment.objects.bulk_create(
        Assignment(round=jury.round, juror=juror, submission=s) for s in entries[:5]
    )
    first = Assignment.objects.filter(juror=juror).first()
    services.review_save(
        assignment=first,
        actor=juror.user,
        version=0,
        scores={c.pk: 4 for c in jury.criteria},
        submit=True,
    )
    login(client, juror.user)
    client.get(url("dashboard", jury))  # the session settles

    with CaptureQueriesContext(connection) as five:
        response = client.get(url("dashboard", jury))
    assert "1 of 5 submitted" in text(response)
    Assignment.objects.bulk_create(
        Assignment(round=jury.round, juror=juror, submission=s) for s in entries[5:]
    )
    drafts = Assignment.objects.filter(juror=juror).order_by("pk")[10:20]
    Review.objects.bulk_create(Review(assignment=a) for a in drafts)

    with django_assert_num_queries(len(five)):
        response = client.get(url("dashboard", jury))

    page = text(response)
    assert "1 of 100 submitted" in page
    assert page.count('data-status="draft"') == 10


# --- An organiser of another award ----------------------------------------------------------


@pytest.mark.parametrize("name", ["dashboard", "conflicts"])
def test_an_organiser_of_another_award_gets_404(client, jury, name):
    organiser = AwardRoleFactory(award=jury.other_juror.award, role="organiser").user
    login(client, prefer_english(organiser))

    assert client.get(url(name, jury)).status_code == 404
