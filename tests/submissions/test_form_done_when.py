"""Issue #15's "Done when", end to end through the real pages: an organiser builds a different
form for two categories in the form builder, previews it in German and English and opens the
edition; an applicant fills it (a conditional question, a number with a unit, a file slot) and
submits; the organiser's entry page, the CSV and XLSX exports, the PDF, the ZIP, the
confirmation mail and the juror's review page show the answers."""

import csv
import io
import zipfile

import pypdfium2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse
from django.utils import timezone
from openpyxl import load_workbook

from jury.models import Assignment, RoundEntry
from notifications.models import Message
from submissions.models import Question, Submission
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    CriterionFactory,
    JurorFactory,
    MembershipFactory,
    OrganisationFactory,
    RoundFactory,
)
from tests.helpers import en_user, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def pdf_bytes() -> bytes:
    """A small real PDF (the upload pipeline checks the content)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=16)
    pdf.cell(text="Patent EP 1234567: woven flax frame")
    return bytes(pdf.output())


def pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(content)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def read(response) -> bytes:
    return b"".join(response.streaming_content)


def in_order(page: str, *texts: str) -> bool:
    positions = [page.index(t) for t in texts]
    return positions == sorted(positions)


def test_an_organiser_builds_two_category_forms_and_the_answers_show_everywhere(client):
    award = AwardFactory(
        form=False, status="draft", slug="lia-2040", edition=2040, reference_prefix="LIA"
    )
    mobility = CategoryFactory(
        award=award, code="MOB", name_en="Mobility", name_de="Mobilität", position=1
    )
    construction = CategoryFactory(
        award=award, code="CON", name_en="Construction", name_de="Bauen", position=2
    )
    CriterionFactory(award=award)
    organiser = AwardRoleFactory(
        award=award, role="organiser", user=en_user(full_name="Oda Organiser")
    ).user
    applicant = en_user(full_name="Olivia Owner")
    company = OrganisationFactory(name="Red Arrow Composites")
    MembershipFactory(organisation=company, user=applicant, role="owner")

    # 1. The organiser builds the form in the builder: a section, a yes/no question for all
    #    categories, the patent number shown only for "yes", a weight only in Mobility, a
    #    construction type only in Construction, and a documents slot only in Mobility.
    client.force_login(organiser)
    add_url = reverse("submissions_manage:form_question_add", kwargs={"slug": award.slug})
    form_url = reverse("submissions_manage:form", kwargs={"slug": award.slug})

    def add(**fields) -> Question:
        data = {"help_de": "", "help_en": "", "decimals": "0", **fields}
        response = client.post(add_url, data)
        assert response.status_code == 302, text(response)
        question = award.questions.get(key=fields["key"])
        assert response.url == f"{form_url}#question-{question.pk}"
        return question

    add(kind="section", key="patents", label_de="Patente", label_en="Patents")
    patent = add(
        kind="yes_no",
        key="patent",
        label_de="Patent erteilt?",
        label_en="Patent granted?",
        required="on",
    )
    number = add(
        kind="short_text",
        key="patent_number",
        label_de="Patentnummer",
        label_en="Patent number",
        required="on",
        show_if=patent.pk,
        show_if_values=[f"{patent.pk}:yes"],
    )
    weight = add(
        kind="number",
        key="weight",
        label_de="Gewicht",
        label_en="Weight",
        unit="kg",
        decimals="1",
        min_value="0",
        categories=[mobility.pk],
    )
    build = add(
        kind="choice",
        key="build",
        label_de="Bauweise",
        label_en="Type of construction",
        choices="timber | Holzbau | Timber construction\nsteel | Stahlbau | Steel construction",
        categories=[construction.pk],
    )
    documents = add(
        kind="file",
        key="documents",
        label_de="Unterlagen",
        label_en="Documents",
        file_kinds=["document"],
        max_files="3",
        required="on",
        categories=[mobility.pk],
    )
    builder = text(client.get(form_url))
    assert in_order(
        builder, "Patents", "Patent granted?", "Patent number", "Weight", "Type of construction"
    )
    assert "shown if “Patent granted?” is “Yes”" in builder
    assert "Only in: Mobility" in builder
    assert "Only in: Construction" in builder

    # 2. The preview per category and language.
    preview_url = reverse("submissions_manage:form_preview", kwargs={"slug": award.slug})

    def preview(category, language) -> str:
        response = client.get(preview_url, {"category": category.pk, "lang": language})
        assert response.status_code == 200
        return text(response)

    german = preview(mobility, "de")
    assert 'lang="de"' in german
    for label in ("Patente", "Patent erteilt?", "Patentnummer", "Gewicht", "kg", "Unterlagen"):
        assert label in german, label
    assert "Patent granted?" not in german
    assert "Bauweise" not in german
    assert f'data-question="{build.pk}"' not in german
    assert f'data-show-if="{patent.pk}"' in german

    english = preview(mobility, "en")
    for label in ("Patents", "Patent granted?", "Patent number", "Weight", "Documents"):
        assert label in english, label
    assert "Patent erteilt?" not in english
    assert "Type of construction" not in english

    english = preview(construction, "en")
    for label in ("Patent granted?", "Patent number", "Type of construction", "Steel construction"):
        assert label in english, label
    assert f'data-question="{weight.pk}"' not in english
    assert f'data-question="{documents.pk}"' not in english
    german = preview(construction, "de")
    assert "Bauweise" in german and "Stahlbau" in german and "Gewicht" not in german

    # 3. The organiser opens the edition (the submission window is open: factory dates).
    response = client.post(
        reverse("awards:transition", kwargs={"slug": award.slug}), {"status": "open"}
    )
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.status == "open"

    # 4. The applicant starts an entry in Mobility …
    client.force_login(applicant)
    response = client.post(
        reverse("submissions:submission_create", kwargs={"slug": award.slug}),
        {"organisation": company.pk, "category": mobility.pk, "title": "Flax bicycle frame"},
    )
    assert response.status_code == 302, text(response)
    entry_pk = resolve(response.url).kwargs["pk"]
    edit_url = reverse("submissions:edit", kwargs={"pk": entry_pk})
    edit_page = text(client.get(edit_url))
    assert "Patent granted?" in edit_page and "Weight" in edit_page
    assert "Type of construction" not in edit_page

    def save(answers: dict) -> None:
        entry = Submission.objects.get(pk=entry_pk)
        data = {
            "title": "Flax bicycle frame",
            "summary": "A bicycle frame of woven flax and bio-resin.",
            "consent_terms": "on",
            "consent_data": "on",
            "consent_publication": "on",
            "version": entry.version,
            **{f"q{pk}": value for pk, value in answers.items()},
        }
        response = client.post(edit_url, data)
        assert response.status_code == 302, text(response)

    # … answers "no" while a patent number is still in the (script-less) form: the hidden
    # answer is discarded …
    save({patent.pk: "no", number.pk: "EP 0000000", weight.pk: "12.5"})
    answers = Submission.objects.get(pk=entry_pk).answers
    assert answers[str(patent.pk)]["value"] is False
    assert str(number.pk) not in answers

    # … then "yes" with the number, which is kept; an answer to Construction's question is
    # not part of this entry's form and is not stored.
    save({patent.pk: "yes", number.pk: "EP 1234567", weight.pk: "12.5", build.pk: "steel"})
    answers = Submission.objects.get(pk=entry_pk).answers
    assert answers[str(number.pk)]["value"] == "EP 1234567"
    assert answers[str(number.pk)]["version"] == number.version
    assert str(build.pk) not in answers

    # The documents slot is required: submitting without it names it.
    entry = Submission.objects.get(pk=entry_pk)
    response = client.post(
        reverse("submissions:submit", kwargs={"pk": entry_pk}), {"version": entry.version}
    )
    assert "Add a file to “Documents”." in text(response)
    assert Submission.objects.get(pk=entry_pk).status == "draft"

    # The PDF goes into the documents slot.
    patent_pdf = pdf_bytes()
    response = client.post(
        reverse("submissions:attachment_upload", kwargs={"pk": entry_pk}),
        {
            "question": documents.pk,
            "files": SimpleUploadedFile("Patent.pdf", patent_pdf, "application/pdf"),
        },
    )
    assert response.status_code == 302
    (attachment,) = Submission.objects.get(pk=entry_pk).attachments.all()
    assert attachment.question_id == documents.pk

    entry = Submission.objects.get(pk=entry_pk)
    response = client.post(
        reverse("submissions:submit", kwargs={"pk": entry_pk}), {"version": entry.version}
    )
    assert response.status_code == 302
    page = text(client.get(response.url))
    assert "Submitted. Your reference number is LIA-2040-MOB-0001." in page
    entry = Submission.objects.get(pk=entry_pk)
    assert entry.status == "submitted"

    # 5a. The confirmation mail lists the answers.
    mail = Message.objects.get(template_key="submission.received", recipient=applicant)
    for line in ("Patent granted?: Yes", "Patent number: EP 1234567", "Weight: 12.5 kg"):
        assert line in mail.body_text, line
    assert "Type of construction" not in mail.body_text

    # 5b. The applicant's PDF.
    response = client.get(reverse("submissions:pdf", kwargs={"pk": entry_pk}))
    assert response.status_code == 200
    printed = pdf_text(response.content)
    assert in_order(
        printed,
        "Patents",
        "Patent granted?",
        "Yes",
        "Patent number",
        "EP 1234567",
        "Weight",
        "12.5 kg",
        "Documents",
        "Patent.pdf",
    )
    assert "Type of construction" not in printed

    # 5c. The organiser's entry page.
    client.force_login(organiser)
    detail = text(
        client.get(
            reverse("submissions_manage:detail", kwargs={"slug": award.slug, "pk": entry_pk})
        )
    )
    assert in_order(
        detail, "Patent granted?", "Yes", "Patent number", "EP 1234567", "Weight", "12.5 kg"
    )
    assert "Patent.pdf" in detail
    assert "Type of construction" not in detail

    # 5d. The CSV: one column per question (headings none), the category codes in the header.
    response = client.get(reverse("submissions_manage:export_csv", args=[award.slug]))
    header, *rows = list(csv.reader(io.StringIO(read(response).decode("utf-8-sig"))))
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert "Patents" not in header
    assert row["Patent granted?"] == "Yes"
    assert row["Patent number"] == "EP 1234567"
    assert row["Weight (kg) [MOB]"] == "12.5"
    assert row["Type of construction [CON]"] == ""
    assert row["Documents [MOB]"] == "Patent.pdf"

    # 5e. The XLSX: the same columns, the number a number.
    response = client.get(reverse("submissions_manage:export_xlsx", args=[award.slug]))
    sheet_rows = list(load_workbook(io.BytesIO(read(response))).active.iter_rows(values_only=True))
    record = dict(zip(sheet_rows[0], sheet_rows[1], strict=True))
    assert record["Patent granted?"] == "Yes"
    assert record["Patent number"] == "EP 1234567"
    assert record["Weight (kg) [MOB]"] == 12.5
    assert record["Documents [MOB]"] == "Patent.pdf"

    # 5f. The ZIP of Mobility's files: the slot is a folder.
    response = client.get(
        reverse("submissions_manage:documents_zip", args=[award.slug, mobility.pk])
    )
    archive = zipfile.ZipFile(io.BytesIO(read(response)))
    assert archive.namelist() == ["LIA-2040-MOB-0001/Documents/Patent.pdf"]
    assert archive.read("LIA-2040-MOB-0001/Documents/Patent.pdf") == patent_pdf

    # 5g. The organiser finds it eligible, closes the edition and opens judging with a round;
    #     a juror of Mobility reads the answers in the form's order on the review page.
    response = client.post(
        reverse("submissions_manage:eligibility", kwargs={"slug": award.slug, "pk": entry_pk}),
        {"decision": "eligible"},
    )
    assert response.status_code == 302
    round_ = RoundFactory(award=award, number=1, status="open", opened_at=timezone.now())
    RoundEntry.objects.create(round=round_, submission_id=entry_pk)
    for status in ("closed", "judging"):
        client.post(reverse("awards:transition", kwargs={"slug": award.slug}), {"status": status})
    award.refresh_from_db()
    assert award.status == "judging"
    juror = JurorFactory(award=award, user=en_user(), categories=[mobility])
    assignment = Assignment.objects.create(round=round_, juror=juror, submission_id=entry_pk)

    client.force_login(juror.user)
    response = client.get(reverse("jury:review", kwargs={"slug": award.slug, "pk": assignment.pk}))
    assert response.status_code == 200
    review = text(response)
    start = review.index('data-testid="entry"')
    entry_part = review[start : review.index("</section>", start)]
    assert in_order(
        entry_part,
        ">Patents</h3>",
        "Patent granted?",
        "Yes",
        "Patent number",
        "EP 1234567",
        "Weight",
        "12.5 kg",
        "Documents",
        "Patent.pdf",
    )
    assert "Type of construction" not in entry_part
