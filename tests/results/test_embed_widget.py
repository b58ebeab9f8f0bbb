"""The winners widget for the organiser's own website: a small standalone page with the
named winners, framed only by the origins the organiser lists. With none listed no site may
frame it (``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``); with origins, exactly
those (and no X-Frame-Options, which knows no list). Anything in the list that is not an
origin never reaches the header."""

import re

import pytest
from django.urls import reverse

from awards.models import Award
from results.models import Decision
from results.services.showcase import results_changed
from submissions.models import Submission
from tests.results.test_showcase_pages import showcase_scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    return showcase_scene()


def widget(client, award, **query):
    return client.get(reverse("results:embed", kwargs={"slug": award.slug}), query)


def frame_ancestors(response) -> str:
    match = re.search(r"frame-ancestors ([^;]+)", response["Content-Security-Policy"])
    assert match, response["Content-Security-Policy"]
    return match.group(1).strip()


def listing(scene, origins: str) -> Award:
    Award.objects.filter(pk=scene.award.pk).update(embed_origins=origins)
    return Award.objects.get(pk=scene.award.pk)


def test_without_listed_origins_no_site_may_frame_the_widget(client, scene):
    response = widget(client, scene.award)

    assert response.status_code == 200
    assert frame_ancestors(response) == "'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_listed_origins_and_only_they_may_frame_it(client, scene):
    listing(scene, "https://www.example.org\nhttps://partner.example.com:8443")

    response = widget(client, scene.award)

    assert frame_ancestors(response) == "https://www.example.org https://partner.example.com:8443"
    assert "X-Frame-Options" not in response


def test_what_is_not_an_origin_never_reaches_the_header(client, scene):
    listing(
        scene,
        "javascript:alert(1)\nhttps://evil.example;script-src\n*\nftp://files.example\n"
        "https://good.example",
    )

    response = widget(client, scene.award)

    assert frame_ancestors(response) == "https://good.example"
    policy = response["Content-Security-Policy"]
    assert "evil" not in policy and "javascript" not in policy and "*" not in policy


def test_a_list_of_nothing_usable_frames_nowhere(client, scene):
    listing(scene, "not an origin\n*")

    response = widget(client, scene.award)

    assert frame_ancestors(response) == "'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_the_other_public_pages_stay_unframeable(client, scene):
    listing(scene, "https://www.example.org")

    page = client.get(reverse("results:public", kwargs={"slug": scene.award.slug}))

    assert page["X-Frame-Options"] == "DENY"


def test_the_widget_lists_the_named_winners_and_links_out(client, scene):
    response = widget(client, scene.award, lang="en")
    page = response.content.decode()

    assert '<html lang="en">' in page
    assert "Winners of the" in page
    for name in ("Studio Sven Pfeiffer", "Timber shell pavilion", "Red Arrow technologies UG"):
        assert name in page
    entry = reverse(
        "results:entry",
        kwargs={"slug": scene.award.slug, "reference": scene.e.pavilion.reference},
    )
    assert f'<a href="{entry}" target="_blank" rel="noopener">Timber shell pavilion' in page
    image = Decision.objects.get(submission=scene.e.pavilion).pk
    assert f'src="/awards/{scene.award.slug}/results/images/{image}/"' in page
    # Standalone: no navigation, no forms, no scripts, no cookie.
    assert "<nav" not in page and "<form" not in page and "<script" not in page
    assert "csrftoken" not in response.cookies and "sessionid" not in response.cookies
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "img-src 'self'" in policy


def test_the_widget_speaks_german_when_asked(client, scene):
    page = widget(client, scene.award, lang="de").content.decode()

    assert '<html lang="de">' in page
    assert "Bauwesen" in page and "Mobilität" in page


def test_the_widget_leaves_out_hidden_places_and_unconsented_entries(client, scene):
    Decision.objects.filter(submission=scene.e.slab).update(public=False)
    Submission.objects.filter(pk=scene.e.cargo.pk).update(consent_publication=False)
    results_changed(scene.award)

    page = widget(client, scene.award, lang="en").content.decode()

    assert "Leichtbau Nord" not in page and "Hollow core slab" not in page
    assert "Red Arrow" not in page and "Folding cargo bike" not in page
    assert "Faserwerk AG" in page and "Harzer Composites" in page


def test_the_widget_of_an_unknown_award_is_404(client):
    assert client.get(reverse("results:embed", kwargs={"slug": "nope"})).status_code == 404
