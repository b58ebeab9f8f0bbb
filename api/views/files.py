"""The download behind an entry's short-lived link (``entries/{id}/`` hands it out): the
link names the file and the token it was made for and is valid for five minutes. Each
download checks again that the request comes with that token, that the token is still
valid (``ApiTokenAuthentication``: 401 when expired or revoked) and that its user may
still see the entry; anything else is a 404. The file is served as the pages serve it
(``submissions.downloads``: never sniffed, never run, never cached on the way)."""

from __future__ import annotations

from django.core import signing
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema

from submissions.downloads import attachment_download

from .. import award_selectors as selectors
from ..access import token_of
from .award import COMMON, RoleAPIView, link_read


class AttachmentFileView(RoleAPIView):
    def perform_content_negotiation(self, request, force=False):
        # The answer is the file, whatever the client accepts.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="award_file_download",
        summary=_("Download a file of an entry"),
        description=_(
            "The link from the entry's attachments; valid for 5 minutes, with the token it "
            "was made for."
        ),
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description=_("The file as it was uploaded.")
            ),
            **COMMON,
        },
    )
    def get(self, request, slug: str, signed: str):
        try:
            value = link_read(signed)
        except signing.BadSignature:
            raise Http404 from None
        if not isinstance(value, dict) or value.get("t") != token_of(request).pk:
            raise Http404
        attachment = selectors.attachment_visible(self.award, self.role, value.get("a"))
        return attachment_download(attachment)
