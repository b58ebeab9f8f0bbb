import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    JurorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_landing_shows_the_open_award_with_categories_prizes_and_timeline(client, demo):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    html = _text(response)
    year = dt.date.today().year
    assert f"Lightweight Innovation Award {year}" in html
    assert "Organised by Composites United e.V." in html
    for name in ["Construction", "Mobility", "Healthcare", "Lifestyle"]:
        assert f'<h3 class="h5 card-title">{name}</h3>' in html
    assert html.count("€10,000") == 4
    assert "How to apply" in html
    assert "Lightweight Innovation Award 2023" in html  # earlier edition listed


def test_landing_in_german_formats_prizes_and_dates_the_german_way(client, demo):
    response = client.get("/awards/lightweight-innovation-award-2023/")

    html = _text(response)
    assert '<html lang="de">' in html
    # Counted in the raw page: the normalised text folds the non-breaking space.
    assert response.content.decode().count("10.000\u00a0€") == 4
    assert "24. Mai 2023, 18:00 Uhr" in html
    assert "Mobilität" in html


def test_timeline_is_shown_in_the_awards_timezone(client):
    award = AwardFactory(
        status="open",
        timezone="America/New_York",
        submissions_open_at=dt.datetime(2031, 3, 1, 9, 0, tzinfo=ZoneInfo("America/New_York")),
        submissions_close_at=dt.datetime(2031, 4, 1, 18, 0, tzinfo=ZoneInfo("America/New_York")),
        jury_deadline_at=None,
        announcement_at=None,
    )

    html = _text(client.get(f"/awards/{award.slug}/", HTTP_ACCEPT_LANGUAGE="en"))

    assert "1 April 2031, 6:00 p.m." in html
    assert 'datetime="2031-04-01T18:00:00-04:00"' in html
    assert "All times in America/New_York." in html


def test_draft_award_is_hidden_from_everyone_but_its_organisers(client):
    award = AwardFactory(status="draft")
    organiser = UserFactory()
    AwardRoleFactory(award=award, user=organiser, role="organiser")

    assert client.get(f"/awards/{award.slug}/").status_code == 404
    assert award.slug not in client.get("/").content.decode()
    client.force_login(UserFactory())
    assert client.get(f"/awards/{award.slug}/").status_code == 404
    client.force_login(organiser)
    assert client.get(f"/manage/{award.slug}/").status_code == 200


def test_unknown_award_is_404(client):
    assert client.get("/awards/no-such-award/").status_code == 404


def test_landing_without_any_public_award_says_so(client):
    AwardFactory(status="draft")
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "No award is open at the moment." in response.content.decode()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_landing_page_runs_a_fixed_number_of_queries(client):
    small = AwardFactory(status="open")
    CategoryFactory.create_batch(2, award=small)
    baseline = _queries(client, "/")
    CategoryFactory.create_batch(20, award=small)
    AwardFactory.create_batch(5, status="published")

    assert _queries(client, "/") == baseline


def test_navigation_shows_what_each_role_can_do(client):
    award = AwardFactory(status="open", name="LIA", edition=2031)
    organiser, juror, applicant = UserFactory(), UserFactory(), UserFactory()
    AwardRoleFactory(award=award, user=organiser, role="organiser")
    JurorFactory(award=award, user=juror)

    anonymous = _text(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))
    assert 'href="/accounts/login/"' in anonymous and 'href="/accounts/register/"' in anonymous
    assert f'href="/manage/{award.slug}/"' not in anonymous

    client.force_login(organiser)
    assert f'href="/manage/{award.slug}/"' in _text(client.get("/"))

    client.force_login(juror)
    as_juror = _text(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))
    assert f'href="/manage/{award.slug}/"' not in as_juror
    assert 'data-role="juror"' in as_juror

    client.force_login(applicant)
    as_applicant = _text(client.get("/"))
    assert "/manage/" not in as_applicant and 'data-role="juror"' not in as_applicant
    assert 'href="/accounts/login/"' not in as_applicant


def test_unverified_organiser_cannot_manage(client):
    award = AwardFactory()
    organiser = UserFactory(email_verified_at=None)
    AwardRoleFactory(award=award, user=organiser, role="organiser")
    client.force_login(organiser)
    assert client.get(f"/manage/{award.slug}/").status_code == 404


def test_organiser_changes_the_status_and_sees_refusals(client):
    award = AwardFactory(status="draft")
    organiser = UserFactory(preferred_language="en")
    AwardRoleFactory(award=award, user=organiser, role="organiser")
    client.force_login(organiser)

    response = client.post(f"/manage/{award.slug}/status/", {"status": "open"}, follow=True)

    assert "“Open for submissions” is not possible yet." in response.content.decode()
    award.refresh_from_db()
    assert award.status == "draft"


def test_status_change_is_refused_for_jurors_and_strangers(client):
    award = AwardFactory(status="draft")
    CategoryFactory(award=award)
    juror = UserFactory()
    JurorFactory(award=award, user=juror)

    assert client.post(f"/manage/{award.slug}/status/", {"status": "open"}).status_code == 302
    for user in [juror, UserFactory()]:
        client.force_login(user)
        assert client.post(f"/manage/{award.slug}/status/", {"status": "open"}).status_code == 404
    award.refresh_from_db()
    assert award.status == "draft"


def test_seed_demo_is_idempotent_and_refuses_without_debug(settings):
    from django.core.management.base import CommandError

    from accounts.models import User
    from awards.models import Award, Category, Criterion

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Award.objects.count() == 0

    settings.DEBUG = True
    for _ in range(2):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert Award.objects.count() == 2
    past = Award.objects.get(edition=2023)
    assert past.organiser_name == "Composites United e.V."
    assert past.announcement_at == dt.datetime(2023, 5, 24, 18, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert list(Category.objects.filter(award=past).values_list("name_en", flat=True)) == [
        "Construction",
        "Mobility",
        "Healthcare",
        "Lifestyle",
    ]
    assert {c.prize_amount for c in Category.objects.filter(award=past)} == {10_000}
    assert Criterion.objects.filter(award=past).count() == 4
    current = Award.objects.get(status="open")
    assert (
        current.submissions_open_at
        < dt.datetime.now(ZoneInfo("UTC"))
        < current.submissions_close_at
    )
    assert User.objects.count() == 6
    assert User.objects.filter(email_verified_at__isnull=True).count() == 0


# --- The landing page from the cache (anonymous visitors) -------------------------------------


def test_a_repeat_anonymous_view_of_the_landing_page_reads_no_award(client):
    award = AwardFactory(status="open")
    CategoryFactory.create_batch(3, award=award)
    client.get("/")

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")

    assert response.status_code == 200
    assert str(award) in response.content.decode()
    assert not any("awards_" in q["sql"] for q in queries.captured_queries)


def _english(client) -> str:
    return _text(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))


@pytest.mark.parametrize("change", ["category", "award", "criterion deleted"])
def test_a_change_shows_on_the_landing_page_at_once(client, change):
    award = AwardFactory(status="open", edition=2031)
    category = CategoryFactory(award=award, name_de="Bauen", name_en="Construction")
    criterion = award.criteria.create(
        name_de="Innovationsgrad", name_en="Degree of innovation", weight=1, position=1
    )
    before = _english(client)
    assert "Construction" in before and "Degree of innovation" in before

    if change == "category":
        category.name_en = "Building"
        category.save()
        expected, gone = "Building", "Construction"
    elif change == "award":
        award.status = "closed"
        award.save()
        expected, gone = "Submissions for this edition are closed", "Register and apply"
    else:
        criterion.delete()
        expected, gone = "Construction", "Degree of innovation"
    after = _english(client)

    assert expected in after
    assert gone not in after


def test_a_logged_in_visitor_never_gets_the_anonymous_copy(client):
    AwardFactory(status="open")
    anonymous = client.get("/").content.decode()
    client.force_login(UserFactory())

    logged_in = client.get("/").content.decode()

    assert 'href="/accounts/register/"' in anonymous
    assert 'href="/accounts/register/"' not in logged_in


def test_german_and_english_visitors_get_their_own_copy(client):
    AwardFactory(status="open")
    german = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Kategorien" in german and "Categories" not in german
    assert "Categories" in english


def test_the_copy_expires_when_the_results_become_public():
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from django.utils import timezone

    from awards.views import LANDING_TTL_S, _landing_content

    AwardFactory(status="judging", results_publish_at=timezone.now() + dt.timedelta(seconds=90))
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    _part, timeout = _landing_content(request)

    assert 0 < timeout <= 90 < LANDING_TTL_S
