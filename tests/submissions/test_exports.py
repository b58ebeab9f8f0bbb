"""Exports of an award's entries: the row building (without HTTP), the CSV and XLSX downloads,
and the streamed ZIP of a category's files. Access for every user is checked with the other
organiser pages in test_manage_access.py; ``award`` is the one in conftest.py."""

import csv
import datetime as dt
import hashlib
import io
import zipfile
import zoneinfo
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from submissions import exports
from submissions.manage_selectors import (
    SubmissionFilters,
    submissions_for_export,
    submissions_of_award,
)
from submissions.models import Attachment, Question, Submission
from submissions.questions import answers_index
from submissions.selectors import form_questions_of
from tests.factories import (
    STANDARD_ANSWERS,
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    JurorFactory,
    MembershipFactory,
    OrganisationFactory,
    SubmissionFactory,
    UserFactory,
    complete_entry_fields,
    standard_answers,
)
from tests.helpers import en_user

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


@pytest.fixture
def mobility(award):
    return CategoryFactory(award=award, code="MOB", name_en="Mobility", name_de="Mobilität")


@pytest.fixture
def construction(award):
    return CategoryFactory(award=award, code="CON", name_en="Construction", name_de="Bauen")


@pytest.fixture
def organisation():
    return OrganisationFactory(
        name='=HYPERLINK("http://evil.example","Click")',
        legal_form="GmbH",
        street="Am Flugplatz 3",
        postal_code="12487",
        city="Berlin",
        website="https://red-arrow.example",
        size_class="startup",
        founded_year=2019,
        contact_name="Olivia Owner",
        contact_email="olivia@red-arrow.example",
        contact_phone="+49 30 1234567",
    )


@pytest.fixture
def applicant(organisation):
    user = en_user()
    MembershipFactory(organisation=organisation, user=user)
    return user


@pytest.fixture
def organiser(award):
    return AwardRoleFactory(award=award, user=en_user()).user


@pytest.fixture
def entry(award, mobility, organisation, applicant):
    return SubmissionFactory(
        award=award,
        category=mobility,
        organisation=organisation,
        created_by=applicant,
        title="@SUM(1+1)*cmd|' /C calc'!A0",
        status="ineligible",
        eligibility_reason="-based in Munich",
        reference="LIA-2040-MOB-0007",
        # 22:30 UTC on 30 March is 00:30 on 31 March in Berlin (CEST).
        submitted_at=dt.datetime(2040, 3, 30, 22, 30, 15, tzinfo=dt.UTC),
        answers=standard_answers(award, video_url="https://video.example/frame"),
        **{**complete_entry_fields(), "consent_publication": False},
    )


@pytest.fixture
def draft(award, construction, applicant, organisation):
    return SubmissionFactory(
        award=award,
        category=construction,
        organisation=organisation,
        created_by=applicant,
        title="Plain draft",
    )


def by_header(header, row) -> dict:
    return dict(zip(header, row, strict=True))


# --- Neutralising formulas ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+49 30 1234567", "'+49 30 1234567"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1+1", "'  =1+1"),
        ("\n@x", "'\n@x"),
        ("Carbon = light", "Carbon = light"),
        ("", ""),
        (7, 7),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert exports.neutralise(value) == expected


# --- Rows, without HTTP -------------------------------------------------------------------


def form_of(award):
    return form_questions_of(award.pk)


def test_export_rows_hold_every_field_in_the_awards_time_zone(award, entry, draft):
    questions = form_of(award)
    with translation.override("en"):
        header = exports.export_header(BERLIN, questions)
        rows = list(exports.export_rows(submissions_for_export(award), BERLIN, questions))

    assert len(rows) == 2
    row, other = (by_header(header, values) for values in rows)
    fields = complete_entry_fields()
    assert row == {
        "Reference number": "LIA-2040-MOB-0007",
        "Title": "'@SUM(1+1)*cmd|' /C calc'!A0",
        "Category code": "MOB",
        "Category": "Mobility",
        "Status": "Not eligible",
        "Reason (not eligible)": "'-based in Munich",
        "Submitted at (Europe/Berlin)": dt.datetime(2040, 3, 31, 0, 30, 15),
        "Individual deadline (Europe/Berlin)": None,
        "Short summary": fields["summary"],
        "Consent: conditions of participation": "yes",
        "Consent: data processing": "yes",
        "Consent: publication": "no",
        "Organisation": '\'=HYPERLINK("http://evil.example","Click")',
        "Legal form": "GmbH",
        "Street and number": "Am Flugplatz 3",
        "Postal code": "12487",
        "City": "Berlin",
        "Country": "Deutschland",
        "Website": "https://red-arrow.example",
        "Size": "Start-up",
        "Founded in": 2019,
        "Contact person": "Olivia Owner",
        "Contact email": "olivia@red-arrow.example",
        "Contact phone": "'+49 30 1234567",
        "Created at (Europe/Berlin)": row["Created at (Europe/Berlin)"],
        "Last changed (Europe/Berlin)": row["Last changed (Europe/Berlin)"],
        "ID": entry.pk,
        # One column per question of the form, in its order (no headings).
        "Description of the innovation": STANDARD_ANSWERS["description"],
        "What makes it lightweight": STANDARD_ANSWERS["lightweight"],
        "Degree of innovation": STANDARD_ANSWERS["innovation"],
        "Future potential for people and the region": STANDARD_ANSWERS["future_potential"],
        "Market readiness": "TRL 7 – prototype demonstrated in an operational environment",
        "Team": STANDARD_ANSWERS["team"],
        "Video link": "https://video.example/frame",
        "Images of the innovation": "",
        "Documents": "",
    }
    assert list(row)[-9:] == [
        "Description of the innovation",
        "What makes it lightweight",
        "Degree of innovation",
        "Future potential for people and the region",
        "Market readiness",
        "Team",
        "Video link",
        "Images of the innovation",
        "Documents",
    ]
    assert row["Created at (Europe/Berlin)"].tzinfo is None
    assert other["Title"] == "Plain draft"


def test_export_rows_follow_the_filter(award, entry, draft):
    queryset = submissions_of_award(award, SubmissionFilters(status="draft"))

    rows = list(exports.export_rows(queryset, BERLIN))

    assert [row[1] for row in rows] == ["Plain draft"]


def test_csv_chunks_start_with_bom_and_quote_properly(award, entry):
    Submission.objects.filter(pk=entry.pk).update(
        summary='Line one\nline two, with "quotes"; and a semicolon'
    )
    with translation.override("en"):
        text = "".join(exports.csv_chunks(submissions_of_award(award), BERLIN))

    assert text.startswith("\ufeffReference number,Title,Category code,")
    assert "\r\n" in text
    header, row = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    record = by_header(header, row)
    assert record["Short summary"] == 'Line one\nline two, with "quotes"; and a semicolon'
    assert record["Title"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert record["Submitted at (Europe/Berlin)"] == "2040-03-31 00:30:15"
    assert record["Individual deadline (Europe/Berlin)"] == ""


def test_csv_chunks_come_in_pieces(award, mobility, organisation, applicant):
    Submission.objects.bulk_create(
        Submission(
            award=award,
            category=mobility,
            organisation=organisation,
            created_by=applicant,
            title=f"Entry {n}",
        )
        for n in range(450)
    )

    chunks = list(exports.csv_chunks(submissions_of_award(award), BERLIN))

    # header, then 200 + 200 + 50 rows
    assert [chunk.count("\r\n") for chunk in chunks] == [1, 200, 200, 50]


def test_xlsx_write_neutralises_formulas_and_cleans_text(award, entry):
    Submission.objects.filter(pk=entry.pk).update(
        answers=standard_answers(award, team="\x01=cmd|' /C calc'!A0", description="x" * 40_000)
    )
    target = io.BytesIO()
    with translation.override("en"):
        exports.xlsx_write(
            submissions_for_export(award),
            BERLIN,
            target,
            title="Entries: 2040?",
            questions=form_of(award),
        )

    sheet = load_workbook(io.BytesIO(target.getvalue())).active
    assert sheet.title == "Entries  2040"
    header, row = [list(r) for r in sheet.iter_rows(max_row=2)]
    cells = {h.value: c for h, c in zip(header, row, strict=True)}
    assert cells["Title"].value == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert cells["Organisation"].value == '\'=HYPERLINK("http://evil.example","Click")'
    assert cells["Team"].value == "'=cmd|' /C calc'!A0"
    assert cells["Contact phone"].value == "'+49 30 1234567"
    for cell in row:
        assert cell.data_type != "f"
    assert len(cells["Description of the innovation"].value) == 32_767
    assert cells["Submitted at (Europe/Berlin)"].value == dt.datetime(2040, 3, 31, 0, 30, 15)
    assert cells["Market readiness"].value == (
        "TRL 7 – prototype demonstrated in an operational environment"
    )


# --- ZIP names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Datenblatt.pdf", "Datenblatt.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\eve\\report.pdf", "report.pdf"),
        ('a<b>:"|?*.pdf', "a_b______.pdf"),
        ("bad\x00name\x1f.pdf", "bad_name_.pdf"),
        (".hidden.pdf", "hidden.pdf"),
        ("  spaced   out .pdf ", "spaced out .pdf"),
        ("...", "fallback.pdf"),
        ("", "fallback.pdf"),
        ("Prüfbericht Ü.pdf", "Prüfbericht Ü.pdf"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
    ],
)
def test_clean_member_name(name, expected):
    assert exports.clean_member_name(name, fallback="fallback.pdf") == expected


def attach(submission, name, data=b"%PDF-1.4\n%%EOF\n", kind="document", slot=None):
    attachment = Attachment(
        submission=submission,
        question=slot,
        kind=kind,
        original_name=name,
        content_type="application/pdf" if kind == "document" else "image/png",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    attachment.file.save("upload", ContentFile(data), save=False)
    attachment.save()
    return attachment


def test_zip_members_are_deduplicated_per_folder(entry, draft):
    Submission.objects.filter(pk=draft.pk).update(reference=None)
    draft.refresh_from_db()
    files = [
        attach(entry, "report.pdf"),
        attach(entry, "Report.PDF"),
        attach(entry, "sub/report.pdf"),
        attach(draft, "report.pdf"),
    ]

    names = [name for name, _a in exports.zip_members(files)]

    assert names == [
        "LIA-2040-MOB-0007/report.pdf",
        "LIA-2040-MOB-0007/Report (2).PDF",
        "LIA-2040-MOB-0007/report (3).pdf",
        f"entry-{draft.pk}/report.pdf",
    ]


# --- The downloads ------------------------------------------------------------------------


def read(response) -> bytes:
    return b"".join(response.streaming_content)


def test_csv_download_streams_the_filtered_list(client, award, organiser, entry, draft):
    other = AwardFactory(slug="other-2041", edition=2041, status="open")
    SubmissionFactory(award=other, title="Secret chair")
    client.force_login(organiser)

    response = client.get(
        reverse("submissions_manage:export_csv", args=[award.slug]), {"status": "ineligible"}
    )

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="lia-2040-entries.csv"'
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    body = read(response)
    assert body.startswith(b"\xef\xbb\xbfReference number,Title,")
    header, *rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert [by_header(header, row)["Title"] for row in rows] == ["'@SUM(1+1)*cmd|' /C calc'!A0"]
    assert by_header(header, rows[0])["Organisation"].startswith("'=HYPERLINK")
    assert b"Secret chair" not in body
    assert b"Plain draft" not in body


def test_csv_download_in_german_for_a_german_organiser(client, award, entry):
    organiser = AwardRoleFactory(award=award, user=UserFactory(preferred_language="de")).user
    client.force_login(organiser)

    response = client.get(reverse("submissions_manage:export_csv", args=[award.slug]))

    header = next(csv.reader(io.StringIO(read(response).decode("utf-8-sig"))))
    assert header[1] == "Titel"


def test_xlsx_download_reads_back_with_openpyxl(client, award, organiser, entry, draft):
    client.force_login(organiser)

    response = client.get(
        reverse("submissions_manage:export_xlsx", args=[award.slug]), {"q": "sum"}
    )

    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="lia-2040-entries.xlsx"'
    assert "no-store" in response["Cache-Control"]
    workbook = load_workbook(io.BytesIO(read(response)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Title"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert record["Organisation"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert record["Reason (not eligible)"] == "'-based in Munich"
    assert record["Submitted at (Europe/Berlin)"] == dt.datetime(2040, 3, 31, 0, 30, 15)
    formulas = [
        cell
        for row in load_workbook(io.BytesIO(read_again(client, award))).active.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []


def read_again(client, award) -> bytes:
    return read(client.get(reverse("submissions_manage:export_xlsx", args=[award.slug])))


# --- The ZIP of a category ----------------------------------------------------------------


def zip_url(award, category) -> str:
    return reverse("submissions_manage:documents_zip", args=[award.slug, category.pk])


def test_zip_holds_the_files_of_the_categorys_applications(
    client, award, organiser, mobility, construction, entry, applicant, organisation
):
    second = SubmissionFactory(
        award=award,
        category=mobility,
        organisation=organisation,
        created_by=applicant,
        status="eligible",
        reference="LIA-2040-MOB-0002",
    )
    draft = SubmissionFactory(
        award=award, category=mobility, organisation=organisation, created_by=applicant
    )
    withdrawn = SubmissionFactory(
        award=award,
        category=mobility,
        organisation=organisation,
        created_by=applicant,
        status="withdrawn",
        reference="LIA-2040-MOB-0003",
    )
    elsewhere = SubmissionFactory(
        award=award,
        category=construction,
        organisation=organisation,
        created_by=applicant,
        status="submitted",
        reference="LIA-2040-CON-0001",
    )
    big = b"%PDF-1.4\n" + bytes(range(256)) * 4096 + b"\n%%EOF\n"  # about 1 MB
    attach(entry, "Datenblatt.pdf", big)
    attach(entry, "../Datenblatt.pdf", b"%PDF-1.4 second\n%%EOF\n")
    attach(entry, "frame.png", b"\x89PNG fake image", kind="image")
    attach(second, "Prüfbericht.pdf", b"%PDF-1.4 Pruefbericht\n%%EOF\n")
    attach(draft, "draft.pdf")
    attach(withdrawn, "withdrawn.pdf")
    attach(elsewhere, "bridge.pdf")
    client.force_login(organiser)

    response = client.get(zip_url(award, mobility))

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="LIA-2040-MOB-documents.zip"'
    chunks = list(response.streaming_content)
    body = b"".join(chunks)
    assert int(response["Content-Length"]) == len(body)
    # Files are read in pieces: no piece of the stream holds the whole 1 MB file.
    assert max(len(chunk) for chunk in chunks) <= exports.FILE_CHUNK
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert archive.testzip() is None
    assert {info.filename: archive.read(info) for info in archive.infolist()} == {
        "LIA-2040-MOB-0002/Prüfbericht.pdf": b"%PDF-1.4 Pruefbericht\n%%EOF\n",
        "LIA-2040-MOB-0007/Datenblatt.pdf": big,
        "LIA-2040-MOB-0007/Datenblatt (2).pdf": b"%PDF-1.4 second\n%%EOF\n",
        "LIA-2040-MOB-0007/frame.png": b"\x89PNG fake image",
    }
    assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_STORED}


def test_zip_of_a_category_without_applications_is_empty(client, award, organiser, construction):
    client.force_login(organiser)

    response = client.get(zip_url(award, construction))

    assert response.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(read(response))).namelist() == []


def test_zip_of_another_awards_category_is_404(client, award, organiser):
    other = AwardFactory(slug="other-2041", edition=2041, status="open")
    foreign = CategoryFactory(award=other)
    entry = SubmissionFactory(
        award=other, category=foreign, status="submitted", reference="LIA-2041-C01-0001"
    )
    attach(entry, "secret.pdf")
    client.force_login(organiser)

    assert client.get(zip_url(award, foreign)).status_code == 404
    # Nor through the other award's address, which this organiser may not manage.
    assert client.get(zip_url(other, foreign)).status_code == 404


@pytest.mark.parametrize("role", ["stranger", "applicant", "juror"])
def test_zip_is_404_for_everyone_but_organisers(client, award, mobility, entry, applicant, role):
    attach(entry, "Datenblatt.pdf")
    user = {
        "stranger": en_user,
        "applicant": lambda: applicant,
        "juror": lambda: JurorFactory(award=award, user=en_user()).user,
    }[role]()
    client.force_login(user)

    assert client.get(zip_url(award, mobility)).status_code == 404


def test_zip_reads_files_from_s3(client, settings, s3_server, award, organiser, mobility, entry):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_server["options"]},
    }
    data = b"%PDF-1.4 on S3\n" + b"0" * 300_000 + b"\n%%EOF\n"
    stored = attach(entry, "Datenblatt.pdf", data)
    objects = s3_server["client"].list_objects_v2(Bucket=s3_server["bucket"])["Contents"]
    assert [item["Key"] for item in objects] == [stored.file.name]
    client.force_login(organiser)

    response = client.get(zip_url(award, mobility))

    archive = zipfile.ZipFile(io.BytesIO(read(response)))
    assert archive.read("LIA-2040-MOB-0007/Datenblatt.pdf") == data


# --- CSV for German Excel, and XLSX first -------------------------------------------------


def test_csv_for_german_excel_is_separated_by_semicolons_with_german_times(award, entry):
    Submission.objects.filter(pk=entry.pk).update(summary='Zeile eins\nzwei; mit "Zitat"')
    with translation.override("de"):
        text = "".join(
            exports.csv_chunks(submissions_of_award(award), BERLIN, exports.CSV_EXCEL_DE)
        )

    assert text.startswith("\ufeffReferenznummer;Titel;")
    assert "\r\n" in text
    header, row = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    record = by_header(header, row)
    assert record["Referenznummer"] == "LIA-2040-MOB-0007"
    assert record["Kurzbeschreibung"] == 'Zeile eins\nzwei; mit "Zitat"'
    submitted = next(value for key, value in record.items() if key.startswith("Eingereicht"))
    assert submitted == "31.03.2040 00:30:15"  # 22:30 UTC, in Berlin (CEST)
    assert record["Titel"].startswith("'@SUM")  # neutralised like every export


def test_plain_csv_keeps_commas_and_iso_times(award, entry):
    text = "".join(exports.csv_chunks(submissions_of_award(award), BERLIN))

    _header, row = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert "2040-03-31 00:30:15" in row


def test_csv_for_german_excel_download(client, award, organiser, entry, draft):
    client.force_login(organiser)

    response = client.get(
        reverse("submissions_manage:export_csv_excel", args=[award.slug]), {"status": "draft"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="lia-2040-entries-excel.csv"'
    assert "no-store" in response["Cache-Control"]
    body = read(response)
    assert body.startswith(b"\xef\xbb\xbfReference number;Title;")
    header, *rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert [by_header(header, row)["Title"] for row in rows] == ["Plain draft"]


def test_the_list_offers_xlsx_first_as_recommended_then_both_csvs(client, award, organiser):
    client.force_login(organiser)

    html = client.get(reverse("submissions_manage:list", args=[award.slug])).content.decode()

    exports_box = html.split('data-testid="exports"')[1].split("</span>\n")[0]
    kinds = [part.split('"')[0] for part in exports_box.split('data-export="')[1:]]
    assert kinds == ["xlsx", "csv-excel", "csv"]
    assert "recommended" in exports_box
    assert "CSV for German Excel" in exports_box


# --- One column per question --------------------------------------------------------------


def add_question(award, key, kind, position, **extra):
    return Question.objects.create(
        award=award,
        key=key,
        kind=kind,
        label_de=extra.pop("label_de", key),
        label_en=extra.pop("label_en", key),
        position=position,
        **extra,
    )


@pytest.fixture
def form(award, construction):
    """The standard form and, after it, one question of each kind that exports differently,
    one only for construction and a label that looks like HTML and a formula."""
    budget = add_question(award, "budget", "money", 500, label_en="Budget", label_de="Budget")
    weight = add_question(award, "weight", "number", 510, label_en="Weight", decimals=1, unit="kg")
    start = add_question(award, "start", "date", 520, label_en="Start of series")
    add_question(award, "funding", "section", 525, label_en="Funding")
    materials = add_question(
        award,
        "materials",
        "multiple",
        530,
        label_en="Materials",
        choices=[
            {"value": "flax", "de": "Flachs", "en": "Flax"},
            {"value": "resin", "de": "Harz", "en": "Bio-resin"},
            {"value": "steel", "de": "Stahl", "en": "Steel"},
        ],
    )
    funded = add_question(award, "funded", "yes_no", 540, label_en="Publicly funded")
    load = add_question(award, "load", "number", 550, label_en="Load")
    load.categories.set([construction])
    evil = add_question(award, "evil", "short_text", 560, label_en='=cmd|"/C calc"!A0 <b>bold</b>')
    return {
        "budget": budget,
        "weight": weight,
        "start": start,
        "materials": materials,
        "funded": funded,
        "load": load,
        "evil": evil,
    }


def answer(question, value):
    return {str(question.pk): {"value": value, "version": 1}}


@pytest.fixture
def answered_entry(award, entry, form):
    answers = standard_answers(award)
    answers.update(answer(form["budget"], "250000.50"))
    answers.update(answer(form["weight"], "1.1"))
    answers.update(answer(form["start"], "2041-02-01"))
    answers.update(answer(form["materials"], ["flax", "resin"]))
    answers.update(answer(form["funded"], True))
    answers.update(answer(form["evil"], '=HYPERLINK("http://evil.example","<b>Click</b>")'))
    Submission.objects.filter(pk=entry.pk).update(
        answers=answers, **answers_index(list(award.questions.all()), answers)
    )
    entry.refresh_from_db()
    return entry


QUESTION_HEADERS = [
    "Budget (EUR)",
    "Weight (kg)",
    "Start of series",
    "Materials",
    "Publicly funded",
    "Load [CON]",
    '\'=cmd|"/C calc"!A0 <b>bold</b>',
]


def test_export_has_a_column_per_question_with_typed_answers(award, answered_entry, form):
    questions = form_of(award)
    with translation.override("en"):
        header = exports.export_header(BERLIN, questions)
        (row,) = [
            by_header(header, values)
            for values in exports.export_rows(
                submissions_for_export(award, SubmissionFilters(status="ineligible")),
                BERLIN,
                questions,
            )
        ]

    assert header[-7:] == QUESTION_HEADERS
    assert "Funding" not in header  # a heading is no column
    assert row["Budget (EUR)"] == Decimal("250000.50")
    assert row["Weight (kg)"] == Decimal("1.1")
    assert row["Start of series"] == dt.date(2041, 2, 1)
    assert row["Materials"] == "Flax, Bio-resin"
    assert row["Publicly funded"] == "Yes"
    assert row["Load [CON]"] == ""
    assert row[QUESTION_HEADERS[-1]] == '\'=HYPERLINK("http://evil.example","<b>Click</b>")'


def test_question_headers_and_answers_in_german(award, answered_entry, form):
    questions = form_of(award)
    with translation.override("de"):
        header = exports.export_header(BERLIN, questions)
        (values,) = list(exports.export_rows(submissions_for_export(award), BERLIN, questions))[:1]

    row = by_header(header, values)
    assert row["Marktreife"] == "TRL 7 – Prototyp im Einsatz demonstriert"
    assert row["materials"] == "Flachs, Harz"
    assert "Beschreibung der Innovation" in header


def test_csv_writes_answers_as_text_numbers_and_dates_for_each_format(award, answered_entry, form):
    questions = form_of(award)
    with translation.override("en"):
        plain = "".join(
            exports.csv_chunks(submissions_of_award(award), BERLIN, questions=questions)
        )
        excel = "".join(
            exports.csv_chunks(
                submissions_of_award(award), BERLIN, exports.CSV_EXCEL_DE, questions=questions
            )
        )

    header, row = list(csv.reader(io.StringIO(plain.removeprefix("\ufeff"))))
    record = by_header(header, row)
    assert record["Budget (EUR)"] == "250000.50"
    assert record["Weight (kg)"] == "1.1"
    assert record["Start of series"] == "2041-02-01"
    assert record["Materials"] == "Flax, Bio-resin"
    # Neutralised, and the HTML is text like any other.
    assert record[QUESTION_HEADERS[-1]] == '\'=HYPERLINK("http://evil.example","<b>Click</b>")'
    header, row = list(csv.reader(io.StringIO(excel.removeprefix("\ufeff")), delimiter=";"))
    record = by_header(header, row)
    assert record["Budget (EUR)"] == "250000,50"
    assert record["Weight (kg)"] == "1,1"
    assert record["Start of series"] == "01.02.2041"


def test_xlsx_answers_are_typed_and_never_formulas(award, answered_entry, form):
    target = io.BytesIO()
    with translation.override("en"):
        exports.xlsx_write(
            submissions_for_export(award),
            BERLIN,
            target,
            title="Entries",
            questions=form_of(award),
        )

    sheet = load_workbook(io.BytesIO(target.getvalue())).active
    header, row = [list(r) for r in sheet.iter_rows(max_row=2)]
    cells = {h.value: c for h, c in zip(header, row, strict=True)}
    assert cells["Budget (EUR)"].value == 250000.5
    assert cells["Budget (EUR)"].data_type == "n"
    assert cells["Weight (kg)"].value == 1.1
    assert cells["Start of series"].value == dt.datetime(2041, 2, 1)
    assert cells["Start of series"].is_date
    assert cells["Publicly funded"].value == "Yes"
    assert cells[QUESTION_HEADERS[-1]].value.startswith("'=HYPERLINK(")
    assert [c for c in header + row if c.data_type == "f"] == []


def test_file_slot_columns_name_the_files(award, answered_entry):
    attach(answered_entry, "frame.png", kind="image", slot=award.questions.get(key="images"))
    slot = award.questions.get(key="documents")
    attach(answered_entry, "Datenblatt.pdf", slot=slot)
    attach(answered_entry, "=Prüfbericht.pdf", slot=slot)
    attach(answered_entry, "loose.pdf")  # no slot: no column
    questions = form_of(award)

    with translation.override("en"):
        header = exports.export_header(BERLIN, questions)
        rows = list(exports.export_rows(submissions_for_export(award), BERLIN, questions))

    row = by_header(header, rows[0])
    assert row["Images of the innovation"] == "frame.png"
    assert row["Documents"] == "Datenblatt.pdf, =Prüfbericht.pdf"
    assert "loose.pdf" not in rows[0]


def test_exports_run_no_query_per_entry(
    client, award, organiser, mobility, organisation, applicant, answered_entry
):
    client.force_login(organiser)
    client.get(reverse("submissions_manage:list", args=[award.slug]))

    def queries(kind):
        with CaptureQueriesContext(connection) as captured:
            read(client.get(reverse(f"submissions_manage:export_{kind}", args=[award.slug])))
        return len(captured.captured_queries)

    few = {kind: queries(kind) for kind in ("csv", "xlsx")}
    for n in range(30):
        entry = SubmissionFactory(
            award=award,
            category=mobility,
            organisation=organisation,
            created_by=applicant,
            answers=answered_entry.answers,
        )
        attach(entry, f"file-{n}.pdf", slot=award.questions.get(key="documents"))
    many = {kind: queries(kind) for kind in ("csv", "xlsx")}

    assert few == many


def test_export_downloads_follow_the_answer_filter(
    client, award, organiser, answered_entry, form, draft
):
    client.force_login(organiser)
    funded = form["funded"].field_name

    csv_response = client.get(
        reverse("submissions_manage:export_csv", args=[award.slug]), {funded: "yes"}
    )
    xlsx_response = client.get(
        reverse("submissions_manage:export_xlsx", args=[award.slug]), {funded: "no"}
    )
    bogus = client.get(
        reverse("submissions_manage:export_csv", args=[award.slug]),
        {funded: "perhaps", "q99999999": "yes"},
    )

    header, *rows = list(csv.reader(io.StringIO(read(csv_response).decode("utf-8-sig"))))
    assert [by_header(header, row)["Title"] for row in rows] == ["'@SUM(1+1)*cmd|' /C calc'!A0"]
    assert by_header(header, rows[0])["Publicly funded"] == "Yes"
    sheet = load_workbook(io.BytesIO(read(xlsx_response))).active
    assert len(list(sheet.iter_rows())) == 1  # the header: nobody answered "no"
    _header, *rows = list(csv.reader(io.StringIO(read(bogus).decode("utf-8-sig"))))
    assert len(rows) == 2


# --- The ZIP: a folder per file slot ------------------------------------------------------


def test_zip_has_a_folder_per_file_slot(client, award, organiser, mobility, entry):
    images = award.questions.get(key="images")
    documents = award.questions.get(key="documents")
    evil_slot = add_question(
        award, "plans", "file", 900, label_en="Plans/<drawings>", label_de="Pläne"
    )
    shared = add_question(award, "more", "file", 910, label_en="Documents", label_de="Mehr")
    for name, kind, slot in [
        ("frame.png", "image", images),
        ("Datenblatt.pdf", "document", documents),
        ("datenblatt.PDF", "document", documents),
        ("plan.pdf", "document", evil_slot),
        ("extra.pdf", "document", shared),
        ("old.pdf", "document", None),
    ]:
        attach(entry, name, kind=kind, slot=slot)
    client.force_login(organiser)

    response = client.get(zip_url(award, mobility))

    archive = zipfile.ZipFile(io.BytesIO(read(response)))
    assert sorted(archive.namelist()) == [
        "LIA-2040-MOB-0007/Documents (2)/extra.pdf",
        "LIA-2040-MOB-0007/Documents/Datenblatt.pdf",
        "LIA-2040-MOB-0007/Documents/datenblatt (2).PDF",
        "LIA-2040-MOB-0007/Images of the innovation/frame.png",
        "LIA-2040-MOB-0007/Plans-_drawings_/plan.pdf",
        "LIA-2040-MOB-0007/old.pdf",
    ]
