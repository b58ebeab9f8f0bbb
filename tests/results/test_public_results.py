"""The public results page of an award once its results are public: every category with its
winner (company, title, summary, prize), the places and mentions, the other editions with
public results, and each winner's image only where the company agreed to publication."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from awards.models import Award
from results import services as results_services
from results.models import Decision
from tests.factories import AwardFactory
from tests.results.test_publication import decided_award, image_of, jpeg_bytes

pytestmark = pytest.mark.django_db


def publish(scene, at=None):
    """Schedule for now (or ``at``, which may lie in the past) and run the task."""
    results_services.publication_schedule(
        award=scene.award, at=timezone.now(), actor=scene.organiser
    )
    if at is not None:
        Award.objects.filter(pk=scene.award.pk).update(results_publish_at=at)
    assert results_services.results_publish(award_id=scene.award.pk) is True
    scene.award.refresh_from_db()
    return scene


@pytest.fixture
def scene():
    return publish(decided_award())


def url_of(award) -> str:
    return reverse("results:public", kwargs={"slug": award.slug})


def image_url(decision) -> str:
    return reverse("results:image", kwargs={"slug": decision.award.slug, "pk": decision.pk})


def section(html: str, code: str) -> str:
    """The card of one category on the page."""
    match = re.search(rf'data-testid="result-{code}">(.*?)</article>', html, re.S)
    assert match, f"no card for {code}"
    return match.group(1)


def text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def test_each_category_shows_its_winner_in_german(client, scene):
    response = client.get(url_of(scene.award))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>Ergebnisse des {scene.award}</h1>" in html
    construction = section(html, "CON")
    winner = construction.split('data-testid="place-2"')[0]
    assert '<h2 class="h4 card-title" id="category-' in construction
    assert "Bauwesen" in construction
    assert "10.000\u00a0€" in construction
    assert 'data-testid="winner-company">Studio Sven Pfeiffer</h3>' in winner
    assert 'data-testid="winner-title">Timber shell pavilion</p>' in winner
    assert "Summary of the timber shell pavilion." in winner
    mobility = section(html, "MOB")
    assert "Mobilität" in mobility
    assert "10.000\u00a0€" in mobility
    assert 'data-testid="winner-company">Red Arrow technologies UG</h3>' in mobility
    assert 'data-testid="winner-title">Folding cargo bike</p>' in mobility
    assert "Summary of the folding cargo bike." in mobility
    # The categories come in their order.
    assert html.index('data-testid="result-CON"') < html.index('data-testid="result-MOB"')


def test_places_and_mentions_are_listed_and_nobody_else(client, scene):
    html = client.get(url_of(scene.award), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    construction = text(section(html, "CON"))
    assert "€10,000" in construction
    assert construction.index("Winner Studio Sven Pfeiffer") < construction.index(
        "Second place Leichtbau Nord GmbH Hollow core slab"
    )
    assert construction.index("Second place Leichtbau Nord GmbH") < construction.index(
        "Third place Faserwerk AG Basalt rebar"
    )
    assert "Special mentions Harzer Composites – Resin bridge deck" in construction
    for unplaced in ("Carbonwerk", "Carbon facade panel", "Flachs", "Flax seat shell", "Glas"):
        assert unplaced not in html
    mobility = text(section(html, "MOB"))
    assert "Special mentions" not in mobility
    assert 'data-testid="place-2"' not in section(html, "MOB")


def test_the_page_of_an_unknown_award_is_404(client):
    assert (
        client.get(reverse("results:public", kwargs={"slug": "no-such-award"})).status_code == 404
    )


def test_an_award_still_judging_has_no_public_page(client):
    award = AwardFactory(status="judging", results_publish_at=timezone.now() - dt.timedelta(days=1))

    assert client.get(url_of(award)).status_code == 404


# --- Editions ----------------------------------------------------------------------------


def test_earlier_editions_with_public_results_are_linked(client, scene):
    earlier = publish(decided_award(edition=2023), at=timezone.now() - dt.timedelta(days=700))
    pending = decided_award(edition=2024)
    results_services.publication_schedule(
        award=pending.award, at=timezone.now() + dt.timedelta(days=2), actor=pending.organiser
    )
    other_award = publish(decided_award(edition=2022, name="Composite Design Prize"))

    html = client.get(url_of(scene.award)).content.decode()

    assert "Andere Jahrgänge" in html
    assert f'<a href="{url_of(earlier.award)}">Lightweight Innovation Award 2023</a>' in html
    assert url_of(pending.award) not in html
    assert url_of(other_award.award) not in html
    # The earlier edition's own page is there, with its own winners.
    old = client.get(url_of(earlier.award))
    assert old.status_code == 200
    assert "Studio Sven Pfeiffer" in old.content.decode()
    assert f'<a href="{url_of(scene.award)}">{scene.award}</a>' in old.content.decode()
    assert client.get(url_of(pending.award)).status_code == 404


def test_a_single_edition_lists_no_editions(client, scene):
    html = client.get(url_of(scene.award)).content.decode()

    assert 'id="editions-title"' not in html


# --- Images ------------------------------------------------------------------------------


def test_a_winners_image_is_shown_and_served_with_consent(client, scene):
    image_of(scene.e.pavilion)
    decision = Decision.objects.get(submission=scene.e.pavilion)

    html = client.get(url_of(scene.award)).content.decode()
    response = client.get(image_url(decision))

    assert f'<img src="{image_url(decision)}" alt="Timber shell pavilion"' in html
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == jpeg_bytes()


def test_without_consent_to_publication_the_image_is_404(client, scene):
    image_of(scene.e.cargo)
    scene.e.cargo.consent_publication = False
    scene.e.cargo.save()
    decision = Decision.objects.get(submission=scene.e.cargo)

    html = client.get(url_of(scene.award)).content.decode()

    assert image_url(decision) not in html
    assert "<img" not in section(html, "MOB")
    assert client.get(image_url(decision)).status_code == 404


def test_without_consent_to_publication_the_winner_is_not_named(client, scene):
    scene.e.cargo.consent_publication = False
    scene.e.cargo.save()

    html = client.get(url_of(scene.award), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    mobility = section(html, "MOB")
    assert "Winner" in text(mobility)
    for withheld in ("Red Arrow", "Folding cargo bike", "Summary of the folding cargo bike"):
        assert withheld not in html
    assert 'data-testid="winner-withheld"' in mobility
    # The others agreed and are named.
    assert "Studio Sven Pfeiffer" in section(html, "CON")


def test_without_consent_to_publication_a_mention_is_not_named(client, scene):
    scene.e.deck.consent_publication = False
    scene.e.deck.save()

    html = client.get(url_of(scene.award), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    construction = section(html, "CON")
    assert "Special mentions" in construction
    assert 'data-testid="mention-withheld"' in construction
    assert "Harzer Composites" not in html
    assert "Resin bridge deck" not in html


def test_a_winner_without_an_image_has_none(client, scene):
    decision = Decision.objects.get(submission=scene.e.pavilion)

    html = client.get(url_of(scene.award)).content.decode()

    assert "<img" not in html
    assert client.get(image_url(decision)).status_code == 404


def test_images_of_other_awards_or_unplaced_entries_are_404(client, scene):
    other = publish(decided_award(edition=2023), at=timezone.now() - dt.timedelta(days=700))
    image_of(other.e.pavilion)
    foreign = Decision.objects.get(submission=other.e.pavilion)
    image_of(scene.e.facade)  # not selected: has no decision

    wrong_award = reverse("results:image", kwargs={"slug": scene.award.slug, "pk": foreign.pk})

    assert client.get(wrong_award).status_code == 404
    assert client.get(image_url(foreign)).status_code == 200
    assert (
        client.get(
            reverse("results:image", kwargs={"slug": scene.award.slug, "pk": 10**9})
        ).status_code
        == 404
    )


def test_the_page_runs_a_fixed_number_of_queries(client, scene, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as small:
        assert client.get(url_of(scene.award)).status_code == 200
    for submission in (scene.e.pavilion, scene.e.cargo, scene.e.slab):
        image_of(submission)
    publish(decided_award(edition=2023), at=timezone.now() - dt.timedelta(days=700))
    publish(decided_award(edition=2022), at=timezone.now() - dt.timedelta(days=900))

    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url_of(scene.award)).status_code == 200
