"""What the certificate tests share: a published award (``tests.results`` builds it through
the real services) with a final round, certificates issued and drawn, and reading PDFs."""

from __future__ import annotations

import io

from awards.models import Award
from certificates import services
from certificates.models import Certificate, CertificateDesign
from jury.models import RoundEntry
from tests.factories import RoundFactory
from tests.results.test_public_results import publish
from tests.results.test_publication import decided_award


def published_scene(*, participants: bool = False, finalists: bool = True, **design):
    """``decided_award`` (Construction: Timber shell pavilion wins, Hollow core slab second,
    Basalt rebar third, Resin bridge deck a special mention, Carbon facade panel not
    selected; Mobility: Folding cargo bike wins, Flax seat shell not selected, a draft, a
    withdrawn and an ineligible entry), whose final round had the pavilion, the slab and the
    facade panel (a finalist), with its results published."""
    scene = decided_award()
    final = RoundFactory(award=scene.award, number=2, status="closed")
    for entry in (scene.e.pavilion, scene.e.slab, scene.e.facade):
        RoundEntry.objects.create(round=final, submission=entry)
    CertificateDesign.objects.create(
        award=scene.award,
        issue_participants=participants,
        issue_finalists=finalists,
        **design,
    )
    return publish(scene)


def issued(scene, *, draw: bool = True):
    """Issue the scene's certificates (as the organiser) and draw them; returns them by entry."""
    services.certificates_issue(award=scene.award, actor=scene.organiser)
    if draw:
        while services.certificates_draw(award_id=scene.award.pk).remaining:
            pass
    return valid_by_entry(scene.award)


def valid_by_entry(award: Award) -> dict[int, Certificate]:
    return {
        c.submission_id: c
        for c in Certificate.objects.filter(award=award, revoked_at__isnull=True).order_by("pk")
    }


def kinds(award: Award) -> dict[str, tuple[str, int | None]]:
    """Entry title → (kind, place) of its valid certificate."""
    return {
        c.submission.title: (c.kind, c.place)
        for c in Certificate.objects.filter(award=award, revoked_at__isnull=True).select_related(
            "submission"
        )
    }


def pdf_text(data: bytes) -> list[str]:
    """The text of each page of a PDF, as a reader's copy and paste gets it."""
    import pypdfium2

    document = pypdfium2.PdfDocument(io.BytesIO(data))
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


def file_bytes(certificate: Certificate) -> bytes:
    with certificate.file.open("rb") as handle:
        return handle.read()
