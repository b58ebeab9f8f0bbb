"""The public results of an award, and each winner's image, from the moment of publication.

Before that moment both answer 404 to everyone, organisers included (they see the decisions
on their own pages): nothing on a public address gives the winners away early.
"""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from awards.models import Award
from core.http import protected_file

from .. import selectors


def _published_award(slug: str) -> Award:
    award = Award.objects.filter(slug=slug).first()
    if award is None or not award.results_are_public():
        raise Http404
    return award


@require_safe
def results(request: HttpRequest, slug: str) -> HttpResponse:
    award = _published_award(slug)
    return render(
        request,
        "results/public.html",
        {
            "award": award,
            "categories": selectors.public_results(award),
            "editions": selectors.published_editions(award),
        },
    )


@require_safe
def winner_image(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """The first image of a distinguished entry whose company agreed to publication."""
    award = _published_award(slug)
    image = selectors.public_image(award, pk)
    if image is None:
        raise Http404
    response = protected_file(
        FileResponse(image.thumbnail.open("rb"), as_attachment=False, content_type="image/jpeg")
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


urlpatterns: list = [
    path("awards/<slug:slug>/results/", results, name="public"),
    path("awards/<slug:slug>/results/images/<int:pk>/", winner_image, name="image"),
]
