"""The public verification page of a certificate (``/certificates/<public_id>/``, no login)
and the download of its PDF by the entry's company members (and the award's organisers)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.http import protected_file
from submissions.access import submission_get_for

from .. import selectors, services
from ..models import Certificate


@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest, public_id: str) -> HttpResponse:
    """The certificate's state for anyone holding its number; a POST with ``company``
    checks the name printed on the paper where the page does not show it."""
    found = selectors.verification(public_id)
    if found is None:
        raise Http404
    typed = request.POST.get("company", "")[:200].strip() if request.method == "POST" else ""
    certificate = found.certificate
    award = found.award
    return render(
        request,
        "certificates/verify.html",
        {
            "found": found,
            "award": award,
            "typed": typed,
            "typed_matches": found.names(typed) if typed else None,
            "distinction": services.kind_label(certificate.kind, certificate.place),
            "issued_on": timezone.localtime(
                award.results_publish_at or certificate.issued_at, award.tzinfo
            ).date(),
            "revoked_on": (
                timezone.localtime(certificate.revoked_at, award.tzinfo).date()
                if certificate.revoked_at
                else None
            ),
        },
    )


@login_required
def download(request: HttpRequest, public_id: str) -> HttpResponse:
    certificate = (
        Certificate.objects.filter(public_id=public_id).only("pk", "submission_id").first()
    )
    if certificate is None:
        raise Http404
    submission_get_for(request.user, certificate.submission_id, "submissions.view_submission")
    certificate = Certificate.objects.select_related("award").get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        return render(
            request,
            "certificates/revoked.html",
            {
                "certificate": certificate,
                "award": certificate.award,
                "revoked_on": timezone.localtime(
                    certificate.revoked_at, certificate.award.tzinfo
                ).date(),
            },
            status=410,
        )
    if not certificate.file:
        raise Http404
    return protected_file(
        FileResponse(
            certificate.file.open("rb"),
            as_attachment=True,
            filename=f"certificate-{certificate.public_id}.pdf",
            content_type="application/pdf",
        )
    )


urlpatterns = [
    path("<str:public_id>/", verify, name="verify"),
    path("<str:public_id>/download/", download, name="download"),
]
