"""The organiser's one layout: every organiser page carries the edition navigation with the
current section marked, and the jury chair (who sees the ranking) sees no organiser link."""

import re

import pytest
from django.urls import reverse

from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    JurorFactory,
    RoundFactory,
)
from tests.helpers import prefer_english

pytestmark = pytest.mark.django_db

SECTIONS = ("overview", "entries", "jury", "results", "messages", "settings")


@pytest.fixture
def award():
    award = AwardFactory()
    RoundFactory(award=award, number=1)
    return award


@pytest.fixture
def organiser(award):
    return prefer_english(AwardRoleFactory(award=award, role="organiser").user)


def nav(html: str) -> str:
    match = re.search(r'<nav[^>]*data-testid="manage-nav".*?</nav>', html, re.S)
    assert match, "the page has no edition navigation"
    return match.group(0)


def current(html: str) -> list[str]:
    return re.findall(r'aria-current="page" href="[^"]*" data-section="(\w+)"', nav(html))


@pytest.mark.parametrize(
    ("url_name", "kwargs", "section"),
    [
        ("awards:manage", {}, "overview"),
        ("awards:audit", {}, "overview"),
        ("awards:category_create", {}, "overview"),
        ("awards:settings", {}, "settings"),
        ("submissions_manage:list", {}, "entries"),
        ("jury_manage:jurors", {}, "jury"),
        ("jury_manage:conflicts", {}, "jury"),
        ("results_manage:round", {"number": 1}, "jury"),
        ("results_manage:overview", {}, "results"),
        ("results_manage:quality", {}, "results"),
        ("results_manage:publication", {}, "results"),
        ("notifications:outbox", {}, "messages"),
        ("notifications:templates", {}, "messages"),
        ("notifications:announcements", {}, "messages"),
    ],
)
def test_every_organiser_page_marks_its_section(
    client, award, organiser, url_name, kwargs, section
):
    client.force_login(organiser)

    response = client.get(reverse(url_name, kwargs={"slug": award.slug, **kwargs}))

    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'data-section="(\w+)"', nav(html)) == list(SECTIONS)
    assert current(html) == [section]


def test_a_categorys_results_page_marks_the_results_section_and_the_ranking(
    client, award, organiser
):
    category = CategoryFactory(award=award)
    client.force_login(organiser)

    response = client.get(
        reverse("results_manage:category", kwargs={"slug": award.slug, "category": category.pk})
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'data-section="(\w+)"', nav(html)) == list(SECTIONS)
    assert current(html) == ["results"]
    results_nav = re.search(r'data-testid="results-nav".*?</ul>', html, re.S).group(0)
    ranking = reverse("results_manage:overview", kwargs={"slug": award.slug})
    assert re.search(rf'aria-current="true" href="{ranking}"', results_nav)


def test_the_jury_section_lists_its_pages_and_rounds(client, award, organiser):
    client.force_login(organiser)

    html = client.get(reverse("jury_manage:conflicts", kwargs={"slug": award.slug})).content
    jury_nav = re.search(r'data-testid="jury-nav".*?</ul>', html.decode(), re.S).group(0)

    assert reverse("jury_manage:jurors", kwargs={"slug": award.slug}) in jury_nav
    assert reverse("results_manage:round", kwargs={"slug": award.slug, "number": 1}) in jury_nav


def test_the_jury_chair_sees_the_ranking_without_organiser_links(client, award):
    chair = JurorFactory(award=award, role="jury_chair").user
    client.force_login(chair)

    response = client.get(reverse("results_manage:overview", kwargs={"slug": award.slug}))

    html = nav(response.content.decode())
    assert response.status_code == 200
    assert re.findall(r'data-section="(\w+)"', html) == ["results"]
    assert f'href="{reverse("awards:manage", kwargs={"slug": award.slug})}"' not in html
    assert reverse("results_manage:quality", kwargs={"slug": award.slug}) not in html


def test_the_jury_chair_sees_a_categorys_page_without_organiser_links(client, award):
    category = CategoryFactory(award=award)
    chair = JurorFactory(award=award, role="jury_chair", categories=[category]).user
    client.force_login(chair)

    response = client.get(
        reverse("results_manage:category", kwargs={"slug": award.slug, "category": category.pk})
    )

    html = nav(response.content.decode())
    assert response.status_code == 200
    assert re.findall(r'data-section="(\w+)"', html) == ["results"]
    assert f'href="{reverse("awards:manage", kwargs={"slug": award.slug})}"' not in html
    assert reverse("results_manage:quality", kwargs={"slug": award.slug}) not in html
