"""The outbox as Django's email backend: every mail Django composes (account mails, password
resets, error mails) becomes outbox messages, delivered through the real transport only.

Delivery runs in this process (``deliver_due``: what the worker does) to the test settings'
transport, locmem, so delivered mails are in ``django.core.mail.outbox``.
"""

import logging

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import (
    BadHeaderError,
    EmailMessage,
    EmailMultiAlternatives,
    mail_admins,
    send_mail,
)
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from notifications import services
from notifications.enums import MessageStatus
from notifications.models import Message
from tests.factories import AwardFactory, AwardRoleFactory, UserFactory
from tests.mail_delivery import deliver_due

pytestmark = pytest.mark.django_db

OUTBOX = "notifications.backends.OutboxEmailBackend"
HTML = "<!doctype html><html><body><p>Hello <b>Anna</b></p></body></html>"


def headers_of(delivered: EmailMessage):
    """The delivered mail as the receiving server would parse its headers."""
    return delivered.message()


# --- Storing ----------------------------------------------------------------------------


def test_a_text_mail_to_an_unknown_address_waits_in_the_outbox_until_delivered(
    django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks() as callbacks:
        sent = send_mail("Your code", "It is 1234.\n", None, ["nobody@example.org"])

    assert sent == 1
    assert mail.outbox == []  # nothing went to a mail server while "sending"
    assert len(callbacks) == 1  # the delivery task, enqueued on commit
    row = Message.objects.get()
    assert (row.award, row.recipient, row.recipient_email) == (None, None, "nobody@example.org")
    assert (row.subject, row.body_text, row.body_html) == ("Your code", "It is 1234.\n", "")
    assert (row.language, row.template_key) == ("de", "email")
    assert (row.status, row.attempts) == (MessageStatus.PENDING, 0)
    assert row.idempotency_key.startswith("email:")
    assert row.provider_message_id == services.message_id_for(row.idempotency_key)

    assert deliver_due() == ["sent"]

    [delivered] = mail.outbox
    assert delivered.to == ["nobody@example.org"]
    assert delivered.from_email == settings.DEFAULT_FROM_EMAIL
    assert (delivered.subject, delivered.body) == ("Your code", "It is 1234.\n")
    assert delivered.alternatives == []  # a text mail stays a text mail
    parsed = headers_of(delivered)
    assert parsed["Message-ID"] == row.provider_message_id
    assert parsed["Content-Language"] == "de"
    assert parsed["X-Laurel-Message"] == row.idempotency_key
    assert parsed.get_content_type() == "text/plain"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (MessageStatus.SENT, 1, "")


def test_an_html_mail_keeps_its_parts_sender_reply_to_headers_and_language():
    anna = UserFactory(email="anna@example.org", preferred_language="de")
    composed = EmailMultiAlternatives(
        "Welcome",
        "Hello Anna",
        "Jury office <jury@laurel.example>",
        ["Anna Schmidt <Anna@Example.org>"],
        reply_to=["help@laurel.example"],
        headers={
            "X-Campaign": "welcome",
            "Message-ID": "<chosen-by-the-caller@example.org>",
            "Content-Language": "en",
        },
    )
    composed.attach_alternative(HTML, "text/html")

    assert composed.send() == 1

    row = Message.objects.get()
    assert row.recipient == anna  # linked, whatever the case of the address
    assert row.recipient_email == "Anna@Example.org"
    assert row.language == "en"  # the mail's own language, not the account's
    assert (row.body_text, row.body_html) == ("Hello Anna", HTML)
    assert deliver_due() == ["sent"]
    [delivered] = mail.outbox
    assert delivered.from_email == "Jury office <jury@laurel.example>"
    assert delivered.to == ["Anna Schmidt <Anna@Example.org>"]
    assert delivered.reply_to == ["help@laurel.example"]
    assert delivered.body == "Hello Anna"
    assert [tuple(part) for part in delivered.alternatives] == [(HTML, "text/html")]
    parsed = headers_of(delivered)
    assert parsed["X-Campaign"] == "welcome"
    # The outbox's Message-ID, the same on every attempt, never the caller's.
    assert parsed["Message-ID"] == row.provider_message_id
    assert parsed["Content-Language"] == "en"
    assert parsed["Auto-Submitted"] == "auto-generated"


def test_an_html_only_mail_stays_html_only():
    composed = EmailMessage("Notice", HTML, None, ["nobody@example.org"])
    composed.content_subtype = "html"

    composed.send()

    row = Message.objects.get()
    assert (row.body_text, row.body_html) == ("", HTML)
    assert deliver_due() == ["sent"]
    [delivered] = mail.outbox
    assert (delivered.content_subtype, delivered.body) == ("html", HTML)
    assert delivered.alternatives == []


def test_several_recipients_become_one_message_each_and_no_copy_names_the_others(
    django_capture_on_commit_callbacks,
):
    composed = EmailMessage(
        "Minutes",
        "See attached minutes.",
        None,
        to=["a@example.org", "b@example.org"],
        cc=["c@example.org"],
        bcc=["d@example.org", "A@Example.org"],  # the same as the first: one message
    )

    with django_capture_on_commit_callbacks() as callbacks:
        assert composed.send() == 1

    rows = list(Message.objects.order_by("pk"))
    assert [row.recipient_email for row in rows] == [
        "a@example.org",
        "b@example.org",
        "c@example.org",
        "d@example.org",
    ]
    assert len({row.idempotency_key for row in rows}) == 4
    assert len({row.provider_message_id for row in rows}) == 4
    assert len(callbacks) == 4
    assert deliver_due() == ["sent"] * 4
    assert [m.to for m in mail.outbox] == [[row.recipient_email] for row in rows]
    assert [(m.cc, m.bcc) for m in mail.outbox] == [([], [])] * 4
    assert all("Cc" not in headers_of(m) for m in mail.outbox)


def test_the_same_mail_sent_twice_is_stored_once_per_recipient(
    django_capture_on_commit_callbacks,
):
    composed = EmailMessage("Reminder", "Text", None, ["a@example.org", "b@example.org"])

    with django_capture_on_commit_callbacks() as callbacks:
        composed.send()
        composed.send()
        again = services.email_message_store(mail=composed)

    assert Message.objects.count() == 2
    assert sorted(m.pk for m in again) == sorted(Message.objects.values_list("pk", flat=True))
    assert len(callbacks) == 2  # one delivery each, not three
    assert deliver_due() == ["sent", "sent"]
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]


def test_two_mails_with_the_same_content_are_two_sends():
    for _ in range(2):
        send_mail("Same", "Same text", None, ["a@example.org"])

    assert Message.objects.count() == 2


def test_a_rolled_back_transaction_leaves_no_message_and_enqueues_nothing(
    django_capture_on_commit_callbacks,
):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send_mail("Never", "Text", None, ["a@example.org"])
        raise RuntimeError("the event failed")

    assert Message.objects.count() == 0
    assert callbacks == []


def test_the_language_is_the_mails_or_else_the_active_one():
    with translation.override("en"):
        send_mail("Active", "Text", None, ["a@example.org"])
    EmailMessage(
        "Regional", "Text", None, ["a@example.org"], headers={"Content-Language": "de-AT"}
    ).send()
    EmailMessage(
        "Unknown", "Text", None, ["a@example.org"], headers={"Content-Language": "fr"}
    ).send()

    assert dict(Message.objects.values_list("subject", "language")) == {
        "Active": "en",
        "Regional": "de",
        "Unknown": "de",  # not offered: the active language (German in tests)
    }


def test_an_account_mail_is_named_by_its_template_header_which_is_not_delivered():
    EmailMessage(
        "Confirm", "Text", None, ["a@example.org"], headers={"X-Laurel-Template": "accounts.x"}
    ).send()

    assert Message.objects.get().template_key == "accounts.x"
    deliver_due()
    assert "X-Laurel-Template" not in headers_of(mail.outbox[0])


def test_error_mails_to_the_admins_go_through_the_outbox_from_the_server_address(settings):
    settings.ADMINS = [("Ops", "ops@example.org")]
    settings.SERVER_EMAIL = "Laurel errors <errors@laurel.example>"

    mail_admins("Boom", "Traceback …")

    row = Message.objects.get()
    assert (row.recipient_email, row.subject, row.award) == (
        "ops@example.org",
        "[Django] Boom",
        None,
    )
    assert mail.outbox == []
    deliver_due()
    assert mail.outbox[0].from_email == "Laurel errors <errors@laurel.example>"


# --- What the outbox refuses ------------------------------------------------------------


def test_attachments_are_refused_and_nothing_is_stored():
    composed = EmailMessage("Report", "Text", None, ["a@example.org"])
    composed.attach("report.csv", "a;b\n", "text/csv")

    with pytest.raises(ValueError, match="attachments"):
        composed.send()

    assert Message.objects.count() == 0


def test_a_subject_with_a_line_break_is_refused_as_sending_it_would_be():
    with pytest.raises(BadHeaderError):
        send_mail("Two\nlines", "Text", None, ["a@example.org"])

    assert Message.objects.count() == 0


def test_fail_silently_logs_a_mail_that_cannot_be_stored_and_goes_on(caplog):
    broken = EmailMessage("Report", "Text", None, ["a@example.org"])
    broken.attach("report.csv", "a;b\n", "text/csv")
    fine = EmailMessage("Fine", "Text", None, ["b@example.org"])
    from notifications.backends import OutboxEmailBackend

    with caplog.at_level(logging.ERROR, logger="notifications.backends"):
        stored = OutboxEmailBackend(fail_silently=True).send_messages([broken, fine])

    assert stored == 1
    assert list(Message.objects.values_list("subject", flat=True)) == ["Fine"]
    assert "could not put the mail 'Report' into the outbox" in caplog.text


def test_a_mail_without_recipients_stores_nothing():
    from notifications.backends import OutboxEmailBackend

    assert OutboxEmailBackend().send_messages([EmailMessage("Nobody", "Text")]) == 0
    assert Message.objects.count() == 0


# --- Which transport delivers -----------------------------------------------------------


def test_delivery_goes_through_the_delivery_backend_only(settings, tmp_path):
    settings.LAUREL_DELIVERY_EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    send_mail("Filed", "Text", None, ["a@example.org"])

    assert deliver_due() == ["sent"]

    assert mail.outbox == []
    [written] = list(tmp_path.iterdir())
    assert "Subject: Filed" in written.read_text()


def test_a_delivery_backend_that_is_the_outbox_is_refused_and_the_message_stays_pending(
    settings,
):
    send_mail("Loop", "Text", None, ["a@example.org"])
    settings.LAUREL_DELIVERY_EMAIL_BACKEND = OUTBOX
    row = Message.objects.get()

    with pytest.raises(ImproperlyConfigured, match="LAUREL_DELIVERY_EMAIL_BACKEND"):
        services.message_deliver(message_id=row.pk)

    row.refresh_from_db()
    assert (row.status, row.attempts, Message.objects.count()) == (MessageStatus.PENDING, 0, 1)


def test_an_email_backend_set_to_a_transport_is_where_the_outbox_delivers_too(settings, tmp_path):
    # A configuration that bypasses the outbox for Django's mails (as the notifications
    # tests' SMTP fixture does) still has the outbox's own mails delivered the same way.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LAUREL_DELIVERY_EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    services.email_message_store(mail=EmailMessage("Direct", "Text", None, ["a@example.org"]))

    assert services.delivery_backend() == "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_due() == ["sent"]
    assert [m.subject for m in mail.outbox] == ["Direct"]
    assert list(tmp_path.iterdir()) == []


# --- Where account mails show ------------------------------------------------------------


@pytest.fixture
def award():
    return AwardFactory(slug="lia-2031")


@pytest.fixture
def organiser_client(client, award):
    user = UserFactory(preferred_language="en")
    AwardRoleFactory(award=award, user=user, role="organiser")
    client.force_login(user)
    return client


def _award_message(award) -> Message:
    return services.notify(
        key="announcement",
        award=award,
        idempotency_key="t:award",
        values={},
        email="applicant@example.org",
        wording=services.Wording("For the award", "Body"),
    )


def test_an_awards_outbox_page_shows_its_messages_and_no_account_mail(organiser_client, award):
    send_mail("Confirm your address", "Text", None, ["newcomer@example.org"])
    account_mail = Message.objects.get()
    award_mail = _award_message(award)

    page = organiser_client.get(reverse("notifications:outbox", kwargs={"slug": award.slug}))

    assert page.status_code == 200
    html = page.content.decode()
    assert award_mail.recipient_email in html
    assert "newcomer@example.org" not in html
    assert "Confirm your address" not in html
    assert [m.pk for m in page.context["page"].object_list] == [award_mail.pk]
    detail = organiser_client.get(
        reverse("notifications:message", kwargs={"slug": award.slug, "pk": account_mail.pk})
    )
    assert detail.status_code == 404


def test_the_admin_lists_and_shows_account_mails(client, award):
    send_mail("Confirm your address", "Text", None, ["newcomer@example.org"])
    account_mail = Message.objects.get()
    _award_message(award)
    client.force_login(UserFactory(is_staff=True, is_superuser=True, preferred_language="en"))

    listing = client.get(
        reverse("admin:notifications_message_changelist"), {"award__isnull": "True"}
    )
    detail = client.get(reverse("admin:notifications_message_change", args=[account_mail.pk]))

    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [account_mail]
    assert "newcomer@example.org" in listing.content.decode()
    assert detail.status_code == 200
    assert "Confirm your address" in detail.content.decode()


def test_the_admin_sends_a_failed_account_mail_again(client, django_capture_on_commit_callbacks):
    send_mail("Confirm your address", "Text", None, ["newcomer@example.org"])
    row = Message.objects.get()
    Message.objects.filter(pk=row.pk).update(status=MessageStatus.FAILED, attempts=8)
    client.force_login(UserFactory(is_staff=True, is_superuser=True, preferred_language="en"))

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("admin:notifications_message_changelist"),
            {"action": "retry_failed", "_selected_action": [row.pk]},
            HTTP_ACCEPT_LANGUAGE="en",
            follow=True,
        )

    assert response.status_code == 200
    assert "1 failed message will be sent again." in response.content.decode()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (MessageStatus.PENDING, 0)
    assert row.next_attempt_at <= timezone.now()
    assert len(callbacks) == 1
    assert deliver_due() == ["sent"]


def test_staff_who_may_only_view_messages_cannot_send_them_again(client):
    send_mail("Confirm your address", "Text", None, ["newcomer@example.org"])
    row = Message.objects.get()
    Message.objects.filter(pk=row.pk).update(status=MessageStatus.FAILED)
    viewer = UserFactory(is_staff=True, preferred_language="en")
    viewer.user_permissions.add(Permission.objects.get(codename="view_message"))
    client.force_login(viewer)

    listing = client.get(reverse("admin:notifications_message_changelist"))
    client.post(
        reverse("admin:notifications_message_changelist"),
        {"action": "retry_failed", "_selected_action": [row.pk]},
    )

    assert listing.status_code == 200
    assert "retry_failed" not in listing.content.decode()
    row.refresh_from_db()
    assert row.status == MessageStatus.FAILED


def test_visitors_who_are_not_staff_do_not_see_the_admin(client):
    send_mail("Confirm your address", "Text", None, ["newcomer@example.org"])
    client.force_login(UserFactory())

    response = client.get(reverse("admin:notifications_message_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
