"""The organisers' message pages: outbox, mail templates with preview, announcements."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awards.models import AuditEntry, Award
from notifications.catalogue import COMMON, EDITABLE_KEYS, MAIL_TYPES
from notifications.models import BulkSend, MailTemplate, Message
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    JurorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

KEY = "submission.received"
DEFAULT_EN = MAIL_TYPES[KEY]


@pytest.fixture
def award():
    return AwardFactory(name="Lightweight Innovation Award", edition=2027, slug="lia-2027")


@pytest.fixture
def other_award():
    return AwardFactory(name="Other Award", edition=2028, slug="other-2028")


@pytest.fixture
def organiser(award):
    user = UserFactory(full_name="Olga Organiser", preferred_language="en")
    AwardRoleFactory(award=award, user=user, role="organiser")
    return user


@pytest.fixture
def superuser():
    return UserFactory(full_name="Sam Super", preferred_language="en", is_superuser=True)


_message_numbers = iter(range(1, 1_000_000))


def make_message(award: Award | None, **fields) -> Message:
    number = next(_message_numbers)
    values = {
        "award": award,
        "recipient_email": f"applicant{number}@example.org",
        "language": "en",
        "template_key": KEY,
        "idempotency_key": f"test:{number}",
        "subject": f"Your entry LIA-2027-MOB-{number:04d} has been received",
        "body_text": "Dear Erika,\n\nthank you.",
        "body_html": "<!doctype html><html><body><p>Dear Erika,</p></body></html>",
        "provider_message_id": f"<test{number}@laurel.example>",
        "status": "pending",
        **fields,
    }
    return Message.objects.create(**values)


def make_bulk(award: Award, **fields) -> BulkSend:
    values = {
        "award": award,
        "request_token": uuid.uuid4(),
        "audience": "custom",
        "custom_recipients": "a@example.org\nb@example.org\nc@example.org",
        "subject_de": "Einladung zur Preisverleihung",
        "body_de": "Guten Tag {{ recipient_name }},\n\nwir laden Sie ein.",
        "subject_en": "Invitation to the award ceremony",
        "body_en": "Dear {{ recipient_name }},\n\nwe invite you.",
        "status": "queued",
        "total": 3,
        "expanded": 3,
        **fields,
    }
    return BulkSend.objects.create(**values)


@pytest.fixture
def objects(award):
    """A failed message, an announcement with a failed message, and an override."""
    bulk = make_bulk(award)
    return {
        "message": make_message(award, status="failed", attempts=8, last_error="SMTP 550"),
        "bulk": bulk,
        "bulk_message": make_message(
            award, bulk=bulk, status="failed", template_key="announcement"
        ),
        "template": MailTemplate.objects.create(
            award=award, key=KEY, language="en", subject="Received", body="Thanks."
        ),
    }


def announcement_data(**overrides) -> dict[str, str]:
    data = {
        "request_token": str(uuid.uuid4()),
        "audience": "custom",
        "category": "",
        "custom_recipients": "erika@example.org, max@example.org",
        "subject_de": "Einladung zur Preisverleihung",
        "body_de": "Guten Tag {{ recipient_name }},\n\nwir laden Sie zum {{ award_name }} ein.",
        "subject_en": "Invitation to the award ceremony",
        "body_en": "Dear {{ recipient_name }},\n\nwe invite you to the {{ award_name }}.",
    }
    data.update(overrides)
    return data


# Every page by URL name and method, with what its address needs and what a POST sends.
PAGES = [
    ("outbox", "get"),
    ("message", "get"),
    ("retry", "post"),
    ("templates", "get"),
    ("template_edit", "get"),
    ("template_edit", "post"),
    ("template_reset", "post"),
    ("announcements", "get"),
    ("announcement_create", "get"),
    ("announcement_create", "post"),
    ("announcement", "get"),
    ("announcement_progress", "get"),
    ("announcement_retry", "post"),
]


def page_url(name: str, award: Award, objects: dict) -> str:
    kwargs: dict = {"slug": award.slug}
    if name == "message":
        kwargs["pk"] = objects["message"].pk
    elif name.startswith("announcement") and name not in ("announcements", "announcement_create"):
        kwargs["pk"] = objects["bulk"].pk
    elif name.startswith("template_"):
        kwargs.update(key=KEY, language="en")
    return reverse(f"notifications:{name}", kwargs=kwargs)


def post_data(name: str) -> dict[str, str]:
    if name == "template_edit":
        return {"subject": "Taken over", "body": "Hello", "action": "save"}
    if name == "announcement_create":
        return announcement_data()
    return {}


def denied_user(kind: str, award: Award) -> UserFactory:
    user = UserFactory(preferred_language="en")
    if kind == "other_organiser":
        AwardRoleFactory(award=AwardFactory(slug="elsewhere-2029", edition=2029), user=user)
    elif kind in ("juror", "jury_chair"):
        JurorFactory(award=award, user=user, role=kind)
    elif kind == "unverified_organiser":
        user.email_verified_at = None
        user.save(update_fields=["email_verified_at"])
        AwardRoleFactory(award=award, user=user, role="organiser")
    return user


def state(award: Award) -> dict:
    """Everything a page could change, to show that a refused request changed nothing."""
    return {
        "statuses": sorted(Message.objects.values_list("pk", "status")),
        "templates": sorted(MailTemplate.objects.values_list("key", "language", "subject")),
        "bulks": BulkSend.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


# --- who may open the pages -------------------------------------------------------------


@pytest.mark.parametrize(("name", "method"), PAGES)
def test_anonymous_visitor_is_sent_to_login(client, award, objects, name, method):
    url = page_url(name, award, objects)
    before = state(award)

    response = getattr(client, method)(url, post_data(name) if method == "post" else None)

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={url}"
    assert state(award) == before


@pytest.mark.parametrize(("name", "method"), PAGES)
@pytest.mark.parametrize(
    "kind", ["no_role", "juror", "jury_chair", "other_organiser", "unverified_organiser"]
)
def test_user_who_may_not_manage_the_award_gets_404(client, award, objects, name, method, kind):
    client.force_login(denied_user(kind, award))
    before = state(award)

    response = getattr(client, method)(
        page_url(name, award, objects), post_data(name) if method == "post" else None
    )

    assert response.status_code == 404
    assert state(award) == before


@pytest.mark.parametrize(("name", "method"), PAGES)
@pytest.mark.parametrize("who", ["organiser", "superuser"])
def test_organiser_and_superuser_may_use_every_page(
    client, award, objects, organiser, superuser, name, method, who
):
    client.force_login({"organiser": organiser, "superuser": superuser}[who])

    response = getattr(client, method)(
        page_url(name, award, objects), post_data(name) if method == "post" else None
    )

    assert response.status_code == (200 if method == "get" else 302)


def test_unknown_award_gets_404_even_for_a_superuser(client, superuser):
    client.force_login(superuser)

    response = client.get(reverse("notifications:outbox", kwargs={"slug": "no-such-award"}))

    assert response.status_code == 404


def test_manage_page_links_the_message_pages(client, award, organiser):
    client.force_login(organiser)

    html = client.get(reverse("awards:manage", kwargs={"slug": award.slug})).content.decode()

    for name in ("outbox", "templates", "announcements"):
        assert f'href="{reverse(f"notifications:{name}", kwargs={"slug": award.slug})}"' in html


# --- outbox -----------------------------------------------------------------------------


def outbox_url(award: Award, query: str = "") -> str:
    url = reverse("notifications:outbox", kwargs={"slug": award.slug})
    return f"{url}?{query}" if query else url


def listed(response) -> list[str]:
    return [message.recipient_email for message in response.context["page"].object_list]


def test_outbox_counts_messages_per_status_of_this_award_only(
    client, award, other_award, organiser
):
    for status, n in (("pending", 2), ("sent", 3), ("failed", 1)):
        for _ in range(n):
            make_message(award, status=status)
    make_message(other_award, status="sent")
    client.force_login(organiser)

    response = client.get(outbox_url(award))

    assert [(status.value, n) for status, n in response.context["counts"]] == [
        ("pending", 2),
        ("sending", 0),
        ("sent", 3),
        ("failed", 1),
    ]
    assert response.context["page"].paginator.count == 6
    assert 'data-count="sent">3</strong>' in response.content.decode()


def test_outbox_shows_a_row_per_message(client, award, organiser):
    message = make_message(
        award,
        recipient_email="erika@example.org",
        status="failed",
        attempts=3,
        last_error="SMTPRecipientsRefused: " + "x" * 200,
    )
    client.force_login(organiser)

    html = client.get(outbox_url(award)).content.decode()

    detail = reverse("notifications:message", kwargs={"slug": award.slug, "pk": message.pk})
    assert f'href="{detail}"' in html
    assert '<td class="text-nowrap">erika@example.org</td>' in html
    assert "<td>Confirmation of a submission</td>" in html
    assert 'data-status="failed">Failed</span>' in html
    assert '<td class="text-end">3</td>' in html
    assert f">SMTPRecipientsRefused: {'x' * 36}…</td>" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=failed", ["failed@example.org"]),
        ("template=juror.invited", ["juror@example.org"]),
        ("recipient=JUROR@", ["juror@example.org"]),
        ("status=sent&template=juror.invited", []),
        ("status=bogus", ["juror@example.org", "failed@example.org", "sent@example.org"]),
    ],
)
def test_outbox_filters(client, award, organiser, query, expected):
    make_message(award, recipient_email="sent@example.org", status="sent")
    make_message(award, recipient_email="failed@example.org", status="failed")
    make_message(award, recipient_email="juror@example.org", template_key="juror.invited")
    client.force_login(organiser)

    response = client.get(outbox_url(award, query))

    assert response.status_code == 200
    assert listed(response) == expected


def test_outbox_shows_50_messages_per_page_and_keeps_the_filter(client, award, organiser):
    for _ in range(60):
        make_message(award, status="failed")
    make_message(award, status="sent")
    client.force_login(organiser)

    first = client.get(outbox_url(award, "status=failed"))
    second = client.get(outbox_url(award, "status=failed&page=2"))

    assert (len(listed(first)), len(listed(second))) == (50, 10)
    assert 'href="?status=failed&amp;page=2"' in first.content.decode()
    assert set(listed(first)).isdisjoint(listed(second))


def test_outbox_needs_the_same_number_of_queries_for_3_and_60_messages(client, award, organiser):
    client.force_login(organiser)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(outbox_url(award))
        assert response.status_code == 200
        return len(captured)

    for _ in range(3):
        make_message(award)
    few = queries()
    for _ in range(57):
        make_message(award)
    many = queries()

    assert few == many


def test_message_detail_shows_the_facts_and_the_html_only_in_a_sandbox(client, award, organiser):
    message = make_message(
        award,
        subject="Your entry LIA-2027-MOB-0007 has been received",
        recipient_email="erika@example.org",
        status="failed",
        attempts=2,
        last_error="SMTPDataError: 554 rejected",
        provider_message_id="<abc123@laurel.example>",
        body_text="Dear Erika,\n\n<b>thank you</b>.",
        body_html='<p>Dear Erika</p><script>alert("x")</script>',
    )
    client.force_login(organiser)

    response = client.get(
        reverse("notifications:message", kwargs={"slug": award.slug, "pk": message.pk})
    )

    html = response.content.decode()
    assert '<h1 class="h2">Your entry LIA-2027-MOB-0007 has been received</h1>' in html
    assert '<code class="text-break">&lt;abc123@laurel.example&gt;</code>' in html
    assert "SMTPDataError: 554 rejected</pre>" in html
    assert (
        '<pre class="border rounded p-3 bg-body-tertiary pre-wrap" data-testid="body-text">'
        "Dear Erika,\n\n&lt;b&gt;thank you&lt;/b&gt;.</pre>"
    ) in html
    assert (
        'sandbox title="HTML version" srcdoc="&lt;p&gt;Dear Erika&lt;/p&gt;&lt;script&gt;'
        'alert(&quot;x&quot;)&lt;/script&gt;"' in html
    )
    assert "<script>alert" not in html


def test_message_of_another_award_gets_404(client, award, other_award, organiser):
    foreign = make_message(other_award)
    client.force_login(organiser)

    response = client.get(
        reverse("notifications:message", kwargs={"slug": award.slug, "pk": foreign.pk})
    )

    assert response.status_code == 404


def test_retry_failed_messages_queues_them_again(client, award, other_award, organiser):
    failed = [make_message(award, status="failed", attempts=8) for _ in range(2)]
    sent = make_message(award, status="sent", attempts=1)
    foreign = make_message(other_award, status="failed", attempts=8)
    client.force_login(organiser)

    response = client.post(reverse("notifications:retry", kwargs={"slug": award.slug}), follow=True)

    assert response.redirect_chain == [(outbox_url(award), 302)]
    assert "2 failed messages will be sent again." in response.content.decode()
    assert sorted(Message.objects.values_list("pk", "status", "attempts")) == sorted(
        [
            (failed[0].pk, "pending", 0),
            (failed[1].pk, "pending", 0),
            (sent.pk, "sent", 1),
            (foreign.pk, "failed", 8),
        ]
    )


def test_retry_without_failed_messages_says_so(client, award, organiser):
    client.force_login(organiser)

    response = client.post(reverse("notifications:retry", kwargs={"slug": award.slug}), follow=True)

    assert "There are no failed messages." in response.content.decode()


def test_outbox_get_cannot_retry(client, award, organiser):
    message = make_message(award, status="failed")
    client.force_login(organiser)

    response = client.get(reverse("notifications:retry", kwargs={"slug": award.slug}))

    assert response.status_code == 405
    message.refresh_from_db()
    assert message.status == "failed"


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
            "Unknown placeholder {{ foo }}. Allowed: award_name, category, deadline, files, "
            "organiser_name, recipient_name, reference, submission_title, submission_url, "
            "submitted_at, summary.",
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


# --- announcements ----------------------------------------------------------------------


def create_url(award: Award) -> str:
    return reverse("notifications:announcement_create", kwargs={"slug": award.slug})


def detail_url(award: Award, bulk: BulkSend) -> str:
    return reverse("notifications:announcement", kwargs={"slug": award.slug, "pk": bulk.pk})


def test_announcement_list_counts_queued_sent_and_failed(client, award, other_award, organiser):
    bulk = make_bulk(award, total=10, expanded=6, status="expanding")
    for status in ("pending", "sending", "sent", "sent", "sent", "failed"):
        make_message(award, bulk=bulk, status=status, template_key="announcement")
    make_bulk(other_award)
    client.force_login(organiser)

    response = client.get(reverse("notifications:announcements", kwargs={"slug": award.slug}))

    rows = response.context["rows"]
    assert [(r["bulk"], r["queued"], r["sent"], r["failed"]) for r in rows] == [(bulk, 6, 3, 1)]
    html = response.content.decode()
    assert f'href="{detail_url(award, bulk)}">Invitation to the award ceremony</a>' in html
    assert '<td class="text-end" data-count="queued">6</td>' in html


def test_new_announcement_form_carries_a_fresh_token_and_lists_the_placeholders(
    client, award, organiser
):
    CategoryFactory(award=award, name_en="Mobility")
    CategoryFactory(award=AwardFactory(slug="x-2031", edition=2031), name_en="Foreign")
    client.force_login(organiser)

    first = client.get(create_url(award))
    second = client.get(create_url(award))

    tokens = [r.context["form"].initial["request_token"] for r in (first, second)]
    assert all(isinstance(token, uuid.UUID) for token in tokens)
    assert tokens[0] != tokens[1]
    html = first.content.decode()
    assert f'<input type="hidden" name="request_token" value="{tokens[0]}"' in html
    for name in COMMON:
        assert f"<dt><code>{{{{ {name} }}}}</code></dt>" in html
    assert "{{ submission_title }}" not in html
    assert [c.name_en for c in first.context["form"].fields["category"].queryset] == ["Mobility"]


def test_organiser_sends_an_announcement_to_a_list_of_addresses(client, award, organiser):
    client.force_login(organiser)
    data = announcement_data(
        custom_recipients="Max@Example.org\nerika@example.org; max@example.org"
    )

    response = client.post(create_url(award), data)

    bulk = BulkSend.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(award, bulk)
    assert (
        bulk.award,
        bulk.created_by,
        str(bulk.request_token),
        bulk.audience,
        bulk.custom_recipients,
        bulk.total,
        bulk.subject_en,
        bulk.body_de,
    ) == (
        award,
        organiser,
        data["request_token"],
        "custom",
        "erika@example.org\nmax@example.org",
        2,
        "Invitation to the award ceremony",
        data["body_de"],
    )
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor) == ("announcement.created", organiser)


def test_organiser_sends_an_announcement_to_the_jurors(client, award, organiser):
    juror = UserFactory()
    JurorFactory(award=award, user=juror)
    client.force_login(organiser)

    response = client.post(
        create_url(award), announcement_data(audience="jurors", custom_recipients=""), follow=True
    )

    bulk = BulkSend.objects.get()
    assert response.redirect_chain == [(detail_url(award, bulk), 302)]
    assert (bulk.audience, bulk.total, bulk.custom_recipients) == ("jurors", 1, "")
    assert "The announcement is being sent to 1 recipient." in response.content.decode()


def test_posting_the_same_form_twice_sends_one_announcement(client, award, organiser):
    client.force_login(organiser)
    data = announcement_data()

    first = client.post(create_url(award), data)
    second = client.post(create_url(award), data)

    bulk = BulkSend.objects.get()
    assert (first.status_code, second.status_code) == (302, 302)
    assert first.url == second.url == detail_url(award, bulk)
    assert AuditEntry.objects.filter(action="announcement.created").count() == 1


def test_invalid_address_is_refused_and_the_text_kept(client, award, organiser):
    client.force_login(organiser)
    pasted = "erika@example.org\nnot-an-address"

    response = client.post(create_url(award), announcement_data(custom_recipients=pasted))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "custom_recipients": ["These are not email addresses: not-an-address"]
    }
    html = response.content.decode()
    assert "These are not email addresses: not-an-address" in html
    assert f">\n{pasted}</textarea>" in html
    assert "Invitation to the award ceremony" in html
    assert BulkSend.objects.count() == 0


def test_category_of_another_award_is_refused(client, award, other_award, organiser):
    foreign = CategoryFactory(award=other_award)
    client.force_login(organiser)

    response = client.post(
        create_url(award),
        announcement_data(audience="category_applicants", category=str(foreign.pk)),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "category": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert BulkSend.objects.count() == 0


def test_category_audience_needs_a_category(client, award, organiser):
    CategoryFactory(award=award)
    client.force_login(organiser)

    response = client.post(create_url(award), announcement_data(audience="category_applicants"))

    assert response.context["form"].errors == {"category": ["Choose a category of this award."]}
    assert BulkSend.objects.count() == 0


def test_announcement_allows_only_the_common_placeholders(client, award, organiser):
    client.force_login(organiser)

    response = client.post(
        create_url(award), announcement_data(body_en="Your entry {{ submission_title }}")
    )

    assert response.context["form"].errors == {
        "body_en": [
            "Unknown placeholder {{ submission_title }}. Allowed: award_name, organiser_name, "
            "recipient_name."
        ]
    }
    assert BulkSend.objects.count() == 0


def test_an_empty_audience_is_refused_above_the_form(client, award, organiser):
    client.force_login(organiser)

    response = client.post(create_url(award), announcement_data(audience="jurors"))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Nobody is in this audience yet; nothing was sent."
    ]
    assert "Nobody is in this audience yet; nothing was sent." in response.content.decode()
    assert BulkSend.objects.count() == 0


def test_announcement_detail_shows_texts_and_a_live_progress_bar(client, award, organiser):
    bulk = make_bulk(award, total=4, expanded=3, status="expanding")
    for status in ("sent", "sent", "failed"):
        make_message(award, bulk=bulk, status=status, template_key="announcement")
    client.force_login(organiser)

    response = client.get(detail_url(award, bulk))

    html = response.content.decode()
    progress_url = reverse(
        "notifications:announcement_progress", kwargs={"slug": award.slug, "pk": bulk.pk}
    )
    assert f'data-progress-url="{progress_url}" data-done="false"' in html
    assert 'style="width: 50.0%" data-segment="sent"' in html
    assert 'style="width: 25.0%" data-segment="failed"' in html
    assert 'style="width: 25.0%" data-segment="queued"' in html
    assert '<strong data-count="sent">2</strong>' in html
    assert '<script src="/static/js/bulk-progress.js" defer></script>' in html
    assert "<script>" not in html
    assert 'data-testid="body-en">Dear {{ recipient_name }},\n\nwe invite you.</pre>' in html
    assert 'data-testid="subject-de">Einladung zur Preisverleihung</p>' in html
    assert 'data-testid="retry-failed"' in html


def test_progress_json_returns_the_counts(client, award, organiser):
    bulk = make_bulk(award, total=5, expanded=4, status="expanding")
    for status in ("pending", "sent", "sent", "failed"):
        make_message(award, bulk=bulk, status=status, template_key="announcement")
    client.force_login(organiser)

    response = client.get(
        reverse("notifications:announcement_progress", kwargs={"slug": award.slug, "pk": bulk.pk})
    )

    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "total": 5,
        "queued": 2,
        "sent": 2,
        "failed": 1,
        "done": False,
        "status": "expanding",
    }


def test_retry_failed_of_one_announcement(client, award, organiser):
    bulk = make_bulk(award)
    other_bulk = make_bulk(award)
    mine = make_message(award, bulk=bulk, status="failed", attempts=8)
    theirs = make_message(award, bulk=other_bulk, status="failed", attempts=8)
    single = make_message(award, status="failed", attempts=8)
    client.force_login(organiser)

    response = client.post(
        reverse("notifications:announcement_retry", kwargs={"slug": award.slug, "pk": bulk.pk}),
        follow=True,
    )

    assert response.redirect_chain == [(detail_url(award, bulk), 302)]
    assert "1 failed message will be sent again." in response.content.decode()
    assert sorted(Message.objects.values_list("pk", "status")) == sorted(
        [(mine.pk, "pending"), (theirs.pk, "failed"), (single.pk, "failed")]
    )


@pytest.mark.parametrize(
    ("name", "method"),
    [("announcement", "get"), ("announcement_progress", "get"), ("announcement_retry", "post")],
)
def test_announcement_of_another_award_gets_404(
    client, award, other_award, organiser, name, method
):
    foreign = make_bulk(other_award)
    make_message(other_award, bulk=foreign, status="failed")
    client.force_login(organiser)

    response = getattr(client, method)(
        reverse(f"notifications:{name}", kwargs={"slug": award.slug, "pk": foreign.pk})
    )

    assert response.status_code == 404
    assert Message.objects.get().status == "failed"


def test_progress_bar_of_a_finished_announcement_stops_polling(client, award, organiser):
    bulk = make_bulk(award, total=1, expanded=1)
    make_message(award, bulk=bulk, status="sent", template_key="announcement")
    client.force_login(organiser)

    html = client.get(detail_url(award, bulk)).content.decode()

    assert 'data-done="true"' in html
    assert 'style="width: 100.0%" data-segment="sent"' in html
