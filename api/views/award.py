"""The endpoints of one award (``/api/v1/awards/<slug>/…``), by the same rules as the
pages (``api.award_selectors``): what the token's user may not see is a 404, never a 403;
only a read-only token that tries to change something gets a 403. Every read runs a fixed
number of queries whatever the page size; lists are cursor-paginated by id."""

from __future__ import annotations

from django.core import signing
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins
from rest_framework.response import Response

from jury.access import round_get_for
from submissions import services as submission_services
from submissions.selectors import entry_answer_sections

from .. import award_selectors as selectors
from .. import serializers
from ..access import token_of
from ..award_selectors import Role
from ..filters import (
    EntryFilterSerializer,
    OutboxFilterSerializer,
    RoundFilterSerializer,
    query_params,
)
from ..pagination import IdCursorPagination, OutboxCursorPagination
from ..schema import ErrorSerializer
from .base import AwardAPIView

# A download link is valid this long (seconds), and only with the token it was made for.
LINK_MAX_AGE = 300
LINK_SALT = "api.attachment-link"

# 401: no token, or an unknown, expired or revoked one; 404: not there or not visible to
# the token's user (nothing is revealed); 429: too many requests.
COMMON = {401: ErrorSerializer, 404: ErrorSerializer, 429: ErrorSerializer}
BAD_INPUT = OpenApiResponse(
    OpenApiTypes.OBJECT, description=_("Invalid input: a list of messages per field.")
)


def link_sign(*, attachment_id: int, token_id: int) -> str:
    return signing.TimestampSigner(salt=LINK_SALT).sign_object({"a": attachment_id, "t": token_id})


def link_read(value: str) -> dict:
    """The attachment and token ids of a link made less than ``LINK_MAX_AGE`` seconds ago
    (``signing.BadSignature`` otherwise, ``SignatureExpired`` among them)."""
    return signing.TimestampSigner(salt=LINK_SALT).unsign_object(value, max_age=LINK_MAX_AGE)


class RoleAPIView(AwardAPIView):
    """An endpoint for the roles in ``roles``: anyone else with a token of the award, and
    anyone without a role in it, gets a 404."""

    roles: tuple[str, ...] = (Role.ORGANISER, Role.JUROR, Role.APPLICANT)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.role = selectors.award_role(request.user, self.award)
        if self.role.kind not in self.roles:
            raise Http404

    def get_serializer_context(self):
        context = super().get_serializer_context()
        role = getattr(self, "role", None)
        if role is not None:
            context.update(role=role, blind=role.blind_for(self.award))
        return context


ORGANISERS = (Role.ORGANISER,)
ORGANISERS_AND_JURORS = (Role.ORGANISER, Role.JUROR)


class AwardView(RoleAPIView):
    serializer_class = serializers.AwardSerializer

    @extend_schema(
        operation_id="award_retrieve",
        summary=_("The award"),
        description=_("The token's award: its name, edition, status, dates and time zone."),
        responses={200: serializers.AwardSerializer, **COMMON},
    )
    def get(self, request, slug: str):
        return Response(self.get_serializer(self.award).data)


class _StructureListView(RoleAPIView):
    """A short list of the award's structure, unpaged, in its order."""

    roles = ORGANISERS_AND_JURORS
    pagination_class = None

    def rows(self):
        raise NotImplementedError

    def get(self, request, slug: str):
        return Response(self.get_serializer(self.rows(), many=True).data)


@extend_schema_view(
    get=extend_schema(
        summary=_("The award's categories"),
        responses={200: serializers.CategorySerializer(many=True), **COMMON},
    )
)
class CategoryListView(_StructureListView):
    serializer_class = serializers.CategorySerializer

    def rows(self):
        return self.award.categories.order_by("position", "pk")


@extend_schema_view(
    get=extend_schema(
        summary=_("The award's criteria"),
        responses={200: serializers.CriterionSerializer(many=True), **COMMON},
    )
)
class CriterionListView(_StructureListView):
    serializer_class = serializers.CriterionSerializer

    def rows(self):
        return self.award.criteria.order_by("position", "pk")


@extend_schema_view(
    get=extend_schema(
        summary=_("The award's jury rounds"),
        responses={200: serializers.RoundSerializer(many=True), **COMMON},
    )
)
class RoundListView(_StructureListView):
    serializer_class = serializers.RoundSerializer

    def rows(self):
        return self.award.rounds.order_by("number")


class EntryListView(mixins.ListModelMixin, RoleAPIView):
    serializer_class = serializers.EntrySerializer
    pagination_class = IdCursorPagination

    def get_queryset(self):
        params = query_params(EntryFilterSerializer, self.request)
        filters = selectors.EntryFilters(
            status=params.get("status", ""),
            category=params.get("category", ""),
            search=params.get("q", ""),
        )
        return selectors.entries_visible(self.award, self.role, filters)

    @extend_schema(
        summary=_("The entries the token's user may see"),
        description=_(
            "Organisers: every entry of the award; applicants: their companies' entries; "
            "jurors: the entries assigned to them in an opened round that no conflict blocks "
            "(without the company when the award reviews blind). By id, cursor-paginated."
        ),
        parameters=[EntryFilterSerializer],
        responses={200: serializers.EntrySerializer(many=True), 400: BAD_INPUT, **COMMON},
    )
    def get(self, request, slug: str):
        return self.list(request)


class EntryDetailView(RoleAPIView):
    serializer_class = serializers.EntryDetailSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        token = token_of(self.request)
        slug = self.award.slug

        def download_url(attachment) -> str:
            signed = link_sign(attachment_id=attachment.pk, token_id=token.pk)
            return self.request.build_absolute_uri(
                reverse("api:award_file", kwargs={"slug": slug, "signed": signed})
            )

        context["download_url"] = download_url
        return context

    @extend_schema(
        summary=_("One entry with its answers and files"),
        description=_(
            "The answers in the sections of the entry's form, as the pages show them, and "
            "each file's metadata with a download link that is valid for 5 minutes and only "
            "with the same token (send it as the Authorization header)."
        ),
        responses={200: serializers.EntryDetailSerializer, **COMMON},
    )
    def get(self, request, slug: str, pk: int):
        submission = selectors.entry_visible(self.award, self.role, pk)
        attachments = list(submission.attachments.all())
        sections = entry_answer_sections(
            submission, attachments, include_retired=self.role.kind != Role.APPLICANT
        )
        context = {**self.get_serializer_context(), "sections": sections}
        return Response(serializers.EntryDetailSerializer(submission, context=context).data)


class EligibilityView(RoleAPIView):
    roles = ORGANISERS
    serializer_class = serializers.EligibilitySerializer

    @extend_schema(
        summary=_("Decide an entry's eligibility"),
        description=_(
            "Organisers with a read-and-write token: the same decision as on the entry's "
            "page (audit-logged, the applicant told by mail). Fields other than eligible and "
            "reason are refused."
        ),
        request=serializers.EligibilitySerializer,
        responses={
            200: serializers.EntrySerializer,
            400: BAD_INPUT,
            403: ErrorSerializer,
            **COMMON,
        },
    )
    def post(self, request, slug: str, pk: int):
        submission = selectors.entry_visible(self.award, self.role, pk)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        eligible = serializer.validated_data["eligible"]
        submission = submission_services.eligibility_decide(
            submission=submission,
            actor=request.user,
            eligible=eligible,
            reason="" if eligible else serializer.validated_data.get("reason", ""),
        )
        return Response(
            serializers.EntrySerializer(submission, context=self.get_serializer_context()).data
        )


class JurorListView(RoleAPIView):
    roles = ORGANISERS
    serializer_class = serializers.JurorSerializer
    pagination_class = None

    @extend_schema(
        summary=_("The award's jurors"),
        responses={200: serializers.JurorSerializer(many=True), **COMMON},
    )
    def get(self, request, slug: str):
        rows = selectors.jurors_of(self.award)
        return Response(self.get_serializer(rows, many=True).data)


class AssignmentListView(mixins.ListModelMixin, RoleAPIView):
    roles = ORGANISERS
    serializer_class = serializers.AssignmentSerializer
    pagination_class = IdCursorPagination

    def get_queryset(self):
        params = query_params(RoundFilterSerializer, self.request)
        return selectors.assignments_of(self.award, round_number=params.get("round"))

    @extend_schema(
        summary=_("The jury's assignments"),
        parameters=[RoundFilterSerializer],
        responses={200: serializers.AssignmentSerializer(many=True), 400: BAD_INPUT, **COMMON},
    )
    def get(self, request, slug: str):
        return self.list(request)


class ReviewListView(mixins.ListModelMixin, RoleAPIView):
    roles = ORGANISERS_AND_JURORS
    serializer_class = serializers.ReviewSerializer
    pagination_class = IdCursorPagination

    def get_queryset(self):
        params = query_params(RoundFilterSerializer, self.request)
        return selectors.reviews_visible(self.award, self.role, round_number=params.get("round"))

    @extend_schema(
        summary=_("Reviews with their scores"),
        description=_(
            "Organisers: every submitted review of the award; a juror: their own reviews "
            "(drafts too) of entries no conflict blocks."
        ),
        parameters=[RoundFilterSerializer],
        responses={200: serializers.ReviewSerializer(many=True), 400: BAD_INPUT, **COMMON},
    )
    def get(self, request, slug: str):
        return self.list(request)


class RankingView(RoleAPIView):
    roles = ORGANISERS
    serializer_class = serializers.RankingSerializer

    @extend_schema(
        summary=_("A round's ranking per category"),
        description=_(
            "As the organisers' round page computes it: by the award's methods from the "
            "submitted reviews, or by the Schulze method from the ballots of a ranking round."
        ),
        parameters=[OpenApiParameter("round_number", int, OpenApiParameter.PATH)],
        responses={200: serializers.RankingSerializer, **COMMON},
    )
    def get(self, request, slug: str, round_number: int):
        round_ = round_get_for(self.award, round_number)
        round_.award = self.award
        blocks = selectors.round_ranking(self.award, round_)
        data = {
            "round": round_.number,
            "method": round_.method,
            "status": round_.status,
            "categories": [{"category": block.category, "rows": block.rows} for block in blocks],
        }
        return Response(serializers.RankingSerializer(data).data)


class DecisionListView(RoleAPIView):
    roles = ORGANISERS
    serializer_class = serializers.DecisionSerializer
    pagination_class = None

    @extend_schema(
        summary=_("The award's decisions"),
        responses={200: serializers.DecisionSerializer(many=True), **COMMON},
    )
    def get(self, request, slug: str):
        rows = selectors.decisions_of(self.award)
        return Response(self.get_serializer(rows, many=True).data)


class OutboxView(mixins.ListModelMixin, RoleAPIView):
    roles = ORGANISERS
    serializer_class = serializers.MessageSerializer
    pagination_class = OutboxCursorPagination

    def get_queryset(self):
        params = query_params(OutboxFilterSerializer, self.request)
        self.counts = selectors.outbox_counts(self.award)
        return selectors.outbox_messages(self.award, status=params.get("status", ""))

    @extend_schema(
        summary=_("The award's outbox"),
        description=_(
            "The award's mails counted by status, and the mails newest first: status, "
            "template, recipient, when created and sent (no texts)."
        ),
        parameters=[OutboxFilterSerializer],
        responses={200: serializers.MessageSerializer(many=True), 400: BAD_INPUT, **COMMON},
    )
    def get(self, request, slug: str):
        return self.list(request)
