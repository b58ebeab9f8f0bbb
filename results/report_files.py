"""The organisers' edition report as files: the figures (``selectors.report.edition_figures``)
laid out once as sections of plain rows (``report_sections``), then drawn as a PDF (fpdf2,
the vendored DejaVu fonts) or written as an XLSX workbook (openpyxl, one sheet per section).

Call inside ``translation.override`` of the reader's language: every heading and label is
translated here. Text goes into the PDF as text, never as markup; in the workbook every
text cell goes through ``submissions.exports.neutralise``, so nothing a user wrote (an
entry's title, a company's name, a justification) can become a live formula.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from django.template.defaultfilters import floatformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core.formatting import format_moment
from submissions.enums import SubmissionStatus
from submissions.exports import XLSX_CELL_MAX, neutralise

from . import wording
from .selectors.report import EditionFigures

FONTS = Path(__file__).resolve().parent / "fonts"
SHEET_TITLE_MAX = 31
_SHEET_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))

Cell = str | int | float | None


@dataclass
class Section:
    """One part of the report: a heading, sentences, and a table (``header`` and ``rows``;
    a row's values are text or numbers). ``total`` marks the last row as a sum."""

    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    widths: tuple[int, ...] = ()
    total: bool = False


def _alpha(value: float | None) -> str:
    return "–" if value is None else floatformat(value, 2)


def _moment(figures: EditionFigures, moment) -> str:
    return format_moment(figures.award, moment) if moment is not None else "–"


def _date(figures: EditionFigures, moment) -> str:
    local = timezone.localtime(moment, figures.award.tzinfo)
    return formats.date_format(local, "DATE_FORMAT")


def report_sections(figures: EditionFigures) -> list[Section]:
    """The report's sections in order, in the active language."""
    award = figures.award
    unchecked = SubmissionStatus.SUBMITTED
    summary = Section(
        key="summary",
        title=_("The edition at a glance"),
        header=[_("Figure"), _("Value")],
        rows=[
            [_("Award"), str(award)],
            [_("Report made on"), _moment(figures, figures.generated_at)],
            [_("Applications"), figures.applied],
            [_("Eligible"), figures.status_total(SubmissionStatus.ELIGIBLE)],
            [_("Not eligible"), figures.status_total(SubmissionStatus.INELIGIBLE)],
            [_("Jurors"), len(figures.jurors)],
            [_("Reviews submitted"), figures.reviews_submitted],
            [_("Decisions"), len(figures.decisions)],
            [_("Results published on"), _moment(figures, figures.published_at)],
            [_("Mails sent"), figures.mails_sent],
            [_("Mails failed"), figures.mails_failed],
        ],
        widths=(2, 3),
    )

    entries = Section(
        key="entries",
        title=_("Entries per category"),
        paragraphs=[
            _(
                "Applications are the entries submitted, whether checked or not; withdrawn "
                "entries and drafts never submitted are counted apart."
            )
        ],
        header=[
            _("Category"),
            _("Applications"),
            _("Eligible"),
            _("Not eligible"),
            _("Not yet checked"),
            _("Withdrawn"),
            _("Drafts"),
        ],
        widths=(4, 2, 2, 2, 2, 2, 2),
        total=True,
    )
    statuses = (
        SubmissionStatus.ELIGIBLE,
        SubmissionStatus.INELIGIBLE,
        unchecked,
        SubmissionStatus.WITHDRAWN,
        SubmissionStatus.DRAFT,
    )
    for line in figures.categories:
        entries.rows.append([line.category.name, line.applied, *(line.status(s) for s in statuses)])
    entries.rows.append([_("Total"), figures.applied, *(figures.status_total(s) for s in statuses)])

    sizes = Section(
        key="sizes",
        title=_("Applications by company size"),
        header=[_("Category"), *(label for _value, label in figures.sizes), _("Total")],
        widths=(4, *(2 for _size in figures.sizes), 2),
        total=True,
    )
    for line in figures.categories:
        sizes.rows.append(
            [
                line.category.name,
                *(line.by_size.get(value, 0) for value, _label in figures.sizes),
                line.applied,
            ]
        )
    sizes.rows.append(
        [
            _("Total"),
            *(
                sum(line.by_size.get(value, 0) for line in figures.categories)
                for value, _label in figures.sizes
            ),
            figures.applied,
        ]
    )

    eligibility = Section(
        key="eligibility",
        title=_("Eligibility"),
        header=[_("Outcome"), _("Entries")],
        rows=[
            [_("Eligible"), figures.status_total(SubmissionStatus.ELIGIBLE)],
            [_("Not eligible"), figures.status_total(SubmissionStatus.INELIGIBLE)],
            [_("Not yet checked"), figures.status_total(unchecked)],
        ],
        widths=(3, 2),
    )

    jury = Section(
        key="jury",
        title=_("Jury"),
        paragraphs=[_("Reviews of the scoring rounds; ballots of a ranking round are below.")],
        header=[_("Juror"), _("Role"), _("Reviews assigned"), _("Reviews submitted")],
        rows=[[j.name, j.role, j.assigned, j.submitted] for j in figures.jurors],
        widths=(4, 3, 2, 2),
    )

    rounds = Section(
        key="rounds",
        title=_("Rounds"),
        header=[_("Round"), _("Method"), _("Status"), _("Expected"), _("Submitted")],
        widths=(4, 3, 2, 2, 2),
    )
    for line in figures.rounds:
        total = line.progress.total
        if not line.is_ranking:
            total_assigned, total_submitted = total.assigned, total.submitted
        else:
            total_assigned = sum(row.assigned for row in line.progress.categories)
            total_submitted = sum(row.submitted for row in line.progress.categories)
        rounds.rows.append(
            [
                line.round.name or _("Round %(number)s") % {"number": line.round.number},
                str(line.round.get_method_display()),
                str(line.round.get_status_display()),
                total_assigned,
                total_submitted,
            ]
        )

    agreement = Section(
        key="agreement",
        title=_("Agreement of the jury"),
        header=[_("Category"), _("Agreement (α)"), _("Entries"), _("Reviews"), _("Reading")],
        widths=(3, 2, 2, 2, 6),
    )
    if figures.quality_round is not None:
        agreement.paragraphs.append(
            _(
                "Krippendorff's alpha of the values the ranking uses, in round %(number)s "
                "(%(round)s): 1 means full agreement, 0.8 or more is good, below 0.667 weak."
            )
            % {"number": figures.quality_round.number, "round": figures.quality_round.name}
        )
    else:
        agreement.paragraphs.append(_("No scoring round has been held."))
    for line in figures.agreement:
        agreement.rows.append(
            [line.category.name, _alpha(line.alpha), line.entries, line.reviews, line.reading]
        )

    method = Section(key="method", title=_("Ranking method"), paragraphs=list(figures.method))

    decisions = Section(
        key="decisions",
        title=_("Decisions"),
        header=[
            _("Category"),
            _("Distinction"),
            _("Reference"),
            _("Entry"),
            _("Company"),
            _("Justification"),
            _("Decided on"),
        ],
        widths=(3, 3, 5, 4, 4, 5, 3),  # a reference such as LIA-2026-CON-0008 on one line
    )
    if not figures.decisions:
        decisions.paragraphs.append(_("No decision has been taken."))
    for decision in figures.decisions:
        decisions.rows.append(
            [
                decision.category.name,
                wording.distinction(decision),
                decision.submission.reference or "",
                decision.submission.title,
                decision.submission.organisation.name,
                decision.justification,
                _date(figures, decision.decided_at),
            ]
        )

    publication = Section(
        key="publication",
        title=_("Publication"),
        paragraphs=[
            _("The results were published on %(moment)s.")
            % {"moment": _moment(figures, figures.published_at)}
            if figures.published_at is not None
            else _("The results have not been published.")
        ],
    )

    mails = Section(
        key="mails",
        title=_("Mails"),
        paragraphs=[_("Every mail of this award in the outbox, by its delivery.")],
        header=[_("Delivery"), _("Mails")],
        rows=[
            [_("Sent"), figures.mails_sent],
            [_("Failed"), figures.mails_failed],
            [_("Queued"), figures.mails_queued],
        ],
        widths=(3, 2),
    )
    return [
        summary,
        entries,
        sizes,
        eligibility,
        jury,
        rounds,
        agreement,
        method,
        decisions,
        publication,
        mails,
    ]


# --- PDF ---------------------------------------------------------------------------------


def edition_report_pdf(figures: EditionFigures) -> bytes:
    """The report as an A4 PDF: a title, then each section's sentences and table."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_margins(16, 16, 16)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    title = _("Edition report: %(award)s") % {"award": figures.award}
    pdf.set_title(title)
    pdf.set_creator("Laurel")
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(width, 8, title, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(
        width,
        5,
        _("Made on %(moment)s.") % {"moment": _moment(figures, figures.generated_at)},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    heading_style = FontFace(emphasis="BOLD", fill_color=(232, 236, 241))
    for section in report_sections(figures):
        pdf.ln(4)
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(width, 6.5, section.title, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        for paragraph in section.paragraphs:
            pdf.multi_cell(width, 4.6, paragraph, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        if not section.header or not section.rows:
            continue
        size = 7.5 if len(section.header) > 5 else 8.5
        pdf.set_font("DejaVu", "", size)
        with pdf.table(
            col_widths=section.widths or None,
            headings_style=heading_style,
            line_height=size * 0.5,
            text_align="LEFT",
            padding=1,
        ) as table:
            table.row([str(cell) for cell in section.header])
            for index, values in enumerate(section.rows):
                last = section.total and index == len(section.rows) - 1
                style = FontFace(emphasis="BOLD") if last else None
                table.row(["" if v is None else str(v) for v in values], style=style)
    return bytes(pdf.output())


# --- XLSX --------------------------------------------------------------------------------


def _xlsx_cell(value: Cell) -> Cell:
    if not isinstance(value, str):
        return value
    # Control characters are not allowed in the format; then the formula check.
    text = neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return text if len(text) <= XLSX_CELL_MAX else text[: XLSX_CELL_MAX - 1] + "…"


def _sheet_title(title: str, taken: set[str]) -> str:
    base = title.translate(_SHEET_TITLE_FORBIDDEN).strip("'")[:SHEET_TITLE_MAX] or "Sheet"
    name, n = base, 2
    while name.casefold() in taken:
        suffix = f" {n}"
        name, n = base[: SHEET_TITLE_MAX - len(suffix)] + suffix, n + 1
    taken.add(name.casefold())
    return name


def edition_report_xlsx(figures: EditionFigures) -> bytes:
    """The report as a workbook: one sheet per section, its sentences above its table."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    bold = Font(bold=True)
    for section in report_sections(figures):
        sheet = workbook.create_sheet(_sheet_title(section.title, taken))
        sheet.append([_xlsx_cell(section.title)])
        sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
        for paragraph in section.paragraphs:
            sheet.append([_xlsx_cell(paragraph)])
        if section.header:
            sheet.append([])
            sheet.append([_xlsx_cell(v) for v in section.header])
            for cell in sheet[sheet.max_row]:
                cell.font = bold
            for values in section.rows:
                sheet.append([_xlsx_cell(v) for v in values])
            if section.total and section.rows:
                for cell in sheet[sheet.max_row]:
                    cell.font = bold
            for index, weight in enumerate(section.widths or (), start=1):
                letter = sheet.cell(row=1, column=index).column_letter
                sheet.column_dimensions[letter].width = 8 * weight
        else:
            sheet.column_dimensions["A"].width = 120
            for row in sheet.iter_rows(min_row=2):
                row[0].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
