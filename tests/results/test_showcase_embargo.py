"""The embargo holds for every address of the showcase: one second before the announced
moment the entry pages, the share images, the widget answer 404 and the editions page and the
archive name no winner; one second after, everything is there (a frozen clock, as in
test_publication.py). For everyone: anonymous visitors, applicants, jurors, organisers."""

import pytest
from django.urls import reverse

from results import services as results_services
from results.models import Decision
from tests.results.test_publication import SECOND, decided_award, image_of, later, visit
from tests.results.test_showcase_pages import showcase_scene, with_references

pytestmark = pytest.mark.django_db

SECRETS = ("Studio Sven Pfeiffer", "Timber shell pavilion", "Red Arrow", "Folding cargo bike")


@pytest.fixture
def frozen(monkeypatch):
    from django.utils import timezone

    def freeze(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return freeze


@pytest.fixture
def scheduled():
    """Decided, with statements and references, publication in an hour."""
    scene = with_references(decided_award())
    Decision.objects.filter(submission=scene.e.pavilion).update(statement_en="A fine shell.")
    image_of(scene.e.pavilion)
    scene.at = later(hours=1)
    results_services.publication_schedule(award=scene.award, at=scene.at, actor=scene.organiser)
    return scene


def addresses(s) -> dict[str, str]:
    slug = s.award.slug
    reference = s.e.pavilion.reference
    return {
        "entry": reverse("results:entry", kwargs={"slug": slug, "reference": reference}),
        "share image": reverse(
            "results:share_image", kwargs={"slug": slug, "reference": reference}
        ),
        "edition image de": reverse(
            "results:edition_share_image", kwargs={"slug": slug, "language": "de"}
        ),
        "edition image en": reverse(
            "results:edition_share_image", kwargs={"slug": slug, "language": "en"}
        ),
        "widget": reverse("results:embed", kwargs={"slug": slug}),
        "results": reverse("results:public", kwargs={"slug": slug}),
    }


def listings(s) -> dict[str, str]:
    return {
        "editions": reverse("results:editions", kwargs={"slug": s.award.slug}),
        "archive": reverse("results:archive"),
    }


def visitors(s) -> dict:
    return {
        "anonymous": None,
        "applicant": s.orgs.pfeiffer[1][0],
        "juror": s.jurors[0].user,
        "organiser": s.organiser,
    }


@pytest.mark.parametrize("who", ["anonymous", "applicant", "juror", "organiser"])
def test_one_second_before_the_moment_no_showcase_address_answers(client, scheduled, frozen, who):
    s = scheduled
    user = visitors(s)[who]
    frozen(s.at - SECOND)

    for name, url in addresses(s).items():
        assert visit(client, user, url).status_code == 404, name
    for name, url in listings(s).items():
        response = visit(client, user, url)
        assert response.status_code == 200, name
        page = response.content.decode()
        for secret in SECRETS:
            assert secret not in page, (name, secret)
        assert addresses(s)["results"] not in page, name
    archive = visit(client, user, listings(s)["archive"]).content.decode()
    assert f'data-testid="edition-{s.award.slug}"' not in archive


@pytest.mark.parametrize("who", ["anonymous", "organiser"])
def test_one_second_after_the_moment_every_showcase_address_answers(client, scheduled, frozen, who):
    s = scheduled
    user = visitors(s)[who]
    frozen(s.at + SECOND)

    for name, url in addresses(s).items():
        response = visit(client, user, url)
        assert response.status_code == 200, name
    assert visit(client, user, addresses(s)["share image"])["Content-Type"] == "image/png"
    for name, url in listings(s).items():
        page = visit(client, user, url).content.decode()
        assert "Studio Sven Pfeiffer" in page, name
        assert "Red Arrow technologies UG" in page, name
    entry = visit(client, user, addresses(s)["entry"]).content.decode()
    assert "Timber shell pavilion" in entry


def test_share_images_made_before_the_moment_stay_private_until_it(client, scheduled, frozen):
    s = scheduled
    from results.services.showcase import share_images_render

    share_images_render(award=s.award)  # as the task does when the publication is scheduled
    assert Decision.objects.get(submission=s.e.pavilion).share_image.name
    frozen(s.at - SECOND)
    assert client.get(addresses(s)["share image"]).status_code == 404
    frozen(s.at + SECOND)
    assert client.get(addresses(s)["share image"]).status_code == 200


def test_a_cancelled_publication_shows_nothing_at_the_old_moment(client, scheduled, frozen):
    s = scheduled
    results_services.publication_cancel(award=s.award, actor=s.organiser)
    frozen(s.at + SECOND)

    for name, url in addresses(s).items():
        assert client.get(url).status_code == 404, name
    for url in listings(s).values():
        assert "Studio Sven Pfeiffer" not in client.get(url).content.decode()


def test_a_published_scene_is_unaffected_by_another_editions_embargo(client, frozen):
    published = showcase_scene()
    pending = with_references(decided_award())
    at = later(hours=2)
    results_services.publication_schedule(award=pending.award, at=at, actor=pending.organiser)
    frozen(at - SECOND)

    archive = client.get(reverse("results:archive")).content.decode()

    assert f'data-testid="edition-{published.award.slug}"' in archive
    assert f'data-testid="edition-{pending.award.slug}"' not in archive
