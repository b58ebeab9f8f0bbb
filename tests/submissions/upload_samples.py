"""Files a security probe would upload (issue #17): polyglots, photos with GPS positions,
PDFs with scripts, launch actions, embedded files or data after their end, built in the
test from a clean file and edited byte by byte as an attacker would."""

import io
import zlib

from fpdf import FPDF
from PIL import Image

HTML = b"<html><script>alert(1)</script></html>"
BERLIN = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}


def clean_pdf(text: str = "Konzept") -> bytes:
    """A one-page PDF as fpdf2 writes it (with an /OpenAction that only sets the view)."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def with_catalog(entries: bytes, pdf: bytes | None = None) -> bytes:
    """``pdf`` with ``entries`` added to its document catalog (offsets left as they are: a
    reader repairs them, and the check must not rely on them)."""
    pdf = pdf or clean_pdf()
    assert b"/Type /Catalog" in pdf
    return pdf.replace(b"/Type /Catalog", b"/Type /Catalog " + entries, 1)


def incremental_update(pdf: bytes) -> bytes:
    """``pdf`` with an incremental update (a changed page list, a second trailer and %%EOF),
    as a PDF editor saves it."""
    obj = b"\n8 0 obj\n<< /Producer (Editor) >>\nendobj\n"
    previous = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    update = obj + (
        b"xref\n0 1\n0000000000 65535 f \n8 1\n%010d 00000 n \n"
        b"trailer\n<< /Size 9 /Root 2 0 R /Info 8 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
    ) % (len(pdf) + 1, previous, len(pdf) + len(obj))
    return pdf + update


def object_stream_pdf(objects: bytes, *, filters: bytes = b"/Filter /FlateDecode") -> bytes:
    """A PDF whose catalog lives in a compressed object stream (``/Type /ObjStm``), as
    Acrobat and most office suites write them: names inside cannot be seen in the file."""
    header = b"2 0 "
    body = header + objects
    data = zlib.compress(body) if b"Flate" in filters else body
    return (
        b"%PDF-1.5\n"
        b"1 0 obj\n<< /Type /ObjStm /N 1 /First "
        + str(len(header)).encode()
        + b" "
        + filters
        + b" /Length "
        + str(len(data)).encode()
        + b" >>\nstream\n"
        + data
        + b"\nendstream\nendobj\n"
        b"3 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        b"trailer\n<< /Root 2 0 R /Size 4 >>\nstartxref\n0\n%%EOF\n"
    )


def png(size=(64, 48), mode="RGB", color="red", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, "PNG", **save)
    return buffer.getvalue()


def photo(fmt: str = "JPEG", size=(400, 300), orientation: int = 6) -> bytes:
    """A camera photo: a blue band on the sensor's left edge, EXIF with the camera, the
    orientation to display it upright and the GPS position where it was taken."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Camera maker"
    exif[0x0131] = "Firmware 1.0"
    gps = exif.get_ifd(0x8825)
    gps.update(BERLIN)
    image = Image.new("RGB", size, "white")
    image.paste("blue", (0, 0, size[0] // 10, size[1]))
    buffer = io.BytesIO()
    extra = {"comment": b"taken at the lab"} if fmt == "JPEG" else {}
    image.save(buffer, fmt, exif=exif, **extra)
    return buffer.getvalue()


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
