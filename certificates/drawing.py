"""The certificate as a PDF (fpdf2): A4 landscape, one page per language, with the award's
colour band, logo and signature, the wording, the signatory, the date, the certificate's
number and a QR code (segno) of its public verification page.

Pure drawing from plain data (``CertificateText`` per page, a ``DrawingKit`` per design): no
database. Drawing thousands in a row is what the worker does after a publication, so what
costs the most is prepared once per process or batch, not per certificate: the fonts are
DejaVu Sans cut down to the Latin scripts (parsing and subsetting the whole font took two
thirds of a certificate's time; a text with other characters falls back to the whole font),
and the logo and signature are decoded once per batch (``DrawingKit``)."""

from __future__ import annotations

import copy
import functools
import hashlib
import io
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent.parent / "results" / "fonts"
FONT_FILES = {"": FONT_DIR / "DejaVuSans.ttf", "B": FONT_DIR / "DejaVuSans-Bold.ttf"}
FAMILY = "DejaVu"
# Latin, Latin-1, Latin Extended-A and B, general punctuation, the euro sign and ™: every
# company name of a European award; anything else draws with the whole font.
LATIN = frozenset(
    [*range(0x20, 0x7F), *range(0xA0, 0x250), *range(0x2010, 0x2030), 0x20AC, 0x2122, 0x2212]
)
SUBSET_VERSION = "2"  # of the cut-down fonts' options
# Bump when the layout changes: every certificate is drawn again (it is part of the digest).
LAYOUT_VERSION = "1"

# fontTools reports every subset it makes at INFO: a few dozen lines per certificate.
logging.getLogger("fontTools").setLevel(logging.WARNING)

PAGE_W, PAGE_H = 297.0, 210.0
QR_SIZE = 30.0
QR_X, QR_Y = PAGE_W - 30 - QR_SIZE, PAGE_H - 24 - QR_SIZE
INK = (33, 37, 41)
MUTED = (108, 117, 125)


@dataclass(frozen=True)
class CertificateText:
    """Everything one page prints, in its language."""

    language: str
    title: str
    headline: str
    company: str
    category_line: str
    wording: str
    date: str
    signatory_name: str
    signatory_role: str
    certificate_id_label: str
    certificate_id: str
    verify_label: str
    verify_url: str


@dataclass
class DrawingKit:
    """What every certificate of one design shares: colour, logo and signature (decoded once)."""

    colour: tuple[int, int, int] = (31, 78, 121)
    logo: bytes | None = None
    signature: bytes | None = None
    _images: dict[str, dict] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, *, colour: str, logo: bytes | None, signature: bytes | None) -> DrawingKit:
        kit = cls(colour=hex_to_rgb(colour), logo=logo or None, signature=signature or None)
        from fpdf.image_datastructures import ImageCache
        from fpdf.image_parsing import preload_image

        cache = ImageCache()
        for data in (kit.logo, kit.signature):
            if data:
                name, _img, info = preload_image(cache, data)
                kit._images[name] = info
        return kit

    def prime(self, pdf) -> None:
        """Give ``pdf`` the decoded images, so that ``pdf.image(bytes)`` finds them."""
        for name, info in self._images.items():
            primed = copy.copy(info)
            primed["i"] = len(pdf.image_cache.images) + 1
            primed["usages"] = 0
            pdf.image_cache.images[name] = primed


def hex_to_rgb(value: str) -> tuple[int, int, int]:
    value = (value or "#1f4e79").lstrip("#")
    try:
        return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
    except ValueError:
        return 31, 78, 121


@functools.lru_cache(maxsize=1)
def _latin_fonts() -> dict[str, str]:
    """Paths of DejaVu Sans (regular, bold) cut down to ``LATIN``, made once per process and
    kept in the temporary folder under a name of the source's digest."""
    from fontTools import subset as ftsubset
    from fontTools import ttLib

    folder = Path(tempfile.gettempdir()) / f"laurel-certificate-fonts-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    paths = {}
    for style, source in FONT_FILES.items():
        data = source.read_bytes()
        target = folder / f"{hashlib.sha256(data).hexdigest()[:16]}-latin-{SUBSET_VERSION}.ttf"
        if not target.exists():
            font = ttLib.TTFont(io.BytesIO(data))
            options = ftsubset.Options()
            options.notdef_outline = True
            options.name_IDs = ["*"]
            # Outlines only: hinting and layout tables are dropped again by fpdf2 for every
            # PDF, or cost time there (fpdf2 draws no kerning or ligatures anyway).
            options.hinting = False
            options.layout_features = []
            options.drop_tables += ["GPOS", "GSUB", "GDEF", "kern", "FFTM", "hdmx"]
            subsetter = ftsubset.Subsetter(options)
            subsetter.populate(unicodes=LATIN)
            subsetter.subset(font)
            partial = target.with_suffix(f".{os.getpid()}.tmp")
            font.save(str(partial))
            os.replace(partial, target)
        paths[style] = str(target)
    return paths


def _font_paths(texts: list[CertificateText]) -> dict[str, str]:
    characters = {ord(ch) for text in texts for value in vars(text).values() for ch in str(value)}
    if characters - LATIN - {0x0A, 0x0D, 0x09}:
        return {style: str(path) for style, path in FONT_FILES.items()}
    return _latin_fonts()


@functools.lru_cache(maxsize=8)
def _prototype(style: str, path: str):
    """The font at ``path`` as fpdf2 reads it (widths, glyph ids): parsed once per process."""
    from fpdf import FPDF

    scratch = FPDF()
    scratch.add_font(FAMILY, style, path)
    return scratch.fonts[f"{FAMILY.lower()}{style}"]


def _add_font(pdf, style: str, path: str) -> None:
    """``pdf.add_font`` without parsing the font again: a copy of the parsed font with what
    fpdf2 keeps per document (its number, the glyphs used, the font file it subsets when
    writing) made new. Falls back to ``add_font`` if fpdf2's font object is not as expected."""
    try:
        from fontTools import ttLib
        from fpdf.fonts import SubsetMap

        font = copy.copy(_prototype(style, path))
        font.i = len(pdf.fonts) + 1
        # Not recomputing the glyphs' bounding boxes lets fontTools copy each glyph's bytes
        # when it writes the subset, instead of decoding and encoding every outline.
        font.ttfont = ttLib.TTFont(path, recalcTimestamp=False, recalcBBoxes=False, lazy=True)
        font._hbfont = None
        font.biggest_size_pt = 0
        font.missing_glyphs = []
        font.subset = SubsetMap(font)
    except (AttributeError, TypeError, ImportError):  # pragma: no cover - another fpdf2
        pdf.add_font(FAMILY, style, path)
        return
    pdf.fonts[font.fontkey] = font


def certificate_pdf(pages: list[CertificateText], kit: DrawingKit) -> bytes:
    """The certificate: one landscape A4 page per entry of ``pages``."""
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(0, 0, 0)
    pdf.set_creator("Laurel")
    for style, path in _font_paths(pages).items():
        _add_font(pdf, style, path)
    kit.prime(pdf)
    if pages:
        pdf.set_title(f"{pages[0].title.title()} {pages[0].certificate_id}")
        pdf.set_lang(pages[0].language)
    for page in pages:
        _page(pdf, page, kit)
    return bytes(pdf.output())


def _page(pdf, text: CertificateText, kit: DrawingKit) -> None:
    pdf.add_page()
    colour = kit.colour
    # The colour band: a broad one at the top, a narrow one at the bottom.
    pdf.set_fill_color(*colour)
    pdf.rect(0, 0, PAGE_W, 16, style="F")
    pdf.rect(0, PAGE_H - 5, PAGE_W, 5, style="F")
    if kit.logo:
        pdf.image(kit.logo, x=PAGE_W - 20 - 50, y=22, w=50, h=24, keep_aspect_ratio=True)

    left, width = 30.0, PAGE_W - 60.0
    pdf.set_text_color(*colour)
    pdf.set_font(FAMILY, "B", 13)
    pdf.set_char_spacing(3)
    pdf.set_xy(left, 30)
    pdf.cell(width, 8, text.title, align="C")
    pdf.set_char_spacing(0)

    pdf.set_font(FAMILY, "B", 32)
    pdf.set_xy(left, 46)
    _centred(pdf, text.headline, left=left, width=width, height=14)

    pdf.set_text_color(*INK)
    pdf.set_font(FAMILY, "B", 22)
    _centred(pdf, text.company, left=left, width=width, height=10)
    pdf.set_font(FAMILY, "", 12)
    pdf.set_text_color(*MUTED)
    _centred(pdf, text.category_line, left=left, width=width, height=7)

    pdf.ln(5)
    pdf.set_text_color(*INK)
    pdf.set_font(FAMILY, "", 13)
    body_left, body_width = 48.0, PAGE_W - 96.0
    _centred(pdf, text.wording, left=body_left, width=body_width, height=6.5)

    # Signature block, bottom left.
    base = PAGE_H - 44
    if kit.signature:
        pdf.image(kit.signature, x=30, y=base - 22, w=60, h=20, keep_aspect_ratio=True)
    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.3)
    pdf.line(30, base, 110, base)
    pdf.set_xy(30, base + 1.5)
    pdf.set_font(FAMILY, "B", 11)
    pdf.cell(80, 5.5, text.signatory_name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 10)
    pdf.set_x(30)
    if text.signatory_role:
        pdf.cell(80, 5, text.signatory_role, new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(30)
    pdf.cell(80, 5, text.date, new_x="LMARGIN", new_y="NEXT")

    # Verification, bottom right: the QR code of the public page, the number and the address.
    qr_x, qr_y = QR_X, QR_Y
    draw_qr(pdf, text.verify_url, x=qr_x, y=qr_y, size=QR_SIZE)
    pdf.set_text_color(*MUTED)
    pdf.set_font(FAMILY, "", 7.5)
    right = qr_x - 4
    pdf.set_xy(right - 110, qr_y + 8)
    pdf.cell(110, 4.5, f"{text.certificate_id_label} {text.certificate_id}", align="R")
    pdf.set_xy(right - 110, qr_y + 13)
    pdf.cell(110, 4.5, text.verify_label, align="R")
    pdf.set_xy(right - 110, qr_y + 17.5)
    pdf.cell(110, 4.5, text.verify_url, align="R", link=text.verify_url)


def _lines(pdf, text: str, width: float) -> list[str] | None:
    """``text`` broken into lines of at most ``width`` mm at the current font, word by word
    (each word measured once: fpdf2's ``multi_cell`` measures every line again for each
    character, which took a third of a certificate's time). None if a word alone is wider."""
    space = pdf.get_string_width(" ")
    lines = []
    for paragraph in text.split("\n"):
        line: list[str] = []
        used = 0.0
        for word in paragraph.split(" "):
            size = pdf.get_string_width(word)
            if size > width:
                return None
            if line and used + space + size > width:
                lines.append(" ".join(line))
                line, used = [word], size
            else:
                used = used + space + size if line else size
                line.append(word)
        lines.append(" ".join(line))
    return lines


def _centred(pdf, text: str, *, left: float, width: float, height: float) -> None:
    """``text`` centred in lines below the current position, from ``left``, ``width`` wide."""
    lines = _lines(pdf, text, width)
    if lines is None:  # a word wider than the line: fpdf2 breaks it inside
        pdf.set_x(left)
        pdf.multi_cell(width, height, text, align="C", new_x="LMARGIN", new_y="NEXT")
        return
    for line in lines:
        pdf.set_x(left)
        pdf.cell(width, height, line, align="C", new_x="LMARGIN", new_y="NEXT")


@functools.lru_cache(maxsize=4096)
def _qr_runs(url: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """The QR code of ``url`` as horizontal runs of dark modules: (row, start, length)."""
    import segno

    qr = segno.make(url, error="m", micro=False)
    runs = []
    matrix = qr.matrix
    for row, line in enumerate(matrix):
        start = None
        for col, dark in enumerate(line):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                runs.append((row, start, col - start))
                start = None
        if start is not None:
            runs.append((row, start, len(line) - start))
    return len(matrix), tuple(runs)


def qr_geometry(url: str) -> int:
    """How many modules a side of the QR code of ``url`` has (without the quiet zone)."""
    return _qr_runs(url)[0]


def draw_qr(pdf, url: str, *, x: float, y: float, size: float) -> None:
    """The QR code of ``url`` as vector squares filling ``size`` mm, quiet zone inside."""
    modules, runs = _qr_runs(url)
    unit = size / (modules + 8)  # four modules of quiet zone on each side
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    # One path of rectangles, written at once (a few hundred ``rect`` calls cost more than
    # the rest of the page). PDF units from the top-left millimetres as ``rect`` does; each
    # run a hair taller, so that neighbouring rows leave no gap in a viewer.
    k, top = pdf.k, pdf.h
    origin_x, origin_y = x + 4 * unit, y + 4 * unit
    height = -(unit + 0.01) * k
    path = " ".join(
        f"{(origin_x + start * unit) * k:.2f} {(top - origin_y - row * unit) * k:.2f} "
        f"{length * unit * k:.2f} {height:.2f} re"
        for row, start, length in runs
    )
    pdf._out(f"{path} f")
