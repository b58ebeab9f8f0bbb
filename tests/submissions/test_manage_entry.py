"""One entry on the organisers' pages (/manage/<slug>/submissions/<pk>/): every field of the
entry and its company, escaped text, files, the eligibility decision with the members told,
the individual deadline in the award's time zone, and the entry's history."""

import datetime as dt
import hashlib

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from awards.models import AuditEntry
from notifications.models import Message
from submissions.models import Attachment, Organisation, Question, Submission
from tests.factories import (
    STANDARD_ANSWERS,
    SubmissionFactory,
    complete_entry_fields,
    standard_answers,
)
from tests.submissions.helpers import ACTIVE_HX, XSS_ORGANISATION, XSS_TITLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(submitted_entry):
    """On the organisers' pages ``entry`` is the submitted one (conftest.py)."""
    return submitted_entry


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def add_attachment(submission, name="report.pdf", data=PDF, kind="document", **extra):
    attachment = Attachment(
        submission=submission,
        kind=kind,
        original_name=name,
        content_type="application/pdf" if kind == "document" else "image/png",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        **extra,
    )
    attachment.file.save("upload", ContentFile(data), save=False)
    attachment.save()
    return attachment


# --- One entry ----------------------------------------------------------------------------


def detail_url(award, entry, suffix=""):
    return reverse(f"submissions_manage:{suffix or 'detail'}", args=[award.slug, entry.pk])


def test_detail_shows_every_field_of_the_entry_and_organisation(
    client, award, organiser, entry, organisation
):
    Organisation.objects.filter(pk=organisation.pk).update(
        legal_form="GmbH",
        street="Am Flugplatz 3",
        postal_code="12487",
        city="Berlin",
        website="https://red-arrow.example",
        founded_year=2019,
        contact_name="Olivia Owner",
        contact_email="olivia@red-arrow.example",
        contact_phone="+49 30 1234567",
    )
    Submission.objects.filter(pk=entry.pk).update(
        answers=standard_answers(award, video_url="https://video.example/frame")
    )
    client.force_login(organiser)

    response = client.get(detail_url(award, entry))

    html = response.content.decode()
    assert response.status_code == 200
    assert complete_entry_fields()["summary"] in html
    for key in ("description", "lightweight", "innovation", "future_potential"):
        assert STANDARD_ANSWERS[key] in html
    assert "TRL 7 – prototype demonstrated in an operational environment" in html
    assert "Six engineers and designers from Berlin." in html
    assert (
        '<li data-consent="consent_publication"><span aria-hidden="true">✔</span>'
        '<span class="visually-hidden">Given:</span> Publication if the entry wins</li>'
    ) in html
    assert '<strong data-testid="reference">LIA-2040-MOB-0007</strong>' in html
    # 10:15 UTC is 12:15 in Berlin; the deadline 16:00 UTC is 18:00.
    assert '<dd class="col-sm-8" data-testid="submitted-at">30 March 2040, 12:15 p.m.</dd>' in html
    assert "31 March 2040, 6:00 p.m." in html
    for text in ("GmbH", "Am Flugplatz 3", "12487 Berlin", "Start-up", "2019", "+49 30 1234567"):
        assert text in html
    # The website is text, not a link; the video link is a link.
    assert "https://red-arrow.example" in html
    assert 'href="https://red-arrow.example"' not in html
    assert (
        '<a href="https://video.example/frame" rel="noopener noreferrer nofollow" '
        'target="_blank">https://video.example/frame</a>'
    ) in html


def test_detail_escapes_text_and_never_links_a_javascript_address(
    client, award, organiser, entry, organisation
):
    Submission.objects.filter(pk=entry.pk).update(
        title=XSS_TITLE,
        answers=standard_answers(
            award,
            description='<script>alert(1)</script>\n<div data-hx-post="/x">',
            video_url="javascript:alert(1)",
        ),
    )
    Organisation.objects.filter(pk=organisation.pk).update(
        name=XSS_ORGANISATION, website="javascript:alert(2)"
    )
    client.force_login(organiser)

    html = client.get(detail_url(award, entry)).content.decode()

    assert XSS_TITLE not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;<br>&lt;div data-hx-post=&quot;/x&quot;&gt;" in html
    )
    assert '<a hx-get="/x">' not in html
    assert not ACTIVE_HX.search(html)
    assert 'href="javascript:' not in html
    assert '<span class="text-break">javascript:alert(1)</span>' in html
    assert ">javascript:alert(1)</a>" not in html


def test_detail_lists_files_with_links_and_thumbnails(client, award, organiser, entry):
    document = add_attachment(
        entry, name="Datenblatt <v2>.pdf", question=award.questions.get(key="documents")
    )
    image = add_attachment(
        entry, name="frame.png", kind="image", question=award.questions.get(key="images")
    )
    image.thumbnail.save("thumb", ContentFile(b"jpeg"), save=True)
    client.force_login(organiser)

    html = client.get(detail_url(award, entry)).content.decode()

    assert f'href="{reverse("submissions:attachment", args=[document.pk])}"' in html
    assert "Datenblatt &lt;v2&gt;.pdf" in html
    assert f'src="{reverse("submissions:thumbnail", args=[image.pk])}"' in html
    assert f'src="{reverse("submissions:thumbnail", args=[document.pk])}"' not in html
    # Each file in its slot.
    slots = answer_cells(html)
    assert "frame.png" in slots["images"]
    assert "Datenblatt &lt;v2&gt;.pdf" in slots["documents"]
    assert "frame.png" not in slots["documents"]


def answer_cells(html: str) -> dict[str, str]:
    """The organiser page's answer cells by question key."""
    cells = {}
    for part in html.split('<dd class="col-sm-8" data-answer="')[1:]:
        key, rest = part.split('"', 1)
        cells[key] = rest.split(">", 1)[1].split("</dd>", 1)[0]
    return cells


def section_headings(html: str) -> list[str]:
    answers = html.split('data-testid="answers"')[1].split("</section>")[0]
    return [
        part.split(">", 1)[1].split("</h3>")[0]
        for part in answers.split('<h3 class="h5 mt-3" data-testid="answer-section"')[1:]
    ]


def test_detail_shows_the_answers_in_the_forms_order_and_sections(client, award, organiser, entry):
    Submission.objects.filter(pk=entry.pk).update(answers=standard_answers(award))
    client.force_login(organiser)

    html = client.get(detail_url(award, entry)).content.decode()

    assert section_headings(html) == ["Assessment", "Team and video", "Documents and images"]
    answers = html.split('data-testid="answers"')[1].split("</section>")[0]
    keys = [part.split('"', 1)[0] for part in answers.split('data-question="')[1:]]
    assert keys == [
        "description",
        "lightweight",
        "innovation",
        "future_potential",
        "market_readiness",
        "team",
        "video_url",
        "images",
        "documents",
    ]
    cells = answer_cells(html)
    assert cells["video_url"].strip() == "–"
    assert "No files." in cells["documents"]


def test_detail_shows_a_hidden_questions_answer_marked_and_escaped(client, award, organiser, entry):
    patent = Question.objects.create(
        award=award,
        key="patent",
        kind="short_text",
        label_de="Patent",
        label_en='Patent <b onmouseover="alert(1)">number</b>',
        position=25,  # in the first section, after the description
        retired=True,
    )
    answers = standard_answers(award)
    answers[str(patent.pk)] = {"value": "<script>alert(1)</script> DE 10 2040", "version": 1}
    Submission.objects.filter(pk=entry.pk).update(answers=answers)
    client.force_login(organiser)

    html = client.get(detail_url(award, entry)).content.decode()

    cells = answer_cells(html)
    assert cells["patent"].strip() == (
        '<span class="text-break">&lt;script&gt;alert(1)&lt;/script&gt; DE 10 2040</span>'
    )
    label = html.split('data-question="patent">')[1].split("</dt>")[0]
    assert label.startswith("Patent &lt;b onmouseover=&quot;alert(1)&quot;&gt;number&lt;/b&gt;")
    assert "hidden for new entries" in label
    assert "<script>alert(1)</script>" not in html
    assert '<b onmouseover="alert(1)">' not in html


def test_detail_shows_questions_of_the_entrys_category_only(
    client, award, organiser, entry, construction
):
    only_construction = Question.objects.create(
        award=award, key="load", kind="number", label_de="Last", label_en="Load", position=5
    )
    only_construction.categories.set([construction])
    client.force_login(organiser)

    html = client.get(detail_url(award, entry)).content.decode()

    assert 'data-question="load"' not in html
    assert 'data-question="description"' in html


def test_detail_links_a_web_address_answer_only_when_it_is_one(client, award, organiser, entry):
    Submission.objects.filter(pk=entry.pk).update(
        answers=standard_answers(award, video_url="https://video.example/<frame>")
    )
    client.force_login(organiser)

    html = client.get(detail_url(award, entry)).content.decode()

    assert answer_cells(html)["video_url"].strip() == (
        '<span class="text-break"><a href="https://video.example/&lt;frame&gt;" '
        'rel="noopener noreferrer nofollow" target="_blank">'
        "https://video.example/&lt;frame&gt;</a></span>"
    )


def test_detail_lists_files_without_a_slot_apart(client, award, organiser, entry):
    add_attachment(entry, name="old-upload.pdf")
    client.force_login(organiser)

    html = client.get(detail_url(award, entry)).content.decode()

    assert "Further files" in section_headings(html)
    assert "old-upload.pdf" in answer_cells(html)[""]


def test_detail_of_a_draft_offers_no_eligibility_decision(
    client, award, organiser, mobility, organisation, applicant
):
    draft = SubmissionFactory(
        award=award, category=mobility, organisation=organisation, created_by=applicant
    )
    client.force_login(organiser)

    response = client.get(detail_url(award, draft))

    html = response.content.decode()
    assert response.context["eligibility_form"] is None
    assert "Only submitted entries can be checked." in html
    assert 'data-testid="extension-form"' in html


# --- Eligibility --------------------------------------------------------------------------


def test_organiser_declares_an_entry_eligible_and_the_members_are_told(
    client, award, organiser, entry, applicant, colleague
):
    client.force_login(organiser)

    response = client.post(detail_url(award, entry, "eligibility"), {"decision": "eligible"})

    assert response.status_code == 302
    assert response.url == detail_url(award, entry)
    entry.refresh_from_db()
    assert (entry.status, entry.eligibility_reason) == ("eligible", "")
    messages = Message.objects.filter(template_key="submission.eligibility").order_by(
        "recipient_email"
    )
    assert sorted(m.recipient_id for m in messages) == sorted([applicant.pk, colleague.pk])
    assert {m.award_id for m in messages} == {award.pk}
    page = client.get(response.url).content.decode()
    assert "The entry is now “Eligible”. The applicant has been informed by mail." in page
    assert AuditEntry.objects.filter(action="submission.eligibility", actor=organiser).count() == 1


def test_not_eligible_needs_a_reason(client, award, organiser, entry):
    client.force_login(organiser)

    response = client.post(
        detail_url(award, entry, "eligibility"), {"decision": "ineligible", "reason": "  "}
    )

    assert response.status_code == 200
    assert response.context["eligibility_form"].errors == {
        "reason": ["Say why the entry is not eligible."]
    }
    entry.refresh_from_db()
    assert entry.status == "submitted"
    assert not Message.objects.exists()


def test_not_eligible_with_reason_is_saved_and_sent(
    client, award, organiser, entry, applicant, colleague
):
    client.force_login(organiser)

    response = client.post(
        detail_url(award, entry, "eligibility"),
        {"decision": "ineligible", "reason": "The company is based in Munich."},
    )

    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.eligibility_reason) == (
        "ineligible",
        "The company is based in Munich.",
    )
    messages = Message.objects.filter(template_key="submission.eligibility")
    assert messages.count() == 2
    english = messages.get(recipient=applicant)
    assert "The company is based in Munich." in english.body_text
    page = client.get(detail_url(award, entry)).content.decode()
    assert "Reason given: The company is based in Munich." in page


def test_a_decision_can_be_changed(client, award, organiser, entry):
    client.force_login(organiser)
    url = detail_url(award, entry, "eligibility")
    client.post(url, {"decision": "ineligible", "reason": "Late documents."})

    response = client.post(url, {"decision": "eligible", "reason": "ignored"})

    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.eligibility_reason) == ("eligible", "")
    assert Message.objects.filter(template_key="submission.eligibility").count() == 2


def test_missing_decision_is_a_field_error(client, award, organiser, entry):
    client.force_login(organiser)

    response = client.post(detail_url(award, entry, "eligibility"), {"decision": "maybe"})

    assert response.status_code == 200
    assert list(response.context["eligibility_form"].errors) == ["decision"]
    entry.refresh_from_db()
    assert entry.status == "submitted"


def test_a_draft_cannot_be_declared_eligible(
    client, award, organiser, mobility, organisation, applicant
):
    draft = SubmissionFactory(
        award=award, category=mobility, organisation=organisation, created_by=applicant
    )
    client.force_login(organiser)

    response = client.post(detail_url(award, draft, "eligibility"), {"decision": "eligible"})

    assert response.status_code == 200
    assert response.context["eligibility_form"].non_field_errors() == [
        "An entry cannot go from “Draft” to “Eligible”."
    ]
    draft.refresh_from_db()
    assert draft.status == "draft"


# --- Individual deadline ------------------------------------------------------------------


def test_extension_is_typed_in_the_awards_time_zone(client, award, organiser, entry):
    client.force_login(organiser)

    response = client.post(detail_url(award, entry, "extension"), {"until": "2040-04-07T18:30"})

    assert response.status_code == 302
    entry.refresh_from_db()
    # 18:30 in Berlin in April (CEST, UTC+2) is 16:30 UTC.
    assert entry.deadline_extended_until == dt.datetime(2040, 4, 7, 16, 30, tzinfo=dt.UTC)
    page = client.get(response.url)
    html = page.content.decode()
    assert "This entry can now be changed until 7 April 2040, 6:30 p.m. (Europe/Berlin)." in html
    assert 'value="2040-04-07T18:30"' in html
    assert 'name="clear"' in html


def test_extension_in_another_zone_is_converted_from_that_zone(client, award, organiser, entry):
    award.timezone = "America/New_York"
    award.save()
    client.force_login(organiser)

    client.post(detail_url(award, entry, "extension"), {"until": "2040-04-07T18:30"})

    entry.refresh_from_db()
    assert entry.deadline_extended_until == dt.datetime(2040, 4, 7, 22, 30, tzinfo=dt.UTC)


def test_extension_before_the_general_deadline_is_refused(client, award, organiser, entry):
    client.force_login(organiser)

    response = client.post(detail_url(award, entry, "extension"), {"until": "2040-03-31T17:00"})

    assert response.status_code == 200
    assert response.context["extension_form"].errors == {
        "until": ["An extension must end after the general deadline."]
    }
    assert 'value="2040-03-31T17:00"' in response.content.decode()
    entry.refresh_from_db()
    assert entry.deadline_extended_until is None


def test_extension_at_a_time_that_does_not_exist_is_refused(client, award, organiser, entry):
    client.force_login(organiser)

    # On 25 March 2040 the clocks in Berlin go from 02:00 to 03:00.
    award.submissions_close_at = dt.datetime(2040, 3, 20, 12, 0, tzinfo=dt.UTC)
    award.save()
    response = client.post(detail_url(award, entry, "extension"), {"until": "2040-03-25T02:30"})

    assert response.status_code == 200
    assert (
        response.context["extension_form"]
        .errors["until"][0]
        .startswith("25 March 2040, 2:30 a.m. does not exist in the time zone Europe/Berlin")
    )


@pytest.mark.parametrize("value", ["", "tomorrow", "2040-13-01T10:00"])
def test_extension_without_a_valid_time_is_refused(client, award, organiser, entry, value):
    client.force_login(organiser)

    response = client.post(detail_url(award, entry, "extension"), {"until": value})

    assert response.status_code == 200
    assert list(response.context["extension_form"].errors) == ["until"]
    entry.refresh_from_db()
    assert entry.deadline_extended_until is None


def test_extension_can_be_removed(client, award, organiser, entry):
    Submission.objects.filter(pk=entry.pk).update(
        deadline_extended_until=dt.datetime(2040, 4, 7, 16, 30, tzinfo=dt.UTC)
    )
    client.force_login(organiser)

    response = client.post(detail_url(award, entry, "extension"), {"clear": "1", "until": ""})

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.deadline_extended_until is None
    html = client.get(response.url).content.decode()
    assert "The individual deadline has been removed." in html
    assert 'name="clear"' not in html
    assert AuditEntry.objects.filter(action="submission.deadline_extended").count() == 1


def test_history_lists_the_entrys_changes(client, award, organiser, entry):
    client.force_login(organiser)
    client.post(detail_url(award, entry, "eligibility"), {"decision": "eligible"})
    client.post(detail_url(award, entry, "extension"), {"until": "2040-04-07T18:30"})

    response = client.get(detail_url(award, entry))

    assert [row["label"] for row in response.context["history"]] == [
        "Individual deadline changed",
        "Eligibility decided",
    ]
    assert "Oda Organiser" in response.content.decode()
