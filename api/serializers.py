"""What the award endpoints answer, field by field (never every field of a model), and the
one input they take: an eligibility decision, which refuses any field it does not know."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from awards.models import Award, Category, Criterion, Round
from jury.models import Assignment, Juror, Review
from notifications.models import Message
from results.models import Decision
from submissions.models import Attachment, Organisation, Submission

# --- The award and its structure ------------------------------------------------------------


class AwardSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField(
        help_text=_("What the token's user is in the award: organiser, juror or applicant.")
    )

    class Meta:
        model = Award
        fields = [
            "slug",
            "name",
            "edition",
            "status",
            "timezone",
            "submissions_open_at",
            "submissions_close_at",
            "jury_deadline_at",
            "announcement_at",
            "results_published_at",
            "blind_review",
            "role",
        ]
        read_only_fields = fields

    def get_role(self, award) -> str:
        return self.context["role"].kind


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "code", "name_de", "name_en", "prize_amount", "position"]
        read_only_fields = fields


class CategoryRefSerializer(serializers.ModelSerializer):
    """A category named in another answer: its id, code and name in the user's language."""

    name = serializers.CharField(read_only=True)

    class Meta:
        model = Category
        fields = ["id", "code", "name"]
        read_only_fields = fields


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "name_de", "name_en", "weight", "scale_min", "scale_max", "position"]
        read_only_fields = fields


class RoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Round
        fields = [
            "id",
            "number",
            "name_de",
            "name_en",
            "kind",
            "method",
            "status",
            "deadline_at",
            "opened_at",
            "closed_at",
        ]
        read_only_fields = fields


# --- Entries -----------------------------------------------------------------------------------


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "city", "country", "website", "size_class"]
        read_only_fields = fields


class EntrySerializer(serializers.ModelSerializer):
    """An entry in the list. ``organisation`` is null for a juror of a blind award;
    ``eligibility_reason`` is null for jurors."""

    category = CategoryRefSerializer(read_only=True)
    organisation = serializers.SerializerMethodField()
    eligibility_reason = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "reference",
            "title",
            "status",
            "category",
            "organisation",
            "submitted_at",
            "eligibility_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(OrganisationSerializer(allow_null=True))
    def get_organisation(self, submission) -> dict | None:
        if self.context.get("blind"):
            return None
        organisation = submission.organisation
        # OrganisationSerializer's fields, read directly: a serializer per row would cost
        # more than the page's query.
        return {name: getattr(organisation, name) for name in OrganisationSerializer.Meta.fields}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_eligibility_reason(self, submission) -> str | None:
        if self.context["role"].kind == "juror":
            return None
        return submission.eligibility_reason


class AttachmentSerializer(serializers.ModelSerializer):
    """A file's metadata and a link to download it, valid for a few minutes and only with
    the same token."""

    name = serializers.CharField(source="original_name", read_only=True)
    slot = serializers.IntegerField(source="question_id", read_only=True, allow_null=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "name",
            "kind",
            "size",
            "content_type",
            "sha256",
            "slot",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, attachment) -> str:
        return self.context["download_url"](attachment)


class AnswerItemSerializer(serializers.Serializer):
    question = serializers.IntegerField(allow_null=True, help_text=_("The question's id."))
    key = serializers.CharField(allow_null=True)
    kind = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    answer = serializers.CharField(help_text=_("The answer in words, as the pages show it."))
    link = serializers.CharField(allow_null=True)
    files = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("Ids of the files in this slot.")
    )


class AnswerSectionSerializer(serializers.Serializer):
    heading = serializers.CharField()
    items = AnswerItemSerializer(many=True)


def answer_sections_data(sections) -> list[dict]:
    """``submissions.selectors.entry_answer_sections`` as plain values."""
    return [
        {
            "heading": str(section.heading),
            "items": [
                {
                    "question": item.question.pk if item.question else None,
                    "key": item.question.key if item.question else None,
                    "kind": item.question.kind if item.question else None,
                    "label": item.question.label if item.question else str(section.heading),
                    "answer": item.text,
                    "link": item.link,
                    "files": [a.pk for a in item.files],
                }
                for item in section.items
            ],
        }
        for section in sections
    ]


class EntryDetailSerializer(EntrySerializer):
    sections = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta(EntrySerializer.Meta):
        fields = [*EntrySerializer.Meta.fields, "summary", "sections", "attachments"]
        read_only_fields = fields

    @extend_schema_field(AnswerSectionSerializer(many=True))
    def get_sections(self, submission) -> list[dict]:
        return answer_sections_data(self.context["sections"])

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, submission) -> list[dict]:
        return AttachmentSerializer(
            submission.attachments.all(), many=True, context=self.context
        ).data


class EligibilitySerializer(serializers.Serializer):
    """The organiser's decision; any other field (status, award, reference, organisation…)
    is refused, so that nothing but the decision can change through this endpoint."""

    eligible = serializers.BooleanField(help_text=_("true: eligible; false: not eligible."))
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text=_("Why the entry is not eligible (needed then; the applicant is told)."),
    )

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("Unknown field: it cannot be set here.")] for name in unknown}
                )
        return super().to_internal_value(data)


# --- The jury ----------------------------------------------------------------------------------


class JurorSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.full_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    categories = serializers.SerializerMethodField()

    class Meta:
        model = Juror
        fields = [
            "id",
            "name",
            "email",
            "role",
            "is_active",
            "affiliation",
            "max_assignments",
            "categories",
            "confidentiality_confirmed_at",
            "conflicts_declared_at",
        ]
        read_only_fields = fields

    def get_categories(self, juror) -> list[str]:
        return [category.code for category in juror.categories.all()]


class AssignmentSerializer(serializers.ModelSerializer):
    round = serializers.IntegerField(source="round.number", read_only=True)
    juror = serializers.IntegerField(source="juror_id", read_only=True)
    entry = serializers.IntegerField(source="submission_id", read_only=True)
    review_status = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = ["id", "round", "juror", "entry", "source", "created_at", "review_status"]
        read_only_fields = fields

    def get_review_status(self, assignment) -> str:
        try:
            return assignment.review.status
        except Review.DoesNotExist:
            return "not_started"


class ScoreSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(source="criterion_id")
    value = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField()


class ReviewSerializer(serializers.ModelSerializer):
    assignment = serializers.IntegerField(source="assignment_id", read_only=True)
    round = serializers.IntegerField(source="assignment.round.number", read_only=True)
    juror = serializers.IntegerField(source="assignment.juror_id", read_only=True)
    entry = serializers.IntegerField(source="assignment.submission_id", read_only=True)
    scores = ScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "assignment",
            "round",
            "juror",
            "entry",
            "status",
            "overall_comment",
            "submitted_at",
            "scores",
        ]
        read_only_fields = fields


# --- Results -----------------------------------------------------------------------------------


class RankingRowSerializer(serializers.Serializer):
    entry = serializers.IntegerField()
    reference = serializers.CharField(allow_null=True)
    title = serializers.CharField()
    place = serializers.IntegerField(allow_null=True, help_text=_("null: no complete review."))
    tied = serializers.BooleanField()
    score = serializers.FloatField(allow_null=True)
    reviews = serializers.IntegerField()
    raw_mean = serializers.FloatField(allow_null=True)


class RankingCategorySerializer(serializers.Serializer):
    category = CategoryRefSerializer()
    rows = RankingRowSerializer(many=True)


class RankingSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    method = serializers.CharField()
    status = serializers.CharField()
    categories = RankingCategorySerializer(many=True)


class DecisionSerializer(serializers.ModelSerializer):
    category = CategoryRefSerializer(read_only=True)
    entry = serializers.IntegerField(source="submission_id", read_only=True)
    reference = serializers.CharField(
        source="submission.reference", read_only=True, allow_null=True
    )
    title = serializers.CharField(source="submission.title", read_only=True)

    class Meta:
        model = Decision
        fields = [
            "id",
            "category",
            "entry",
            "reference",
            "title",
            "kind",
            "place",
            "justification",
            "public",
            "decided_at",
        ]
        read_only_fields = fields


# --- The outbox --------------------------------------------------------------------------------


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = [
            "id",
            "status",
            "template_key",
            "recipient_email",
            "language",
            "attempts",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields
