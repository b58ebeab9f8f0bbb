"""The base of every organiser page (awards.views_base.OrganiserView): who is let in, and
that only an organiser's visit is remembered as the edition they managed last."""

import pytest
from django.urls import reverse

from awards.landing import COOKIE
from tests.factories import AwardFactory, AwardRoleFactory
from tests.helpers import en_user
from tests.results.manage_helpers import scored, url

pytestmark = pytest.mark.django_db


def test_an_organiser_page_remembers_the_edition_for_its_organiser(client, award, organiser):
    client.force_login(organiser)

    response = client.get(reverse("submissions_manage:list", args=[award.slug]))

    assert response.status_code == 200
    assert COOKIE in response.cookies


def test_a_page_the_jury_chair_may_see_does_not_make_it_their_managed_edition(client):
    s = scored()
    client.force_login(s.chair.user)

    response = client.get(url(s.award, "overview"))

    assert response.status_code == 200
    assert COOKIE not in response.cookies


def test_the_organiser_of_the_same_page_is_remembered(client):
    s = scored()
    client.force_login(s.organiser)

    response = client.get(url(s.award, "overview"))

    assert response.status_code == 200
    assert COOKIE in response.cookies


@pytest.mark.parametrize("who", ["stranger", "other_organiser"])
def test_anyone_else_gets_404_and_no_cookie(client, award, who):
    user = en_user() if who == "stranger" else AwardRoleFactory(award=AwardFactory()).user
    client.force_login(user)

    response = client.get(reverse("submissions_manage:list", args=[award.slug]))

    assert response.status_code == 404
    assert COOKIE not in response.cookies
