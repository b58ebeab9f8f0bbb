"""An entry's documents and images, served only through these permission-checked views.

There is no public media address: every download goes through ``access.attachment_get_for``
(the organisation's members and the award's organisers; anyone else gets a 404) and is read
through the storage API, so local files and a private S3 bucket behave alike. The headers
keep a browser from running or sniffing anything in an upload, and keep caches from storing
applicants' files.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.urls import path
from django.views.decorators.http import require_safe

from core.http import protected_file

from ..access import attachment_get_for


@require_safe
@login_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """The file as it was uploaded, as a download under its (cleaned) original name."""
    item = attachment_get_for(request.user, pk)
    return protected_file(
        FileResponse(
            item.file.open("rb"),
            as_attachment=True,
            filename=item.original_name,
            content_type=item.content_type,
        )
    )


@require_safe
@login_required
def thumbnail(request: HttpRequest, pk: int) -> FileResponse:
    """An image's JPEG preview, shown inline (documents have none: 404)."""
    item = attachment_get_for(request.user, pk)
    if not item.thumbnail:
        raise Http404
    stem = item.original_name.rsplit(".", 1)[0] or "preview"
    return protected_file(
        FileResponse(
            item.thumbnail.open("rb"),
            as_attachment=False,
            filename=f"{stem}.jpg",
            content_type="image/jpeg",
        )
    )


urlpatterns: list = [
    path("files/<int:pk>/", attachment, name="attachment"),
    path("files/<int:pk>/thumb/", thumbnail, name="thumbnail"),
]
