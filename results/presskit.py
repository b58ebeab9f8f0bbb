"""The press kit: winners as CSV and XLSX, and a share image per winner for social media.
Pure functions of plain data (rows), no database."""

from __future__ import annotations

import csv
import io
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from PIL import Image, ImageDraw, ImageFont

from submissions.exports import XLSX_CELL_MAX, neutralise

SHARE_SIZE = (1200, 630)
INK = (255, 255, 255)
ACCENT = (255, 209, 102)
BACKGROUND = (20, 52, 84)


@dataclass(frozen=True)
class WinnerRow:
    award: str
    category: str
    distinction: str
    reference: str
    title: str
    company: str
    city: str
    prize: str
    summary: str


HEADER = (
    "Award",
    "Category",
    "Distinction",
    "Reference",
    "Project",
    "Company",
    "City",
    "Prize",
    "Summary",
)


def _values(row: WinnerRow) -> list[str]:
    return [
        row.award,
        row.category,
        row.distinction,
        row.reference,
        row.title,
        row.company,
        row.city,
        row.prize,
        row.summary,
    ]


def _cells(row: WinnerRow) -> list[str]:
    # A spreadsheet must not run what an applicant typed (CSV injection): the same rule as
    # the entry exports (=, +, -, @, tab, carriage return, also after leading blanks).
    return [neutralise(value) for value in _values(row)]


def _xlsx_cells(row: WinnerRow) -> list[str]:
    # Control characters (pasted from a PDF, say) are not allowed in the file format and
    # would make openpyxl refuse the whole file; they go before the formula check.
    cells = [neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)) for value in _values(row)]
    return [c if len(c) <= XLSX_CELL_MAX else c[: XLSX_CELL_MAX - 1] + "…" for c in cells]


def winners_csv(rows: Iterable[WinnerRow], header: Iterable[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(list(header))
    for row in rows:
        writer.writerow(_cells(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def winners_xlsx(rows: Iterable[WinnerRow], header: Iterable[str] = HEADER) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Winners")
    sheet.append(list(header))
    for row in rows:
        sheet.append(_xlsx_cells(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


FONTS = Path(__file__).resolve().parent / "fonts"


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    # Vendored DejaVu: the same image on every machine, with umlauts, ß and €.
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size=size)


def _fit(draw: ImageDraw.ImageDraw, text: str, size: int, width: int, lines: int) -> tuple:
    """Wrap ``text`` into at most ``lines`` lines of ``width`` pixels, shrinking the font
    until it fits; the last line ends with … if the text is still too long."""
    while True:
        font = _font(size, bold=True)
        average = max(1, int(draw.textlength("abcdefghijklmnopqrstuvwxyz", font=font) / 26))
        wrapped = textwrap.wrap(text, width=max(8, width // average)) or [""]
        if len(wrapped) <= lines or size <= 28:
            if len(wrapped) > lines:
                wrapped = [*wrapped[: lines - 1], wrapped[lines - 1].rstrip() + " …"]
            return font, wrapped
        size -= 4


def share_image(
    *, award: str, category: str, distinction: str, title: str, company: str, prize: str
) -> bytes:
    """A 1200×630 PNG: award, category and distinction, the project and the company."""
    image = Image.new("RGB", SHARE_SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    margin = 70
    width = SHARE_SIZE[0] - 2 * margin
    draw.rectangle([0, 0, 18, SHARE_SIZE[1]], fill=ACCENT)
    draw.text((margin, 60), award, font=_font(34), fill=INK)
    draw.text((margin, 112), f"{category} · {distinction}", font=_font(40, bold=True), fill=ACCENT)
    font, lines = _fit(draw, title, 64, width, 3)
    y = 200
    for line in lines:
        draw.text((margin, y), line, font=font, fill=INK)
        y += int(font.size * 1.2)
    draw.text((margin, max(y + 20, 450)), company, font=_font(40), fill=INK)
    if prize:
        draw.text((margin, 540), prize, font=_font(34), fill=ACCENT)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def edition_image(*, organiser: str, heading: str, title: str, categories: list[str]) -> bytes:
    """A 1200×630 PNG in the press kit's colours: the organiser, "The winners", the award
    and its edition in large letters, the categories."""
    image = Image.new("RGB", SHARE_SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    margin = 70
    width = SHARE_SIZE[0] - 2 * margin
    draw.rectangle([0, 0, 18, SHARE_SIZE[1]], fill=ACCENT)
    draw.text((margin, 60), _shorten(draw, organiser, 34, width), font=_font(34), fill=INK)
    draw.text((margin, 112), heading, font=_font(44, bold=True), fill=ACCENT)
    font, lines = _fit(draw, title, 76, width, 3)
    y = 210
    for line in lines:
        draw.text((margin, y), line, font=font, fill=INK)
        y += int(font.size * 1.2)
    if categories:
        line = _shorten(draw, " · ".join(categories), 32, width)
        draw.text((margin, 540), line, font=_font(32), fill=ACCENT)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _shorten(draw, text: str, size: int, width: int) -> str:
    """``text`` cut to ``width`` pixels with … at its end."""
    font = _font(size)
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + " …", font=font) > width:
        text = text[:-1]
    return text.rstrip() + " …"
