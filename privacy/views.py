"""The "Your data" page: a person's data exports (ask for one, see its state, download it).

Thin: the writes are in ``privacy.services``; every export comes through
``services.export_file_for`` (another person's, an expired or unfinished one: 404)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.http import protected_file

from . import services
from .models import ExportStatus

EXPORTS_SHOWN = 10


class DataView(LoginRequiredMixin, TemplateView):
    """The person's exports, newest first, and the button that prepares a new one."""

    template_name = "privacy/data.html"

    def get_context_data(self, **kwargs):
        exports = list(self.request.user.data_exports.all()[:EXPORTS_SHOWN])
        return super().get_context_data(
            exports=exports,
            preparing=any(e.status == ExportStatus.QUEUED for e in exports),
            has_ready=any(e.status == ExportStatus.READY for e in exports),
            days=settings.LAUREL_EXPORT_DAYS,
            statuses=ExportStatus,
            **kwargs,
        )


class ExportRequestView(LoginRequiredMixin, View):
    """Prepare a new export (or keep the one being prepared)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            services.export_request(user=request.user)
        except services.ExportRefused as refusal:
            messages.error(request, " ".join(refusal.messages))
        else:
            messages.success(
                request,
                _(
                    "Your export is being prepared. We will send you an email when it is "
                    "ready to download."
                ),
            )
        return redirect("privacy:data")


class ExportDownloadView(LoginRequiredMixin, View):
    """The ZIP, to its owner only, while it is ready."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, token: str) -> FileResponse:
        export = services.export_file_for(user=request.user, token=token)
        return protected_file(
            FileResponse(
                export.file.open("rb"),
                as_attachment=True,
                filename=f"laurel-data-{export.ready_at:%Y-%m-%d}.zip",
                content_type="application/zip",
            )
        )
