"""The query parameters of the award endpoints' lists, read and checked by serializers (a
bad value is a 400 with the parameter's message); the OpenAPI schema documents them from
the same serializers."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from notifications.enums import MessageStatus
from submissions.enums import SubmissionStatus


class EntryFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=SubmissionStatus.choices,
        required=False,
        help_text=_("Only entries with this status."),
    )
    category = serializers.CharField(
        required=False, max_length=20, help_text=_("Only entries of the category with this code.")
    )
    q = serializers.CharField(
        required=False,
        max_length=200,
        help_text=_(
            "Text search in the title, the reference number, the company's name and the text "
            "answers."
        ),
    )


class RoundFilterSerializer(serializers.Serializer):
    round = serializers.IntegerField(
        required=False, min_value=1, help_text=_("Only this round (its number).")
    )


class OutboxFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=MessageStatus.choices,
        required=False,
        help_text=_("Only messages with this status."),
    )


def query_params(serializer_class: type[serializers.Serializer], request) -> dict:
    """The request's query parameters checked by ``serializer_class`` (400 when invalid)."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
