"""Cursor pagination of the award endpoints: pages in a stable order by a unique key (the
id), ``page_size`` up to 100, links to the next and previous page. A cursor stays valid
while rows are added, and no page costs more queries than another."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


class IdCursorPagination(CursorPagination):
    """Oldest first, by id."""

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    page_size_query_description = _("Rows per page, at most 100 (default 25).")
    max_page_size = MAX_PAGE_SIZE
    ordering = "pk"
    invalid_cursor_message = _("This cursor is not valid: follow the next or previous link.")

    def decode_cursor(self, request):
        """DRF's cursor, whose position must be an id: a tampered one is a 404 with a
        message, never an error of the server."""
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            try:
                int(cursor.position)
            except (TypeError, ValueError):
                raise NotFound(self.invalid_cursor_message) from None
        return cursor


class NewestFirstCursorPagination(IdCursorPagination):
    """Newest first, by id."""

    ordering = "-pk"


class OutboxCursorPagination(NewestFirstCursorPagination):
    """The outbox's messages, newest first, with the award's messages counted by status
    (``view.counts``) on every page."""

    def paginate_queryset(self, queryset, request, view=None):
        self.counts = getattr(view, "counts", {})
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        return Response({"counts": self.counts, **response.data})

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["required"] = ["counts", "results"]
        answer["properties"] = {
            "counts": {
                "type": "object",
                "description": "The award's messages by status (pending, sending, sent, failed).",
                "additionalProperties": {"type": "integer"},
            },
            **answer["properties"],
        }
        return answer
