"""After the ceremony (issue #18), in a real browser, on the demo's scored edition
"Lightweight Innovation Award (Bewertungs-Demo)" (``seed_demo``, ``seed_results_demo``,
``seed_certificates_demo``: 4 categories × 12 entries, 8 jurors who wrote feedback to the
applicants, a certificate design that includes every participant).

The organiser approves the jury's feedback, decides every category with the ranking's
leader and publishes the results through the services; no worker runs, so the test issues
and draws the certificates and builds the edition report itself, as the tasks would.

Then, as the people concerned would:

* an applicant whose entry won nothing logs in (German), finds "Rückmeldung der Jury lesen"
  on "My entries", reads the jury's texts signed "Jurymitglied A, B, …" (no juror's name)
  and downloads the participation certificate, whose PDF names the company and the
  participation;
* a winner's certificate is read as a phone's camera would: its first page rendered, the
  QR code decoded (``decoded_qr`` below, checked against segno's own code of the address),
  and the address opened in a 390 px wide phone browser, which says the certificate is
  genuine and names the company, without sideways scrolling or serious axe violations;
* the organiser (English) sees the feedback released and the certificates issued, asks for
  the edition report as PDF, reloads once it is built and downloads it: the award's name and
  every decided entry are in it.

Every page the journey opens passes axe-core and fits 390 px (``page_findings``). The
pictures go to ``ARTIFACTS/screenshots/issue18/``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from awards import demo
from awards.models import Award
from certificates import drawing
from certificates import services as certificate_services
from certificates.enums import CertificateKind
from certificates.models import Certificate
from results import services as results_services
from results.demo import SCORED_JURORS, SCORED_SLUG
from results.enums import FeedbackStatus, ReportStatus
from results.models import Decision, EditionReport, FeedbackItem, FeedbackRelease
from results.selectors.rankings import decisive_round, round_rankings
from results.services.decisions import Choice
from results.services.report import edition_report_build_run
from submissions.models import Membership, Submission
from tests.browser.checks import PHONE, axe_violations, page_findings, page_width
from tests.browser.conftest import CSP_COLLECTOR, TIMEOUT_MS, PageProblems
from tests.certificates.helpers import pdf_text
from tests.services import ARTIFACTS

pytestmark = [pytest.mark.browser]

ORGANISER = "organiser@laurel.example"
SHOTS = ARTIFACTS / "screenshots" / "issue18"


# --- Reading a QR code off a rendered page -------------------------------------------------

# Level M: the data codewords of each block, per version (ISO/IEC 18004, table 9).
_BLOCKS_M = {
    1: [16],
    2: [28],
    3: [44],
    4: [32, 32],
    5: [43, 43],
    6: [27] * 4,
    7: [31] * 4,
    8: [38, 38, 39, 39],
    9: [36, 36, 36, 37, 37],
    10: [43] * 4 + [44],
}
_ALIGNMENT = {
    2: [6, 18],
    3: [6, 22],
    4: [6, 26],
    5: [6, 30],
    6: [6, 34],
    7: [6, 22, 38],
    8: [6, 24, 42],
    9: [6, 26, 46],
    10: [6, 28, 50],
}
_MASKS = [
    lambda r, c: (r + c) % 2 == 0,
    lambda r, c: r % 2 == 0,
    lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0,
    lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: (r * c) % 2 + (r * c) % 3 == 0,
    lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
    lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0,
]


def _format_word(level: int, mask: int) -> int:
    data = level << 3 | mask
    rest = data << 10
    for bit in range(14, 9, -1):
        if rest >> bit & 1:
            rest ^= 0x537 << (bit - 10)
    return (data << 10 | rest) ^ 0x5412


def _sample(image, modules: int) -> list[list[bool]]:
    """The QR code drawn at ``drawing.QR_*`` read as ``modules`` × ``modules`` dark cells
    (``image``: the first page rendered at 6 pixels per point, greyscale)."""
    per_mm = 6 * 72 / 25.4
    unit = drawing.QR_SIZE / (modules + 8)
    x0, y0 = drawing.QR_X + 4 * unit, drawing.QR_Y + 4 * unit
    return [
        [
            image.getpixel(
                (int((x0 + (col + 0.5) * unit) * per_mm), int((y0 + (row + 0.5) * unit) * per_mm))
            )
            < 128
            for col in range(modules)
        ]
        for row in range(modules)
    ]


def _looks_like_qr(matrix: list[list[bool]]) -> bool:
    n = len(matrix)
    finder = all(
        matrix[r][c] and matrix[r][n - 1 - c] and matrix[n - 1 - r][c]
        for r, c in ((0, 0), (0, 6), (6, 0), (6, 6), (3, 3))
    )
    timing = all(
        matrix[6][i] == (i % 2 == 0) and matrix[i][6] == (i % 2 == 0) for i in range(8, n - 8)
    )
    return finder and timing


def decoded_qr(data: bytes) -> tuple[str, list[list[bool]]]:
    """The text of the QR code on the certificate's first page, and its modules: versions 1
    to 10, byte mode (what the certificates print). Error correction is not applied: a drawn
    code has no errors, and the caller compares the modules with the code of the text."""
    import pypdfium2

    document = pypdfium2.PdfDocument(io.BytesIO(data))
    image = document[0].render(scale=6).to_pil().convert("L")
    document.close()
    for version in _BLOCKS_M:
        n = 17 + 4 * version
        matrix = _sample(image, n)
        if _looks_like_qr(matrix):
            break
    else:
        raise AssertionError("no QR code of version 1 to 10 where the certificate prints it")
    # Format: level and mask, read next to the top left finder pattern.
    cells = [(r, 8) for r in range(6)] + [(7, 8), (8, 8), (8, 7)]
    cells += [(8, 14 - i) for i in range(9, 15)]
    word = sum(matrix[r][c] << i for i, (r, c) in enumerate(cells))
    level, mask = next((lv, m) for lv in range(4) for m in range(8) if _format_word(lv, m) == word)
    assert level == 0, "the certificates print QR codes at level M"
    # Which modules carry data: not the finder, separator, format, timing, alignment or
    # version patterns.
    function = [[False] * n for _ in range(n)]
    for r in range(n):
        for c in range(n):
            corner = (r < 9 and c < 9) or (r < 9 and c >= n - 8) or (r >= n - 8 and c < 9)
            version_area = version >= 7 and (
                (r < 6 and n - 11 <= c < n - 8) or (c < 6 and n - 11 <= r < n - 8)
            )
            function[r][c] = corner or r == 6 or c == 6 or version_area
    centres = _ALIGNMENT.get(version, [])
    for ar in centres:
        for ac in centres:
            if function[ar][ac] and (ar, ac) != (6, 6) and (ar < 9 or ac < 9):
                continue  # overlaps a finder pattern
            for r in range(ar - 2, ar + 3):
                for c in range(ac - 2, ac + 3):
                    function[r][c] = True
    bits = []
    upward, col = True, n - 1
    while col > 0:
        if col == 6:
            col -= 1
        for r in range(n - 1, -1, -1) if upward else range(n):
            for c in (col, col - 1):
                if not function[r][c]:
                    bits.append(matrix[r][c] ^ _MASKS[mask](r, c))
        upward, col = not upward, col - 2
    codewords = [
        int("".join("1" if b else "0" for b in bits[i : i + 8]), 2)
        for i in range(0, len(bits) - 7, 8)
    ]
    sizes = _BLOCKS_M[version]
    blocks: list[list[int]] = [[] for _ in sizes]
    stream = iter(codewords)
    for i in range(max(sizes)):
        for block, size in zip(blocks, sizes, strict=True):
            if i < size:
                block.append(next(stream))
    payload = "".join(f"{byte:08b}" for block in blocks for byte in block)
    assert payload[:4] == "0100", "byte mode"
    width = 8 if version < 10 else 16
    length = int(payload[4 : 4 + width], 2)
    start = 4 + width
    text = bytes(int(payload[start + 8 * i : start + 8 * i + 8], 2) for i in range(length))
    return text.decode("utf-8"), matrix


# --- The people on the way -------------------------------------------------------------------


def logged_in(page: Page, site: str, email: str, path: str, *, german: bool) -> Page:
    """Log in through the login form on the way to ``path``."""
    page.goto(path)
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label("E-Mail-Adresse" if german else "Email address").fill(email)
    page.get_by_label(re.compile(r"^\s*Passwort\W*$" if german else r"^\s*Password\W*$")).fill(
        demo.DEMO_PASSWORD
    )
    page.get_by_role("main").get_by_role("button", name="Anmelden" if german else "Log in").click()
    page.wait_for_url(re.compile(re.escape(f"{site}{path}") + r"(?:#.*)?$"))
    expect(page.locator("html")).to_have_attribute("lang", "de" if german else "en")
    return page


def phone_page(browser, site: str, *, locale: str = "de-DE"):
    """A page as a phone shows it (390 × 844, touch), recording its problems as ``new_page``
    does; the caller closes its context."""
    context = browser.new_context(
        base_url=site,
        locale=locale,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
    )
    problems = PageProblems()
    context.expose_binding("__laurelCspViolation", lambda _source, v: problems.record_csp(v))
    context.add_init_script(CSP_COLLECTOR)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("response", problems.record_response)
    page.on("console", problems.record_console)
    page.on("pageerror", lambda e: problems.page_errors.append(f"script error: {e}"))
    page.problems = problems
    return page


def first_page_png(data: bytes, path: Path, *, scale: float = 2) -> None:
    import pypdfium2

    document = pypdfium2.PdfDocument(io.BytesIO(data))
    document[0].render(scale=scale).to_pil().save(path)
    document.close()


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def published_demo(site, transactional_db) -> Award:
    """The scored demo edition, its feedback approved, every category decided with the
    ranking's leader, its results published and its certificates issued and drawn (what
    the worker would do after the publication). After ``site``: the certificates' QR codes
    point to the live server."""
    call_command("seed_demo", "--force", verbosity=0)
    call_command("seed_results_demo", "--force", verbosity=0)
    call_command("seed_certificates_demo", "--force", verbosity=0)
    award = Award.objects.get(slug=SCORED_SLUG)
    organiser = User.objects.get(email=ORGANISER)
    assert results_services.feedback_approve_pending(award=award, actor=organiser) > 0
    for category in award.categories.order_by("position"):
        ranking = round_rankings(decisive_round(award, category))[category.pk]
        results_services.decision_confirm(
            award=award,
            category=category,
            choice=Choice(places=[ranking.rows[0].submission_id]),
            justification="",
            actor=organiser,
        )
    award.refresh_from_db()
    results_services.publication_schedule(award=award, at=timezone.now(), actor=organiser)
    assert results_services.results_publish(award_id=award.pk)
    award.refresh_from_db()
    # What the receiver of ``results_published`` enqueues (certificates.issue, then draw).
    certificate_services.certificates_issue(award=award, actor=None)
    while certificate_services.certificates_draw(award_id=award.pk).remaining:
        pass
    return award


def test_after_the_ceremony(new_page, browser, site, published_demo):
    award = published_demo
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert FeedbackRelease.objects.get(award=award).released_at is not None
    decisions = list(
        Decision.objects.filter(award=award).select_related("submission__organisation")
    )
    assert len(decisions) == 4
    decided = {d.submission_id for d in decisions}
    certificates = Certificate.objects.filter(award=award, revoked_at__isnull=True)
    assert certificates.count() == Submission.objects.filter(award=award).count() == 48
    assert not certificates.filter(file="").exists()

    # --- 1. An applicant whose entry won nothing (German) --------------------------------
    entry = (
        Submission.objects.filter(award=award, feedback_items__status=FeedbackStatus.APPROVED)
        .exclude(pk__in=decided)
        .select_related("organisation")
        .order_by("reference")
        .distinct()
        .first()
    )
    company = entry.organisation.name
    applicant = Membership.objects.filter(organisation=entry.organisation).first().user
    User.objects.filter(pk=applicant.pk).update(preferred_language="de")
    texts = sorted(
        FeedbackItem.objects.filter(submission=entry, status=FeedbackStatus.APPROVED).values_list(
            "text", flat=True
        )
    )
    assert texts

    dashboard = reverse("submissions:dashboard")
    page = logged_in(new_page(locale="de-DE"), site, applicant.email, dashboard, german=True)
    row = page.locator(f"tr[data-entry='{entry.pk}']")
    expect(row).to_contain_text(entry.title)
    expect(row.get_by_test_id("certificate-link")).to_have_text("Urkunde (PDF)")
    link = row.get_by_test_id("feedback-link")
    expect(link).to_have_text("Rückmeldung der Jury lesen")
    findings = page_findings(page)
    assert not findings, "dashboard:\n" + "\n".join(findings)
    page.screenshot(path=SHOTS / "applicant-dashboard.png", full_page=True)

    link.click()
    detail = reverse("submissions:detail", kwargs={"pk": entry.pk})
    page.wait_for_url(f"{site}{detail}#feedback-heading")
    feedback = page.get_by_test_id("jury-feedback")
    expect(feedback.get_by_role("heading", level=2)).to_have_text("Rückmeldung der Jury")
    shown = feedback.get_by_test_id("feedback-text")
    expect(shown).to_have_count(len(texts))
    assert sorted(t.strip() for t in shown.locator("blockquote").all_inner_texts()) == texts
    letters = "ABCDEFGH"[: len(texts)]
    assert sorted(shown.locator("figcaption").all_inner_texts()) == [
        f"Jurymitglied {letter}" for letter in letters
    ]
    # The jurors stay anonymous: no name, no address, and no other entry's feedback.
    main = page.get_by_role("main").inner_text()
    for email, name, _affiliation, _offset in SCORED_JURORS:
        assert name not in main and email not in main, name
    certificate = page.get_by_test_id("certificate")
    expect(certificate.get_by_role("heading", level=2)).to_have_text("Urkunde")
    findings = page_findings(page)
    assert not findings, "entry page:\n" + "\n".join(findings)
    page.screenshot(path=SHOTS / "applicant-feedback.png", full_page=True)

    with page.expect_download() as download_info:
        certificate.get_by_test_id("certificate-download").click()
    download = download_info.value
    saved = SHOTS / "certificate-participant.pdf"
    download.save_as(saved)
    pages = [flat(text) for text in pdf_text(saved.read_bytes())]
    assert any(company in text and "Teilnahme" in text for text in pages), pages
    participant = Certificate.objects.get(submission=entry, revoked_at__isnull=True)
    assert participant.kind == CertificateKind.PARTICIPANT
    assert all(participant.public_id in text for text in pages)
    first_page_png(saved.read_bytes(), SHOTS / "certificate-participant.png")
    assert page.problems.all() == []

    # --- 2. A winner's certificate, verified by its QR code on a phone -------------------
    winner = next(d for d in decisions if d.place == 1)
    awarded = Certificate.objects.get(submission=winner.submission, revoked_at__isnull=True)
    with awarded.file.open("rb") as handle:
        data = handle.read()
    first_page_png(data, SHOTS / "certificate-winner.png")
    url, modules = decoded_qr(data)
    import segno

    # What a phone's camera reads is the code of exactly this address, module for module.
    assert modules == [[bool(v) for v in row] for row in segno.make(url, error="m").matrix]
    assert len(modules) == drawing.qr_geometry(url)
    assert url == f"{site}/certificates/{awarded.public_id}/", url

    phone = phone_page(browser, site)
    try:
        phone.goto(url)
        verification = phone.get_by_test_id("verification")
        expect(verification).to_have_attribute("data-state", "valid")
        expect(verification).to_have_text("Diese Urkunde ist echt und gültig.")
        expect(phone.get_by_test_id("statement")).to_contain_text(
            winner.submission.organisation.name
        )
        expect(phone.get_by_test_id("entry-title")).to_have_text(winner.submission.title)
        expect(phone.locator("code")).to_have_text(awarded.public_id)
        # Checked at the end, so that the organiser's part runs whatever this says.
        phone_hint = phone.get_by_role("main").locator("p.small").last.inner_text()
        assert page_width(phone) <= PHONE["width"], page_width(phone)
        violations = axe_violations(phone)
        assert not violations, "\n".join(violations)
        phone.screenshot(path=SHOTS / "verify-phone.png", full_page=True)
        assert phone.problems.all() == []
    finally:
        phone.context.close()

    # --- 3. The organiser (English): feedback, certificates, the edition report ----------
    User.objects.filter(email=ORGANISER).update(preferred_language="en")
    feedback_page = reverse("results_manage:feedback", kwargs={"slug": award.slug})
    page = logged_in(new_page(locale="en-GB"), site, ORGANISER, feedback_page, german=False)
    expect(page.get_by_test_id("release-state")).to_have_attribute("data-released", "yes")
    expect(page.get_by_test_id("count-pending")).to_contain_text("0 not reviewed yet")
    expect(page.get_by_test_id("approve-pending")).to_have_count(0)
    expect(page.get_by_test_id("feedback-entry").first).to_be_visible()
    findings = page_findings(page)
    assert not findings, "feedback page:\n" + "\n".join(findings)
    page.screenshot(path=SHOTS / "organiser-feedback.png", full_page=True)

    page.goto(reverse("certificates_manage:list", kwargs={"slug": award.slug}))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_test_id("counts")).to_have_text("48 valid certificates.")
    expect(page.get_by_test_id(f"certificate-{awarded.pk}")).to_be_visible()
    findings = page_findings(page)
    assert not findings, "certificates page:\n" + "\n".join(findings)
    page.screenshot(path=SHOTS / "organiser-certificates.png", full_page=True)

    reports = reverse("results_manage:reports", kwargs={"slug": award.slug})
    page.goto(reports)
    expect(page.get_by_role("heading", level=1)).to_have_text("Edition report")
    expect(page.get_by_test_id("no-reports")).to_be_visible()
    page.get_by_test_id("report-request").get_by_role("button", name="Make report as PDF").click()
    page.wait_for_url(f"{site}{reports}")
    expect(page.get_by_test_id("report-pending")).to_be_visible()
    expect(page.get_by_test_id("report-row")).to_have_attribute("data-status", "pending")
    # No worker runs: build it as the task ``results.edition_report_build`` would.
    report = EditionReport.objects.get(award=award)
    assert edition_report_build_run(report_id=report.pk) == ReportStatus.READY
    page.get_by_test_id("report-pending").get_by_role("link", name="Reload the page").click()
    row = page.get_by_test_id("report-row")
    expect(row).to_have_attribute("data-status", "ready")
    expect(page.get_by_test_id("report-pending")).to_have_count(0)
    findings = page_findings(page)
    assert not findings, "report page:\n" + "\n".join(findings)
    page.screenshot(path=SHOTS / "report-page.png", full_page=True)
    with page.expect_download() as download_info:
        row.get_by_test_id("report-download").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    saved = SHOTS / "edition-report.pdf"
    download.save_as(saved)
    text = flat(" ".join(pdf_text(saved.read_bytes())))
    assert f"Edition report: {award}" in text, text[:300]
    # The decisions' table wraps its narrow cells (a reference breaks at a hyphen), so each
    # cell is looked for without the line breaks.
    joined = "".join(text.split())
    for decision in decisions:
        entry = decision.submission
        for value in (entry.reference, entry.title, entry.organisation.name):
            assert "".join(value.split()) in joined, value
    first_page_png(saved.read_bytes(), SHOTS / "report-pdf.png")
    assert page.problems.all() == []

    # The phone's verification page speaks German throughout, its closing hint included.
    assert phone_hint.startswith("Vergleichen Sie"), phone_hint
