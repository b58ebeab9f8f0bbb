"""The public showcase of published results: the results page with the jury's statements and
links to each entry's page, the entry pages, the Open Graph and Twitter card tags, the share
row, the schema.org data, the editions of an award and the archive of every edition; places
and mentions the organiser hid, and entries whose company did not agree to publication,
appear nowhere; the results block is cached for anonymous visitors and a change shows at once.
"""

import datetime as dt
import html as html_lib
import json
import re
import urllib.parse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from awards.models import Award
from results.models import Decision
from results.services.showcase import results_changed
from submissions.models import Submission
from tests.factories import AwardFactory, CategoryFactory
from tests.results.test_public_results import publish
from tests.results.test_publication import decided_award, image_of

pytestmark = pytest.mark.django_db

SITE = "https://awards.example.org"


def with_references(scene):
    """Reference numbers as submitting gives them (the factories leave them empty)."""
    for number, submission in enumerate(vars(scene.e).values(), start=1):
        code = submission.category.code
        reference = f"LIA-{scene.award.edition}-{code}-{number:04d}"
        Submission.objects.filter(pk=submission.pk).update(reference=reference)
        submission.reference = reference
    return scene


def showcase_scene(**award_fields):
    """A published award (see ``decided_award``) with reference numbers, the jury's
    statements on the construction winner (both languages) and on Red Arrow (English only),
    and an image of the pavilion."""
    scene = with_references(decided_award(**award_fields))
    Decision.objects.filter(submission=scene.e.pavilion).update(
        statement_de="Eine Schale aus Holz, die ohne Stützen 30 m überspannt.",
        statement_en="A timber shell spanning 30 m without columns.",
    )
    Decision.objects.filter(submission=scene.e.cargo).update(
        statement_en="Folds in one movement; fits in a lift."
    )
    image_of(scene.e.pavilion)
    return publish(scene)


@pytest.fixture
def scene():
    return showcase_scene()


def results_url(award) -> str:
    return reverse("results:public", kwargs={"slug": award.slug})


def entry_url(award, submission) -> str:
    return reverse("results:entry", kwargs={"slug": award.slug, "reference": submission.reference})


def share_url(award, submission) -> str:
    return reverse(
        "results:share_image", kwargs={"slug": award.slug, "reference": submission.reference}
    )


def get(client, url, language="de"):
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


def meta(page: str) -> dict[str, str]:
    """The page's ``<meta property|name=… content=…>`` and its canonical link."""
    found = {
        key: html_lib.unescape(value)
        for key, value in re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', page)
    }
    canonical = re.search(r'<link rel="canonical" href="([^"]+)">', page)
    if canonical:
        found["canonical"] = html_lib.unescape(canonical.group(1))
    return found


def json_ld(page: str) -> list:
    """Every JSON-LD script on the page, parsed; each script's text must hold no raw <."""
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    for script in scripts:
        assert "<" not in script and ">" not in script
    return [json.loads(script) for script in scripts]


def text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html_lib.unescape(fragment))).strip()


# --- The results page --------------------------------------------------------------------


def test_the_results_show_the_jurys_statement_in_the_readers_language(client, scene):
    german = get(client, results_url(scene.award)).content.decode()
    english = get(client, results_url(scene.award), "en").content.decode()

    assert "Eine Schale aus Holz, die ohne Stützen 30 m überspannt." in german
    assert "A timber shell spanning 30 m without columns." not in german
    assert "A timber shell spanning 30 m without columns." in english
    assert "Eine Schale aus Holz" not in english
    # Only in English: the German page shows it, marked as English for screen readers.
    assert '<blockquote class="mb-0" lang="en"><p class="mb-0">Folds in one movement' in german
    assert "The jury's statement" in english


def test_every_named_distinction_links_to_its_entry_page(client, scene):
    page = get(client, results_url(scene.award), "en").content.decode()

    for submission in (scene.e.pavilion, scene.e.slab, scene.e.rebar, scene.e.deck, scene.e.cargo):
        assert f'href="{entry_url(scene.award, submission)}"' in page
    assert scene.e.facade.reference not in page  # not selected


def test_the_results_page_links_the_editions_and_the_archive(client, scene):
    page = get(client, results_url(scene.award)).content.decode()

    assert f'href="{reverse("results:editions", kwargs={"slug": scene.award.slug})}"' in page
    assert f'href="{reverse("results:archive")}"' in page
    detail = get(client, reverse("awards:detail", kwargs={"slug": scene.award.slug}))
    assert reverse("results:editions", kwargs={"slug": scene.award.slug}) in detail.content.decode()


# --- Open Graph, Twitter card, share row --------------------------------------------------


def test_the_results_page_has_absolute_open_graph_and_twitter_tags(client, scene, settings):
    settings.SITE_URL = SITE
    page = get(client, results_url(scene.award), "en").content.decode()
    tags = meta(page)

    url = SITE + results_url(scene.award)
    image = SITE + reverse(
        "results:edition_share_image", kwargs={"slug": scene.award.slug, "language": "en"}
    )
    assert tags["canonical"] == url
    assert tags["og:url"] == url
    assert tags["og:title"] == f"Results of the {scene.award}"
    assert tags["og:type"] == "website"
    assert tags["og:image"] == image
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["twitter:image"] == image
    assert tags["og:description"]
    for key in ("canonical", "og:url", "og:image", "twitter:image"):
        assert tags[key].startswith("https://"), key
    # The image it names is there, for everyone.
    answer = client.get(image.removeprefix(SITE))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/png"


def test_the_entry_page_has_absolute_tags_with_its_own_share_image(client, scene, settings):
    settings.SITE_URL = SITE
    page = get(client, entry_url(scene.award, scene.e.pavilion), "en").content.decode()
    tags = meta(page)

    assert tags["canonical"] == SITE + entry_url(scene.award, scene.e.pavilion)
    assert tags["og:url"] == tags["canonical"]
    assert tags["og:image"] == SITE + share_url(scene.award, scene.e.pavilion)
    assert tags["og:title"] == "Timber shell pavilion – Studio Sven Pfeiffer"
    assert tags["og:description"] == "Summary of the timber shell pavilion."
    assert tags["twitter:card"] == "summary_large_image"
    assert client.get(share_url(scene.award, scene.e.pavilion)).status_code == 200


def test_the_share_row_holds_plain_links(client, scene, settings):
    settings.SITE_URL = SITE
    page = get(client, entry_url(scene.award, scene.e.pavilion), "en").content.decode()
    url = SITE + entry_url(scene.award, scene.e.pavilion)

    linkedin = re.search(r'href="([^"]+)"[^>]*data-testid="share-linkedin"', page).group(1)
    mail = html_lib.unescape(
        re.search(r'href="([^"]+)"[^>]*data-testid="share-mail"', page).group(1)
    )
    assert html_lib.unescape(linkedin) == (
        "https://www.linkedin.com/sharing/share-offsite/?url=" + urllib.parse.quote(url, safe="")
    )
    assert 'target="_blank" rel="noopener noreferrer" data-testid="share-linkedin"' in page
    assert mail.startswith("mailto:?subject=")
    query = urllib.parse.parse_qs(mail.removeprefix("mailto:?"))
    assert query["subject"] == ["Timber shell pavilion – Studio Sven Pfeiffer"]
    assert query["body"] == [f"Winner, Construction, {scene.award}\n\n{url}"]
    assert f'data-share-copy="{url}"' in page
    assert "/static/js/share.js" in page
    # No script of any network.
    assert "platform.linkedin.com" not in page and '<script src="http' not in page


# --- Entry pages --------------------------------------------------------------------------


def test_an_entry_page_shows_the_distinction_and_the_statement(client, scene):
    page = get(client, entry_url(scene.award, scene.e.pavilion), "en").content.decode()

    assert '<h1 data-testid="entry-title">Timber shell pavilion</h1>' in page
    assert 'data-testid="entry-company">Studio Sven Pfeiffer</p>' in page
    assert 'data-testid="distinction">Winner, Construction, ' in page
    assert "Summary of the timber shell pavilion." in page
    assert "A timber shell spanning 30 m without columns." in page
    assert "€10,000" in page
    image = reverse(
        "results:image",
        kwargs={
            "slug": scene.award.slug,
            "pk": Decision.objects.get(submission=scene.e.pavilion).pk,
        },
    )
    assert f'<img src="{image}"' in page


def test_an_entry_page_in_german_falls_back_to_the_english_statement(client, scene):
    page = get(client, entry_url(scene.award, scene.e.cargo)).content.decode()

    assert 'data-testid="distinction">Preisträgerin / Preisträger, Mobilität, ' in page
    assert 'lang="en" data-testid="statement"><p class="mb-0">Folds in one movement' in page


def test_entry_pages_of_everything_else_are_404(client, scene):
    other = publish(
        with_references(decided_award(edition=2023)), at=timezone.now() - dt.timedelta(days=700)
    )
    foreign = reverse(
        "results:entry",
        kwargs={"slug": scene.award.slug, "reference": other.e.pavilion.reference},
    )
    unknown = reverse("results:entry", kwargs={"slug": scene.award.slug, "reference": "LIA-X"})

    assert get(client, entry_url(scene.award, scene.e.facade)).status_code == 404  # unplaced
    assert get(client, foreign).status_code == 404  # another edition's entry
    assert get(client, unknown).status_code == 404
    assert get(client, entry_url(other.award, other.e.pavilion)).status_code == 200


# --- What is hidden or not consented appears nowhere --------------------------------------


def public_addresses(scene) -> list[str]:
    return [
        results_url(scene.award),
        reverse("results:embed", kwargs={"slug": scene.award.slug}),
        reverse("results:editions", kwargs={"slug": scene.award.slug}),
        reverse("results:archive"),
        entry_url(scene.award, scene.e.pavilion),
    ]


def test_a_hidden_place_appears_nowhere(client, scene):
    image_of(scene.e.slab)
    slab = Decision.objects.get(submission=scene.e.slab)
    Decision.objects.filter(pk=slab.pk).update(public=False)
    results_changed(scene.award)

    for address in public_addresses(scene):
        for language in ("de", "en"):
            page = get(client, address, language).content.decode()
            assert "Leichtbau Nord" not in page, address
            assert "Hollow core slab" not in page, address
            assert scene.e.slab.reference not in page, address
    assert get(client, entry_url(scene.award, scene.e.slab)).status_code == 404
    assert get(client, share_url(scene.award, scene.e.slab)).status_code == 404
    image = reverse("results:image", kwargs={"slug": scene.award.slug, "pk": slab.pk})
    assert get(client, image).status_code == 404
    # The others are still there.
    assert "Faserwerk AG" in get(client, results_url(scene.award)).content.decode()


def test_a_winner_is_shown_even_if_marked_hidden(client, scene):
    Decision.objects.filter(submission=scene.e.pavilion).update(public=False)
    results_changed(scene.award)

    assert "Studio Sven Pfeiffer" in get(client, results_url(scene.award)).content.decode()
    assert get(client, entry_url(scene.award, scene.e.pavilion)).status_code == 200


def test_an_entry_without_consent_appears_nowhere_by_name(client, scene):
    Submission.objects.filter(pk=scene.e.cargo.pk).update(consent_publication=False)
    results_changed(scene.award)

    for address in public_addresses(scene):
        for language in ("de", "en"):
            page = get(client, address, language).content.decode()
            assert "Red Arrow" not in page, address
            assert "Folding cargo bike" not in page, address
            assert "Folds in one movement" not in page, address
            assert scene.e.cargo.reference not in page, address
    assert get(client, entry_url(scene.award, scene.e.cargo)).status_code == 404
    assert get(client, share_url(scene.award, scene.e.cargo)).status_code == 404


# --- schema.org ----------------------------------------------------------------------------


def test_the_results_page_describes_the_winners_as_schema_org(client, scene, settings):
    settings.SITE_URL = SITE
    Decision.objects.filter(submission=scene.e.slab).update(public=False)
    results_changed(scene.award)

    (data,) = json_ld(get(client, results_url(scene.award), "en").content.decode())

    assert data["@context"] == "https://schema.org"
    event, winners = data["@graph"]
    assert event["@type"] == "Event"
    assert event["name"] == str(scene.award)
    assert event["organizer"] == {"@type": "Organization", "name": "Composites United e.V."}
    assert winners["@type"] == "ItemList"
    items = [element["item"] for element in winners["itemListElement"]]
    assert [item["name"] for item in items] == [
        "Studio Sven Pfeiffer",
        "Faserwerk AG",
        "Harzer Composites",
        "Red Arrow technologies UG",
    ]
    assert items[0]["award"] == f"Winner, Construction, {scene.award}"
    assert items[2]["award"] == f"Special mention, Construction, {scene.award}"
    assert items[0]["url"] == SITE + entry_url(scene.award, scene.e.pavilion)
    assert [e["position"] for e in winners["itemListElement"]] == [1, 2, 3, 4]


def test_schema_org_data_escapes_what_applicants_typed(client, scene):
    hostile = 'Studio </script><script>alert("x")</script> & Co'
    scene.orgs.pfeiffer[0].name = hostile
    scene.orgs.pfeiffer[0].save()
    Submission.objects.filter(pk=scene.e.pavilion.pk).update(title="Shell <b>bold</b>")
    results_changed(scene.award)

    for address in (results_url(scene.award), entry_url(scene.award, scene.e.pavilion)):
        page = get(client, address, "en").content.decode()
        assert "<script>alert" not in page
        found = json.dumps(json_ld(page), ensure_ascii=False)
        assert json.dumps(hostile, ensure_ascii=False)[1:-1] in found


def test_the_entry_page_describes_the_entry_as_schema_org(client, scene, settings):
    settings.SITE_URL = SITE
    (data,) = json_ld(get(client, entry_url(scene.award, scene.e.pavilion), "en").content.decode())

    assert data["@type"] == "CreativeWork"
    assert data["name"] == "Timber shell pavilion"
    assert data["award"] == f"Winner, Construction, {scene.award}"
    assert data["creator"] == {
        "@type": "Organization",
        "name": "Studio Sven Pfeiffer",
        "award": f"Winner, Construction, {scene.award}",
    }
    assert data["image"] == SITE + share_url(scene.award, scene.e.pavilion)


# --- Editions and the archive ------------------------------------------------------------


def test_the_editions_page_lists_every_public_edition_with_its_winners(client, scene):
    earlier = publish(
        with_references(decided_award(edition=2023)), at=timezone.now() - dt.timedelta(days=700)
    )
    open_edition = AwardFactory(edition=scene.award.edition + 1, status="open")
    draft = AwardFactory(edition=scene.award.edition + 2, status="draft")
    other_name = AwardFactory(
        name="Composite Design Prize", edition=2037, slug="cdp-2037", status="open"
    )

    response = get(client, reverse("results:editions", kwargs={"slug": scene.award.slug}), "en")

    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-testid="edition-{scene.award.slug}"' in page
    assert f'data-testid="edition-{earlier.award.slug}"' in page
    assert f'data-testid="edition-{open_edition.slug}"' in page
    assert draft.slug not in page
    assert other_name.slug not in page
    # Newest first; the open one with its status, the published ones with their winners.
    order = [
        page.index(f'data-testid="edition-{award.slug}"')
        for award in (open_edition, scene.award, earlier.award)
    ]
    assert order == sorted(order)
    assert "Open for submissions" in page
    winners = text(page)
    assert "Construction: Studio Sven Pfeiffer – Timber shell pavilion" in winners
    assert "Mobility: Red Arrow technologies UG – Folding cargo bike" in winners
    assert f'href="{entry_url(earlier.award, earlier.e.pavilion)}"' in page
    # Only winners: places and mentions are on the results pages.
    assert "Leichtbau Nord" not in page
    (data,) = json_ld(page)
    assert [item["item"]["name"] for item in data["itemListElement"]] == [
        str(open_edition),
        str(scene.award),
        str(earlier.award),
    ]


def test_the_editions_page_of_a_draft_is_404(client):
    draft = AwardFactory(status="draft")

    assert client.get(reverse("results:editions", kwargs={"slug": draft.slug})).status_code == 404


def test_the_archive_lists_every_edition_with_public_results_newest_first(client, scene):
    earlier = publish(
        with_references(decided_award(edition=2023, name="Composite Design Prize")),
        at=timezone.now() - dt.timedelta(days=700),
    )
    pending = AwardFactory(
        edition=2095,
        slug="pending-2095",
        status="decided",
        results_publish_at=timezone.now() + dt.timedelta(days=1),
    )
    judging = AwardFactory(edition=2096, slug="judging-2096", status="judging")

    page = get(client, reverse("results:archive"), "en").content.decode()

    assert page.index(f'data-testid="edition-{scene.award.slug}"') < page.index(
        f'data-testid="edition-{earlier.award.slug}"'
    )
    assert pending.slug not in page
    assert judging.slug not in page
    assert "Construction: Studio Sven Pfeiffer – Timber shell pavilion" in text(page)


def test_the_archive_has_20_editions_a_page(client, scene):
    for number in range(21):
        award = AwardFactory(
            name=f"Prize {number:02d}",
            edition=2000 + number,
            slug=f"prize-{number:02d}",
            status="published",
            results_publish_at=timezone.now() - dt.timedelta(days=30),
        )
        CategoryFactory(award=award, code="GEN", name_en="General")

    first = get(client, reverse("results:archive"), "en").content.decode()
    second = get(client, reverse("results:archive") + "?page=2", "en").content.decode()
    beyond = get(client, reverse("results:archive") + "?page=x", "en")

    assert first.count('class="edition-row') == 20
    assert second.count('class="edition-row') == 2
    assert "Page 1 of 2" in first and 'data-testid="archive-next"' in first
    assert f'data-testid="edition-{scene.award.slug}"' in first
    assert beyond.status_code == 200  # a page that is not a number: the first


# --- Queries and the cache ---------------------------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_new_pages_run_a_fixed_number_of_queries(client, scene):
    addresses = [
        entry_url(scene.award, scene.e.pavilion),
        reverse("results:editions", kwargs={"slug": scene.award.slug}),
        reverse("results:archive"),
        reverse("results:embed", kwargs={"slug": scene.award.slug}),
    ]
    small = [count_queries(client, url) for url in addresses]
    for submission in (scene.e.slab, scene.e.cargo, scene.e.deck):
        image_of(submission)
    for year in (2021, 2022):
        publish(
            with_references(decided_award(edition=year)),
            at=timezone.now() - dt.timedelta(days=900),
        )

    assert [count_queries(client, url) for url in addresses] == small


def test_anonymous_visitors_get_the_results_from_the_cache(client, scene):
    url = results_url(scene.award)
    first = count_queries(client, url)
    cached = count_queries(client, url)

    assert cached < first
    assert cached <= 1  # the award itself


def test_a_changed_statement_is_visible_at_once(client, scene):
    url = results_url(scene.award)
    assert "Eine Schale aus Holz" in get(client, url).content.decode()  # now cached

    Decision.objects.filter(submission=scene.e.pavilion).update(
        statement_de="Neu: ein Meisterwerk."
    )
    results_changed(scene.award)

    page = get(client, url).content.decode()
    assert "Neu: ein Meisterwerk." in page
    assert "Eine Schale aus Holz" not in page


def test_each_language_has_its_own_cached_results(client, scene):
    url = results_url(scene.award)
    get(client, url)

    english = get(client, url, "en").content.decode()

    assert "A timber shell spanning 30 m without columns." in english
    assert "Construction" in english


def test_logged_in_visitors_see_the_same_results(client, scene):
    client.force_login(scene.organiser)

    page = get(client, results_url(scene.award)).content.decode()

    assert "Studio Sven Pfeiffer" in page
    assert "Eine Schale aus Holz" in page


def test_an_unknown_award_has_no_showcase_pages(client):
    for name in ("public", "embed", "editions"):
        assert client.get(reverse(f"results:{name}", kwargs={"slug": "nope"})).status_code == 404
    assert (
        client.get(reverse("results:entry", kwargs={"slug": "nope", "reference": "X"})).status_code
        == 404
    )


def test_results_changed_moves_the_moment(scene):
    before = Award.objects.get(pk=scene.award.pk).results_changed_at

    results_changed(scene.award)

    assert Award.objects.get(pk=scene.award.pk).results_changed_at > before
