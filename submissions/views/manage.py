"""The organisers' pages for the entries of one award (under /manage/<slug>/submissions/):
the list with counts, filters (by the answers to choice questions too) and search (in the
text answers too), one entry with its answers in the form's sections, the eligibility check
and an individual deadline, the XLSX and CSV exports (plain, and for German Excel; a column
per question) and the ZIP of a category's files (a folder per file slot).

Every page reaches the award through ``award_get_for`` with ``awards.manage_award`` and every
entry or category through that award, so anyone else (and another award's id) gets a 404.
The list runs a fixed number of queries however many entries there are; the exports and the
ZIP stream, so their memory does not grow with the number of entries or files.
"""

import tempfile
from collections.abc import Iterable, Iterator

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import formats, timezone, translation
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from awards.models import Award, Category
from awards.views_base import OrganiserView
from core.forms import add_service_errors
from core.http import no_store

from .. import exports, services
from .. import manage_selectors as selectors
from ..enums import (
    CONDITION_KINDS,
    SUBMISSION_TRANSITIONS,
    SubmissionStatus,
    submission_badge,
)
from ..forms.manage import EligibilityForm, ExtensionForm, SubmissionFilterForm
from ..models import Question, Submission
from ..selectors import entry_answer_sections, form_questions_of

PAGE_SIZE = 50
# Statuses whose eligibility can be decided (or changed): those the transitions allow to
# become eligible or not eligible.
DECIDABLE = frozenset(
    status
    for status, targets in SUBMISSION_TRANSITIONS.items()
    if targets & {SubmissionStatus.ELIGIBLE, SubmissionStatus.INELIGIBLE}
)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HISTORY_LABELS = {
    "submission.created": gettext_lazy("Draft started"),
    "submission.submitted": gettext_lazy("Submitted"),
    "submission.withdrawn": gettext_lazy("Withdrawn"),
    "submission.reopened": gettext_lazy("Reopened as a draft"),
    "submission.eligibility": gettext_lazy("Eligibility decided"),
    "submission.deadline_extended": gettext_lazy("Individual deadline changed"),
    # submissions 0006: a number that another award's entry had too.
    "submission.renumbered": gettext_lazy("Reference number changed"),
}


def _moment(award, moment) -> str:
    local = timezone.localtime(moment, award.tzinfo)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({award.timezone})"


def _in_language(chunks: Iterable, language: str) -> Iterator:
    """``chunks`` generated in ``language``: a streamed body is produced after the view has
    returned, when the request's language may no longer be the active one."""
    with translation.override(language):
        yield from chunks


class _ManageView(OrganiserView):
    """An organiser page of the award's entries (404 for anyone who may not manage it)."""

    permission_required = "awards.manage_award"

    def get_submission(self, pk: int) -> Submission:
        submission = selectors.submission_of_award(self.award, pk)
        if submission is None:
            raise Http404
        return submission

    def filter_form(
        self, categories=None, questions: list[Question] | None = None
    ) -> SubmissionFilterForm:
        """The list's filters from the query string; ``questions``: the award's questions
        (read here when not given), of which the choice and yes/no ones are filters."""
        if categories is None:
            categories = list(self.award.categories.all())
        if questions is None:
            questions = selectors.filter_questions(self.award)
        return SubmissionFilterForm(
            self.request.GET,
            categories=categories,
            questions=[q for q in questions if q.kind in CONDITION_KINDS],
        )


# --- The list ----------------------------------------------------------------------------


# The eligibility column per status (statuses not listed: none).
ELIGIBILITY = {
    SubmissionStatus.ELIGIBLE: gettext_lazy("Eligible"),
    SubmissionStatus.INELIGIBLE: gettext_lazy("Not eligible"),
    SubmissionStatus.SUBMITTED: gettext_lazy("Not checked yet"),
}
REASON_LENGTH = 80

# One row of the list, in the order of the table's columns (templates/submissions/
# manage_list.html writes the table around the rows). Written here rather than in the
# template because 50 rows of 13 template variables were the page's largest cost after its
# queries; format_html escapes every value exactly as the template would have.
ROW_HTML = (
    '<tr data-entry="{pk}">'
    '<td class="text-nowrap">{reference}</td>'
    '<td><a href="{url}">{title}</a></td>'
    "<td>{organisation}</td>"
    '<td class="text-nowrap"><abbr title="{category_name}">{category_code}</abbr></td>'
    '<td><span class="badge {badge}" data-status="{status}">{status_label}</span></td>'
    '<td class="text-nowrap">{submitted}</td>'
    "<td>{eligibility}{reason}</td>"
    "</tr>\n"
)
REASON_HTML = '<br><span class="small text-body-secondary">{}</span>'


class _CountedPaginator(Paginator):
    """A paginator told how many entries the filter lets through: the list reads that number
    with its counts, in the same query (``selectors.submission_counts``)."""

    def __init__(self, object_list, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def _list_rows(award: Award, values: Iterable[dict], categories: dict[int, Category]) -> list[dict]:
    """The list's rows, every cell ready to print: a link is the detail address's prefix and
    the id, a label is looked up once per status, a time is formatted in the award's zone.
    The template then writes 50 rows without a tag, filter or include per row: done in the
    template, that work took a quarter of the page's time."""
    prefix, suffix = reverse("submissions_manage:detail", args=[award.slug, 0]).rsplit("0", 1)
    tz = award.tzinfo
    labels = {status.value: str(status.label) for status in SubmissionStatus}
    eligibility = {status: str(text) for status, text in ELIGIBILITY.items()}
    rows = []
    for entry in values:
        category = categories.get(entry["category_id"])
        status = entry["status"]
        submitted_at = entry["submitted_at"]
        reason = entry["eligibility_reason"] if status == SubmissionStatus.INELIGIBLE else ""
        rows.append(
            {
                "pk": entry["pk"],
                "url": f"{prefix}{entry['pk']}{suffix}",
                "reference": entry["reference"] or "–",
                "title": entry["title"],
                "organisation": entry["organisation_name"],
                "category_code": category.code if category else "",
                "category_name": category.name if category else "",
                "status": status,
                "status_label": labels.get(status, status),
                "badge": submission_badge(status),
                "submitted": formats.date_format(
                    timezone.localtime(submitted_at, tz), "SHORT_DATETIME_FORMAT"
                )
                if submitted_at
                else "–",
                "eligibility": eligibility.get(status, "–"),
                "reason": Truncator(reason).chars(REASON_LENGTH) if reason else "",
            }
        )
    return rows


def _rows_html(rows: list[dict]) -> SafeString:
    """``rows`` (``_list_rows``) as the table's rows: ``ROW_HTML`` through Django's
    ``format_html``, which escapes every value as the template's autoescape would."""
    return format_html_join(
        "",
        ROW_HTML,
        (
            {**row, "reason": format_html(REASON_HTML, row["reason"]) if row["reason"] else ""}
            for row in rows
        ),
    )


class SubmissionListView(_ManageView):
    """The entries with their counts, filters and search, 50 a page. Queries: the award's
    categories and filter questions, one aggregate for the counts and the filter's total,
    one for the page's rows (as values: no entry is built)."""

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        categories = list(self.award.categories.all())
        form = self.filter_form(categories)
        filters = form.filters()
        counts = selectors.submission_counts(self.award, filters)
        paginator = _CountedPaginator(
            selectors.submission_list(self.award, filters), PAGE_SIZE, count=counts.matching
        )
        page = paginator.get_page(request.GET.get("page"))
        rows = _list_rows(self.award, page.object_list, {c.pk: c for c in categories})
        return self.render(
            "submissions/manage_list.html",
            {
                "form": form,
                "filtered": form.active,
                "page": page,
                "rows": rows,
                "rows_html": _rows_html(rows),
                "counts": counts,
                "category_counts": [
                    {
                        "category": category,
                        "total": counts.by_category.get(category.pk, 0),
                        "applied": counts.applied_by_category.get(category.pk, 0),
                    }
                    for category in categories
                ],
                "status_counts": [
                    {
                        "status": status,
                        "label": str(status.label),
                        "count": counts.by_status.get(status.value, 0),
                        "badge": submission_badge(status),
                    }
                    for status in SubmissionStatus
                ],
            },
        )


# --- One entry ---------------------------------------------------------------------------


class SubmissionDetailView(_ManageView):
    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        return self.render_detail(self.get_submission(pk))

    def render_detail(
        self,
        submission: Submission,
        *,
        eligibility_form: EligibilityForm | None = None,
        extension_form: ExtensionForm | None = None,
    ) -> HttpResponse:
        # Submitted entries are checked; a decision can be changed (eligible ⇄ not eligible).
        can_decide = submission.status in DECIDABLE
        if eligibility_form is None and can_decide:
            initial = {}
            if submission.status in (SubmissionStatus.ELIGIBLE, SubmissionStatus.INELIGIBLE):
                initial = {"decision": submission.status, "reason": submission.eligibility_reason}
            eligibility_form = EligibilityForm(initial=initial)
        if extension_form is None:
            extension_form = ExtensionForm(
                tz=self.award.tzinfo, current=submission.deadline_extended_until
            )
        history = [
            {"entry": entry, "label": HISTORY_LABELS.get(entry.action, entry.action)}
            for entry in selectors.submission_history(submission)
        ]
        attachments = list(submission.attachments.all())
        return self.render(
            "submissions/manage_detail.html",
            {
                "submission": submission,
                "organisation": submission.organisation,
                "answer_sections": entry_answer_sections(
                    submission, attachments, include_retired=True
                ),
                "attachments": attachments,
                "badge": submission_badge(submission.status),
                "deadline": services.deadline_for(submission),
                # A refused decision is shown with its error, even where none can be made.
                "eligibility_form": eligibility_form
                if can_decide or (eligibility_form and eligibility_form.is_bound)
                else None,
                "extension_form": extension_form,
                "history": history,
            },
        )


class EligibilityView(SubmissionDetailView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        submission = self.get_submission(pk)
        form = EligibilityForm(request.POST)
        if form.is_valid():
            try:
                submission = services.eligibility_decide(
                    submission=submission,
                    actor=request.user,
                    eligible=form.eligible,
                    reason="" if form.eligible else form.cleaned_data["reason"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The entry is now “%(status)s”. The applicant has been informed by mail.")
                    % {"status": submission.get_status_display()},
                )
                return redirect("submissions_manage:detail", slug=self.award.slug, pk=pk)
        return self.render_detail(submission, eligibility_form=form)


class ExtensionView(SubmissionDetailView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        submission = self.get_submission(pk)
        tz = self.award.tzinfo
        if "clear" in request.POST:
            services.deadline_extend(submission=submission, actor=request.user, until=None)
            messages.success(request, _("The individual deadline has been removed."))
            return redirect("submissions_manage:detail", slug=self.award.slug, pk=pk)
        form = ExtensionForm(request.POST, tz=tz, current=submission.deadline_extended_until)
        if form.is_valid():
            try:
                submission = services.deadline_extend(
                    submission=submission, actor=request.user, until=form.cleaned_data["until"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("This entry can now be changed until %(deadline)s.")
                    % {"deadline": _moment(self.award, submission.deadline_extended_until)},
                )
                return redirect("submissions_manage:detail", slug=self.award.slug, pk=pk)
        return self.render_detail(submission, extension_form=form)


# --- Exports -----------------------------------------------------------------------------


class ExportCsvView(_ManageView):
    """The (filtered) list as CSV: UTF-8 with BOM, comma-separated, streamed."""

    form = exports.CSV_PLAIN
    filename = "{slug}-entries.csv"

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        questions = form_questions_of(self.award.pk)
        filters = self.filter_form(questions=questions).filters()
        queryset = selectors.submissions_for_export(self.award, filters)
        chunks = exports.csv_chunks(queryset, self.award.tzinfo, self.form, questions=questions)
        response = StreamingHttpResponse(
            _in_language(chunks, translation.get_language()),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=self.filename.format(slug=self.award.slug)
        )
        return no_store(response)


class ExportCsvExcelView(ExportCsvView):
    """The (filtered) list as CSV for German Excel: UTF-8 with BOM, semicolon-separated,
    times as 12.12.2026 18:00:00, so that a double click opens it in columns."""

    form = exports.CSV_EXCEL_DE
    filename = "{slug}-entries-excel.csv"


class ExportXlsxView(_ManageView):
    """The (filtered) list as XLSX, written to a temporary file and streamed from it."""

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        questions = form_questions_of(self.award.pk)
        filters = self.filter_form(questions=questions).filters()
        queryset = selectors.submissions_for_export(self.award, filters)
        # Not a context manager: FileResponse closes it once sent, and the system deletes it.
        handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
        try:
            exports.xlsx_write(
                queryset, self.award.tzinfo, handle, title=_("Entries"), questions=questions
            )
            handle.seek(0)
        except BaseException:
            handle.close()
            raise
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"{self.award.slug}-entries.xlsx",
            content_type=XLSX_CONTENT_TYPE,
        )
        return no_store(response)


class CategoryDocumentsView(_ManageView):
    """Every file of a category's applications as one ZIP, one folder per reference number
    and in it one per file slot, generated while it is sent."""

    def get(self, request: HttpRequest, slug: str, category_id: int) -> HttpResponse:
        category = selectors.category_of_award(self.award, category_id)
        if category is None:
            raise Http404
        archive = exports.documents_zip(selectors.category_documents(category))
        response = StreamingHttpResponse(archive, content_type="application/zip")
        response["Content-Length"] = str(len(archive))
        award = self.award
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True,
            filename=f"{award.reference_prefix}-{award.edition}-{category.code}-documents.zip",
        )
        return no_store(response)


urlpatterns: list = [
    path("", SubmissionListView.as_view(), name="list"),
    path("export.csv", ExportCsvView.as_view(), name="export_csv"),
    path("export-excel.csv", ExportCsvExcelView.as_view(), name="export_csv_excel"),
    path("export.xlsx", ExportXlsxView.as_view(), name="export_xlsx"),
    path(
        "category/<int:category_id>/documents.zip",
        CategoryDocumentsView.as_view(),
        name="documents_zip",
    ),
    path("<int:pk>/", SubmissionDetailView.as_view(), name="detail"),
    path("<int:pk>/eligibility/", EligibilityView.as_view(), name="eligibility"),
    path("<int:pk>/extension/", ExtensionView.as_view(), name="extension"),
]
