"""The public endpoints: what the results page shows, from the moment of publication to the
second (a frozen clock), with the company's consent respected, in the asked language,
counted per address."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from api.throttling import TokenRateThrottle
from results import services as results_services
from results.models import Decision
from tests.results.test_publication import SECOND, decided_award, image_of, later, schedule

pytestmark = pytest.mark.django_db

AWARDS = reverse("api:public_awards")


def results_url(award) -> str:
    return reverse("api:public_results", kwargs={"slug": award.slug})


@pytest.fixture
def frozen(monkeypatch):
    def freeze(moment: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return freeze


@pytest.fixture
def scheduled():
    scene = decided_award()
    scene.at = later(hours=1)
    schedule(scene, scene.at)
    return scene


def names(answer) -> str:
    return str(answer.json())


SECRETS = ("Studio Sven Pfeiffer", "Timber shell pavilion", "Red Arrow", "Folding cargo bike")


def test_one_second_before_the_moment_nothing_is_there(api_client, scheduled, frozen):
    frozen(scheduled.at - SECOND)

    results = api_client.get(results_url(scheduled.award), HTTP_ACCEPT_LANGUAGE="en")
    listing = api_client.get(AWARDS)

    assert results.status_code == 404
    assert results.json() == {"detail": "Not found."}
    assert listing.status_code == 200
    assert listing.json()["count"] == 0
    for secret in SECRETS:
        assert secret not in names(listing) + names(results)


def test_one_second_after_the_moment_everything_is_there(api_client, scheduled, frozen):
    s = scheduled
    s.e.pavilion.reference = "LIA-0001"
    s.e.pavilion.save(update_fields=["reference"])
    frozen(s.at + SECOND)

    results = api_client.get(results_url(s.award), HTTP_ACCEPT_LANGUAGE="en")
    listing = api_client.get(AWARDS, HTTP_ACCEPT_LANGUAGE="en")

    assert results.status_code == 200
    data = results.json()
    assert data["slug"] == s.award.slug
    assert dt.datetime.fromisoformat(data["results_public_since"]) == s.at
    construction, mobility = data["categories"]
    assert construction["name"] == "Construction" and construction["prize"] == "€10,000"
    assert [(w["place"], w["company"]) for w in construction["winners"]] == [
        (1, "Studio Sven Pfeiffer"),
        (2, "Leichtbau Nord GmbH"),
        (3, "Faserwerk AG"),
    ]
    winner = construction["winners"][0]
    assert winner["distinction"] == "Winner"
    assert winner["title"] == "Timber shell pavilion"
    assert winner["summary"] == "Summary of the timber shell pavilion."
    assert winner["reference"] == "LIA-0001"
    assert winner["url"].endswith(f"/awards/{s.award.slug}/results/LIA-0001/")
    assert construction["winners"][1]["url"] is None  # no reference, no page
    assert [m["company"] for m in construction["mentions"]] == ["Harzer Composites"]
    assert construction["mentions"][0]["kind"] == "mention"
    assert [w["company"] for w in mobility["winners"]] == ["Red Arrow technologies UG"]
    assert mobility["mentions"] == []

    (edition,) = listing.json()["results"]
    assert edition["slug"] == s.award.slug
    assert edition["results"].endswith(results_url(s.award))
    assert [(c["code"], c["winner"]["company"]) for c in edition["categories"]] == [
        ("CON", "Studio Sven Pfeiffer"),
        ("MOB", "Red Arrow technologies UG"),
    ]


def test_without_consent_no_name_title_or_statement(api_client, scheduled, frozen):
    s = scheduled
    s.e.cargo.consent_publication = False
    s.e.cargo.save(update_fields=["consent_publication"])
    s.e.deck.consent_publication = False
    s.e.deck.save(update_fields=["consent_publication"])
    winner = Decision.objects.get(submission=s.e.cargo)
    results_services.decision_present(
        decision=winner,
        statement_de="Hervorragend.",
        statement_en="Outstanding.",
        public=True,
        actor=s.organiser,
    )
    image_of(s.e.cargo)
    frozen(s.at + SECOND)

    data = api_client.get(results_url(s.award), HTTP_ACCEPT_LANGUAGE="en").json()
    listing = api_client.get(AWARDS).json()

    withheld = data["categories"][1]["winners"][0]
    assert withheld == {
        "kind": "place",
        "place": 1,
        "distinction": "Winner",
        "published": False,
        "company": None,
        "title": None,
        "summary": None,
        "reference": None,
        "statement": None,
        "statement_language": None,
        "url": None,
        "image_url": None,
    }
    assert data["categories"][0]["mentions"][0]["company"] is None
    assert listing["results"][0]["categories"][1]["winner"]["company"] is None
    text = names(api_client.get(results_url(s.award))) + str(listing)
    for secret in ("Red Arrow", "Folding cargo bike", "Outstanding", "Hervorragend", "Harzer"):
        assert secret not in text


def test_a_place_the_organisers_hid_is_not_listed(api_client, scheduled, frozen):
    s = scheduled
    third = Decision.objects.get(submission=s.e.rebar)
    results_services.decision_present(
        decision=third, statement_de="", statement_en="", public=False, actor=s.organiser
    )
    frozen(s.at + SECOND)

    data = api_client.get(results_url(s.award)).json()

    assert [w["place"] for w in data["categories"][0]["winners"]] == [1, 2]
    assert "Faserwerk" not in str(data)


def test_the_statement_and_image_come_with_consent(api_client, scheduled, frozen):
    s = scheduled
    winner = Decision.objects.get(submission=s.e.pavilion)
    results_services.decision_present(
        decision=winner,
        statement_de="Eine Schale aus Holz.",
        statement_en="A shell of timber.",
        public=True,
        actor=s.organiser,
    )
    image_of(s.e.pavilion)
    frozen(s.at + SECOND)

    english = api_client.get(results_url(s.award), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").json()
    german = api_client.get(results_url(s.award), HTTP_ACCEPT_LANGUAGE="de").json()

    first = english["categories"][0]["winners"][0]
    assert (first["statement"], first["statement_language"]) == ("A shell of timber.", "en")
    assert first["image_url"].endswith(
        reverse("results:image", kwargs={"slug": s.award.slug, "pk": winner.pk})
    )
    assert german["categories"][0]["winners"][0]["statement"] == "Eine Schale aus Holz."


def test_the_answer_speaks_the_asked_language(api_client, scheduled, frozen):
    frozen(scheduled.at + SECOND)

    german = api_client.get(results_url(scheduled.award))  # no header: German
    english = api_client.get(results_url(scheduled.award), HTTP_ACCEPT_LANGUAGE="fr, en;q=0.5")

    assert german["Content-Language"] == "de"
    assert german.json()["categories"][0]["name"] == "Bauwesen"
    assert german.json()["categories"][0]["prize"] == "10.000\u00a0€"
    assert english["Content-Language"] == "en"
    assert english.json()["categories"][0]["name"] == "Construction"


def test_a_token_sent_along_is_ignored(api_client, scheduled, frozen):
    frozen(scheduled.at + SECOND)
    api_client.credentials(HTTP_AUTHORIZATION="Bearer lrl_not-a-token")

    assert api_client.get(results_url(scheduled.award)).status_code == 200
    assert api_client.get(AWARDS).status_code == 200


def test_an_unknown_award_is_404(api_client):
    assert api_client.get("/api/v1/public/awards/nothing-here/results/").status_code == 404


def test_requests_are_counted_per_address(api_client, monkeypatch):
    monkeypatch.setattr(
        TokenRateThrottle, "THROTTLE_RATES", {"token": "5/min", "anonymous": "2/min"}
    )

    answers = [api_client.get(AWARDS, REMOTE_ADDR="192.0.2.1") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[-1]["Retry-After"]) > 0
    assert api_client.get(AWARDS, REMOTE_ADDR="192.0.2.2").status_code == 200
    # A client's own X-Forwarded-For does not pick another bucket (no trusted proxy here).
    spoofed = api_client.get(AWARDS, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert spoofed.status_code == 429


def test_pages_of_20_with_links(api_client, scheduled, frozen):
    frozen(scheduled.at + SECOND)

    first = api_client.get(AWARDS).json()

    assert first["next"] is None and first["previous"] is None
    assert api_client.get(AWARDS, {"page": "x"}).json()["count"] == 1


def test_the_results_run_a_fixed_number_of_queries(
    api_client, scheduled, frozen, django_assert_num_queries
):
    frozen(scheduled.at + SECOND)
    # award, categories, decisions, images, other editions
    with django_assert_num_queries(5):
        assert api_client.get(results_url(scheduled.award)).status_code == 200
    with django_assert_num_queries(4):  # count, page, categories, winners
        assert api_client.get(AWARDS).status_code == 200
