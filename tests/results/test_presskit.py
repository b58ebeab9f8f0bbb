"""The press kit: the winners as CSV and XLSX (safe to open in a spreadsheet), and a share
image per winner for social media. Pure functions, no database."""

import csv
import io

import pytest
from openpyxl import load_workbook
from PIL import Image

from results.presskit import HEADER, WinnerRow, share_image, winners_csv, winners_xlsx

BOM = b"\xef\xbb\xbf"

PFEIFFER = WinnerRow(
    award="Lightweight Innovation Award 2023",
    category="Bauwesen",
    distinction="Preisträger",
    reference="LIA-2023-0007",
    title="Timber shell pavilion",
    company="Studio Sven Pfeiffer",
    city="Berlin",
    prize="10.000\u00a0€",
    summary="A shell of 40 mm spruce, spanning 12 m.",
)
RED_ARROW = WinnerRow(
    award="Lightweight Innovation Award 2023",
    category="Mobilität",
    distinction="Preisträger",
    reference="LIA-2023-0012",
    title='Folding cargo bike, "Pfeil"',
    company="Red Arrow technologies UG",
    city="Müllheim",
    prize="10.000\u00a0€",
    summary="Line one.\nLine two; with a comma, too.",
)


def cells(row: WinnerRow) -> list[str]:
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


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data[len(BOM) :].decode("utf-8"), newline="")))


def read_xlsx(data: bytes) -> list[list[str | None]]:
    sheet = load_workbook(io.BytesIO(data), read_only=True)["Winners"]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# --- CSV and XLSX ------------------------------------------------------------------------


def test_the_csv_has_a_bom_a_header_and_one_row_per_winner():
    data = winners_csv([PFEIFFER, RED_ARROW])

    assert data.startswith(BOM + b"Award,Category,Distinction,Reference,Project,Company,")
    assert read_csv(data) == [list(HEADER), cells(PFEIFFER), cells(RED_ARROW)]
    assert HEADER == (
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
    # Quotes, commas and line breaks survive; umlauts and € are UTF-8.
    assert b'"Folding cargo bike, ""Pfeil"""' in data
    assert "Müllheim".encode() in data
    assert "10.000\u00a0€".encode() in data


def test_the_csv_header_can_be_translated():
    header = [
        "Preis",
        "Kategorie",
        "Auszeichnung",
        "Nummer",
        "Projekt",
        "Firma",
        "Ort",
        "Preisgeld",
        "Kurzbeschreibung",
    ]

    assert read_csv(winners_csv([PFEIFFER], header=header)) == [header, cells(PFEIFFER)]


def test_without_winners_the_csv_has_only_its_header():
    assert read_csv(winners_csv([])) == [list(HEADER)]


FORMULAS = [
    '=HYPERLINK("http://evil.example")',
    "+49 30 1234",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
]


@pytest.mark.parametrize("typed", FORMULAS)
def test_what_an_applicant_typed_never_runs_as_a_formula(typed):
    row = WinnerRow(**{**PFEIFFER.__dict__, "title": typed, "company": typed})

    csv_row = read_csv(winners_csv([row]))[1]
    xlsx_row = read_xlsx(winners_xlsx([row]))[1]

    assert csv_row[4] == csv_row[5] == "'" + typed
    # XML reads a carriage return back as a line feed; the apostrophe is what matters.
    assert xlsx_row[4] == xlsx_row[5] == "'" + typed.replace("\r", "\n")


def test_harmless_text_is_left_alone():
    row = WinnerRow(
        **{**PFEIFFER.__dict__, "title": "3D-printed node = lighter", "city": "Halle (Saale)"}
    )

    assert read_csv(winners_csv([row]))[1] == cells(row)


def test_the_xlsx_has_the_same_cells_as_the_csv():
    data = winners_xlsx([PFEIFFER, RED_ARROW])

    assert data.startswith(b"PK")
    assert read_xlsx(data) == [list(HEADER), cells(PFEIFFER), cells(RED_ARROW)]
    assert read_xlsx(data) == read_csv(winners_csv([PFEIFFER, RED_ARROW]))


def test_the_xlsx_takes_control_characters_an_applicant_pasted():
    row = WinnerRow(**{**PFEIFFER.__dict__, "summary": "Copied from a PDF:\x0b\x01 light."})

    rows = read_xlsx(winners_xlsx([row]))

    assert rows[1][8] == "Copied from a PDF: light."


# --- Share image -------------------------------------------------------------------------


def opened(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def share(**changes) -> bytes:
    values = {
        "award": "Lightweight Innovation Award 2023",
        "category": "Mobilität",
        "distinction": "Preisträger",
        "title": "Folding cargo bike",
        "company": "Red Arrow technologies UG",
        "prize": "10.000\u00a0€",
    }
    return share_image(**{**values, **changes})


def test_the_share_image_is_a_1200_by_630_png():
    image = opened(share())

    assert (image.format, image.size, image.mode) == ("PNG", (1200, 630), "RGB")
    # Not an empty canvas: the accent bar on the left and white text on the dark ground.
    assert image.getpixel((5, 300)) == (255, 209, 102)
    assert image.getpixel((1190, 620)) == (20, 52, 84)
    assert (255, 255, 255) in {color for _, color in image.getcolors(maxcolors=1_000_000)}


def test_the_share_image_depends_on_the_project():
    assert share(title="Folding cargo bike") != share(title="Timber shell pavilion")


def test_a_very_long_title_still_fits():
    title = "Ein außergewöhnlich leichtes, vollständig recycelbares Tragwerk " * 12

    image = opened(share(title=title, company="Überlänge & Söhne GmbH " * 5))

    assert image.size == (1200, 630)


@pytest.mark.parametrize(
    "title",
    ["Größenverhältnis", "Ärmel, Öse, Übergröße – ß", "Ø 12 mm · 3 × leichter", "", "a"],
)
def test_umlauts_and_odd_titles_render(title):
    image = opened(share(title=title, company="Müller & Söhne", category="Gesundheit"))

    assert image.size == (1200, 630)


def test_without_a_prize_the_image_is_still_made():
    assert opened(share(prize="")).size == (1200, 630)
