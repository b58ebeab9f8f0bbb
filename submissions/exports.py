"""Exports of an award's entries for the organisers: CSV, XLSX, and a ZIP of a category's files.

Plain functions over a queryset (or a list of attachments); the views only choose the
queryset and wrap the result in a streaming response. Nothing here holds a whole export in
memory:

* XLSX, the recommended format: opens in every spreadsheet with columns, times and numbers
  as such. Written by openpyxl in write-only mode (rows go straight to a temporary file),
  then streamed from that file.
* CSV comes in two flavours, both UTF-8 with a byte order mark (so that Excel recognises the
  encoding), every field that needs it quoted with ``"``, lines ending in CRLF:
  plain (``CSV_PLAIN``, RFC 4180): separated by commas, times as ``2026-12-12 18:00:00``, for
  other programs; and for German Excel (``CSV_EXCEL_DE``): separated by semicolons, times as
  ``12.12.2026 18:00:00``, which a double click opens in columns (German Excel takes the
  comma for the decimal separator and splits only at semicolons). Rows are read from the
  database in chunks and written as they come.
* The ZIP is generated while it is sent (zipstream-ng), each file read from storage in
  chunks only when its turn comes: one folder per entry, in it one folder per file slot.

After the entry's and the organisation's columns comes one column per question of the
award's form (all categories'; headings in the active language, the categories a question is
limited to in brackets): the answer in words, numbers and dates as such
(``questions.export_value``), a file slot's file names. The questions are read once by the
caller; the answers are in each row, so the export runs no query per entry.

Cells are neutralised against formula injection in CSV and XLSX alike: text that a
spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) gets a leading ``'`` and stays text.
"""

import csv
import datetime as dt
import json
import posixpath
import re
import unicodedata
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any
from zipfile import ZIP_STORED

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from zipstream import ZipStream

from .enums import CONDITION_KINDS, QuestionKind
from .models import Attachment, Organisation, Question, Submission
from .questions import export_value

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Spreadsheets may drop leading blanks before they decide whether a cell is a formula.
_LEADING_BLANKS = " \t\r\n\x00\x0b\x0c"
XLSX_CELL_MAX = 32_767  # the longest text an Excel cell holds
CSV_BOM = "\ufeff"
CHUNK_ROWS = 200  # rows per database round trip and per piece of the CSV stream
FILE_CHUNK = 256 * 1024  # bytes read from storage at a time for the ZIP


def neutralise(value: Any) -> Any:
    """``value`` made safe for a spreadsheet cell: text a spreadsheet would treat as a formula
    gets a leading apostrophe; everything else is returned unchanged."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(FORMULA_TRIGGERS) or value.lstrip(_LEADING_BLANKS).startswith(
        FORMULA_TRIGGERS
    ):
        return "'" + value
    return value


# --- the rows ----------------------------------------------------------------------------
def _label(model: type, name: str) -> str:
    return str(capfirst(model._meta.get_field(name).verbose_name))


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _local(moment: dt.datetime | None, tz: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """The wall-clock time in the award's zone, without zone (spreadsheets know none)."""
    if moment is None:
        return None
    return timezone.localtime(moment, tz).replace(tzinfo=None, microsecond=0)


Column = tuple[str, Callable[[Submission], Any]]


def question_header(question: Question) -> str:
    """A question's column heading: its label in the active language, the unit (or the
    award's currency) of a number, and the codes of the categories it is limited to."""
    header = question.label
    if question.kind == QuestionKind.NUMBER and question.unit:
        header = f"{header} ({question.unit})"
    elif question.kind == QuestionKind.MONEY and question.award_id:
        header = f"{header} ({question.award.currency})"
    codes = [category.code for category in question.categories.all()]
    if codes:
        header = f"{header} [{', '.join(codes)}]"
    return header


def question_columns(questions: Iterable[Question]) -> list[Column]:
    """One column per question of the form (headings left out): the answer as a cell, or
    the names of a file slot's files (the attachments should be prefetched:
    ``manage_selectors.submissions_for_export``)."""
    columns: list[Column] = []
    for question in questions:
        if question.kind == QuestionKind.SECTION:
            continue
        if question.kind == QuestionKind.FILE:
            columns.append((question_header(question), _slot_files(question.pk)))
        else:
            columns.append((question_header(question), _answer(question)))
    return columns


def _answer(question: Question) -> Callable[[Submission], Any]:
    key = str(question.pk)
    if question.kind not in CONDITION_KINDS:
        return lambda s: export_value(question, (s.answers or {}).get(key))
    # A choice question has few answers, given by thousands of entries: each answer's words
    # are looked up once per export (in the export's language).
    words: dict[str, Any] = {}

    def cached(submission: Submission) -> Any:
        answer = (submission.answers or {}).get(key)
        marker = json.dumps(answer.get("value") if isinstance(answer, dict) else None)
        if marker not in words:
            words[marker] = export_value(question, answer)
        return words[marker]

    return cached


def _slot_files(question_id: int) -> Callable[[Submission], Any]:
    def names(submission: Submission) -> str:
        return ", ".join(
            a.original_name for a in submission.attachments.all() if a.question_id == question_id
        )

    return names


def export_columns(tz: zoneinfo.ZoneInfo, questions: Iterable[Question] = ()) -> list[Column]:
    """Header and value of every column, in order; headers in the active language, times
    in ``tz`` (the award's zone, named in the header); after the entry's and the
    organisation's columns, one per question of ``questions`` (the award's form, as
    ``selectors.form_questions_of`` reads it)."""
    zone = tz.key

    def org(name: str) -> Column:
        return _label(Organisation, name), lambda s: getattr(s.organisation, name)

    def text(name: str) -> Column:
        return _label(Submission, name), lambda s: getattr(s, name)

    return [
        (_("Reference number"), lambda s: s.reference or ""),
        text("title"),
        (_("Category code"), lambda s: s.category.code),
        (_("Category"), lambda s: s.category.name),
        (_("Status"), lambda s: s.get_status_display()),
        (_("Reason (not eligible)"), lambda s: s.eligibility_reason),
        (
            _("Submitted at (%(zone)s)") % {"zone": zone},
            lambda s: _local(s.submitted_at, tz),
        ),
        (
            _("Individual deadline (%(zone)s)") % {"zone": zone},
            lambda s: _local(s.deadline_extended_until, tz),
        ),
        text("summary"),
        (_("Consent: conditions of participation"), lambda s: _yes_no(s.consent_terms)),
        (_("Consent: data processing"), lambda s: _yes_no(s.consent_data)),
        (_("Consent: publication"), lambda s: _yes_no(s.consent_publication)),
        (_("Organisation"), lambda s: s.organisation.name),
        org("legal_form"),
        org("street"),
        org("postal_code"),
        org("city"),
        org("country"),
        org("website"),
        (_label(Organisation, "size_class"), lambda s: s.organisation.get_size_class_display()),
        org("founded_year"),
        org("contact_name"),
        org("contact_email"),
        org("contact_phone"),
        (_("Created at (%(zone)s)") % {"zone": zone}, lambda s: _local(s.created_at, tz)),
        (_("Last changed (%(zone)s)") % {"zone": zone}, lambda s: _local(s.updated_at, tz)),
        (_("ID"), lambda s: s.pk),
        *question_columns(questions),
    ]


def export_header(tz: zoneinfo.ZoneInfo, questions: Iterable[Question] = ()) -> list[str]:
    return [neutralise(header) for header, _value in export_columns(tz, questions)]


def export_rows(
    queryset: QuerySet[Submission],
    tz: zoneinfo.ZoneInfo,
    questions: Iterable[Question] = (),
) -> Iterator[list[Any]]:
    """One list of cell values per entry (text neutralised, answers included; numbers,
    dates, times and empty cells as such), read from the database in chunks. ``queryset``
    should select the category and organisation and prefetch the files of the file slots
    (``manage_selectors.submissions_for_export`` does)."""
    getters = [value for _header, value in export_columns(tz, questions)]
    for submission in queryset.iterator(chunk_size=CHUNK_ROWS):
        yield [neutralise(get(submission)) for get in getters]


# --- CSV ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class CsvFormat:
    """How a CSV export separates its fields and writes a moment."""

    delimiter: str
    moment: str  # strftime format of a time (the wall-clock time in the award's zone)
    date: str  # strftime format of a date (an answer)
    decimal: str  # the decimal separator of a number (an answer)


CSV_PLAIN = CsvFormat(delimiter=",", moment="%Y-%m-%d %H:%M:%S", date="%Y-%m-%d", decimal=".")
CSV_EXCEL_DE = CsvFormat(delimiter=";", moment="%d.%m.%Y %H:%M:%S", date="%d.%m.%Y", decimal=",")


class _Line:
    """A file-like object for csv.writer that hands back what is written."""

    def write(self, value: str) -> str:
        return value


def _csv_cell(value: Any, form: CsvFormat) -> Any:
    if isinstance(value, dt.datetime):
        return value.strftime(form.moment)
    if isinstance(value, dt.date):
        return value.strftime(form.date)
    if isinstance(value, Decimal):
        return str(value).replace(".", form.decimal)
    return value


def csv_chunks(
    queryset: QuerySet[Submission],
    tz: zoneinfo.ZoneInfo,
    form: CsvFormat = CSV_PLAIN,
    *,
    questions: Iterable[Question] = (),
) -> Iterator[str]:
    """The CSV export as text pieces of about ``CHUNK_ROWS`` lines, the first starting with
    the byte order mark and the header; separated and with times, dates and numbers as
    ``form`` says."""
    questions = list(questions)
    writer = csv.writer(_Line(), delimiter=form.delimiter)
    yield CSV_BOM + writer.writerow(export_header(tz, questions))
    lines: list[str] = []
    for row in export_rows(queryset, tz, questions):
        lines.append(writer.writerow([_csv_cell(value, form) for value in row]))
        if len(lines) >= CHUNK_ROWS:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


# --- XLSX --------------------------------------------------------------------------------
def _xlsx_cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    # Control characters are not allowed in the file format; they are dropped before the
    # check, so that "\x01=cmd" cannot turn into a formula by losing its first character.
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    value = neutralise(value)
    if len(value) > XLSX_CELL_MAX:
        value = value[: XLSX_CELL_MAX - 1] + "…"
    return value


def xlsx_write(
    queryset: QuerySet[Submission],
    tz: zoneinfo.ZoneInfo,
    target: IO[bytes],
    *,
    title: str,
    questions: Iterable[Question] = (),
) -> None:
    """Write the XLSX export to the open binary file ``target`` (one sheet, header first).

    openpyxl's write-only workbook keeps no cells in memory: each row goes to a temporary
    file as it is appended."""
    questions = list(questions)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    sheet.freeze_panes = "C2"
    sheet.append([_xlsx_cell(value) for value in export_header(tz, questions)])
    for row in export_rows(queryset, tz, questions):
        sheet.append([_xlsx_cell(value) for value in row])
    workbook.save(target)


def _sheet_title(title: str) -> str:
    # Excel allows 31 characters and none of []:*?/\ in a sheet's name.
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip()
    return cleaned[:31] or "Sheet"


# --- ZIP of a category's files -----------------------------------------------------------
_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
MEMBER_NAME_MAX = 120


def clean_member_name(name: str, *, fallback: str = "file") -> str:
    """A file name that is safe inside an archive on every system: the last part of the
    path only, no control or reserved characters, no leading dots or blanks, at most
    ``MEMBER_NAME_MAX`` characters (the extension kept)."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_IN_NAME.sub("_", name)
    name = name.strip().lstrip(".").strip()
    name = re.sub(r"\s+", " ", name)
    if not name or set(name) <= {".", "_", " "}:
        name = fallback
    stem, ext = posixpath.splitext(name)
    if len(ext) > 10:  # not an extension, just a dot in the name
        stem, ext = name, ""
    if len(name) > MEMBER_NAME_MAX:
        name = stem[: MEMBER_NAME_MAX - len(ext)].rstrip() + ext
    return name


def _deduplicated(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)``… before the extension, whichever is free
    (compared without case: Windows and macOS would see "A.pdf" and "a.pdf" as one file)."""
    candidate, number = name, 1
    stem, ext = posixpath.splitext(name)
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{stem} ({number}){ext}"
    taken.add(candidate.casefold())
    return candidate


def _folder(submission: Submission) -> str:
    return clean_member_name(submission.reference or "", fallback=f"entry-{submission.pk}")


def zip_members(attachments: Iterable[Attachment]) -> Iterator[tuple[str, Attachment]]:
    """(archive name, attachment) pairs: ``<reference>/<file slot>/<original name>``, the
    slot's folder named by its label in the active language (two slots of one entry with the
    same label get "(2)"); a file without a slot (uploaded before slots existed) directly in
    the entry's folder. Names cleaned and made unique within each folder."""
    taken: dict[str, set[str]] = {}
    slot_folders: dict[tuple[str, int], str] = {}
    for attachment in attachments:
        folder = _folder(attachment.submission)
        if attachment.question_id is not None:
            slot = (folder, attachment.question_id)
            if slot not in slot_folders:
                # A slash in a label is no folder of its own.
                label = re.sub(r"[/\\]", "-", attachment.question.label)
                label = clean_member_name(label, fallback=attachment.question.key or "files")
                used = taken.setdefault(f"{folder}//slots", set())
                slot_folders[slot] = f"{folder}/{_deduplicated(label, used)}"
            folder = slot_folders[slot]
        name = clean_member_name(
            attachment.original_name, fallback=f"file-{attachment.pk}{attachment.extension}"
        )
        yield f"{folder}/{_deduplicated(name, taken.setdefault(folder, set()))}", attachment


def _file_chunks(attachment: Attachment) -> Iterator[bytes]:
    """The file's bytes, read from storage in pieces; opened only when the archive reaches
    it and closed right after."""
    storage = attachment.file.storage
    with storage.open(attachment.file.name, "rb") as handle:
        while chunk := handle.read(FILE_CHUNK):
            yield chunk


def documents_zip(attachments: Iterable[Attachment]) -> ZipStream:
    """A ZIP (stored, not compressed: PDFs and images hardly shrink) of ``attachments`` that
    is generated while it is iterated. Each file is read when its turn comes, so the memory
    needed does not grow with the number or size of the files.

    The sizes recorded at upload are given, so ``len()`` of the result is the archive's size
    in advance (the browser can show progress); a stored file whose size no longer matches
    its record stops the stream with an error rather than sending a different file."""
    archive = ZipStream(compress_type=ZIP_STORED, sized=True)
    for name, attachment in zip_members(attachments):
        archive.add(_file_chunks(attachment), name, size=attachment.size)
    return archive
