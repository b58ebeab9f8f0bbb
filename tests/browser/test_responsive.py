"""Every page of every role on a phone: at 390 × 844 px, in German (the default), no page
scrolls sideways (``document.documentElement.scrollWidth`` ≤ 390), a table too wide for
the screen scrolls inside its own box with its first column in view (or is shown as stacked
rows), and axe-core finds no serious or critical violation.

The pages come from the URL map, not from a list kept by hand: every named address that
answers GET belongs to the area of one role (``area``), and each role's test fails when a
page of its area was not visited, so a new page is caught the day it is added. Not pages:
addresses that only take POST (read from the view), and the downloads, images and JSON
answers named in ``NOT_PAGES``.

The data is the demo's (``seed_demo``, ``seed_jury_demo``, ``seed_results_demo``), with
what the demo lacks for some pages made through the services on the way: the applicant's
company profile and a draft, invitations, an announcement, the shortlist of the scored
edition carried into a final round that ranks, and two calibration entries.

Each role runs in one browser context; the failures of all its pages are reported together.
The widths of the pages (and of the widest table scrolling in its box) are written to
``ARTIFACTS/responsive/<role>.tsv``; ``LAUREL_RESPONSIVE_SHOTS=1`` also saves a picture of
each page there.
"""

import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page

from accounts.models import PrivacyConsent, User
from accounts.tokens import email_verification_token_make
from api.services import api_token_create
from awards import demo
from awards.models import Award, Round
from awards.services import award_update, round_update
from certificates.models import Certificate
from certificates.services import certificates_issue
from jury import demo as jury_demo
from jury import services as jury_services
from jury.models import Assignment, Juror, Review, RoundEntry
from notifications import bulk
from notifications.catalogue import EDITABLE_KEYS
from notifications.models import BulkSend, Message
from results.demo import SCORED_SLUG
from results.models import Decision
from results.services import shortlist_take
from submissions.enums import MembershipRole
from submissions.models import Membership, Organisation, Submission
from submissions.services import organisation_invite, submission_create
from tests.browser.checks import PHONE, axe_violations, page_width, scrolling_tables
from tests.factories import complete_entry_fields
from tests.services import ARTIFACTS
from webhooks.models import WebhookEndpoint

pytestmark = [pytest.mark.browser]

APPLICANT = "applicant@red-arrow.example"
ORGANISER = "organiser@laurel.example"
JUROR = "juror4@laurel.example"  # ready: confidentiality confirmed, conflicts declared
NEW_JUROR = "juror1@laurel.example"  # has taken none of the first steps
CHAIR = "juror3@laurel.example"
SCORED_JUROR = "bewertung1@laurel.example"  # of the scored edition, with a final round


# --- Which addresses are pages, and whose ----------------------------------------------------

# Addresses that answer GET with something other than a page.
NOT_PAGES = {
    "healthz": "JSON",
    "accounts:start": "redirect (where a login leads)",
    "notifications:announcement_progress": "JSON",
    "submissions_manage:export_csv": "download",
    "submissions_manage:export_csv_excel": "download",
    "submissions_manage:export_xlsx": "download",
    "submissions_manage:documents_zip": "download",
    "results_manage:press_csv": "download",
    "results_manage:press_xlsx": "download",
    "results_manage:press_image": "image",
    "results:image": "image",
    "results:share_image": "image",
    "results:edition_share_image": "image",
    "submissions:pdf": "download",
    "submissions:attachment": "file",
    "submissions:thumbnail": "image",
    "jury:attachment": "file",
    "jury:thumbnail": "image",
    "jury:document_page": "image",
    "jury:document_page_large": "image",
    "privacy:export_download": "download",
    "results_manage:report_download": "download",
    "certificates_manage:sample": "download",
    "certificates:download": "download",
    "api:docs": "the API's documentation: Swagger UI's page (tests/browser/test_api_journey.py)",
    "api:schema": "OpenAPI schema",
    "api:public_awards": "JSON (API)",
    "api:public_results": "JSON (API)",
    "api:award": "JSON (API)",
    "api:award_categories": "JSON (API)",
    "api:award_criteria": "JSON (API)",
    "api:award_rounds": "JSON (API)",
    "api:award_entries": "JSON (API)",
    "api:award_entry": "JSON (API)",
    "api:award_entry_eligibility": "JSON (API)",
    "api:award_file": "file (API)",
    "api:award_jurors": "JSON (API)",
    "api:award_assignments": "JSON (API)",
    "api:award_reviews": "JSON (API)",
    "api:award_ranking": "JSON (API)",
    "api:award_decisions": "JSON (API)",
    "api:award_outbox": "JSON (API)",
}
# The link in a mail: whoever holds it opens it, signed in or not.
TOKEN_PAGES = {
    "accounts:verify_email",
    "accounts:password_reset_confirm",
    "jury:invitation",
    "submissions:invitation_accept",
}
SIGNED_IN_ACCOUNT_PAGES = {
    "accounts:profile",
    "accounts:password_change",
    "accounts:password_change_done",
    "accounts:security",
    "accounts:totp_setup",
    "accounts:passkey_recovery_codes",
    "accounts:sessions",
    "accounts:privacy_consent",
    "privacy:data",
    "privacy:account_delete",
    "api_tokens:list",
    "api_tokens:create",
    "api_tokens:revoke",
}


@dataclass(frozen=True)
class Route:
    name: str  # "jury:conflicts"
    route: str  # "jury/<slug:slug>/conflicts/"
    callback: Callable


def routes() -> Iterator[Route]:
    """Every named address of the URL map but Django's admin."""

    def walk(patterns, prefix: str, namespace: str) -> Iterator[Route]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(part for part in (namespace, pattern.namespace) if part)
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield Route(name, prefix + str(pattern.pattern), pattern.callback)

    for route in walk(get_resolver().url_patterns, "", ""):
        if not route.route.startswith("admin/"):
            yield route


def answers_get(callback: Callable) -> bool:
    """Whether the view takes GET: a class-based view has a ``get`` it allows; a function
    view allows GET unless ``require_http_methods`` (``require_POST``) wraps it without."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return "get" in view_class.http_method_names and hasattr(view_class, "get")
    function = callback
    while function is not None:
        cells = dict(
            zip(
                function.__code__.co_freevars,
                (cell.cell_contents for cell in function.__closure__ or ()),
                strict=True,
            )
        )
        if "request_method_list" in cells:
            return "GET" in cells["request_method_list"]
        function = getattr(function, "__wrapped__", None)
    return True


def area(route: Route) -> str:
    """The role whose test must visit the page."""
    if route.name in TOKEN_PAGES:
        return "anonymous"
    if route.route.startswith("manage/"):
        return "organiser"
    if route.route.startswith("jury/"):
        return "juror"
    if route.name.startswith("submissions:") or route.name in SIGNED_IN_ACCOUNT_PAGES:
        return "applicant"
    return "anonymous"


def pages_of(role: str) -> set[str]:
    """The pages the role's test must visit. The jury chair's are the organisers' pages
    that ask for ``jury.chair`` (the ranking), which the organisers' test visits too."""
    pages = [r for r in routes() if r.name not in NOT_PAGES and answers_get(r.callback)]
    if role == "chair":
        return {
            r.name
            for r in pages
            if getattr(getattr(r.callback, "view_class", None), "permission_required", None)
            == "jury.chair"
        }
    return {r.name for r in pages if area(r) == role}


def test_every_page_is_someones_and_not_pages_exist():
    """The lists above name only addresses that exist, and no role's area is empty."""
    names = {r.name for r in routes()}
    assert set(NOT_PAGES) | TOKEN_PAGES | SIGNED_IN_ACCOUNT_PAGES <= names
    for role in ("anonymous", "applicant", "juror", "chair", "organiser"):
        assert pages_of(role), role


# --- Visiting ---------------------------------------------------------------------------------


@dataclass
class Visitor:
    """One role's browser page at 390 × 844 px: visits pages, collects what is wrong."""

    page: Page
    role: str
    visited: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)
    expected_errors: set[str] = field(default_factory=set)
    widths: list[tuple[str, str, int, int]] = field(default_factory=list)

    def log_in(self, email: str) -> None:
        self.page.context.clear_cookies()
        self.page.goto(reverse("accounts:login"))
        self.page.get_by_label("E-Mail-Adresse").fill(email)
        self.page.get_by_label(re.compile(r"^\s*Passwort\W*$")).fill(demo.DEMO_PASSWORD)
        self.page.get_by_role("main").get_by_role("button", name="Anmelden").click()
        self.page.wait_for_url(lambda url: "/accounts/login/" not in url)

    def visit(self, name: str, *, status: int = 200, lands_on: str = "", **kwargs) -> None:
        """Open the page ``name`` (its URL arguments as keywords); ``lands_on``: the page
        it redirects to, ``status`` what it answers with."""
        path = reverse(name, kwargs=kwargs or None)
        response = self.page.goto(path)
        self.page.wait_for_load_state("load")
        self.visited.add(name)
        if status >= 400:
            self.expected_errors.add(f"{status} {self.page.url}")
        where = f"{self.role} {path} [{name}]"
        final = urlsplit(self.page.url).path
        if response is None or response.status != status:
            got = response.status if response else "no response"
            self.failures.append(f"{where}: answered {got}, expected {status}")
        if resolve(final).view_name != (lands_on or name):
            self.failures.append(f"{where}: ended on {final}")
        width = page_width(self.page)
        tables = scrolling_tables(self.page)
        self.widths.append((name, path, width, max((t["width"] for t in tables), default=0)))
        if os.environ.get("LAUREL_RESPONSIVE_SHOTS") == "1":
            folder = ARTIFACTS / "responsive"
            folder.mkdir(parents=True, exist_ok=True)
            shot = f"{self.role}-{len(self.widths):02d}-{name.replace(':', '-')}.png"
            self.page.screenshot(path=folder / shot, full_page=True)
        if width > PHONE["width"]:
            self.failures.append(f"{where}: {width} px wide")
        self.failures += [
            f"{where}: table “{t['name']}” ({t['width']} px in {t['box']} px) scrolls without "
            "its first column in view"
            for t in tables
            if not t["sticky"]
        ]
        self.failures += [f"{where}: {line}" for line in axe_violations(self.page)]

    def report(self) -> str:
        folder = ARTIFACTS / "responsive"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{self.role}.tsv").write_text(
            "page\taddress\tpage width\twidest table that scrolls in its box\n"
            + "".join("\t".join(map(str, line)) + "\n" for line in self.widths),
            encoding="utf-8",
        )
        missing = sorted(pages_of(self.role) - self.visited)
        lines = [*self.failures, *(f"{self.role}: page not visited: {n}" for n in missing)]
        problems = [p for p in self.page.problems.all() if p not in self.expected_errors]
        lines += [f"{self.role}: {problem}" for problem in problems]
        return "\n".join(lines)


@pytest.fixture
def phone(new_page) -> Callable[[str], Visitor]:
    def open_phone(role: str) -> Visitor:
        page = new_page(locale="de-DE")
        page.set_viewport_size(PHONE)
        return Visitor(page, role)

    return open_phone


# --- The demo -------------------------------------------------------------------------------


@dataclass
class Demo:
    open: Award  # the current edition, open for entries
    published: Award  # 2023, results published
    jury: Award  # judging, round 1 open, some reviews done
    scored: Award  # judging, round 1 scored and closed

    def user(self, email: str) -> User:
        return User.objects.get(email=email)

    def seat(self, award: Award, email: str) -> Juror:
        return Juror.objects.get(award=award, user__email=email)

    def round(self, award: Award, number: int) -> Round:
        return award.rounds.get(number=number)

    def first_category(self, award: Award):
        return award.categories.order_by("position").first()


@pytest.fixture
def demo_data(site) -> Demo:
    for command in ("seed_demo", "seed_jury_demo", "seed_results_demo"):
        call_command(command, "--force", verbosity=0)
    return Demo(
        open=Award.objects.filter(status="open").order_by("-edition").get(),
        published=Award.objects.get(slug=demo.EDITION_2023["slug"]),
        jury=Award.objects.get(slug=jury_demo.SLUG),
        scored=Award.objects.get(slug=SCORED_SLUG),
    )


def final_round_that_ranks(d: Demo) -> Round:
    """The scored edition's shortlist carried into round 2, which ranks, opened."""
    shortlist_take(round=d.round(d.scored, 1), actor=None)
    final = d.round(d.scored, 2)
    round_update(round=final, actor=None, method="ranking")
    return jury_services.round_open(round=final, actor=None)


def calibration_entries(d: Demo) -> tuple[Juror, int]:
    """Two entries of the scored edition's first category that its first juror reviewed,
    marked as calibration entries of the closed round 1 (the service allows the choice only
    before anyone reviewed them: here it stands for a round that was calibrated)."""
    juror = d.seat(d.scored, SCORED_JUROR)
    category = d.first_category(d.scored)
    reviewed = Assignment.objects.filter(
        round=d.round(d.scored, 1), juror=juror, submission__category=category
    ).values_list("submission_id", flat=True)[:2]
    RoundEntry.objects.filter(round=d.round(d.scored, 1), submission__in=list(reviewed)).update(
        is_calibration=True
    )
    return juror, category.pk


def announcement(d: Demo) -> BulkSend:
    """An announcement of the jury edition to three addresses, expanded into the outbox."""
    sent, _created = bulk.bulk_send_create(
        award=d.jury,
        actor=d.user(ORGANISER),
        request_token=uuid.uuid4(),
        audience="custom",
        subject_de="Einladung zur Preisverleihung",
        body_de="Guten Tag {{ recipient_name }},\n\nwir laden Sie zum {{ award_name }} ein.",
        subject_en="Invitation to the award ceremony",
        body_en="Dear {{ recipient_name }},\n\nwe invite you to the {{ award_name }}.",
        custom_recipients="erika@example.org\nmax@example.org\nkim@example.org",
    )
    while bulk.bulk_expand_chunk(bulk_id=sent.pk):
        pass
    return sent


def assignment_with(juror: Juror, status: str | None) -> Assignment:
    """One of the juror's assignments in round 1 whose review has ``status`` (None: none)."""
    assignments = Assignment.objects.filter(juror=juror, round__number=1).order_by("pk")
    if status is None:
        return assignments.filter(review__isnull=True).first()
    return assignments.filter(review__status=status).first()


# --- One test per role ----------------------------------------------------------------------


def test_every_page_of_a_visitor_fits_a_phone(demo_data, phone):
    d = demo_data
    applicant = d.user(APPLICANT)
    red_arrow = Organisation.objects.get(name="Red Arrow technologies UG")
    colleague = organisation_invite(
        organisation=red_arrow, email="kollegin@red-arrow.example", actor=applicant
    )
    invitation = jury_services.juror_invite(
        award=d.jury,
        email="neu@laurel.example",
        name="Nina Neu",
        categories=[d.first_category(d.jury)],
        actor=d.user(ORGANISER),
    )
    unverified = User.objects.create_user(email="neu@example.org", full_name="Nora Neu")
    v = phone("anonymous")

    v.visit("home")
    for award in (d.open, d.published, d.jury):
        v.visit("awards:detail", slug=award.slug)
    v.visit("results:public", slug=d.published.slug)
    shown = Decision.objects.filter(
        award=d.published, place=1, submission__consent_publication=True
    ).select_related("submission")[0]
    v.visit("results:entry", slug=d.published.slug, reference=shown.submission.reference)
    v.visit("results:editions", slug=d.published.slug)
    # A certificate of the published edition, as its QR code opens it.
    certificates_issue(award=d.published, actor=None)
    certificate = Certificate.objects.filter(award=d.published).order_by("pk").first()
    v.visit("certificates:verify", public_id=certificate.public_id)
    v.visit("results:archive")
    v.visit("results:embed", slug=d.published.slug)
    v.visit("accounts:login")
    v.visit("accounts:register")
    v.visit("accounts:register_done")
    v.visit("accounts:resend_verification")
    v.visit("accounts:verify_email", token="abgelaufen", status=400)
    v.visit(
        "accounts:verify_email",
        token=email_verification_token_make(unverified),
        lands_on="accounts:login",
    )
    v.visit("accounts:password_reset")
    v.visit("accounts:password_reset_done")
    v.visit(
        "accounts:password_reset_confirm",
        uidb64=urlsafe_base64_encode(force_bytes(applicant.pk)),
        token=default_token_generator.make_token(applicant),
    )
    v.visit("accounts:password_reset_confirm", uidb64="MA", token="abgelaufen")
    v.visit("accounts:password_reset_complete")
    v.visit("jury:invitation", token=jury_services.invitation_token(invitation))
    v.visit("submissions:invitation_accept", token=colleague.token)
    # The second step of a login: someone with an authenticator app after their password.
    two_step = demo.demo_user("zwei.schritte@example.org", "Zora Zwei")
    TOTPDevice.objects.create(user=two_step, name="authenticator", confirmed=True)
    v.page.goto(reverse("accounts:login"))
    v.page.get_by_label("E-Mail-Adresse").fill(two_step.email)
    v.page.get_by_label(re.compile(r"^\s*Passwort\W*$")).fill(demo.DEMO_PASSWORD)
    v.page.get_by_role("main").get_by_role("button", name="Anmelden").click()
    v.page.wait_for_url(f"**{reverse('accounts:login_second_factor')}")
    v.visit("accounts:login_second_factor")

    report = v.report()
    assert not report, report


def test_every_page_of_an_applicant_fits_a_phone(demo_data, phone):
    d = demo_data
    applicant = d.user(APPLICANT)
    red_arrow = Organisation.objects.get(name="Red Arrow technologies UG")
    # The demo's company profile is the applicant's: she owns it (as its founder would).
    Membership.objects.create(organisation=red_arrow, user=applicant, role=MembershipRole.OWNER)
    mobility = d.open.categories.get(code="MOB")
    draft = submission_create(
        award=d.open,
        category=mobility,
        organisation=red_arrow,
        actor=applicant,
        title="Leichtbau-Lastenrad mit Carbon-Gepäckträger",
    )
    # Submitted before the deadline, as the demo makes its entries (an image apart).
    submitted = Submission.objects.create(
        award=d.open,
        category=mobility,
        organisation=red_arrow,
        reference=f"LIA-{d.open.edition}-MOB-0001",
        title="Carbon-Sattelstütze",
        status="submitted",
        submitted_at=timezone.now(),
        created_by=applicant,
        **complete_entry_fields(),
    )
    judged = Submission.objects.get(award=d.jury, organisation=red_arrow)
    v = phone("applicant")
    v.log_in(APPLICANT)

    v.visit("submissions:dashboard")
    v.visit("submissions:organisation_create")
    v.visit("submissions:organisation_detail", pk=red_arrow.pk)
    v.visit("submissions:organisation_update", pk=red_arrow.pk)
    v.visit("submissions:submission_create", slug=d.open.slug)
    for entry in (draft, submitted, judged):
        v.visit("submissions:detail", pk=entry.pk)
        v.visit("submissions:print", pk=entry.pk)
    v.visit("submissions:edit", pk=draft.pk)
    v.visit("submissions:withdraw", pk=submitted.pk)
    v.visit("accounts:profile")
    v.visit("accounts:password_change")
    v.visit("accounts:password_change_done")
    v.visit("accounts:security")
    v.visit("accounts:totp_setup")
    v.visit("accounts:sessions")
    v.visit("privacy:data")
    v.visit("privacy:account_delete")
    token, _plain = api_token_create(
        user=applicant, award=judged.award, name="CRM", scope="read", expires_in_days=30
    )
    v.visit("api_tokens:list")
    v.visit("api_tokens:create")
    v.visit("api_tokens:revoke", pk=token.pk)
    # Without new codes to show, the page leads back to the security page.
    v.visit("accounts:passkey_recovery_codes", lands_on="accounts:security")
    # The question after a new version of the privacy policy.
    PrivacyConsent.objects.filter(user=applicant).delete()
    v.log_in(APPLICANT)
    v.visit("accounts:privacy_consent")

    report = v.report()
    assert not report, report


def test_every_page_of_a_juror_fits_a_phone(demo_data, phone):
    d = demo_data
    award_update(award=d.jury, actor=None, jurors_see_ranking=True)
    award_update(award=d.scored, actor=None, jurors_see_ranking=True)
    final = final_round_that_ranks(d)
    _juror, calibrated = calibration_entries(d)
    finalist = RoundEntry.objects.filter(round=final, submission__category_id=calibrated).first()
    juror = d.seat(d.jury, JUROR)
    v = phone("juror")

    # Before the first steps: what a new juror sees.
    v.log_in(NEW_JUROR)
    v.visit("submissions:dashboard")
    v.visit("jury:dashboard", slug=d.jury.slug)
    v.visit("jury:confidentiality", slug=d.jury.slug)
    v.visit("jury:profile", slug=d.jury.slug)

    # A ready juror of the edition in judging: every kind of review.
    v.log_in(JUROR)
    v.visit("jury:dashboard", slug=d.jury.slug)
    v.visit("jury:confidentiality", slug=d.jury.slug)
    v.visit("jury:profile", slug=d.jury.slug)
    v.visit("jury:conflicts", slug=d.jury.slug)
    for status in ("submitted", "draft", None):
        v.visit("jury:review", slug=d.jury.slug, pk=assignment_with(juror, status).pk)
    v.visit("results:jury_ranking", slug=d.jury.slug)
    v.visit("accounts:profile")

    # A juror of the scored edition: calibration, the ranking, the final round.
    v.log_in(SCORED_JUROR)
    v.visit("jury:dashboard", slug=d.scored.slug)
    v.visit("jury:calibration", slug=d.scored.slug, number=1, category=calibrated)
    v.visit("results:jury_ranking", slug=d.scored.slug)
    v.visit("jury:ballot", slug=d.scored.slug, number=final.number, category=calibrated)
    v.visit("jury:finalist", slug=d.scored.slug, number=final.number, pk=finalist.submission_id)

    report = v.report()
    assert not report, report


def test_every_page_of_the_jury_chair_fits_a_phone(demo_data, phone):
    d = demo_data
    entry = Submission.objects.filter(award=d.jury).order_by("reference").first()
    v = phone("chair")
    v.log_in(CHAIR)

    v.visit("submissions:dashboard")
    v.visit("jury:dashboard", slug=d.jury.slug)
    v.visit("results_manage:overview", slug=d.jury.slug)
    v.visit("results_manage:category", slug=d.jury.slug, category=entry.category_id)
    v.visit("results_manage:explanation", slug=d.jury.slug, pk=entry.pk)

    report = v.report()
    assert not report, report


def test_every_page_of_an_organiser_fits_a_phone(demo_data, phone):
    d = demo_data
    organiser = d.user(ORGANISER)
    jury_services.juror_invite(
        award=d.jury,
        email="neu@laurel.example",
        name="Nina Neu",
        categories=[d.first_category(d.jury)],
        actor=organiser,
    )
    sent = announcement(d)
    message = Message.objects.filter(award=d.jury).order_by("pk").first()
    _scored_juror, calibrated = calibration_entries(d)
    juror = d.seat(d.jury, JUROR)
    review = Review.objects.filter(assignment__juror=juror, status="submitted").first()
    entry = Submission.objects.filter(award=d.jury).order_by("reference").first()
    category = d.first_category(d.open)
    criterion = d.open.criteria.order_by("position").first()
    round_ = d.round(d.open, 1)
    v = phone("organiser")
    v.log_in(ORGANISER)

    v.visit("submissions:dashboard")
    v.visit("accounts:profile")
    # The edition home in every state of the demo.
    for award in (d.open, d.published, d.jury, d.scored):
        v.visit("awards:manage", slug=award.slug)
    v.visit("awards:settings", slug=d.jury.slug)
    v.visit("awards:audit", slug=d.jury.slug)
    # The structure of the edition open for entries (it can still change).
    slug = d.open.slug
    v.visit("awards:category_create", slug=slug)
    v.visit("awards:category_update", slug=slug, pk=category.pk)
    v.visit("awards:category_delete", slug=slug, pk=category.pk)
    v.visit("awards:criterion_create", slug=slug)
    v.visit("awards:criterion_update", slug=slug, pk=criterion.pk)
    v.visit("awards:criterion_delete", slug=slug, pk=criterion.pk)
    v.visit("awards:round_create", slug=slug)
    v.visit("awards:round_update", slug=slug, pk=round_.pk)
    v.visit("awards:round_delete", slug=slug, pk=round_.pk)
    # The application form of the open edition (its questions have answers in the others).
    question = d.open.questions.get(key="market_readiness")
    answered = d.jury.questions.get(key="description")
    v.visit("submissions_manage:form", slug=slug)
    v.visit("submissions_manage:form_question_add", slug=slug)
    v.visit("submissions_manage:form_question_edit", slug=slug, pk=question.pk)
    v.visit("submissions_manage:form_question_delete", slug=d.jury.slug, pk=answered.pk)
    v.visit("submissions_manage:form_copy", slug=slug)
    v.visit("submissions_manage:form_preview", slug=slug)
    # Entries.
    slug = d.jury.slug
    v.visit("submissions_manage:list", slug=slug)
    v.visit("submissions_manage:detail", slug=slug, pk=entry.pk)
    # The jury.
    v.visit("jury_manage:jurors", slug=slug)
    v.visit("jury_manage:juror_edit", slug=slug, pk=juror.pk)
    v.visit("jury_manage:conflicts", slug=slug)
    v.visit("results_manage:round", slug=slug, number=1)
    v.visit("results_manage:round", slug=d.scored.slug, number=1)
    v.visit("jury_manage:assignments", slug=slug, number=1)
    v.visit("jury_manage:progress", slug=slug, number=1)
    # What will happen, shown before it happens.
    v.visit("jury_manage:assignments_run", slug=slug, number=1)
    v.visit("jury_manage:remind", slug=slug, number=1)
    v.visit("jury_manage:round_close", slug=slug, number=1)
    v.visit("jury_manage:review_detail", slug=slug, pk=review.pk)
    v.visit("jury_manage:discussion", slug=slug, number=1, pk=entry.pk)
    v.visit(
        "jury_manage:calibration_index", slug=slug, number=1, lands_on="jury_manage:calibration"
    )
    v.visit("jury_manage:calibration", slug=d.scored.slug, number=1, category=calibrated)
    # Results.
    for award in (d.scored, d.jury):
        v.visit("results_manage:overview", slug=award.slug)
    # A category's page: the scored edition's with its calibration entries (the whole
    # ranking, the robustness, the decision form), in German and in English; the open
    # round's (nothing to decide yet); the published edition's (decided, its jury outside
    # Laurel).
    v.visit("results_manage:category", slug=d.scored.slug, category=calibrated)
    User.objects.filter(email=ORGANISER).update(preferred_language="en")
    try:
        v.visit("results_manage:category", slug=d.scored.slug, category=calibrated)
        if v.page.locator("html").get_attribute("lang") != "en":
            v.failures.append("organiser: the category's page was not shown in English")
    finally:
        User.objects.filter(email=ORGANISER).update(preferred_language="de")
    for award in (d.jury, d.published):
        v.visit("results_manage:category", slug=award.slug, category=d.first_category(award).pk)
    leader = Submission.objects.filter(award=d.scored, category_id=calibrated).first()
    v.visit("results_manage:explanation", slug=d.scored.slug, pk=leader.pk)
    v.visit("results_manage:quality", slug=d.scored.slug)
    for award in (d.published, d.scored):
        v.visit("results_manage:publication", slug=award.slug)
    v.visit("results_manage:reports", slug=d.published.slug)
    certificates_issue(award=d.published, actor=None)
    certificate = Certificate.objects.filter(award=d.published).order_by("pk").first()
    v.visit("certificates_manage:list", slug=d.published.slug)
    v.visit("certificates_manage:issue", slug=d.published.slug)
    v.visit("certificates_manage:revoke", slug=d.published.slug, pk=certificate.pk)
    # The jury's feedback to the applicants (the scored edition's jurors wrote it).
    v.visit("results_manage:feedback", slug=d.scored.slug)
    v.visit("results_manage:feedback_entry", slug=d.scored.slug, pk=leader.pk)
    v.visit("results_manage:feedback_approve_pending", slug=d.scored.slug)
    v.visit("results_manage:feedback_release", slug=d.scored.slug)
    distinction = d.published.decisions.order_by("pk").first()
    v.visit("results_manage:decision_statement", slug=d.published.slug, pk=distinction.pk)
    # Webhooks.
    endpoint = WebhookEndpoint.objects.create(
        award=d.jury,
        url="https://crm.example.org/hooks/laurel",
        events=["entry.submitted", "results.published"],
        created_by=organiser,
    )
    v.visit("webhooks:list", slug=slug)
    v.visit("webhooks:create", slug=slug)
    v.visit("webhooks:log", slug=slug, pk=endpoint.pk)
    v.visit("webhooks:edit", slug=slug, pk=endpoint.pk)
    v.visit("webhooks:delete", slug=slug, pk=endpoint.pk)
    v.visit("webhooks:secret", slug=slug, pk=endpoint.pk)
    v.visit("webhooks:rotate", slug=slug, pk=endpoint.pk)
    # Messages.
    v.visit("notifications:outbox", slug=slug)
    v.visit("notifications:message", slug=slug, pk=message.pk)
    v.visit("notifications:templates", slug=slug)
    v.visit("notifications:template_edit", slug=slug, key=EDITABLE_KEYS[0], language="de")
    v.visit("notifications:announcements", slug=slug)
    v.visit("notifications:announcement_create", slug=slug)
    v.visit("notifications:announcement", slug=slug, pk=sent.pk)

    report = v.report()
    assert not report, report
