"""An entry's documents and images, served only through these permission-checked views.

There is no public media address: every download goes through ``access.attachment_get_for``
(the organisation's members and the award's organisers; anyone else gets a 404) and is read
through the storage API, so local files and a private S3 bucket behave alike. The headers
keep a browser from running or sniffing anything in an upload, and keep caches from storing
applicants' files.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.urls import path
from django.views.decorators.http import require_safe

from ..access import attachment_get_for
from ..downloads import attachment_download, thumbnail_inline


@require_safe
@login_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """The file as it was uploaded, as a download under its (cleaned) original name."""
    return attachment_download(attachment_get_for(request.user, pk))


@require_safe
@login_required
def thumbnail(request: HttpRequest, pk: int) -> FileResponse:
    """An image's JPEG preview, shown inline (documents have none: 404)."""
    return thumbnail_inline(attachment_get_for(request.user, pk))


urlpatterns: list = [
    path("files/<int:pk>/", attachment, name="attachment"),
    path("files/<int:pk>/thumb/", thumbnail, name="thumbnail"),
]
