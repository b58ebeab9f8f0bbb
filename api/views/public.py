"""The public endpoints, without a token: every edition whose results are public (as the
archive ``/winners/`` lists them) and one edition's results (as its results page shows
them). The same selectors as those pages (``results.selectors.public``) and the same rules:
nothing before the moment of publication (404), a place or mention only where the
organisers left it public, and of an entry only what its company agreed to publish — without
that consent no name, title, summary, statement or image, only the distinction.

Answers in the language of ``Accept-Language`` (German otherwise); requests counted per
address (``LAUREL_API_PUBLIC_RATE``)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from awards.models import Award
from awards.templatetags.laurel import money
from results import wording
from results.enums import DecisionKind
from results.models import Decision
from results.selectors import public as public_reads

from ..schema import PUBLIC_ERRORS

TAG = "Public"


def language_of(request: Request) -> str:
    """The first language of ``Accept-Language`` that Laurel speaks; German otherwise."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class PublicAPIView(APIView):
    """No authentication (a token sent along is ignored), counted per address, in the
    language the request asks for."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]

    def initial(self, request, *args, **kwargs):
        # Before the throttle, so that a 429 speaks the asked language too.
        language = language_of(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = translation.get_language()
        return response


def _page_url(url_name: str, **kwargs) -> str:
    """A page of the site, absolute (as the pages' own share links)."""
    return settings.SITE_URL + reverse(url_name, kwargs=kwargs)


# --- Serializers: the answers, field by field --------------------------------------------


class DistinctionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["place", "mention"], help_text="A place (1 is the winner) or a special mention."
    )
    place = serializers.IntegerField(allow_null=True, help_text="1, 2 or 3; null for a mention.")
    distinction = serializers.CharField(help_text="The distinction in words: “Winner”, …")
    published = serializers.BooleanField(
        help_text=(
            "Whether the company agreed to the publication of its name and entry. If not, "
            "every field below is null."
        )
    )
    company = serializers.CharField(allow_null=True)
    title = serializers.CharField(allow_null=True)
    summary = serializers.CharField(allow_null=True)
    reference = serializers.CharField(allow_null=True, help_text="The entry's reference number.")
    statement = serializers.CharField(
        allow_null=True, help_text="The jury's statement, in the asked language where written."
    )
    statement_language = serializers.CharField(allow_null=True)
    url = serializers.URLField(allow_null=True, help_text="The entry's public page.")
    image_url = serializers.URLField(allow_null=True)


class CategoryResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    prize = serializers.CharField(help_text="The prize money as the results page shows it.")
    prize_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    winners = DistinctionSerializer(many=True, help_text="The places, the winner first.")
    mentions = DistinctionSerializer(many=True)


class EditionLinkSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    url = serializers.URLField()
    results = serializers.URLField(help_text="This API's results of that edition.")


class PublicResultsSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    edition = serializers.IntegerField()
    title = serializers.CharField()
    organiser = serializers.CharField()
    results_public_since = serializers.DateTimeField()
    url = serializers.URLField(help_text="The public results page.")
    categories = CategoryResultSerializer(many=True)
    other_editions = EditionLinkSerializer(
        many=True, help_text="Other editions of the same award whose results are public."
    )


class CategoryWinnerSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    winner = DistinctionSerializer(allow_null=True, help_text="null: no prize was awarded.")


class PublicAwardSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    edition = serializers.IntegerField()
    title = serializers.CharField()
    organiser = serializers.CharField()
    results_public_since = serializers.DateTimeField()
    url = serializers.URLField(help_text="The public results page.")
    results = serializers.URLField(help_text="This API's results of the edition.")
    categories = CategoryWinnerSerializer(many=True)


class PublicAwardPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PublicAwardSerializer(many=True)


# --- From the selectors' rows to plain values --------------------------------------------


def distinction_data(award: Award, decision: Decision, *, with_details: bool = True) -> dict:
    """A decision as the public sees it; nothing about the entry without its consent."""
    submission = decision.submission
    data = {
        "kind": decision.kind,
        "place": decision.place if decision.kind == DecisionKind.PLACE else None,
        "distinction": str(wording.distinction(decision)),
        "published": bool(submission.consent_publication),
        "company": None,
        "title": None,
        "summary": None,
        "reference": None,
        "statement": None,
        "statement_language": None,
        "url": None,
        "image_url": None,
    }
    if not submission.consent_publication:
        return data
    reference = submission.reference or None
    data.update(
        company=submission.organisation.name,
        title=submission.title,
        reference=reference,
        url=(
            _page_url("results:entry", slug=award.slug, reference=reference) if reference else None
        ),
    )
    if with_details:
        image = getattr(decision, "image", None)
        data.update(
            summary=submission.summary or None,
            statement=getattr(decision, "statement", "") or None,
            statement_language=getattr(decision, "statement_lang", "") or None,
            image_url=(
                _page_url("results:image", slug=award.slug, pk=decision.pk) if image else None
            ),
        )
    return data


def _award_head(award: Award) -> dict:
    return {
        "slug": award.slug,
        "name": award.name,
        "edition": award.edition,
        "title": str(award),
        "organiser": award.organiser_name,
        "results_public_since": award.results_publish_at,
        "url": _page_url("results:public", slug=award.slug),
    }


def _api_results(request: Request, award: Award) -> str:
    return request.build_absolute_uri(reverse("api:public_results", kwargs={"slug": award.slug}))


# --- The endpoints ------------------------------------------------------------------------


class PublicAwardsView(PublicAPIView):
    @extend_schema(
        operation_id="public_awards_list",
        summary="Editions with public results",
        description=(
            "Every edition whose results are public, the newest first, 20 a page "
            "(`?page=2`), each with the winner of each category, as the archive `/winners/` "
            "lists them. No token needed."
        ),
        tags=[TAG],
        auth=[],
        parameters=[OpenApiParameter("page", int, description="The page, from 1.")],
        responses={200: PublicAwardPageSerializer, **PUBLIC_ERRORS},
    )
    def get(self, request: Request) -> Response:
        page, rows = public_reads.archive_page(request.query_params.get("page"))
        here = request.build_absolute_uri(reverse("api:public_awards"))
        data = {
            "count": page.paginator.count,
            "next": f"{here}?page={page.next_page_number()}" if page.has_next() else None,
            "previous": (
                f"{here}?page={page.previous_page_number()}" if page.has_previous() else None
            ),
            "results": [
                {
                    **_award_head(row.award),
                    "results": _api_results(request, row.award),
                    "categories": [
                        {
                            "code": category.code,
                            "name": category.name,
                            "winner": (
                                distinction_data(row.award, winner, with_details=False)
                                if winner is not None
                                else None
                            ),
                        }
                        for category, winner in row.categories
                    ],
                }
                for row in rows
            ],
        }
        return Response(PublicAwardPageSerializer(data).data)


class PublicResultsView(PublicAPIView):
    @extend_schema(
        operation_id="public_results_retrieve",
        summary="The results of one edition",
        description=(
            "Each category with its places and special mentions, exactly as the public "
            "results page shows them: from the moment of publication on (404 before), a "
            "second or third place or a mention only where the organisers left it public, "
            "the company's name and entry only where it agreed to publication. No token "
            "needed."
        ),
        tags=[TAG],
        auth=[],
        responses={200: PublicResultsSerializer, **PUBLIC_ERRORS},
    )
    def get(self, request: Request, slug: str) -> Response:
        award = Award.objects.filter(slug=slug).first()
        if award is None or not award.results_are_public():
            raise Http404
        categories = public_reads.public_results(award)
        data = {
            **_award_head(award),
            "categories": [
                {
                    "code": row.category.code,
                    "name": row.category.name,
                    "prize": money(row.category.prize_amount, award.currency),
                    "prize_amount": row.category.prize_amount,
                    "currency": award.currency,
                    "winners": [distinction_data(award, d) for d in row.winners],
                    "mentions": [distinction_data(award, d) for d in row.mentions],
                }
                for row in categories
            ],
            "other_editions": [
                {
                    "slug": edition.slug,
                    "title": str(edition),
                    "url": _page_url("results:public", slug=edition.slug),
                    "results": _api_results(request, edition),
                }
                for edition in public_reads.published_editions(award)
            ],
        }
        return Response(PublicResultsSerializer(data).data)


urlpatterns = [
    path("public/awards/", PublicAwardsView.as_view(), name="public_awards"),
    path("public/awards/<slug:slug>/results/", PublicResultsView.as_view(), name="public_results"),
]
