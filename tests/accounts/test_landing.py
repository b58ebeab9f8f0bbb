"""After login each person lands on their own home (``LOGIN_REDIRECT_URL`` is
``accounts:start``, which asks the landings the apps register in ``accounts.landing``):
an organiser on the edition they managed last, a juror on their jury, everyone else on
their entries; a safe ``next`` goes first, an unsafe one is ignored."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from awards.landing import COOKIE, REMEMBERED_KEY
from tests.accounts.helpers import log_in
from tests.factories import (
    PASSWORD,
    AwardFactory,
    AwardRoleFactory,
    JurorFactory,
    MembershipFactory,
    SubmissionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

START = "/accounts/start/"


def lands(client: Client, user: User, **query: str) -> str:
    """Log ``user`` in through the form and follow the redirects: the address they land on."""
    address = reverse("accounts:login")
    data = {"username": user.email, "password": PASSWORD}
    if "next" in query:
        address = f"{address}?next={query['next']}"
        data["next"] = query["next"]
    response = client.post(address, data, follow=True)
    assert response.status_code == 200, response.redirect_chain
    return response.redirect_chain[-1][0]


def organiser_of(*awards, user: User | None = None) -> User:
    user = user or UserFactory()
    for award in awards:
        AwardRoleFactory(award=award, user=user, role="organiser")
    return user


# --- Each role --------------------------------------------------------------------------
def test_login_leads_to_the_start_which_needs_a_login(client):
    assert client.get(START)["Location"] == f"/accounts/login/?next={START}"
    user = UserFactory()

    response = log_in(client, user.email, PASSWORD)

    assert response["Location"] == START


def test_an_organiser_lands_on_the_newest_edition_they_manage(client):
    old, new = AwardFactory(edition=2031), AwardFactory(edition=2033)
    AwardFactory(edition=2035)  # not theirs
    organiser = organiser_of(old, new)

    assert lands(client, organiser) == f"/manage/{new.slug}/"


def test_an_organiser_lands_on_the_edition_they_managed_last(client):
    old, new = AwardFactory(edition=2031), AwardFactory(edition=2033)
    organiser = organiser_of(old, new)
    client.force_login(organiser)
    assert client.get(f"/manage/{old.slug}/settings/").status_code == 200
    client.post(reverse("accounts:logout"))

    assert lands(client, organiser) == f"/manage/{old.slug}/"


def test_the_last_edition_is_remembered_for_the_user_in_any_browser(client):
    old, new = AwardFactory(edition=2031), AwardFactory(edition=2033)
    organiser = organiser_of(old, new)
    client.force_login(organiser)
    client.get(f"/manage/{old.slug}/")
    client.post(reverse("accounts:logout"))  # the session ends: kept with the user

    organiser.refresh_from_db()
    assert organiser.remembered == {REMEMBERED_KEY: old.pk}
    assert lands(Client(), organiser) == f"/manage/{old.slug}/"


def test_the_last_edition_is_kept_even_when_the_session_ends_without_a_logout(client):
    old, new = AwardFactory(edition=2031), AwardFactory(edition=2033)
    organiser = organiser_of(old, new)
    client.force_login(organiser)
    client.get(f"/manage/{old.slug}/")
    client.session.flush()  # expired; the browser still has its cookie

    assert lands(client, organiser) == f"/manage/{old.slug}/"
    organiser.refresh_from_db()
    assert organiser.remembered == {REMEMBERED_KEY: old.pk}


def test_switching_editions_sets_the_cookie_once_and_costs_no_query(client):
    award = AwardFactory()
    organiser = organiser_of(award)
    client.force_login(organiser)
    client.get(reverse("accounts:profile"))  # the navigation's lists settle in the cache

    with CaptureQueriesContext(connection) as switching:
        first = client.get(f"/manage/{award.slug}/")
    with CaptureQueriesContext(connection) as staying:
        again = client.get(f"/manage/{award.slug}/")

    assert COOKIE in first.cookies
    assert COOKIE not in again.cookies  # unchanged: not sent again
    assert len(switching) == len(staying)
    organiser.refresh_from_db()
    assert organiser.remembered == {}  # written when the session ends, not on every page


def test_another_users_or_a_forged_cookie_is_ignored(client):
    mine, theirs = AwardFactory(edition=2031), AwardFactory(edition=2033)
    organiser = organiser_of(mine)
    other = organiser_of(theirs, mine)
    client.force_login(other)
    client.get(f"/manage/{theirs.slug}/")
    client.post(reverse("accounts:logout"))
    assert COOKIE in client.cookies  # the other user's, still in this browser

    assert lands(client, organiser) == f"/manage/{mine.slug}/"
    client.post(reverse("accounts:logout"))
    client.cookies[COOKIE] = f"{organiser.pk}:{theirs.pk}"  # unsigned
    assert lands(client, organiser) == f"/manage/{mine.slug}/"


def test_an_edition_no_longer_managed_is_not_landed_on(client):
    kept, lost = AwardFactory(edition=2031), AwardFactory(edition=2033)
    organiser = organiser_of(kept, lost)
    client.force_login(organiser)
    client.get(f"/manage/{lost.slug}/")
    client.post(reverse("accounts:logout"))
    lost.roles.filter(user=organiser).delete()

    assert lands(client, organiser) == f"/manage/{kept.slug}/"


def test_a_juror_lands_on_the_jury_of_the_newest_edition_they_judge(client):
    old, new, left = (
        AwardFactory(edition=2031, status="judging"),
        AwardFactory(edition=2033, status="judging"),
        AwardFactory(edition=2035, status="judging"),
    )
    juror = UserFactory()
    JurorFactory(award=old, user=juror)
    JurorFactory(award=new, user=juror, role="jury_chair")
    JurorFactory(award=left, user=juror, is_active=False)

    assert lands(client, juror) == f"/jury/{new.slug}/"


def test_an_applicant_lands_on_their_entries(client):
    entry = SubmissionFactory()
    applicant = MembershipFactory(organisation=entry.organisation).user

    assert lands(client, applicant) == "/me/"


def test_someone_without_any_role_lands_on_the_entries_page_too(client):
    assert lands(client, UserFactory()) == "/me/"


def test_with_several_roles_the_organisers_edition_comes_first_then_the_jury(client):
    managed, judged = AwardFactory(edition=2031), AwardFactory(edition=2033, status="judging")
    entry = SubmissionFactory()
    person = organiser_of(managed)
    JurorFactory(award=judged, user=person)
    MembershipFactory(organisation=entry.organisation, user=person)

    assert lands(client, person) == f"/manage/{managed.slug}/"
    client.post(reverse("accounts:logout"))
    managed.roles.all().delete()
    assert lands(client, person) == f"/jury/{judged.slug}/"


# --- next -------------------------------------------------------------------------------
def test_a_safe_next_goes_before_the_home(client):
    award = AwardFactory(status="open")
    organiser = organiser_of(award)

    assert lands(client, organiser, next=f"/awards/{award.slug}/") == f"/awards/{award.slug}/"


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example", "///evil.example", "https:evil.example"],
)
def test_an_unsafe_next_is_refused_and_the_home_used(client, next_url):
    award = AwardFactory()
    organiser = organiser_of(award)

    response = client.post(
        f"/accounts/login/?next={next_url}",
        {"username": organiser.email, "password": PASSWORD, "next": next_url},
    )

    assert response["Location"] == START
    assert client.get(START)["Location"] == f"/manage/{award.slug}/"
