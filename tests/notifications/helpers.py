"""What the tests of the organisers' message pages share: the mail type they use, messages
and announcements made directly in the outbox, and the announcement form's data."""

import uuid

from awards.models import Award
from notifications.models import BulkSend, Message

KEY = "submission.received"

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
        # Sent as confirmed on the check before sending (test_announcement_confirmation.py
        # posts without it).
        "confirm": "on",
    }
    data.update(overrides)
    return data
