"""The printable summary of an entry as a PDF (fpdf2), in the active language.

Text goes into the PDF as text, never as markup, so whatever an applicant typed is printed
as typed. A Unicode font (DejaVu Sans) is used when the system has it; otherwise the core
Helvetica, which knows Latin-1 only: dashes and quotes are written plainly, other characters
become "?".
"""

from pathlib import Path

from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import Attachment, Submission
from .questions import files_by_slot
from .services import deadline_for, entry_form_questions

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
# Typography the core font lacks, written the plain way rather than as "?".
_LATIN1_STAND_INS = str.maketrans(
    {"–": "-", "—": "-", "“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "…": "...", "€": "EUR"}
)


def _font_files() -> tuple[Path, Path] | None:
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            return regular, bold
    return None


def _moment(submission: Submission, moment) -> str:
    if moment is None:
        return "–"
    local = timezone.localtime(moment, submission.award.tzinfo)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({submission.award.timezone})"


def submission_pdf(submission: Submission, attachments: list[Attachment]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(18, 18, 18)
    fonts = _font_files()
    if fonts:
        pdf.add_font("DejaVu", "", str(fonts[0]))
        pdf.add_font("DejaVu", "B", str(fonts[1]))
        family = "DejaVu"

        def text(value: str) -> str:
            return value

    else:
        family = "Helvetica"

        def text(value: str) -> str:
            value = value.translate(_LATIN1_STAND_INS)
            return value.encode("latin-1", "replace").decode("latin-1")

    title = submission.reference or submission.title
    pdf.set_title(text(title))
    pdf.set_creator("Laurel")
    pdf.add_page()
    width = pdf.epw

    def heading(value: str, size: int = 13) -> None:
        pdf.ln(3)
        pdf.set_font(family, "B", size)
        pdf.multi_cell(width, size * 0.55, text(value), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def row(label: str, value: str) -> None:
        pdf.set_font(family, "B", 10)
        pdf.multi_cell(width, 5.5, text(label), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 10)
        pdf.multi_cell(width, 5.5, text(value or "–"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)

    heading(submission.title, 17)
    pdf.set_font(family, "", 10)
    pdf.multi_cell(width, 5.5, text(str(submission.award)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    row(_("Reference number"), submission.reference or _("none yet (not submitted)"))
    row(_("Status"), str(submission.get_status_display()))
    row(_("Category"), submission.category.name)
    row(_("Company"), submission.organisation.name)
    row(_("Submitted"), _moment(submission, submission.submitted_at))
    row(_("Deadline"), _moment(submission, deadline_for(submission)))

    heading(_("The entry"))
    row(str(Submission._meta.get_field("title").verbose_name), submission.title)
    row(str(Submission._meta.get_field("summary").verbose_name), submission.summary)
    # The form's sections in order, every answer in words (as the overview shows them).
    by_slot = files_by_slot(attachments)
    sections = entry_form_questions(submission).sections(submission.answers or {})
    for section_heading, rows in sections:
        if section_heading:
            heading(section_heading, 12)
        for question, words in rows:
            if question.kind == "file":
                names = [a.original_name for a in by_slot.get(question.pk, [])]
                row(question.label, ", ".join(names) or _("No files."))
            else:
                row(question.label, words)
    for name in ("consent_terms", "consent_data", "consent_publication"):
        given = _("Yes") if getattr(submission, name) else _("No")
        row(str(Submission._meta.get_field(name).verbose_name), given)

    heading(_("Documents and images"))
    if not attachments:
        row("", _("No files."))
    for attachment in attachments:
        row(
            attachment.original_name,
            f"{attachment.get_kind_display()}, {filesizeformat(attachment.size)}, "
            f"SHA-256 {attachment.sha256}",
        )
    pdf.ln(4)
    pdf.set_font(family, "", 8)
    pdf.multi_cell(
        width,
        4,
        text(_("Printed on %(moment)s.") % {"moment": _moment(submission, timezone.now())}),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
