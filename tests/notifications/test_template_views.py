"""The award's mail templates (/manage/<slug>/messages/templates/…): the default or own
wording per language, saving and replacing it, refused placeholders at their field, a preview
that saves nothing, and resetting to the default."""

import pytest
from django.urls import reverse

from awards.models import AuditEntry, Award
from notifications.catalogue import COMMON, EDITABLE_KEYS, MAIL_TYPES
from notifications.models import MailTemplate
from tests.factories import AwardFactory
from tests.notifications.helpers import KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def award():
    return AwardFactory(name="Lightweight Innovation Award", edition=2027, slug="lia-2027")


DEFAULT_EN = MAIL_TYPES[KEY]


# --- mail templates ---------------------------------------------------------------------


def edit_url(award: Award, key: str = KEY, language: str = "en") -> str:
    return reverse(
        "notifications:template_edit",
        kwargs={"slug": award.slug, "key": key, "language": language},
    )


def test_template_list_shows_default_or_own_wording_per_language(client, award, organiser):
    MailTemplate.objects.create(
        award=award, key="jury.reminder", language="de", subject="S", body="B"
    )
    client.force_login(organiser)

    response = client.get(reverse("notifications:templates", kwargs={"slug": award.slug}))

    rows = response.context["rows"]
    assert [row["key"] for row in rows] == EDITABLE_KEYS
    assert {
        (row["key"], lang["code"]): lang["override"] for row in rows for lang in row["languages"]
    } == {
        (key, code): key == "jury.reminder" and code == "de"
        for key in EDITABLE_KEYS
        for code in ("de", "en")
    }
    html = response.content.decode()
    assert "Reminder of open reviews" in html
    assert f'href="{edit_url(award, "jury.reminder", "de")}"' in html


def test_template_form_is_filled_with_the_default_wording(client, award, organiser):
    client.force_login(organiser)

    response = client.get(edit_url(award))

    form = response.context["form"]
    assert (form["subject"].value(), form["body"].value()) == (
        DEFAULT_EN.subject["en"],
        DEFAULT_EN.body["en"],
    )
    html = response.content.decode()
    for name in (*COMMON, *DEFAULT_EN.placeholders):
        assert f"<dt><code>{{{{ {name} }}}}</code></dt>" in html
    assert "<dd>the submission deadline</dd>" in html
    assert 'data-testid="reset"' not in html


def test_template_form_is_filled_with_the_award_s_own_wording(client, award, organiser):
    MailTemplate.objects.create(
        award=award, key=KEY, language="de", subject="Danke {{ reference }}", body="Danke!"
    )
    client.force_login(organiser)

    response = client.get(edit_url(award, language="de"))

    form = response.context["form"]
    assert (form["subject"].value(), form["body"].value()) == ("Danke {{ reference }}", "Danke!")
    assert 'data-testid="reset"' in response.content.decode()


def test_organiser_saves_the_wording(client, award, organiser):
    client.force_login(organiser)
    body = "Dear {{ recipient_name }},\n\nwe have your entry {{ reference }}."

    response = client.post(
        edit_url(award), {"subject": "Got {{ reference }}", "body": body, "action": "save"}
    )

    assert response.status_code == 302
    assert response.url == reverse("notifications:templates", kwargs={"slug": award.slug})
    template = MailTemplate.objects.get()
    assert (template.award, template.key, template.language, template.subject, template.body) == (
        award,
        KEY,
        "en",
        "Got {{ reference }}",
        body,
    )
    assert template.updated_by == organiser
    entry = AuditEntry.objects.get(award=award)
    assert (entry.action, entry.actor, entry.object_id) == (
        "mail_template.saved",
        organiser,
        str(template.pk),
    )
    assert entry.data == {
        "key": KEY,
        "language": "en",
        "before": {"subject": DEFAULT_EN.subject["en"], "body": DEFAULT_EN.body["en"]},
        "after": {"subject": "Got {{ reference }}", "body": body},
    }


def test_saving_again_replaces_the_wording(client, award, organiser):
    MailTemplate.objects.create(award=award, key=KEY, language="en", subject="Old", body="Old")
    client.force_login(organiser)

    client.post(edit_url(award), {"subject": "New", "body": "New text", "action": "save"})

    assert list(MailTemplate.objects.values_list("subject", "body")) == [("New", "New text")]
    assert AuditEntry.objects.get().data["before"] == {"subject": "Old", "body": "Old"}


def test_saving_unchanged_wording_records_nothing(client, award, organiser):
    MailTemplate.objects.create(award=award, key=KEY, language="en", subject="Same", body="Same")
    client.force_login(organiser)

    response = client.post(edit_url(award), {"subject": "Same", "body": "Same", "action": "save"})

    assert response.status_code == 302
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            "Hello {{ foo }}",
            "Unknown placeholder {{ foo }}. Allowed: answers, award_name, category, deadline, "
            "files, organiser_name, recipient_name, reference, submission_title, "
            "submission_url, submitted_at, summary.",
        ),
        (
            "Your password: {{ user.password }}",
            "“{{ user.password }}” is not a placeholder: only plain names such as "
            "{{ award_name }}.",
        ),
        (
            "{% load x %}Hello",
            "Template tags and comments ({% … %}, {# … #}) are not allowed; use placeholders.",
        ),
    ],
)
@pytest.mark.parametrize("action", ["save", "preview"])
def test_a_template_with_something_but_placeholders_is_refused(
    client, award, organiser, body, error, action
):
    client.force_login(organiser)

    response = client.post(edit_url(award), {"subject": "Hi", "body": body, "action": action})

    assert response.status_code == 200
    assert response.context["form"].errors == {"body": [error]}
    assert response.context["preview"] is None
    html = response.content.decode()
    assert 'id="error_1_id_body"' in html
    assert MailTemplate.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_an_unknown_placeholder_in_the_subject_is_shown_at_the_subject(client, award, organiser):
    client.force_login(organiser)

    response = client.post(
        edit_url(award, "jury.reminder"),
        {"subject": "{{ reference }}", "body": "Hello", "action": "save"},
    )

    assert response.context["form"].errors == {
        "subject": [
            "Unknown placeholder {{ reference }}. Allowed: award_name, dashboard_url, "
            "jury_deadline, open_reviews, organiser_name, recipient_name."
        ]
    }
    assert MailTemplate.objects.count() == 0


def test_preview_renders_sample_values_escaped_and_saves_nothing(client, award, organiser):
    client.force_login(organiser)

    response = client.post(
        edit_url(award),
        {
            "subject": "Received: {{ submission_title }}",
            "body": "Dear {{ recipient_name }},\n\n“{{ submission_title }}”: {{ submission_url }}",
            "action": "preview",
        },
    )

    assert response.status_code == 200
    assert response.context["preview"]["subject"] == (
        "Received: Carbon bicycle frame <b>made in Berlin</b>"
    )
    html = response.content.decode()
    assert (
        '<dd class="col-sm-10" data-testid="preview-subject">Received: Carbon bicycle frame '
        "&lt;b&gt;made in Berlin&lt;/b&gt;</dd>"
    ) in html
    assert (
        'data-testid="preview-text">Dear Erika Mustermann,\n\n“Carbon bicycle frame '
        "&lt;b&gt;made in Berlin&lt;/b&gt;”: https://laurel.example/submission/</pre>"
    ) in html
    # The HTML part escapes the title itself, and the page escapes the whole part again.
    assert "&amp;lt;b&amp;gt;made in Berlin&amp;lt;/b&amp;gt;" in html
    assert "<b>made in Berlin</b>" not in html
    assert response.context["form"]["subject"].value() == "Received: {{ submission_title }}"
    assert MailTemplate.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_reset_deletes_the_own_wording(client, award, organiser):
    template = MailTemplate.objects.create(
        award=award, key=KEY, language="en", subject="Own", body="Own text"
    )
    client.force_login(organiser)

    response = client.post(
        reverse(
            "notifications:template_reset",
            kwargs={"slug": award.slug, "key": KEY, "language": "en"},
        ),
        follow=True,
    )

    assert response.redirect_chain == [
        (reverse("notifications:templates", kwargs={"slug": award.slug}), 302)
    ]
    assert "“Confirmation of a submission” (English) uses the default wording again." in (
        response.content.decode()
    )
    assert MailTemplate.objects.count() == 0
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.object_id) == (
        "mail_template.reset",
        organiser,
        str(template.pk),
    )
    assert entry.data["before"] == {"subject": "Own", "body": "Own text"}


def test_reset_without_own_wording_changes_nothing(client, award, organiser):
    client.force_login(organiser)

    response = client.post(
        reverse(
            "notifications:template_reset",
            kwargs={"slug": award.slug, "key": KEY, "language": "de"},
        )
    )

    assert response.status_code == 302
    assert AuditEntry.objects.count() == 0


def test_reset_leaves_other_awards_and_languages_alone(client, award, other_award, organiser):
    MailTemplate.objects.create(award=award, key=KEY, language="de", subject="DE", body="DE")
    MailTemplate.objects.create(award=other_award, key=KEY, language="en", subject="O", body="O")
    client.force_login(organiser)

    client.post(
        reverse(
            "notifications:template_reset",
            kwargs={"slug": award.slug, "key": KEY, "language": "en"},
        )
    )

    assert sorted(MailTemplate.objects.values_list("award__slug", "language")) == [
        ("lia-2027", "de"),
        ("other-2028", "en"),
    ]


@pytest.mark.parametrize(
    ("key", "language"),
    [("announcement", "en"), ("no.such.mail", "en"), (KEY, "fr"), (KEY, "EN")],
)
def test_unknown_template_or_language_gets_404(client, award, organiser, key, language):
    client.force_login(organiser)
    kwargs = {"slug": award.slug, "key": key, "language": language}

    responses = [
        client.get(reverse("notifications:template_edit", kwargs=kwargs)),
        client.post(
            reverse("notifications:template_edit", kwargs=kwargs),
            {"subject": "S", "body": "B", "action": "save"},
        ),
        client.post(reverse("notifications:template_reset", kwargs=kwargs)),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert MailTemplate.objects.count() == 0
