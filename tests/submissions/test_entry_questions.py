"""The award's own questions on the applicant's pages: every kind through the edit page and
autosave, bad input (unknown ids, wrong types, values outside the definition, hidden answers),
file slots, categories, retired questions, hostile text, the query count and both languages."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from submissions import services
from tests.factories import AwardFactory, CategoryFactory, SubmissionFactory, answer_of
from tests.helpers import login, png_bytes
from tests.submissions.helpers import HOSTILE, HOSTILE_ESCAPED, form_data, make_complete

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CHOICES = [
    {"value": "granted", "de": "erteilt", "en": "granted"},
    {"value": "pending", "de": "angemeldet", "en": "pending"},
    {"value": "none", "de": "keines", "en": "none"},
]


def ask(award, kind, key, label="", **fields):
    """A question at the end of ``award``'s form."""
    return services.question_create(
        award=award,
        actor=None,
        kind=kind,
        key=key,
        label_de=label or key,
        label_en=label or key,
        **fields,
    )


def edit_url(entry):
    return reverse("submissions:edit", kwargs={"pk": entry.pk})


def save(client, entry, **values):
    """The edit page's explicit save with ``values`` by field name."""
    entry.refresh_from_db()
    return client.post(edit_url(entry), form_data(entry, **values))


def autosave(client, entry, **values):
    entry.refresh_from_db()
    return client.post(
        reverse("submissions:autosave", kwargs={"pk": entry.pk}),
        form_data(entry, **values),
        headers={"Accept": "application/json"},
    )


# --- Every kind, through the page and autosave ---------------------------------------------

KINDS = [
    # kind, definition, posted, stored, shown on the overview
    ("short_text", {}, "Flax", "Flax", "Flax"),
    ("long_text", {"max_length": 500}, "Line one\nline two", "Line one\nline two", "Line one<br>"),
    ("number", {"unit": "kg", "decimals": 1}, "12.5", "12.5", "12.5 kg"),
    ("money", {}, "1500.50", "1500.50", "1,500.50 EUR"),
    ("date", {}, "2040-01-15", "2040-01-15", "15 January 2040"),
    ("choice", {"choices": CHOICES}, "pending", "pending", "pending"),
    ("multiple", {"choices": CHOICES}, ["granted", "none"], ["granted", "none"], "granted, none"),
    ("yes_no", {}, "yes", True, "Yes"),
    ("url", {}, "https://flax.example/frame", "https://flax.example/frame", "flax.example"),
    ("email", {}, "lena@flax.example", "lena@flax.example", "lena@flax.example"),
]


@pytest.mark.parametrize(("kind", "definition", "posted", "stored", "shown"), KINDS)
def test_each_kind_round_trips_through_the_edit_page(
    client, people, entry, kind, definition, posted, stored, shown
):
    question = ask(entry.award, kind, "extra", label="Extra question", **definition)
    login(client, people["member"])

    response = save(client, entry, **{question.field_name: posted})

    assert response.status_code == 302
    entry.refresh_from_db()
    assert answer_of(entry, "extra") == stored
    assert entry.answers[str(question.pk)]["version"] == question.version
    page = client.get(edit_url(entry)).content.decode()
    assert f'data-question="{question.pk}"' in page
    overview = client.get(reverse("submissions:detail", kwargs={"pk": entry.pk})).content.decode()
    answer = re.search(r'data-question="extra">(.*?)</dd>', overview, re.S).group(1)
    assert shown in answer


@pytest.mark.parametrize(("kind", "definition", "posted", "stored", "shown"), KINDS)
def test_each_kind_round_trips_through_autosave(
    client, people, entry, kind, definition, posted, stored, shown
):
    question = ask(entry.award, kind, "extra", **definition)
    login(client, people["member"])

    response = autosave(client, entry, **{question.field_name: posted})

    assert response.status_code == 200
    entry.refresh_from_db()
    assert answer_of(entry, "extra") == stored


def test_the_edit_page_shows_each_kind_with_its_control(client, people, entry):
    award = entry.award
    number = ask(award, "number", "weight", unit="kg", help_en="Frame only.")
    money = ask(award, "money", "budget")
    date = ask(award, "date", "founded")
    choice = ask(award, "choice", "patent", choices=CHOICES, required=True)
    multiple = ask(award, "multiple", "markets", choices=CHOICES)
    yes_no = ask(award, "yes_no", "funded")
    long_text = ask(award, "long_text", "story", max_length=800)
    login(client, people["member"])

    html = client.get(edit_url(entry)).content.decode()

    # The unit and the award's currency after the input.
    assert re.search(
        rf'name="{number.field_name}"[^>]*>\s*<span class="input-group-text">kg</span>', html
    )
    assert re.search(
        rf'name="{money.field_name}"[^>]*>\s*<span class="input-group-text">EUR</span>', html
    )
    assert f'type="date" name="{date.field_name}"' in html
    assert f'<select name="{choice.field_name}"' in html
    assert len(re.findall(rf'type="checkbox"[^>]*name="{multiple.field_name}"', html)) == 3
    assert len(re.findall(rf'type="radio"[^>]*name="{yes_no.field_name}"', html)) == 2
    assert 'data-counter="800"' in html and f'name="{long_text.field_name}"' in html
    # Required: a star to see, the word for screen readers.
    assert re.search(
        r'patent<span class="text-danger" aria-hidden="true"> \*</span>'
        r'<span class="visually-hidden"> \(required\)</span>',
        html,
    )
    assert "Frame only." in html
    assert '<script src="/static/js/questions.js" defer></script>' in html
    assert 'data-msg-counter="{count} / {limit} characters"' in html


# --- Bad input -------------------------------------------------------------------------------


def test_unknown_question_ids_in_a_post_are_not_stored(client, people, entry, award):
    foreign_award = AwardFactory(status="open")
    foreign = ask(foreign_award, "short_text", "secret")
    login(client, people["member"])

    response = save(
        client, entry, q999999="injected", **{foreign.field_name: "injected too"}, summary="Mine"
    )

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.summary == "Mine"
    assert "999999" not in entry.answers
    assert str(foreign.pk) not in entry.answers
    assert "injected" not in entry.answers_text


def test_a_question_of_another_category_is_not_stored(client, people, entry, award):
    other = CategoryFactory(award=award, code="CON")
    elsewhere = ask(award, "short_text", "site", categories=[other])
    login(client, people["member"])

    save(client, entry, **{elsewhere.field_name: "injected"})

    entry.refresh_from_db()
    assert str(elsewhere.pk) not in entry.answers


@pytest.mark.parametrize(
    ("kind", "definition", "posted", "message"),
    [
        ("number", {}, "twelve", "Enter a number."),
        ("date", {}, "2040-02-31", "Enter a valid date."),
        ("email", {}, "lena.flax.example", "Enter a valid email address."),
        ("url", {}, "not a web address", "Enter a valid URL."),
        (
            "choice",
            {"choices": CHOICES},
            "revoked",
            "Select a valid choice. revoked is not one of the available choices.",
        ),
        (
            "multiple",
            {"choices": CHOICES},
            ["granted", "revoked"],
            "Select a valid choice. revoked is not one of the available choices.",
        ),
        (
            "short_text",
            {"max_length": 10},
            "x" * 11,
            "Ensure this value has at most 10 characters (it has 11).",
        ),
        (
            "number",
            {"min_value": 1, "max_value": 100},
            "101",
            "Ensure this value is less than or equal to 100.",
        ),
        (
            "number",
            {"min_value": 1, "max_value": 100},
            "0",
            "Ensure this value is greater than or equal to 1.",
        ),
    ],
)
def test_a_wrong_value_is_refused_at_its_field_and_nothing_is_saved(
    client, people, entry, kind, definition, posted, message
):
    question = ask(entry.award, kind, "extra", **definition)
    login(client, people["member"])

    page = save(client, entry, summary="Kept", **{question.field_name: posted})
    saved = autosave(client, entry, summary="Kept", **{question.field_name: posted})

    assert page.status_code == 200
    assert page.context["form"].errors == {question.field_name: [message]}
    assert saved.status_code == 400
    assert saved.json()["errors"] == {question.field_name: [message]}
    entry.refresh_from_db()
    assert (entry.summary, entry.version, answer_of(entry, "extra")) == ("", 1, None)


@pytest.fixture
def patent(award):
    """A yes/no "Patent?" and a "Patent number" shown only if it is answered yes."""
    asked = ask(award, "yes_no", "patent", label="Patent?")
    number = ask(
        award,
        "short_text",
        "patent_number",
        label="Patent number",
        show_if=asked,
        show_if_values=["yes"],
    )
    return asked, number


def test_the_answer_to_a_hidden_question_is_discarded_even_when_posted(
    client, people, entry, patent
):
    asked, number = patent
    login(client, people["member"])

    save(client, entry, **{asked.field_name: "no", number.field_name: "EP 123"})
    entry.refresh_from_db()
    assert (answer_of(entry, "patent"), answer_of(entry, "patent_number")) == (False, None)

    save(client, entry, **{asked.field_name: "yes", number.field_name: "EP 123"})
    entry.refresh_from_db()
    assert answer_of(entry, "patent_number") == "EP 123"

    # Answered "no" later: the number goes, also through autosave.
    autosave(client, entry, **{asked.field_name: "no", number.field_name: "EP 123"})
    entry.refresh_from_db()
    assert answer_of(entry, "patent_number") is None


def test_a_hidden_question_is_not_checked(client, people, entry, award):
    asked = ask(award, "yes_no", "patent")
    number = ask(award, "number", "claims", show_if=asked, show_if_values=["yes"], max_value=10)
    login(client, people["member"])

    response = save(client, entry, **{asked.field_name: "no", number.field_name: "many"})

    assert response.status_code == 302
    entry.refresh_from_db()
    assert answer_of(entry, "claims") is None


def test_the_edit_page_carries_the_conditions_for_the_script(client, people, entry, patent):
    asked, number = patent
    login(client, people["member"])

    html = client.get(edit_url(entry)).content.decode()

    assert (
        f'data-question="{number.pk}" data-kind="short_text" data-show-if="{asked.pk}" '
        'data-show-if-values="[&quot;yes&quot;]"'
    ) in html
    assert f'data-question="{asked.pk}" data-kind="yes_no" data-show-if="" ' in html


def test_a_required_question_behind_an_unmet_condition_is_not_missing(entry, patent):
    asked, number = patent
    number.required = True
    number.save()
    make_complete(entry)

    assert number.field_name not in services.missing_items(entry)
    entry.answers[str(asked.pk)] = {"value": True, "version": 1}
    entry.save()
    assert services.missing_items(entry)[number.field_name] == ["Answer “Patent number”."]


# --- File slots -----------------------------------------------------------------------------


def upload(client, entry, slot, name, content, content_type, **extra):
    return client.post(
        reverse("submissions:attachment_upload", kwargs={"pk": entry.pk}),
        {"files": SimpleUploadedFile(name, content, content_type), "question": slot, **extra},
        headers={"Accept": "application/json"},
    )


def test_a_required_file_slot_left_empty_is_missing_at_submit(client, people, entry, award):
    plan = ask(
        award, "file", "site_plan", label="Site plan", file_kinds=["document"], required=True
    )
    entry = make_complete(entry)
    login(client, people["member"])

    response = client.post(
        reverse("submissions:submit", kwargs={"pk": entry.pk}), {"version": entry.version}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        f'<li data-field="{plan.field_name}"><a href="/submissions/{entry.pk}/edit/'
        f'#slot-{plan.pk}">Add a file to “Site plan”.</a></li>'
    ) in html
    entry.refresh_from_db()
    assert entry.status == "draft"


def test_a_file_goes_into_the_slot_it_was_uploaded_to(client, people, entry, award):
    extra = ask(award, "file", "press", label="Press pictures", file_kinds=["image"])
    login(client, people["member"])

    response = upload(client, entry, extra.pk, "press.png", png_bytes(), "image/png")

    assert response.status_code == 201
    assert response.json()["attachment"]["question"] == extra.pk
    assert entry.attachments.get().question == extra
    html = client.get(edit_url(entry)).content.decode()
    slot = re.search(rf'id="slot-{extra.pk}".*?data-upload-progress', html, re.S).group(0)
    assert "press.png" in slot
    assert f'form="delete-{entry.attachments.get().pk}"' in slot


def test_a_slot_refuses_a_kind_it_does_not_take_naming_the_slot(client, people, entry, award):
    images = award.questions.get(key="images")
    login(client, people["member"])

    response = upload(client, entry, images.pk, "plan.pdf", PDF, "application/pdf")

    assert response.status_code == 400
    assert response.json()["error"] == (
        "“plan.pdf” was not added: “Images of the innovation” takes only: Image."
    )
    assert not entry.attachments.exists()


def test_a_slot_takes_at_most_its_number_of_files(client, people, entry, award):
    logo = ask(award, "file", "logo", label="Logo", file_kinds=["image"], max_files=1)
    login(client, people["member"])

    first = upload(client, entry, logo.pk, "logo.png", png_bytes(), "image/png")
    second = upload(client, entry, logo.pk, "logo2.png", png_bytes(), "image/png")

    assert first.status_code == 201
    assert second.status_code == 400
    assert second.json()["error"] == (
        "“logo2.png” was not added: “Logo” takes at most 1 file; remove one first."
    )
    assert entry.attachments.count() == 1
    html = client.get(edit_url(entry)).content.decode()
    limits = re.search(rf'id="slot-limits-{logo.pk}"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert " ".join(limits.split()) == "Image up to 10 MB. At most 1 file."


@pytest.mark.parametrize("target", ["unknown", "other award", "text question"])
def test_an_upload_to_a_slot_of_no_such_form_is_refused(client, people, entry, award, target):
    slot = {
        "unknown": lambda: 999999,
        "other award": lambda: ask(AwardFactory(), "file", "x", file_kinds=["image"]).pk,
        "text question": lambda: award.questions.get(key="team").pk,
    }[target]()
    login(client, people["member"])

    response = upload(client, entry, slot, "photo.png", png_bytes(), "image/png")
    plain = client.post(
        reverse("submissions:attachment_upload", kwargs={"pk": entry.pk}),
        {"files": SimpleUploadedFile("photo.png", png_bytes(), "image/png"), "question": slot},
        follow=True,
    )

    message = "This file field is not part of the entry's form. Please reload the page."
    assert (response.status_code, response.json()) == (400, {"error": message})
    assert message.replace("'", "&#x27;") in plain.content.decode()
    assert not entry.attachments.exists()


def test_without_javascript_a_slot_posts_its_files_and_comes_back_to_it(
    client, people, entry, award
):
    documents = award.questions.get(key="documents")
    login(client, people["member"])

    response = client.post(
        reverse("submissions:attachment_upload", kwargs={"pk": entry.pk}),
        {"files": SimpleUploadedFile("plan.pdf", PDF), "question": documents.pk},
    )

    assert response["Location"] == f"{edit_url(entry)}#slot-{documents.pk}"
    assert entry.attachments.get().question == documents


# --- Categories and retired questions ------------------------------------------------------


def test_a_category_question_is_asked_only_in_its_category(client, people, entry, award):
    other = CategoryFactory(award=award, code="CON")
    mine = ask(award, "short_text", "mine", label="Vehicle type", categories=[entry.category])
    theirs = ask(award, "short_text", "theirs", label="Building type", categories=[other])
    login(client, people["member"])

    html = client.get(edit_url(entry)).content.decode()

    assert f'name="{mine.field_name}"' in html and "Vehicle type" in html
    assert f'name="{theirs.field_name}"' not in html and "Building type" not in html


def test_a_retired_question_is_hidden_for_new_entries_but_kept_for_those_that_answered(
    client, people, entry, award, organisation
):
    old = ask(award, "short_text", "old", label="Former question")
    login(client, people["member"])
    save(client, entry, **{old.field_name: "My old answer"})
    services.question_retire(question=old, actor=None, retired=True)
    new_entry = SubmissionFactory(
        award=award, category=entry.category, organisation=organisation, created_by=people["member"]
    )

    fresh = client.get(edit_url(new_entry)).content.decode()
    answered = client.get(edit_url(entry)).content.decode()

    assert f'name="{old.field_name}"' not in fresh
    assert f'name="{old.field_name}"' in answered and "My old answer" in answered
    save(client, entry, **{old.field_name: "Changed"})
    entry.refresh_from_db()
    assert answer_of(entry, "old") == "Changed"
    overview = client.get(reverse("submissions:detail", kwargs={"pk": entry.pk})).content.decode()
    assert "Former question" in overview and "Changed" in overview


# --- Hostile text ---------------------------------------------------------------------------


def test_html_in_labels_help_choices_and_answers_is_inert_everywhere(
    client, people, entry, award, monkeypatch
):
    ask(award, "section", "hostile_section", label=HOSTILE, help_en=HOSTILE)
    hostile_choice = ask(
        award,
        "choice",
        "hostile_choice",
        label=HOSTILE,
        help_en=HOSTILE,
        choices=[{"value": "a", "de": HOSTILE, "en": HOSTILE}],
    )
    text = ask(award, "long_text", "hostile_text", label=HOSTILE, help_en=HOSTILE)
    ask(award, "file", "hostile_slot", label=HOSTILE, help_en=HOSTILE, file_kinds=["image"])
    login(client, people["member"])
    save(client, entry, **{hostile_choice.field_name: "a", text.field_name: HOSTILE})
    entry.refresh_from_db()
    assert answer_of(entry, "hostile_text") == HOSTILE

    pages = [
        client.get(edit_url(entry)),
        client.get(reverse("submissions:detail", kwargs={"pk": entry.pk})),
        client.get(reverse("submissions:print", kwargs={"pk": entry.pk})),
    ]

    for response in pages:
        html = response.content.decode()
        assert HOSTILE_ESCAPED in html, response.request["PATH_INFO"]
        assert "<script>alert" not in html
        assert 'href="javascript:' not in html
        assert not re.search(r"<[^>]*\s(data-)?hx-", html)
    # In the PDF, text is printed as text (the core font keeps it readable here).
    from submissions import pdf

    monkeypatch.setattr(pdf, "FONT_DIRS", ())
    document = client.get(reverse("submissions:pdf", kwargs={"pk": entry.pk})).content
    from tests.submissions.test_entry_overview import pdf_text_contains

    assert pdf_text_contains(document, "<script>alert")


def test_a_web_address_answer_is_a_link_only_when_it_is_http(client, people, entry, award):
    from tests.factories import standard_answers

    entry.answers = standard_answers(award, video_url="javascript:alert(1)")
    entry.save()
    login(client, people["organiser"])

    html = client.get(reverse("submissions:print", kwargs={"pk": entry.pk})).content.decode()

    assert 'href="javascript:' not in html
    assert re.search(r'data-question="video_url">\s*javascript:alert\(1\)\s*</dd>', html)


# --- Query count and languages ---------------------------------------------------------------


def _queries(client, entry) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(edit_url(entry)).status_code == 200
    return len(captured)


def test_the_edit_page_runs_the_same_queries_for_3_and_30_questions(client, people, entry, award):
    make_complete(entry)
    login(client, people["member"])
    for n in range(3):
        ask(award, "short_text", f"few_{n}")
    client.get(edit_url(entry))
    few = _queries(client, entry)

    asked = ask(award, "yes_no", "gate")
    for n in range(24):
        ask(award, "choice", f"many_{n}", choices=CHOICES, show_if=asked, show_if_values=["yes"])
    ask(award, "file", "more_files", file_kinds=["document"])
    client.get(edit_url(entry))  # the changed form is read again, once

    assert _queries(client, entry) == few


def test_labels_and_help_switch_with_the_language(client, people, entry, award):
    services.question_create(
        award=award,
        actor=None,
        kind="short_text",
        key="site",
        label_de="Standort",
        label_en="Location",
        help_de="Stadt und Land",
        help_en="City and country",
    )
    member = people["member"]
    login(client, member)

    english = client.get(edit_url(entry)).content.decode()
    member.preferred_language = "de"
    member.save()
    german = client.get(edit_url(entry), HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert "Location" in english and "City and country" in english
    assert "Standort" not in english
    assert "Standort" in german and "Stadt und Land" in german


def test_money_is_shown_in_the_awards_currency(client, people, entry, award):
    award.currency = "CHF"
    award.save()
    budget = ask(award, "money", "budget")
    login(client, people["member"])
    save(client, entry, **{budget.field_name: "2500"})

    html = client.get(reverse("submissions:detail", kwargs={"pk": entry.pk})).content.decode()

    assert re.search(r'data-question="budget">\s*2,500.00 CHF\s*</dd>', html)


def test_a_stale_save_shows_the_other_persons_answer_to_a_question(client, people, entry, award):
    budget = ask(award, "number", "employees")
    services.submission_update(
        submission=entry,
        actor=people["colleague"],
        expected_version=1,
        answers={budget.pk: 12},
    )
    login(client, people["member"])

    response = client.post(
        edit_url(entry), {**form_data(entry), budget.field_name: "7", "version": 1}
    )

    html = response.content.decode()
    assert response.status_code == 409
    box = re.search(
        rf'data-conflict-for="{budget.field_name}">(.*?)</div>\s*</div>', html, re.S
    ).group(1)
    assert "“employees” as the other person saved it:" in box
    assert re.search(r'data-slot="theirs">12</div>', box + "</div>")


def test_the_sections_render_as_a_preview_of_an_unsaved_entry(award, category):
    from django.template.loader import render_to_string

    from submissions.forms.entries import EntryForm
    from submissions.models import Submission
    from submissions.questions import FormQuestions
    from submissions.selectors import form_questions_of

    ask(award, "short_text", "hostile", label=HOSTILE)
    unsaved = Submission(award=award, category=category)
    form = EntryForm(
        instance=unsaved,
        form_questions=FormQuestions.of(form_questions_of(award.pk), category_id=category.pk),
    )

    html = render_to_string("submissions/_form_sections.html", {"form": form, "preview": True})

    images = award.questions.get(key="images")
    slot = re.search(rf'id="slot-{images.pk}".*?</div>', html, re.S).group(0)
    assert f'id="preview-file-{images.pk}" disabled' in slot
    assert 'name="files"' not in html and "form=" not in html
    assert HOSTILE_ESCAPED in html and "<script>alert" not in html
