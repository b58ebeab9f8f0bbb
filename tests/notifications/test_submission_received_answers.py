"""The confirmation mail of a submitted entry lists its answers ("question: answer" in words),
in each recipient's language, in the form's order; user text stays text in the HTML part."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from notifications.catalogue import MAIL_TYPES
from notifications.models import Message
from submissions import services
from submissions.models import Question
from tests.factories import (
    MembershipFactory,
    SubmissionFactory,
    UserFactory,
    complete_entry_fields,
    standard_answers,
)
from tests.helpers import png_bytes

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert(1)</script><a href="https://evil.example" hx-get="/x">x</a>'


def submitted_entry(**answers):
    """A complete entry of an organisation with a German and an English member, submitted;
    the award's form has the standard questions and a money question at the end."""
    entry = SubmissionFactory(title="Flax frame")
    entry.created_by.preferred_language = "de"
    entry.created_by.save(update_fields=["preferred_language"])
    colleague = UserFactory(preferred_language="en")
    MembershipFactory(organisation=entry.organisation, user=colleague)
    budget = Question.objects.create(
        award=entry.award, position=1000, kind="money", key="budget", label_de="Budget"
    )
    for name, value in complete_entry_fields().items():
        setattr(entry, name, value)
    entry.answers = {
        **standard_answers(entry.award, **answers),
        str(budget.pk): {"value": "12500.50", "version": 1},
    }
    entry.save()
    services.attachment_add(
        submission=entry,
        actor=entry.created_by,
        upload=SimpleUploadedFile("frame.png", png_bytes(), "image/png"),
    )
    entry.refresh_from_db()
    services.submission_submit(
        submission=entry, actor=entry.created_by, expected_version=entry.version
    )
    return entry, entry.created_by, colleague


def mail_to(user) -> Message:
    return Message.objects.get(template_key="submission.received", recipient=user)


def test_the_confirmation_lists_the_answers_in_each_recipients_language_in_form_order():
    _entry, german, english = submitted_entry()

    de, en = mail_to(german).body_text, mail_to(english).body_text

    de_lines = [
        "Beschreibung der Innovation: Woven flax and bio-resin, pressed in one piece.",
        "Was die Innovation zum Leichtbau macht: 1.1 kg instead of 1.8 kg; 30 % less energy "
        "in production.",
        "Marktreife: TRL 7 – Prototyp im Einsatz demonstriert",
        "Team: Six engineers and designers from Berlin.",
        "Budget: 12.500,50 EUR",
    ]
    en_lines = [
        "Description of the innovation: Woven flax and bio-resin, pressed in one piece.",
        "What makes it lightweight: 1.1 kg instead of 1.8 kg; 30 % less energy in production.",
        "Market readiness: TRL 7 – prototype demonstrated in an operational environment",
        "Team: Six engineers and designers from Berlin.",
        # A question without an English label is asked in German in both languages.
        "Budget: 12,500.50 EUR",
    ]
    assert "Ihre Angaben:\n" + de_lines[0] in de
    assert "Your answers:\n" + en_lines[0] in en
    assert [de.index(line) for line in de_lines] == sorted(de.index(line) for line in de_lines)
    assert [en.index(line) for line in en_lines] == sorted(en.index(line) for line in en_lines)
    # Unanswered questions (the video link) and file slots are not listed as answers.
    assert "Video" not in de and "Video link" not in en
    assert "Bilder der Innovation:" not in de
    assert "Dateien: frame.png" in de and "Files: frame.png" in en


def test_hostile_answers_stay_text_in_the_html_part():
    _entry, _german, english = submitted_entry(team=HOSTILE)

    message = mail_to(english)

    assert f"Team: {HOSTILE}" in message.body_text
    assert "<script>" not in message.body_html
    assert '<a href="https://evil.example"' not in message.body_html
    assert 'hx-get="' not in message.body_html
    assert "Team: &lt;script&gt;alert(1)&lt;/script&gt;&lt;a href=&quot;" in message.body_html


def test_both_default_texts_carry_the_answers_placeholder():
    mail = MAIL_TYPES["submission.received"]

    assert "answers" in mail.allowed
    assert "{{ answers }}" in mail.body["de"] and "{{ answers }}" in mail.body["en"]
    assert mail.sample_values()["answers"].startswith("Market readiness: TRL 7")
