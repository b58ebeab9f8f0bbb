"""The public showcase of an award's results, from the moment of publication: the results
page, each published entry's page, the share images, the winners widget for the organiser's
website; and the editions of an award and the archive of every edition with public results.

Before that moment every address of an edition's results answers 404 to everyone, organisers
included (they see the decisions on their own pages), and the editions page and the archive
name no winner of it: nothing on a public address gives the winners away early
(``Award.results_are_public`` is the one rule).
"""

from __future__ import annotations

import urllib.parse

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_safe

from awards.access import award_get_for
from awards.models import Award
from core import structured_data as ld
from core.http import protected_file

from .. import selectors, wording
from ..enums import DecisionKind
from ..models import Decision
from ..selectors import public as public_reads
from ..services import showcase

# The results block of the public page, kept for anonymous visitors; a change of the
# results (``Award.results_changed_at``) or of the moment makes a new key.
RESULTS_CACHE_SECONDS = 600
IMAGE_CACHE_CONTROL = "public, max-age=3600"
SHARE_SIZE = (1200, 630)


def _published_award(slug: str) -> Award:
    award = Award.objects.filter(slug=slug).first()
    if award is None or not award.results_are_public():
        raise Http404
    return award


def absolute(url: str) -> str:
    """``url`` (a path) on the site's public address, as shared links and crawlers need."""
    return settings.SITE_URL + url


def _stamp(moment) -> str:
    return f"{moment.timestamp():.6f}" if moment else "-"


def results_cache_key(award: Award, language: str) -> str:
    return (
        f"results:public:v1:{award.pk}:{language}:"
        f"{_stamp(award.results_changed_at)}:{_stamp(award.results_publish_at)}"
    )


# --- Words and links for sharing -----------------------------------------------------------


def award_text(decision: Decision, award: Award) -> str:
    """The distinction in words, as schema.org's ``award`` and the share text: "Winner,
    Mobility, Lightweight Innovation Award 2026"."""
    return f"{wording.distinction(decision)}, {decision.category.name}, {award}"


def share_links(*, url: str, title: str, text: str) -> dict[str, str]:
    """The share row's addresses: plain links, no script of the networks."""
    quote = urllib.parse.quote
    body = text + "\n\n" + url
    return {
        "url": url,
        "linkedin": "https://www.linkedin.com/sharing/share-offsite/?url=" + quote(url, safe=""),
        "mail": "mailto:?subject=" + quote(title, safe="") + "&body=" + quote(body, safe=""),
    }


def meta_tags(*, title: str, description: str, url: str, image: str, image_alt: str) -> dict:
    """What ``results/public_meta.html`` puts in the page's head: Open Graph, Twitter card,
    canonical address (all absolute)."""
    return {
        "title": title,
        "description": Truncator(description).chars(200),
        "url": url,
        "image": image,
        "image_alt": image_alt,
        "image_width": SHARE_SIZE[0],
        "image_height": SHARE_SIZE[1],
        "locale": "en_GB" if (get_language() or "de").startswith("en") else "de_DE",
    }


def _entry_url(award: Award, decision: Decision) -> str:
    reference = decision.submission.reference
    if not reference or not decision.submission.consent_publication:
        return ""
    return absolute(reverse("results:entry", kwargs={"slug": award.slug, "reference": reference}))


def _event(award: Award) -> dict:
    return ld.event(
        name=str(award),
        url=absolute(reverse("awards:detail", kwargs={"slug": award.slug})),
        organiser=award.organiser_name,
        start=award.results_publish_at.isoformat() if award.results_publish_at else "",
    )


def results_structured_data(award: Award, categories: list) -> dict:
    """The results page as schema.org: the edition (an Event) and the list of the companies
    it distinguished, each with its distinction (only those who agreed to be named)."""
    items = [
        ld.organization(
            name=decision.submission.organisation.name,
            award=award_text(decision, award),
            url=_entry_url(award, decision),
        )
        for row in categories
        for decision in [*row.winners, *row.mentions]
        if decision.submission.consent_publication
    ]
    url = absolute(reverse("results:public", kwargs={"slug": award.slug}))
    name = gettext("Results of the %(award)s") % {"award": award}
    return ld.graph(_event(award), ld.item_list(name=name, url=url, items=items))


# --- The results page ----------------------------------------------------------------------


def _results_block(award: Award) -> str:
    categories = selectors.public_results(award)
    return render_to_string(
        "results/public_results_block.html",
        {
            "award": award,
            "categories": categories,
            "editions": selectors.published_editions(award),
            "json_ld": ld.script(results_structured_data(award, categories)),
        },
    )


def results_block(request: HttpRequest, award: Award) -> str:
    """The results as HTML: from the cache for anonymous visitors (it holds no form and
    nothing personal), rendered afresh for everyone logged in."""
    if request.user.is_authenticated:
        return _results_block(award)
    key = results_cache_key(award, get_language() or settings.LANGUAGE_CODE)
    html = cache.get(key)
    if html is None:
        html = _results_block(award)
        cache.set(key, html, RESULTS_CACHE_SECONDS)
    # Our own template's output, rendered above or by an earlier request.
    return mark_safe(html)  # noqa: S308


@require_safe
def results(request: HttpRequest, slug: str) -> HttpResponse:
    award = _published_award(slug)
    url = absolute(reverse("results:public", kwargs={"slug": slug}))
    title = gettext("Results of the %(award)s") % {"award": award}
    description = gettext("The winners of the %(award)s and what the jury says about them.") % {
        "award": award
    }
    image = absolute(
        reverse("results:edition_share_image", kwargs={"slug": slug, "language": _language()})
    )
    return render(
        request,
        "results/public.html",
        {
            "award": award,
            "results_block": results_block(request, award),
            "meta": meta_tags(
                title=title, description=description, url=url, image=image, image_alt=title
            ),
            "share": share_links(url=url, title=title, text=description),
        },
    )


def _language() -> str:
    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


# --- An entry's page -----------------------------------------------------------------------


@require_safe
def entry(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    """The page of one distinguished entry: 404 unless the results are public, the decision
    is public and the company agreed to publication."""
    award = _published_award(slug)
    decision = public_reads.public_entry(award, reference)
    if decision is None:
        raise Http404
    distinction = award_text(decision, award)
    url = absolute(reverse("results:entry", kwargs={"slug": slug, "reference": reference}))
    image = absolute(reverse("results:share_image", kwargs={"slug": slug, "reference": reference}))
    title = f"{decision.submission.title} – {decision.submission.organisation.name}"
    description = decision.submission.summary or distinction
    data = {
        "@context": ld.CONTEXT,
        **ld.creative_work(
            name=decision.submission.title,
            url=url,
            award=distinction,
            abstract=decision.submission.summary,
            image=image,
            creator=ld.organization(name=decision.submission.organisation.name, award=distinction),
        ),
    }
    return render(
        request,
        "results/public_entry.html",
        {
            "award": award,
            "decision": decision,
            "distinction": distinction,
            "is_winner": decision.kind == DecisionKind.PLACE and decision.place == 1,
            "prize": selectors.prize_of(decision, award),
            "meta": meta_tags(
                title=title,
                description=description,
                url=url,
                image=image,
                image_alt=f"{distinction}: {decision.submission.title}",
            ),
            "share": share_links(url=url, title=title, text=distinction),
            "json_ld": ld.script(data),
        },
    )


# --- Images --------------------------------------------------------------------------------


def _image(file, content_type: str = "image/png") -> FileResponse:
    response = protected_file(FileResponse(file, as_attachment=False, content_type=content_type))
    # Public from the moment on, and the same for everyone: caches may keep it.
    response["Cache-Control"] = IMAGE_CACHE_CONTROL
    return response


@require_safe
def winner_image(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """The first image of a public distinction whose company agreed to publication."""
    award = _published_award(slug)
    image = selectors.public_image(award, pk)
    if image is None:
        raise Http404
    return _image(image.thumbnail.open("rb"), "image/jpeg")


@require_safe
def share_image(request: HttpRequest, slug: str, reference: str) -> FileResponse:
    """The 1200×630 share image of an entry's distinction, made now if the worker has not."""
    award = _published_award(slug)
    decision = public_reads.shareable_decision(award, reference)
    if decision is None:
        raise Http404
    decision = showcase.share_image_ensure(decision=decision)
    return _image(decision.share_image.open("rb"))


@require_safe
def edition_share_image(request: HttpRequest, slug: str, language: str) -> FileResponse:
    """The edition's share image ("The winners") in ``language``."""
    if language not in dict(settings.LANGUAGES):
        raise Http404
    award = _published_award(slug)
    name, _made = showcase.edition_share_image(award=award, language=language)
    return _image(Decision._meta.get_field("share_image").storage.open(name, "rb"))


# --- The winners widget --------------------------------------------------------------------


def embed_origins(award: Award) -> list[str]:
    """The origins that may show the widget in a frame (none: no site may)."""
    # Whatever the list holds, a header carries only well-formed origins.
    return [o for o in dict.fromkeys(award.embed_origin_list) if _is_origin(o)]


def _is_origin(value: str) -> bool:
    parts = urllib.parse.urlsplit(value)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not (parts.path or parts.query or parts.fragment or parts.username)
        and all(c.isalnum() or c in ".-:[]" for c in parts.netloc)
    )


@require_safe
def embed(request: HttpRequest, slug: str) -> HttpResponse:
    """The winners widget: a standalone page for the organiser's own website, to be framed
    only by the origins the organiser lists. ``?lang=en`` or ``de`` chooses the language."""
    award = _published_award(slug)
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        language = get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        categories = selectors.public_results(award)
        response = render(
            request,
            "results/embed.html",
            {"award": award, "categories": categories, "language": language},
        )
    origins = embed_origins(award)
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors " + (" ".join(origins) if origins else "'none'")
    )
    if origins:
        # The listed sites may frame it (frame-ancestors says which); X-Frame-Options knows
        # no list, so it stays DENY for every award that lists none.
        response.xframe_options_exempt = True
    response["Referrer-Policy"] = "strict-origin-when-cross-origin"
    return response


# --- Editions and the archive --------------------------------------------------------------


@require_safe
def editions(request: HttpRequest, slug: str) -> HttpResponse:
    """Every public edition of an award, with its winners once its results are public."""
    award = award_get_for(request.user, slug, "awards.view_award")
    rows = public_reads.edition_rows(award)
    items = [_event(row.award) for row in rows]
    url = absolute(reverse("results:editions", kwargs={"slug": slug}))
    return render(
        request,
        "results/public_editions.html",
        {
            "award": award,
            "rows": rows,
            "json_ld": ld.script(
                {"@context": ld.CONTEXT, **ld.item_list(name=award.name, url=url, items=items)}
            ),
            "canonical": url,
        },
    )


@require_safe
def archive(request: HttpRequest) -> HttpResponse:
    """Every edition whose results are public, newest first, 20 a page."""
    page, rows = public_reads.archive_page(request.GET.get("page"))
    canonical = absolute(reverse("results:archive"))
    if page.number > 1:
        canonical += f"?page={page.number}"
    return render(
        request,
        "results/public_archive.html",
        {"page": page, "rows": rows, "canonical": canonical},
    )


urlpatterns: list = [
    path("winners/", archive, name="archive"),
    path("awards/<slug:slug>/editions/", editions, name="editions"),
    path("awards/<slug:slug>/results/", results, name="public"),
    path("awards/<slug:slug>/results/embed/", embed, name="embed"),
    path(
        "awards/<slug:slug>/results/share-<str:language>.png",
        edition_share_image,
        name="edition_share_image",
    ),
    path("awards/<slug:slug>/results/images/<int:pk>/", winner_image, name="image"),
    path("awards/<slug:slug>/results/<str:reference>/", entry, name="entry"),
    path("awards/<slug:slug>/results/<str:reference>/share.png", share_image, name="share_image"),
]
