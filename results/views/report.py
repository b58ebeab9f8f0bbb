"""The organisers' edition report (``/manage/<slug>/results/report/``): ask for it as PDF or
spreadsheet, see the reports asked for with their status, download a ready one.

Organisers only (``awards.manage_award``): everyone else, jurors and the jury chair
included, gets a 404, and a report is found only through the award of the address, so
another award's report is a 404 too. The report is built by a task; the page says so and
offers a reload while one is pending.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _

from awards.views_base import OrganiserView
from core.formatting import format_moment
from core.http import no_store, protected_file

from .. import services
from ..enums import ReportFormat, ReportStatus
from ..selectors.report import edition_report_of, edition_reports_of

CONTENT_TYPES = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ReportsView(OrganiserView):
    permission_required = "awards.manage_award"

    def url(self) -> str:
        return reverse("results_manage:reports", kwargs={"slug": self.award.slug})

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        reports = edition_reports_of(self.award)
        for report in reports:
            report.requested_moment = format_moment(self.award, report.requested_at)
        response = self.render(
            "results/manage_reports.html",
            {
                "reports": reports,
                "pending": any(r.status == ReportStatus.PENDING for r in reports),
                "formats": ReportFormat.choices,
            },
        )
        return no_store(response)

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        try:
            services.edition_report_request(
                award=self.award, format=request.POST.get("format", ""), actor=request.user
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(self.url())
        messages.success(
            request,
            _("The report is being prepared. It appears here in a minute or two."),
        )
        return redirect(self.url())


class ReportDownloadView(OrganiserView):
    permission_required = "awards.manage_award"
    http_method_names = ["get"]

    def load(self, **kwargs) -> None:
        report = edition_report_of(self.award, kwargs["pk"])
        if report is None or report.status != ReportStatus.READY or not report.file:
            raise Http404
        self.report = report

    def get(self, request: HttpRequest, slug: str, pk: int) -> FileResponse:
        report = self.report
        moment = report.finished_at or report.requested_at
        name = f"{self.award.slug}-report-{moment:%Y-%m-%d}-{report.pk}.{report.format}"
        return protected_file(
            FileResponse(
                report.file.open("rb"),
                as_attachment=True,
                filename=name,
                content_type=CONTENT_TYPES[report.format],
            )
        )


urlpatterns: list = [
    path("report/", ReportsView.as_view(), name="reports"),
    path("report/<int:pk>/", ReportDownloadView.as_view(), name="report_download"),
]
