"""Account mails go through the outbox: a mail server that is down or answers 451 never
fails a registration or a password reset, and the mail arrives once the server takes it.

In-process tests deliver as the worker would (``deliver_due``) to a real aiosmtpd server;
the worker test runs a real ``celery worker`` and the sweeper against one.
"""

import datetime as dt
import time

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from notifications import services
from notifications.enums import MessageStatus
from notifications.models import Message
from tests.accounts.helpers import NEW_PASSWORD, log_in, register
from tests.factories import UserFactory
from tests.helpers import mail_text, the_link
from tests.mail_delivery import deliver_due
from tests.services import SMTPServer, free_port

VERIFY = "/accounts/verify/"
RESET = "/accounts/password/reset/"
TRY_LATER = "451 4.3.0 try later"
REFUSED_451 = "SMTPDataError: (451, b'4.3.0 try later')"


class MailServerDown:
    """The delivery transport is SMTP on a port where nothing listens, until ``start()``
    brings a real server up there: the mail server is down, then back."""

    def __init__(self) -> None:
        self.port = free_port()
        self.server: SMTPServer | None = None
        self._controller = None

    def start(self) -> SMTPServer:
        from aiosmtpd.controller import Controller

        self.server = SMTPServer(host="127.0.0.1", port=self.port)
        self._controller = Controller(self.server, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self.server

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()


@pytest.fixture
def mail_server_down():
    down = MailServerDown()
    with override_settings(
        LAUREL_DELIVERY_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=down.port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_TIMEOUT=5,
    ):
        yield down
    down.stop()


def row(**filters) -> Message:
    return Message.objects.get(**filters)


def make_due() -> None:
    """The retry time of every waiting message has come (instead of waiting 30 s)."""
    Message.objects.filter(status=MessageStatus.PENDING).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )


def ask_for_reset(client, email: str):
    return client.post(reverse("accounts:password_reset"), {"email": email})


# --- The mail server is down -----------------------------------------------------------


@pytest.mark.django_db
def test_registration_with_the_mail_server_down_succeeds_and_the_mail_follows(
    client, mail_server_down
):
    response = register(client, email="anna.schmidt@example.org", preferred_language="en")

    # The visitor sees the usual success, and the account exists.
    assert (response.status_code, response["Location"]) == (302, "/accounts/register/done/")
    done = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "<h1>Please check your mail</h1>" in done.content.decode()
    user = User.objects.get()
    # The mail waits in the outbox, for the new account, with no award.
    message = row()
    assert (message.recipient, message.recipient_email, message.award) == (
        user,
        "anna.schmidt@example.org",
        None,
    )
    assert (message.template_key, message.language) == ("accounts.verify_email", "en")
    assert message.subject == "Please confirm your email address – Laurel"
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 0)

    # The worker tries: the server is down, the error is recorded, a retry is planned.
    assert deliver_due() == ["retry"]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 1)
    assert message.last_error.startswith("ConnectionRefusedError: ")
    assert message.next_attempt_at > timezone.now()
    assert deliver_due() == []  # not due again before its retry time

    server = mail_server_down.start()
    make_due()
    assert deliver_due() == ["sent"]

    [mail] = server.wait_for(1)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (MessageStatus.SENT, 2, "")
    assert mail["To"] == "anna.schmidt@example.org"
    assert mail["From"] == settings.DEFAULT_FROM_EMAIL
    assert mail["Subject"] == "Please confirm your email address – Laurel"
    assert mail["Message-ID"] == message.provider_message_id
    assert mail["Content-Language"] == "en"
    assert mail_text(mail).startswith("Hello Anna Schmidt,\n")
    # The delayed link still works.
    assert client.get(the_link(mail, VERIFY)).status_code == 302
    assert User.objects.get().is_verified is True


@pytest.mark.django_db
def test_password_reset_with_the_mail_server_down_says_sent_and_the_mail_follows(
    client, mail_server_down
):
    UserFactory(email="greta@example.org", full_name="Greta Gruber", preferred_language="de")

    response = ask_for_reset(client, "greta@example.org")

    assert (response.status_code, response["Location"]) == (302, "/accounts/password/reset/sent/")
    message = row()
    assert (message.template_key, message.language, message.award) == (
        "accounts.password_reset",
        "de",
        None,
    )
    assert message.recipient.email == "greta@example.org"
    assert deliver_due() == ["retry"]
    message.refresh_from_db()
    assert message.last_error.startswith("ConnectionRefusedError: ")
    assert message.status == MessageStatus.PENDING

    server = mail_server_down.start()
    make_due()
    assert deliver_due() == ["sent"]

    [mail] = server.wait_for(1)
    assert mail["To"] == "greta@example.org"
    assert mail["Subject"].strip() == "Neues Passwort wählen – Laurel"
    assert mail["Message-ID"] == row().provider_message_id
    # The link from the late mail sets a new password.
    form = client.get(the_link(mail, RESET), follow=True)
    [(form_url, _)] = form.redirect_chain
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert log_in(client, "greta@example.org", NEW_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_already_registered_mail_waits_in_the_outbox_too(client, mail_server_down):
    UserFactory(email="anna.schmidt@example.org", preferred_language="en")

    response = register(client, email="anna.schmidt@example.org")

    assert (response.status_code, response["Location"]) == (302, "/accounts/register/done/")
    assert row().template_key == "accounts.already_registered"
    assert deliver_due() == ["retry"]


# --- The mail server answers 451 -------------------------------------------------------


@pytest.mark.django_db
def test_registration_and_reset_mails_refused_with_451_are_retried_until_they_arrive(
    client, smtp_server
):
    smtp_server.reply = TRY_LATER
    UserFactory(email="greta@example.org", preferred_language="de")

    registered = register(client, email="anna.schmidt@example.org")
    reset = ask_for_reset(client, "greta@example.org")

    assert registered.status_code == reset.status_code == 302
    assert smtp_server.messages == []
    assert deliver_due() == ["retry", "retry"]
    assert set(Message.objects.values_list("status", "attempts", "last_error")) == {
        (MessageStatus.PENDING, 1, REFUSED_451)
    }
    # Not due yet: even an impatient sweeper leaves them to their retry time.
    assert services.messages_sweep(pending_after=dt.timedelta(0)) == 0

    smtp_server.reply = None
    make_due()
    assert deliver_due() == ["sent", "sent"]

    mails = smtp_server.wait_for(2)
    assert sorted(str(m["To"]) for m in mails) == ["anna.schmidt@example.org", "greta@example.org"]
    assert {str(m["Message-ID"]) for m in mails} == set(
        Message.objects.values_list("provider_message_id", flat=True)
    )
    assert set(Message.objects.values_list("status", "attempts", "last_error")) == {
        (MessageStatus.SENT, 2, "")
    }


# --- With a real worker ------------------------------------------------------------------


@pytest.fixture
def account_mail_worker(smtp_server, start_worker):
    """A real worker on this process's broker and test database, delivering to
    ``smtp_server``; the broker is emptied before and after (a task left behind names a
    message id a later test's table may reuse)."""
    from config.celery import app

    app.control.purge()
    worker = start_worker(
        broker_url=settings.CELERY_BROKER_URL,
        var_dir=settings.VAR_DIR,
        EMAIL_URL=f"smtp://{smtp_server.host}:{smtp_server.port}",
    )
    yield worker
    worker.stop()
    app.control.purge()


def wait_until(condition, *, timeout: float, describe) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"gave up after {timeout:.0f} s: {describe()}", pytrace=False)


def statuses() -> list[tuple[str, str, int, str]]:
    return list(
        Message.objects.order_by("pk").values_list(
            "template_key", "status", "attempts", "last_error"
        )
    )


@pytest.mark.worker
def test_the_worker_retries_account_mails_refused_with_451_until_they_arrive(
    client, smtp_server, account_mail_worker
):
    smtp_server.reply = TRY_LATER
    UserFactory(email="greta@example.org", preferred_language="de")

    # Each request commits: the worker picks the mails up from the broker.
    assert register(client, email="anna.schmidt@example.org").status_code == 302
    assert ask_for_reset(client, "greta@example.org").status_code == 302

    wait_until(
        lambda: [s[1:] for s in statuses()] == [(MessageStatus.PENDING, 1, REFUSED_451)] * 2,
        timeout=60,
        describe=lambda: f"messages {statuses()}",
    )
    assert smtp_server.messages == []

    # The server recovers; the retry time comes; the sweeper hands them to the worker again.
    smtp_server.reply = None
    make_due()
    assert services.messages_sweep(pending_after=dt.timedelta(0)) == 2

    wait_until(
        lambda: len(smtp_server.messages) == 2,
        timeout=60,
        describe=lambda: f"{len(smtp_server.messages)} mails, messages {statuses()}",
    )
    wait_until(
        lambda: {s[1] for s in statuses()} == {MessageStatus.SENT},
        timeout=30,
        describe=lambda: f"messages {statuses()}",
    )
    by_address = {str(m["To"]): m for m in smtp_server.messages}
    assert sorted(by_address) == ["anna.schmidt@example.org", "greta@example.org"]
    assert by_address["anna.schmidt@example.org"]["Subject"] == (
        "Please confirm your email address – Laurel"
    )
    assert by_address["greta@example.org"]["Subject"].strip() == "Neues Passwort wählen – Laurel"
    assert [s[0] for s in statuses()] == ["accounts.verify_email", "accounts.password_reset"]
    assert client.get(the_link(by_address["anna.schmidt@example.org"], VERIFY)).status_code == 302
    assert User.objects.get(email="anna.schmidt@example.org").is_verified is True
