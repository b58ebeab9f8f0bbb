"""The organisers' edition report: its figures are the pages' figures, the PDF and the
workbook show them in the organiser's language, the task builds a report once and fails
cleanly, and only the award's organisers reach the page and the files."""

import datetime as dt
import io

import openpyxl
import pypdfium2
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from awards.models import Award
from jury.selectors.progress import round_progress
from notifications.models import Message
from notifications.selectors import message_status_counts
from results import report_files
from results import services as results_services
from results.enums import ReportStatus
from results.models import Decision, EditionReport
from results.selectors import RoundFeed, feed_quality
from results.selectors.figures import forget_local
from results.selectors.report import edition_figures
from results.services import report as report_services
from results.tasks import edition_report_build, edition_reports_sweep
from submissions.manage_selectors import submission_counts
from tests.factories import (
    AwardRoleFactory,
    MembershipFactory,
    OrganisationFactory,
    SubmissionFactory,
    UserFactory,
)
from tests.results.manage_helpers import scored

pytestmark = pytest.mark.django_db

FORMULA_TITLE = '=HYPERLINK("http://evil.example","Rahmen")'


def figures_of(award, language="en"):
    award = Award.objects.select_related("tie_break_criterion").get(pk=award.pk)
    with translation.override(language):
        return edition_figures(award)


@pytest.fixture
def edition():
    """A decided and published edition: one category scored by three jurors (entries e0 >
    e1 > e2, e0's title a formula), a start-up's entry found not eligible, a withdrawn
    entry and a draft; the winner decided with a justification; mails sent and failed."""
    s = scored()
    award, category = s.award, s.category
    winner = s.submissions[0]
    winner.title = FORMULA_TITLE
    winner.save(update_fields=["title"])
    startup = OrganisationFactory(name="Fasern Start-up", size_class="startup")
    SubmissionFactory(award=award, category=category, organisation=startup, status="ineligible")
    SubmissionFactory(award=award, category=category, status="withdrawn")
    SubmissionFactory(award=award, category=category, status="draft")
    results_services.decision_confirm(
        award=award,
        category=category,
        choice=results_services.Choice(places=[winner.pk]),
        justification="Klarer Vorsprung bei Leichtbau und Marktreife.",
        actor=s.organiser,
    )
    now = timezone.now()
    results_services.publication_schedule(award=award, at=now, actor=s.organiser)
    results_services.results_publish(award_id=award.pk, now=now + dt.timedelta(seconds=1))
    messages = list(Message.objects.filter(award=award).order_by("pk"))
    assert len(messages) >= 3
    Message.objects.filter(pk__in=[m.pk for m in messages[:-2]]).update(status="sent")
    Message.objects.filter(pk=messages[-1].pk).update(status="failed")
    s.award.refresh_from_db()
    s.winner = winner
    return s


# --- The figures --------------------------------------------------------------------------


def test_the_figures_are_the_pages_figures(edition):
    award = edition.award
    figures = figures_of(award)

    counts = submission_counts(award)
    assert figures.counts.by_status == counts.by_status
    [line] = figures.categories
    assert line.applied == counts.applied_by_category[edition.category.pk] == 4
    assert (line.status("eligible"), line.status("ineligible")) == (3, 1)
    assert (line.status("withdrawn"), line.status("draft")) == (1, 1)
    # Applications by company size: the factory's SMEs and the one start-up.
    assert line.by_size == {"sme": 3, "startup": 1}

    progress = round_progress(award, edition.round)
    by_name = {row.label: row.submitted for row in progress.jurors}
    assert {j.name: j.submitted for j in figures.jurors} == by_name
    assert figures.reviews_submitted == progress.total.submitted == 9
    roles = {j.name: j.role for j in figures.jurors}
    assert roles[edition.chair.user.full_name] == "Jury chair"

    quality = feed_quality(RoundFeed(edition.round))[edition.category.pk]
    [agreement] = figures.agreement
    assert agreement.alpha == quality.alpha_ranked
    assert agreement.reviews == quality.reviews

    [decision] = figures.decisions
    assert decision.submission_id == edition.winner.pk
    assert decision.justification.startswith("Klarer Vorsprung")
    assert figures.published_at == award.results_published_at is not None
    assert figures.mails == message_status_counts(award)
    assert figures.mails_failed == 1 and figures.mails_sent >= 1
    assert any("Normalisation: none" in sentence for sentence in figures.method)


def test_the_agreement_is_what_the_quality_page_shows(edition, client):
    client.force_login(edition.organiser)
    page = client.get(reverse("results_manage:quality", args=[edition.award.slug]))
    figures = figures_of(edition.award)
    [agreement] = figures.agreement
    with translation.override("en"):
        from django.template.defaultfilters import floatformat

        shown = floatformat(agreement.alpha, 2)
    assert f'data-testid="alpha-ranked">{shown}<' in page.content.decode()


def _more_of_everything(edition):
    """More entries, organisations and mails: the data grows, the rounds stay."""
    for _ in range(5):
        SubmissionFactory(
            award=edition.award,
            category=edition.category,
            status="ineligible",
            organisation=OrganisationFactory(size_class="large"),
        )
    for message in Message.objects.filter(award=edition.award)[:3]:
        message.pk = None
        message.idempotency_key += ":again"
        message.save()


def test_the_figures_take_a_fixed_number_of_queries(edition, django_assert_num_queries):
    award = Award.objects.select_related("tie_break_criterion").get(pk=edition.award.pk)
    with translation.override("en"):
        edition_figures(award)  # the jury quality computed and kept in the cache
        # 7 + 5 for the one scoring round + the quality's version (3).
        with django_assert_num_queries(15):
            edition_figures(award)
        _more_of_everything(edition)
        award = Award.objects.select_related("tie_break_criterion").get(pk=award.pk)
        with django_assert_num_queries(15):
            figures = edition_figures(award)
    assert figures.categories[0].by_size["large"] == 5


def test_an_edition_without_rounds_or_decisions_reports_nothing_to_show():
    award = AwardRoleFactory().award
    figures = figures_of(award)
    assert figures.jurors == [] and figures.decisions == [] and figures.agreement == []
    assert figures.published_at is None
    with translation.override("en"):
        content = report_files.edition_report_pdf(figures)
    assert "No decision has been taken." in _pdf_text(content)


# --- The files ----------------------------------------------------------------------------


def _pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(content)
    text = "\n".join(page.get_textpage().get_text_range() for page in document)
    # Text extraction keeps the lines the table wraps; join them for searching.
    return " ".join(text.split())


def test_the_pdf_shows_the_key_figures_in_english(edition):
    figures = figures_of(edition.award, "en")
    with translation.override("en"):
        content = report_files.edition_report_pdf(figures)
    text = _pdf_text(content)
    assert content.startswith(b"%PDF")
    assert "Edition report" in text
    assert "Entries per category" in text and "Applications by company size" in text
    assert "Start-up" in text
    assert "Klarer Vorsprung bei Leichtbau und Marktreife." in text
    decisions = text[text.index("Decisions") :]
    assert "Winner" in decisions
    # A long reference wraps inside its narrow column.
    assert edition.winner.reference in decisions.replace(" ", "")
    assert "Mails failed" in text
    assert "The results were published on" in text
    assert edition.chair.user.full_name in text


def test_the_pdf_speaks_german_for_a_german_organiser(edition):
    figures = figures_of(edition.award, "de")
    with translation.override("de"):
        content = report_files.edition_report_pdf(figures)
    text = _pdf_text(content)
    # The sentences and labels the catalogue already has come in German; the report's own
    # headings follow with their German translations (report_de.po).
    assert "Preisträgerin / Preisträger" in text
    assert "Gute Übereinstimmung" in text
    assert "Jury-Vorsitz" in text
    assert "Dezember" in text or "Januar" in text or "Februar" in text or "November" in text
    assert "Good agreement" not in text
    assert "Klarer Vorsprung" in text


def _workbook(edition, language="en"):
    figures = figures_of(edition.award, language)
    with translation.override(language):
        content = report_files.edition_report_xlsx(figures)
    return openpyxl.load_workbook(io.BytesIO(content))


def _rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_workbook_has_a_sheet_per_section_with_the_figures(edition):
    book = _workbook(edition)
    assert book.sheetnames[:3] == [
        "The edition at a glance",
        "Entries per category",
        "Applications by company size",
    ]
    assert "Decisions" in book.sheetnames and "Mails" in book.sheetnames
    entries = _rows(book["Entries per category"])
    header = entries.index(
        [
            "Category",
            "Applications",
            "Eligible",
            "Not eligible",
            "Not yet checked",
            "Withdrawn",
            "Drafts",
        ]
    )
    with translation.override("en"):
        name = edition.category.name
    assert entries[header + 1] == [name, 4, 3, 1, 0, 1, 1]
    assert entries[header + 2] == ["Total", 4, 3, 1, 0, 1, 1]
    mails = {row[0]: row[1] for row in _rows(book["Mails"]) if len(row) > 1}
    assert mails["Failed"] == 1


def test_a_title_that_looks_like_a_formula_stays_text(edition):
    book = _workbook(edition)
    sheet = book["Decisions"]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value]
    [title] = [cell for cell in cells if "HYPERLINK" in str(cell.value)]
    assert title.data_type == "s"
    assert title.value == "'" + FORMULA_TITLE
    assert not any(
        cell.data_type == "f" for sheet in book for row in sheet.iter_rows() for cell in row
    )


# --- Request, task, sweep ------------------------------------------------------------------


@pytest.fixture
def enqueued(monkeypatch) -> list:
    sent: list = []

    def enqueue(task, *args, **kwargs):
        sent.append((task.name, args))
        return True

    monkeypatch.setattr("core.queue.enqueue", enqueue)
    monkeypatch.setattr(report_services, "enqueue", enqueue)
    return sent


def test_a_request_is_pending_audited_and_enqueued_on_commit(
    edition, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = results_services.edition_report_request(
            award=edition.award, format="pdf", actor=edition.organiser
        )
    assert (report.status, report.requested_by) == (ReportStatus.PENDING, edition.organiser)
    assert enqueued == [("results.edition_report_build", (report.pk,))]
    entry = edition.award.audit_entries.order_by("-pk").first()
    assert (entry.action, entry.object_id) == ("results.report_requested", str(report.pk))


def test_an_unknown_format_is_refused(edition):
    with pytest.raises(results_services.ReportError):
        results_services.edition_report_request(
            award=edition.award, format="docx", actor=edition.organiser
        )
    assert not EditionReport.objects.exists()


def test_the_task_builds_a_report_once(edition, enqueued):
    report = results_services.edition_report_request(
        award=edition.award, format="xlsx", actor=edition.organiser
    )
    edition_report_build.apply(args=[report.pk])
    report.refresh_from_db()
    assert report.status == ReportStatus.READY and report.attempts == 1
    assert report.file.name.endswith(".xlsx") and report.finished_at is not None
    name = report.file.name

    edition_report_build.apply(args=[report.pk])  # a second delivery of the task
    report.refresh_from_db()
    assert (report.status, report.attempts, report.file.name) == ("ready", 1, name)


def test_the_task_retries_and_then_fails_with_a_translated_message(edition, monkeypatch, enqueued):
    from tests.helpers import prefer_english

    prefer_english(edition.organiser)
    report = results_services.edition_report_request(
        award=edition.award, format="pdf", actor=edition.organiser
    )

    def broken(figures):
        raise RuntimeError("font gone")

    monkeypatch.setattr(report_files, "edition_report_pdf", broken)
    # Run in this process, Celery retries at once until the attempts are used up.
    edition_report_build.apply(args=[report.pk])
    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.FAILED, report_services.MAX_ATTEMPTS)
    assert report.error.startswith("The report could not be made.")
    assert "font gone" not in report.error
    assert not report.file


def test_a_german_organiser_reads_the_failure_in_german(edition, monkeypatch, enqueued):
    edition.organiser.preferred_language = "de"
    edition.organiser.save(update_fields=["preferred_language"])
    report = EditionReport.objects.create(
        award=edition.award,
        format="pdf",
        requested_by=edition.organiser,
        attempts=report_services.MAX_ATTEMPTS,
    )
    assert report_services.edition_report_build_run(report_id=report.pk) == "failed"
    report.refresh_from_db()
    with translation.override("de"):
        from django.utils.translation import gettext

        expected = gettext(
            "The report could not be made. Please ask for it again; if it fails again, "
            "tell the operators (report %(id)s)."
        ) % {"id": report.pk}
    assert report.error == expected


def test_the_sweep_sends_a_report_whose_task_was_lost(edition, enqueued):
    report = EditionReport.objects.create(
        award=edition.award, format="pdf", requested_by=edition.organiser
    )
    assert edition_reports_sweep.apply().result == 0  # its own task may still come
    EditionReport.objects.filter(pk=report.pk).update(
        requested_at=timezone.now() - dt.timedelta(minutes=5)
    )
    assert edition_reports_sweep.apply().result == 1
    assert enqueued == [("results.edition_report_build", (report.pk,))]
    edition_report_build.apply(args=[report.pk])
    report.refresh_from_db()
    assert report.status == ReportStatus.READY
    assert edition_reports_sweep.apply().result == 0


# --- The page -----------------------------------------------------------------------------


def page_url(award):
    return reverse("results_manage:reports", args=[award.slug])


def test_the_organiser_asks_for_a_report_and_downloads_it(edition, client, enqueued):
    client.force_login(edition.organiser)
    response = client.post(page_url(edition.award), {"format": "pdf"}, follow=True)
    assert response.status_code == 200
    report = EditionReport.objects.get()
    assert 'data-testid="report-pending"' in response.content.decode()

    edition_report_build.apply(args=[report.pk])
    page = client.get(page_url(edition.award)).content.decode()
    assert 'data-testid="report-pending"' not in page
    download = reverse("results_manage:report_download", args=[edition.award.slug, report.pk])
    assert download in page
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_bad_format_is_refused_on_the_page(edition, client):
    client.force_login(edition.organiser)
    response = client.post(page_url(edition.award), {"format": "exe"}, follow=True)
    assert "Please choose PDF or spreadsheet." in response.content.decode()
    assert not EditionReport.objects.exists()


def test_the_page_is_in_the_results_navigation(edition, client):
    client.force_login(edition.organiser)
    page = client.get(page_url(edition.award)).content.decode()
    assert f'aria-current="true" href="{page_url(edition.award)}"' in page


def test_the_page_is_german_for_a_german_organiser(edition, client):
    edition.organiser.preferred_language = "de"
    edition.organiser.save(update_fields=["preferred_language"])
    client.force_login(edition.organiser)
    response = client.get(page_url(edition.award), HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert 'lang="de"' in response.content.decode()


def test_a_pending_or_failed_report_cannot_be_downloaded(edition, client):
    client.force_login(edition.organiser)
    for status in ("pending", "failed"):
        report = EditionReport.objects.create(award=edition.award, format="pdf", status=status)
        url = reverse("results_manage:report_download", args=[edition.award.slug, report.pk])
        assert client.get(url).status_code == 404


@pytest.fixture
def ready_report(edition, enqueued):
    report = results_services.edition_report_request(
        award=edition.award, format="xlsx", actor=edition.organiser
    )
    edition_report_build.apply(args=[report.pk])
    report.refresh_from_db()
    return report


def test_another_awards_organiser_gets_404_for_page_and_file(edition, ready_report, client):
    other = AwardRoleFactory().user
    client.force_login(other)
    assert client.get(page_url(edition.award)).status_code == 404
    url = reverse("results_manage:report_download", args=[edition.award.slug, ready_report.pk])
    assert client.get(url).status_code == 404
    assert client.post(page_url(edition.award), {"format": "pdf"}).status_code == 404


def test_a_report_is_found_only_through_its_own_award(edition, ready_report, client):
    other = AwardRoleFactory(user=edition.organiser).award
    client.force_login(edition.organiser)
    url = reverse("results_manage:report_download", args=[other.slug, ready_report.pk])
    assert client.get(url).status_code == 404


def test_jurors_the_chair_and_applicants_get_404(edition, ready_report, client):
    applicant = MembershipFactory(organisation=edition.winner.organisation).user
    url = reverse("results_manage:report_download", args=[edition.award.slug, ready_report.pk])
    for user in (edition.jurors[0].user, edition.chair.user, applicant, UserFactory()):
        client.force_login(user)
        assert client.get(page_url(edition.award)).status_code == 404
        assert client.get(url).status_code == 404
    assert EditionReport.objects.count() == 1


def test_anonymous_visitors_are_sent_to_the_login(edition, ready_report, client):
    response = client.get(page_url(edition.award))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    url = reverse("results_manage:report_download", args=[edition.award.slug, ready_report.pk])
    assert client.get(url).status_code == 302


@pytest.fixture(autouse=True)
def _fresh_figures():
    cache.clear()
    forget_local()
    yield
    forget_local()


def test_decisions_keep_their_order(edition):
    assert list(Decision.objects.filter(award=edition.award)) == figures_of(edition.award).decisions
