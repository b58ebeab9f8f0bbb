"""Who may open the pages that configure an award (settings, categories, criteria, rounds),
and the award's manage page: a link to every change, locked changes explained, the latest
changes, and a number of queries that does not grow with the award."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awards import services
from awards.models import AuditEntry, Award, Category, Criterion, Round
from tests.awards.helpers import (
    CRITERION_LOCKED_WHILE_JUDGING,
    category_data,
    criterion_data,
    round_data,
    set_status,
)
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    CriterionFactory,
    JurorFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Every page this feature adds, by URL name; the ones with <pk> act on one object.
PAGES = [
    "settings",
    "category_create",
    "category_update",
    "category_delete",
    "criterion_create",
    "criterion_update",
    "criterion_delete",
    "round_create",
    "round_update",
    "round_delete",
]
OBJECT_PAGES = [name for name in PAGES if name.endswith(("_update", "_delete"))]


def denied_user(kind: str, award: Award):
    """A signed-in user who must not see ``award``'s management pages."""
    user = UserFactory(preferred_language="en")
    if kind == "other_organiser":
        AwardRoleFactory(award=AwardFactory(slug="other-2027", edition=2028), user=user)
    elif kind == "juror":
        JurorFactory(award=award, user=user)
    elif kind == "jury_chair":
        JurorFactory(award=award, user=user, role="jury_chair")
    elif kind == "unverified_organiser":
        user.email_verified_at = None
        user.save(update_fields=["email_verified_at"])
        AwardRoleFactory(award=award, user=user, role="organiser")
    return user


def page_url(name: str, award: Award, structure: dict | None = None) -> str:
    kwargs = {"slug": award.slug}
    if name in OBJECT_PAGES:
        kwargs["pk"] = structure[name.split("_")[0]].pk
    return reverse(f"awards:{name}", kwargs=kwargs)


# --- who may open the pages -------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitor_is_sent_to_login(client, award, structure, name, method):
    url = page_url(name, award, structure)

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={url}"


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    "kind", ["no_role", "other_organiser", "juror", "jury_chair", "unverified_organiser"]
)
def test_user_who_may_not_manage_the_award_gets_404(client, award, structure, name, kind):
    client.force_login(denied_user(kind, award))
    url = page_url(name, award, structure)

    get = client.get(url)
    post = client.post(url, {"name": "Taken over", "code": "XX", "number": "9"})

    assert (get.status_code, post.status_code) == (404, 404)
    award.refresh_from_db()
    assert award.name == "Lightweight Innovation Award"
    assert (Category.objects.count(), Criterion.objects.count(), Round.objects.count()) == (
        1,
        1,
        1,
    )
    assert AuditEntry.objects.count() == 0


def test_unknown_award_gets_404_even_for_a_superuser(client, superuser):
    client.force_login(superuser)

    response = client.get(reverse("awards:settings", kwargs={"slug": "no-such-award"}))

    assert response.status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_organiser_opens_every_page(client, award, structure, organiser, name):
    client.force_login(organiser)

    response = client.get(page_url(name, award, structure))

    assert response.status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_superuser_opens_every_page(client, award, structure, superuser, name):
    client.force_login(superuser)

    response = client.get(page_url(name, award, structure))

    assert response.status_code == 200


@pytest.mark.parametrize("name", OBJECT_PAGES)
def test_object_of_another_award_in_the_address_gets_404(client, award, structure, organiser, name):
    other = AwardFactory(slug="other-2027", edition=2028)
    foreign = {
        "category": CategoryFactory(award=other, code="MOB"),
        "criterion": CriterionFactory(award=other),
        "round": RoundFactory(award=other, number=1),
    }
    client.force_login(organiser)
    url = reverse(
        f"awards:{name}", kwargs={"slug": award.slug, "pk": foreign[name.split("_")[0]].pk}
    )

    get = client.get(url)
    post = client.post(url, {**category_data(), **criterion_data(), **round_data()})

    assert (get.status_code, post.status_code) == (404, 404)
    assert (Category.objects.filter(award=other).count(), Round.objects.count()) == (1, 2)
    assert AuditEntry.objects.count() == 0


# --- the manage page --------------------------------------------------------------------


def test_manage_page_links_to_every_change(client, award, structure, organiser):
    client.force_login(organiser)

    html = client.get(reverse("awards:manage", kwargs={"slug": award.slug})).content.decode()

    for name in PAGES:
        assert f'href="{page_url(name, award, structure)}"' in html, name


def test_manage_page_hides_locked_changes_and_says_why(client, award, structure, organiser):
    set_status(award, "judging")
    client.force_login(organiser)

    html = client.get(reverse("awards:manage", kwargs={"slug": award.slug})).content.decode()

    assert page_url("category_create", award) not in html
    assert page_url("criterion_update", award, structure) not in html
    assert page_url("round_update", award, structure) in html
    assert CRITERION_LOCKED_WHILE_JUDGING in html


def test_manage_page_shows_the_latest_20_changes_newest_first(client, award, organiser):
    for position in range(25):
        services.award_update(award=award, actor=organiser, description_en=f"Version {position}")
    client.force_login(organiser)

    response = client.get(reverse("awards:manage", kwargs={"slug": award.slug}))

    rows = response.context["audit_rows"]
    assert len(rows) == 20
    assert rows[0]["entry"].data["changes"]["description_en"]["after"] == "Version 24"
    assert rows[-1]["entry"].data["changes"]["description_en"]["after"] == "Version 5"
    assert [str(label) for label in rows[0]["fields"]] == ["description (English)"]
    assert str(rows[0]["label"]) == "Settings changed"
    assert "Olga Organiser" in response.content.decode()


def _manage_page_queries(client, award: Award, size: int) -> int:
    for n in range(size):
        CategoryFactory(award=award)
        CriterionFactory(award=award)
        RoundFactory(award=award, number=n + 1)
        services.award_update(award=award, actor=None, description_de=f"Fassung {n}")
    url = reverse("awards:manage", kwargs={"slug": award.slug})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["award"].categories.all()) == size
    return len(queries)


def test_manage_page_query_count_does_not_grow_with_the_award(client, organiser):
    small = AwardFactory(slug="small-2027", edition=2031)
    large = AwardFactory(slug="large-2027", edition=2032)
    AwardRoleFactory(award=small, user=organiser)
    AwardRoleFactory(award=large, user=organiser)
    client.force_login(organiser)

    assert _manage_page_queries(client, small, 2) == _manage_page_queries(client, large, 20)
