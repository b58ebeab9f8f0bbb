"""The countdown to the submission deadline, computed on the server in the award's time zone:
"Submission closes in 3 days and 4 hours (on 12 December 2026, 6:00 p.m. German time)" on the
applicant's dashboard and entry pages, a banner in the last 48 hours for what is not
submitted yet, and "closed" once the deadline has passed.

Django's clock is set with ``mock.patch("django.utils.timezone.now")``, as in test_deadline.py.
"""

import datetime as dt
from contextlib import contextmanager
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from core.formatting import duration_in_words, moment_in_words, time_in_words
from submissions.dashboard_selectors import deadline_countdown
from tests.factories import (
    AwardFactory,
    CategoryFactory,
    MembershipFactory,
    OrganisationFactory,
    SubmissionFactory,
)
from tests.helpers import en_user

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
DEADLINE = dt.datetime(2026, 12, 12, 18, 0, tzinfo=BERLIN)
DASHBOARD = "/me/"


@contextmanager
def clock(moment: dt.datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment.astimezone(dt.UTC)):
        yield


# --- In words -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("span", "words"),
    [
        (dt.timedelta(days=3, hours=4, minutes=59), "3 days and 4 hours"),
        (dt.timedelta(days=1), "1 day"),
        (dt.timedelta(days=1, minutes=30), "1 day"),
        (dt.timedelta(days=2, hours=1), "2 days and 1 hour"),
        (dt.timedelta(hours=5, minutes=12, seconds=40), "5 hours and 12 minutes"),
        (dt.timedelta(hours=1), "1 hour"),
        (dt.timedelta(minutes=1, seconds=59), "1 minute"),
        (dt.timedelta(seconds=59), "less than a minute"),
        (dt.timedelta(seconds=-5), "less than a minute"),
    ],
)
def test_durations_in_words(span, words):
    with translation.override("en"):
        assert duration_in_words(span) == words


def test_moments_name_the_zone_in_words():
    berlin = AwardFactory(timezone="Europe/Berlin")
    new_york = AwardFactory(timezone="America/New_York")

    with translation.override("en"):
        assert moment_in_words(berlin, DEADLINE) == "12 December 2026, 6:00 p.m. German time"
        assert moment_in_words(new_york, DEADLINE) == (
            "12 December 2026, 12:00 p.m. (America/New_York)"
        )
        assert time_in_words(berlin, DEADLINE) == "6:00 p.m. German time"
    with translation.override("de"):
        assert moment_in_words(berlin, DEADLINE).startswith("12. Dezember 2026, 18:00 Uhr ")
        assert time_in_words(new_york, DEADLINE) == "12:00 Uhr (America/New_York)"


# --- The countdown --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "state", "remaining"),
    [
        (DEADLINE - dt.timedelta(days=3, hours=4), "open", "3 days and 4 hours"),
        (DEADLINE - dt.timedelta(hours=48, seconds=1), "open", "2 days"),
        (DEADLINE - dt.timedelta(hours=48), "closing", "2 days"),
        (DEADLINE - dt.timedelta(minutes=5), "closing", "5 minutes"),
        (DEADLINE, "closed", ""),
        (DEADLINE + dt.timedelta(days=1), "closed", ""),
    ],
)
def test_the_countdown_states(now, state, remaining):
    award = AwardFactory(timezone="Europe/Berlin")

    with translation.override("en"):
        countdown = deadline_countdown(award, DEADLINE, now)

    assert (countdown.state, countdown.remaining) == (state, remaining)
    assert countdown.deadline == "12 December 2026, 6:00 p.m. German time"


def test_no_deadline_no_countdown():
    assert deadline_countdown(AwardFactory(), None) is None


# --- The pages ------------------------------------------------------------------------------


@pytest.fixture
def scene():
    """An award open until 12 December 2026, 18:00 in Berlin, and an applicant (English)
    with a draft and a submitted entry."""
    award = AwardFactory(
        name="Lightweight Innovation Award",
        edition=2026,
        slug="lia-2026",
        status="open",
        timezone="Europe/Berlin",
        submissions_open_at=dt.datetime(2026, 10, 1, 9, 0, tzinfo=BERLIN),
        submissions_close_at=DEADLINE,
        jury_deadline_at=DEADLINE + dt.timedelta(days=30),
        announcement_at=DEADLINE + dt.timedelta(days=60),
    )
    category = CategoryFactory(award=award, code="MOB")
    organisation = OrganisationFactory()
    applicant = en_user()
    MembershipFactory(organisation=organisation, user=applicant)

    def entry(title, status):
        return SubmissionFactory(
            award=award,
            category=category,
            organisation=organisation,
            created_by=applicant,
            title=title,
            status=status,
        )

    return {
        "award": award,
        "applicant": applicant,
        "draft": entry("Flax frame", "draft"),
        "submitted": entry("Carbon wing", "submitted"),
    }


def page(client, scene, url, now):
    client.force_login(scene["applicant"])
    with clock(now):
        return client.get(url).content.decode()


def test_the_dashboard_counts_down_in_the_awards_zone(client, scene):
    html = page(client, scene, DASHBOARD, DEADLINE - dt.timedelta(days=3, hours=4))

    assert html.count('data-testid="countdown" data-state="open">closes in 3 days and 4 hours') == 3
    assert 'data-testid="deadline-banner"' not in html


def test_the_dashboard_warns_in_the_last_48_hours_about_what_is_not_submitted(client, scene):
    html = page(client, scene, DASHBOARD, DEADLINE - dt.timedelta(hours=5, minutes=12))

    banner = html.split('data-testid="deadline-banner"')[1].split("</div>")[0]
    assert "Flax frame" in banner
    assert "Carbon wing" not in banner  # submitted: nothing to do
    assert (
        "submission closes in 5 hours and 12 minutes (on 12 December 2026, 6:00 p.m. German time)."
    ) in banner
    assert 'data-state="closing">closes in 5 hours and 12 minutes</span>' in html


def test_the_dashboard_says_closed_after_the_deadline(client, scene):
    html = page(client, scene, DASHBOARD, DEADLINE + dt.timedelta(minutes=1))

    assert html.count('data-testid="countdown" data-state="closed">closed</span>') == 2
    assert 'data-testid="deadline-banner"' not in html
    assert 'data-testid="open-awards"' not in html  # no longer open for entries


def test_the_entry_page_counts_down(client, scene):
    url = f"/submissions/{scene['draft'].pk}/"

    html = page(client, scene, url, DEADLINE - dt.timedelta(days=3, hours=4))

    assert (
        '<p class="text-body-secondary" data-testid="countdown" data-state="open">'
        "Submission closes in 3 days and 4 hours (on 12 December 2026, 6:00 p.m. German time)."
        "</p>"
    ) in html


def test_the_entry_page_warns_in_the_last_48_hours(client, scene):
    url = f"/submissions/{scene['draft'].pk}/"

    html = page(client, scene, url, DEADLINE - dt.timedelta(hours=47))

    assert (
        '<div class="alert alert-warning fw-semibold" role="status" data-testid="countdown" '
        'data-state="closing">Last chance: submission closes in 1 day and 23 hours '
        "(on 12 December 2026, 6:00 p.m. German time).</div>"
    ) in html


def test_the_edit_page_counts_down_too(client, scene):
    url = f"/submissions/{scene['draft'].pk}/edit/"

    html = page(client, scene, url, DEADLINE - dt.timedelta(hours=30))

    assert 'data-state="closing">Last chance: submission closes in 1 day and 6 hours' in html


def test_after_the_deadline_the_entry_page_says_it_is_closed_once(client, scene):
    url = f"/submissions/{scene['submitted'].pk}/"

    html = page(client, scene, url, DEADLINE + dt.timedelta(seconds=1))

    assert 'data-testid="window-problem"' in html
    assert "entries can no longer be changed" in html
    assert 'data-testid="countdown"' not in html  # the page says it once, not twice


def test_an_individual_extension_is_what_counts_down(client, scene):
    entry = scene["draft"]
    entry.deadline_extended_until = DEADLINE + dt.timedelta(days=2)
    entry.save(update_fields=["deadline_extended_until"])

    html = page(client, scene, f"/submissions/{entry.pk}/", DEADLINE + dt.timedelta(days=1))

    assert "Last chance: submission closes in 1 day (on 14 December 2026, 6:00 p.m." in html


def test_an_award_closed_early_shows_no_countdown(client, scene):
    award = scene["award"]
    award.status = "closed"
    award.save(update_fields=["status"])

    html = page(
        client, scene, f"/submissions/{scene['draft'].pk}/", DEADLINE - dt.timedelta(days=3)
    )

    assert 'data-testid="countdown"' not in html


def test_organisers_see_no_countdown(client, scene):
    from tests.factories import AwardRoleFactory

    organiser = AwardRoleFactory(award=scene["award"], user=en_user()).user
    client.force_login(organiser)

    with clock(DEADLINE - dt.timedelta(hours=5)):
        html = client.get(f"/submissions/{scene['draft'].pk}/").content.decode()

    assert 'data-testid="countdown"' not in html
