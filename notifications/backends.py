"""The email backend Django sends through: the outbox.

``EMAIL_BACKEND`` names ``OutboxEmailBackend``, so every mail Django composes (the account
mails of ``accounts``, ``PasswordResetForm``, ``mail_admins``) becomes outbox messages in
the caller's transaction, delivered after commit by ``notifications.deliver`` with retries
and swept like any other. No request waits for, or fails with, the mail server; the real
transport is ``LAUREL_DELIVERY_EMAIL_BACKEND``, used only by the delivery.

``accounts`` sits below ``notifications`` and never imports it: it only sends mail the
Django way, and may name its mail in the outbox with an ``X-Laurel-Template`` header.
"""

import logging
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from .services import email_message_store

log = logging.getLogger(__name__)


class OutboxEmailBackend(BaseEmailBackend):
    """Stores each mail in the outbox (one message per recipient) instead of sending it.

    Returns the number of mails stored, as Django's backends return the number sent. With
    ``fail_silently`` (``mail_admins`` from the error logger), a mail that cannot be stored
    is logged and skipped; otherwise the error reaches the caller, whose transaction then
    rolls back with it.
    """

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        stored = 0
        for mail in email_messages:
            try:
                if email_message_store(mail=mail):
                    stored += 1
            except Exception:
                if not self.fail_silently:
                    raise
                log.exception("could not put the mail %r into the outbox", str(mail.subject))
        return stored
