"""The certificate's PDF: one A4 landscape page per language with the wording, the company,
the distinction, the signatory and the number, the logo and signature, and a QR code that
encodes the address of its verification page."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from certificates import drawing, services
from certificates.models import CertificateDesign
from tests.certificates.helpers import file_bytes, issued, pdf_text, published_scene
from tests.helpers import png_bytes

pytestmark = pytest.mark.django_db


def test_both_languages_one_page_each_with_the_default_wording():
    scene = published_scene()
    certificate = issued(scene)[scene.e.slab.pk]
    data = file_bytes(certificate)
    import pypdfium2

    document = pypdfium2.PdfDocument(io.BytesIO(data))
    assert len(document) == 2
    width, height = document[0].get_size()
    assert (round(width), round(height)) == (842, 595)  # A4 landscape in points
    document.close()
    german, english = (" ".join(page.split()) for page in pdf_text(data))
    assert "URKUNDE" in german and "2. Platz" in german
    assert (
        "Leichtbau Nord GmbH hat mit der Einreichung „Hollow core slab“ in der Kategorie " in german
    )
    assert "Bauwesen" in german and "erhält diese Urkunde für: den 2. Platz." in german
    assert "CERTIFICATE" in english and "Second place" in english
    assert "Leichtbau Nord GmbH took part in Lightweight Innovation Award" in english
    assert (
        "in the category Construction and receives this certificate for: second place." in english
    )
    for page in (german, english):
        assert certificate.public_id in page
        assert services.verification_url(certificate.public_id) in page


def test_the_designs_wording_signatory_and_one_language():
    scene = published_scene(
        languages="en",
        wording_en="Awarded to {{ company }} for {{ distinction }} – {{ award_name }}, {{ date }}.",
        signatory_name="Dr. Erika Mustermann",
        signatory_role_en="Chair of the jury",
    )
    certificate = issued(scene)[scene.e.cargo.pk]
    (page,) = pdf_text(file_bytes(certificate))
    text = " ".join(page.split())
    assert f"Awarded to Red Arrow technologies UG for first place – {scene.award}," in text
    assert "Dr. Erika Mustermann" in text and "Chair of the jury" in text


def _qr_matrix(data: bytes, modules: int) -> list[list[bool]]:
    """Read the QR code off the rendered first page: the colour at each module's centre."""
    import pypdfium2

    scale = 6
    document = pypdfium2.PdfDocument(io.BytesIO(data))
    image = document[0].render(scale=scale).to_pil().convert("L")
    document.close()
    per_mm = scale * 72 / 25.4
    unit = drawing.QR_SIZE / (modules + 8)
    origin_x, origin_y = drawing.QR_X + 4 * unit, drawing.QR_Y + 4 * unit
    return [
        [
            image.getpixel(
                (
                    int((origin_x + (col + 0.5) * unit) * per_mm),
                    int((origin_y + (row + 0.5) * unit) * per_mm),
                )
            )
            < 128
            for col in range(modules)
        ]
        for row in range(modules)
    ]


def test_the_qr_code_encodes_the_verification_address():
    import segno

    scene = published_scene()
    certificate = issued(scene)[scene.e.pavilion.pk]
    url = services.verification_url(certificate.public_id)
    assert url.startswith("http") and url.endswith(f"/certificates/{certificate.public_id}/")
    expected = segno.make(url, error="m", micro=False)
    modules = len(expected.matrix)
    drawn = _qr_matrix(file_bytes(certificate), modules)
    # Module for module the QR code of the address (a phone's camera reads the same).
    assert drawn == [[bool(v) for v in row] for row in expected.matrix]
    assert modules == drawing.qr_geometry(url)


def test_logo_and_signature_are_drawn_and_a_name_outside_latin_still_prints():
    scene = published_scene()
    logo = services.design_image_clean(
        SimpleUploadedFile("logo.png", png_bytes((400, 200)), content_type="image/png")
    )
    signature = services.design_image_clean(
        SimpleUploadedFile("sig.png", png_bytes((300, 100)), content_type="image/png")
    )
    design = CertificateDesign.objects.get(award=scene.award)
    services.certificate_design_save(
        award=scene.award,
        actor=scene.organiser,
        values={name: getattr(design, name) for name in services.DESIGN_FIELDS},
        logo=logo,
        signature=signature,
    )
    scene.orgs.red_arrow[0].name = "Красная стрела ООО"
    scene.orgs.red_arrow[0].save()
    certificate = issued(scene)[scene.e.cargo.pk]
    data = file_bytes(certificate)
    import pypdfium2

    document = pypdfium2.PdfDocument(io.BytesIO(data))
    images = [
        obj for obj in document[0].get_objects() if obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE
    ]
    document.close()
    assert len(images) == 2
    assert "Красная стрела ООО" in pdf_text(data)[0]


def test_design_images_are_checked_by_content_and_encoded_again():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.design_image_clean(
            SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")
        )
    buffer = io.BytesIO()
    Image.new("RGB", (3000, 1000), "green").save(buffer, "JPEG")
    cleaned = services.design_image_clean(
        SimpleUploadedFile("logo.jpg", buffer.getvalue() + b"<html>hidden</html>")
    )
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.format == "PNG" and max(image.size) == services.DESIGN_IMAGE_MAX_PIXELS
    assert b"<html>" not in cleaned
