"""The outbox in the database: notify, idempotency, wording, retry policy, sweeper, bulk."""

import datetime as dt
import smtplib
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation

from notifications import bulk as bulk_service
from notifications import services
from notifications.enums import Audience, BulkStatus, MessageStatus
from notifications.models import BulkSend, MailTemplate, Message
from tests.factories import (
    AwardFactory,
    CategoryFactory,
    JurorFactory,
    MembershipFactory,
    SubmissionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def _received(award, user, key="k1", **overrides):
    values = {
        "submission_title": "Carbon frame",
        "reference": "LIA-2031-MOB-0001",
        "category": "Mobility",
        "submitted_at": dt.datetime(2031, 3, 1, 17, 30, tzinfo=dt.UTC),
        "deadline": dt.datetime(2031, 3, 10, 17, 0, tzinfo=dt.UTC),
        "submission_url": "https://laurel.example/s/1/",
        "summary": "Flax instead of aluminium.",
        "answers": "Team: Six engineers.",
        "files": "frame.pdf",
        **overrides,
    }
    return services.notify(
        key="submission.received", award=award, idempotency_key=key, recipient=user, values=values
    )


def test_notify_renders_in_the_recipients_language_and_the_awards_timezone(
    django_capture_on_commit_callbacks,
):
    award = AwardFactory(name="LIA", edition=2031, organiser_name="Composites United e.V.")
    german, english = UserFactory(preferred_language="de"), UserFactory(preferred_language="en")

    with django_capture_on_commit_callbacks() as callbacks:
        de = _received(award, german, key="de")
        en = _received(award, english, key="en")

    assert de.subject == "Ihre Einreichung LIA-2031-MOB-0001 ist eingegangen"
    assert "am 1. März 2031, 18:30 Uhr eingegangen" in de.body_text
    assert en.subject == "Your entry LIA-2031-MOB-0001 has been received"
    assert "We received it on 1 March 2031, 6:30 p.m." in en.body_text
    assert en.recipient_email == english.email and en.language == "en"
    assert en.status == MessageStatus.PENDING and en.attempts == 0
    assert en.provider_message_id == services.message_id_for("en")
    assert len(callbacks) == 2


def test_the_same_idempotency_key_makes_one_message_and_one_delivery(
    django_capture_on_commit_callbacks,
):
    award, user = AwardFactory(), UserFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        first = _received(award, user)
        second = _received(award, user, submission_title="changed")

    assert first.pk == second.pk
    assert Message.objects.count() == 1
    assert Message.objects.get().context["submission_title"] == "Carbon frame"
    assert len(callbacks) == 1


def test_a_rolled_back_event_leaves_no_message_and_enqueues_nothing(
    django_capture_on_commit_callbacks,
):
    award, user = AwardFactory(), UserFactory()
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _received(award, user)
        raise RuntimeError("the event failed")
    assert Message.objects.count() == 0
    assert callbacks == []


def test_notify_refuses_missing_or_unknown_values():
    award, user = AwardFactory(), UserFactory()
    with pytest.raises(ValueError, match="missing"):
        services.notify(
            key="submission.received", award=award, idempotency_key="x", recipient=user, values={}
        )
    with pytest.raises(ValueError, match="unknown"):
        _received(award, user, password="secret")
    with pytest.raises(services.UnknownMailType):
        services.notify(key="nope", award=award, idempotency_key="y", recipient=user, values={})


def test_organisers_wording_replaces_the_default_for_that_award_and_language_only():
    award, other = AwardFactory(), AwardFactory()
    MailTemplate.objects.create(
        award=award,
        key="submission.received",
        language="en",
        subject="Got it: {{ submission_title }}",
        body="Thanks, {{ recipient_name }}.",
    )
    user = UserFactory(preferred_language="en", full_name="Ada Lovelace")

    assert _received(award, user, key="a").subject == "Got it: Carbon frame"
    assert _received(award, user, key="a").body_text == "Thanks, Ada Lovelace."
    assert _received(other, user, key="b").subject.startswith("Your entry")
    german = UserFactory(preferred_language="de")
    assert _received(award, german, key="c").subject.startswith("Ihre Einreichung")


@pytest.mark.parametrize(
    ("error", "temporary"),
    [
        (smtplib.SMTPDataError(451, b"try later"), True),
        (smtplib.SMTPRecipientsRefused({"a@b.c": (450, b"mailbox busy")}), True),
        (smtplib.SMTPServerDisconnected("gone"), True),
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (smtplib.SMTPDataError(554, b"rejected"), False),
        (smtplib.SMTPRecipientsRefused({"a@b.c": (550, b"no such user")}), False),
        (smtplib.SMTPSenderRefused(553, b"bad sender", "x@y.z"), False),
        (ValueError("bug"), False),
    ],
)
def test_temporary_and_permanent_errors_are_told_apart(error, temporary):
    assert services.is_temporary(error) is temporary


def test_retries_back_off_exponentially_up_to_an_hour():
    assert [services.retry_delay(n) for n in range(1, 10)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]


def test_sweeper_requeues_overdue_and_stuck_messages_but_not_fresh_ones(settings):
    award, user = AwardFactory(), UserFactory()
    now = timezone.now()
    overdue = _received(award, user, key="overdue")
    fresh = _received(award, user, key="fresh")
    stuck = _received(award, user, key="stuck")
    live = _received(award, user, key="live")
    sent = _received(award, user, key="sent")
    Message.objects.filter(pk=overdue.pk).update(next_attempt_at=now - dt.timedelta(minutes=10))
    Message.objects.filter(pk=stuck.pk).update(
        status=MessageStatus.SENDING, claimed_at=now - dt.timedelta(minutes=30)
    )
    Message.objects.filter(pk=live.pk).update(
        status=MessageStatus.SENDING, claimed_at=now - dt.timedelta(seconds=5)
    )
    Message.objects.filter(pk=sent.pk).update(
        status=MessageStatus.SENT, next_attempt_at=now - dt.timedelta(hours=1)
    )

    assert (
        services.messages_sweep(
            pending_after=dt.timedelta(minutes=2), sending_after=dt.timedelta(minutes=5)
        )
        == 2
    )

    statuses = dict(Message.objects.values_list("idempotency_key", "status"))
    assert statuses == {
        "overdue": "pending",
        "fresh": "pending",
        "stuck": "pending",
        "live": "sending",
        "sent": "sent",
    }
    assert Message.objects.get(pk=fresh.pk).next_attempt_at > now - dt.timedelta(minutes=2)


def test_retrying_failed_messages_resets_them(django_capture_on_commit_callbacks):
    award, user = AwardFactory(), UserFactory()
    failed = _received(award, user, key="f")
    Message.objects.filter(pk=failed.pk).update(status=MessageStatus.FAILED, attempts=8)
    other_award_failed = _received(AwardFactory(), user, key="g")
    Message.objects.filter(pk=other_award_failed.pk).update(status=MessageStatus.FAILED)

    with django_capture_on_commit_callbacks() as callbacks:
        assert services.messages_retry_failed(award=award) == 1

    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)
    assert Message.objects.get(pk=other_award_failed.pk).status == "failed"
    assert len(callbacks) == 1


# --- Bulk sends -----------------------------------------------------------------------------


def _bulk(award, organiser, **overrides):
    fields = {
        "award": award,
        "actor": organiser,
        "request_token": uuid.uuid4(),
        "audience": Audience.CUSTOM,
        "subject_de": "Hallo {{ recipient_name }}",
        "body_de": "Neuigkeiten zum {{ award_name }}",
        "subject_en": "Hello {{ recipient_name }}",
        "body_en": "News about the {{ award_name }}",
        "custom_recipients": "",
        **overrides,
    }
    return bulk_service.bulk_send_create(**fields)


def test_bulk_expands_in_chunks_and_is_safe_to_expand_again(settings):
    settings.LAUREL_BULK_CHUNK = 2
    award, organiser = AwardFactory(), UserFactory()
    known = UserFactory(email="known@example.org", preferred_language="en", full_name="Kim")
    addresses = "c@example.org; a@example.org,\nB@example.org known@example.org e@example.org"

    bulk, created = _bulk(award, organiser, custom_recipients=addresses)
    assert created and bulk.total == 5

    assert [bulk_service.bulk_expand_chunk(bulk_id=bulk.pk) for _ in range(3)] == [
        True,
        True,
        False,
    ]
    bulk.refresh_from_db()
    assert (bulk.expanded, bulk.status) == (5, BulkStatus.QUEUED)
    assert bulk_service.bulk_expand_chunk(bulk_id=bulk.pk) is False
    messages = Message.objects.filter(bulk=bulk).order_by("recipient_email")
    assert [m.recipient_email for m in messages] == [
        "a@example.org",
        "b@example.org",
        "c@example.org",
        "e@example.org",
        "known@example.org",
    ]
    by_known = messages.get(recipient=known)
    assert (by_known.subject, by_known.language) == ("Hello Kim", "en")
    assert messages.get(recipient_email="a@example.org").subject == "Hallo"


def test_the_same_form_token_creates_one_bulk_send():
    award, organiser = AwardFactory(), UserFactory()
    token = uuid.uuid4()
    first, created = _bulk(award, organiser, request_token=token, custom_recipients="a@b.org")
    second, created_again = _bulk(
        award, organiser, request_token=token, custom_recipients="a@b.org"
    )
    assert (created, created_again) == (True, False)
    assert first.pk == second.pk and BulkSend.objects.count() == 1


def test_invalid_addresses_are_named_and_nothing_is_created():
    award, organiser = AwardFactory(), UserFactory()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        _bulk(award, organiser, custom_recipients="ok@example.org, not-an-address, x@")
    assert error.value.messages == ["These are not email addresses: not-an-address, x@"]
    assert BulkSend.objects.count() == 0


def test_unknown_placeholder_in_an_announcement_is_refused():
    award, organiser = AwardFactory(), UserFactory()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        _bulk(award, organiser, custom_recipients="a@b.org", body_en="{{ user.password }}")
    assert list(error.value.message_dict) == ["body_en"]


def test_applicant_audiences_count_submitted_entries_only():
    award = AwardFactory()
    mobility, health = CategoryFactory(award=award), CategoryFactory(award=award)
    organiser = UserFactory()
    applicant, drafter, other = UserFactory(), UserFactory(), UserFactory()
    for user, category, status in [
        (applicant, mobility, "submitted"),
        (applicant, health, "eligible"),
        (drafter, mobility, "draft"),
        (other, health, "submitted"),
    ]:
        membership = MembershipFactory(user=user)
        SubmissionFactory(
            award=award,
            category=category,
            organisation=membership.organisation,
            created_by=user,
            status=status,
        )

    everyone, _ = _bulk(award, organiser, audience=Audience.APPLICANTS)
    in_mobility, _ = _bulk(
        award, organiser, audience=Audience.CATEGORY_APPLICANTS, category=mobility
    )
    assert (everyone.total, in_mobility.total) == (2, 1)

    with translation.override("en"), pytest.raises(ValidationError) as error:
        _bulk(award, organiser, audience=Audience.CATEGORY_APPLICANTS, category=CategoryFactory())
    assert error.value.message_dict == {"category": ["Choose a category of this award."]}


def test_juror_audience_and_empty_audience():
    award, organiser = AwardFactory(), UserFactory()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        _bulk(award, organiser, audience=Audience.JURORS)
    assert error.value.messages == ["Nobody is in this audience yet; nothing was sent."]

    juror, chair = UserFactory(), UserFactory()
    JurorFactory(award=award, user=juror)
    JurorFactory(award=award, user=chair, role="jury_chair")
    JurorFactory(award=award, user=UserFactory(), is_active=False)  # removed from the jury
    JurorFactory(award=AwardFactory(), user=UserFactory())
    bulk, _ = _bulk(award, organiser, audience=Audience.JURORS)
    assert bulk.total == 2
