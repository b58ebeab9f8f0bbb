"""Each event is emitted by the service that makes its change, inside its transaction: one
delivery per subscribed active endpoint, none when the change rolls back."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from jury import services as jury_services
from jury.models import Assignment, RoundEntry
from results import services as results_services
from submissions import services as submission_services
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    RoundFactory,
    SubmissionFactory,
    complete_entry_fields,
    judging_setup,
)
from tests.jury.manage_helpers import submit_review
from tests.results.test_publication import decided_award
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


def listen(award, events=None, **fields) -> WebhookEndpoint:
    from core.events import EVENTS

    return WebhookEndpoint.objects.create(
        award=award, url="https://hooks.example.org/laurel", events=events or list(EVENTS), **fields
    )


def only_delivery(name: str) -> WebhookDelivery:
    deliveries = list(WebhookDelivery.objects.all())
    assert [d.event for d in deliveries] == [name]
    delivery = deliveries[0]
    assert delivery.status == "pending" and delivery.attempts == 0
    assert delivery.payload["event"] == name
    assert delivery.payload["id"] == str(delivery.event_id)
    return delivery


def ready_draft():
    award = AwardFactory(status="open", form=False, slug="lia-events")
    submission = SubmissionFactory(award=award, category=CategoryFactory(award=award, code="MOB"))
    return submission_services.submission_update(
        submission=submission,
        actor=submission.created_by,
        expected_version=submission.version,
        **complete_entry_fields(),
    )


def submit(submission):
    return submission_services.submission_submit(
        submission=submission, actor=submission.created_by, expected_version=submission.version
    )


def test_submitting_an_entry_records_entry_submitted(django_capture_on_commit_callbacks):
    draft = ready_draft()
    listen(draft.award)

    with django_capture_on_commit_callbacks() as callbacks:
        entry = submit(draft)

    delivery = only_delivery("entry.submitted")
    assert delivery.payload["data"] == {
        "award": "lia-events",
        "entry": entry.pk,
        "reference": entry.reference,
        "category": "MOB",
        "status": "submitted",
    }
    assert callbacks  # the send task is enqueued once the change commits


def test_a_submission_that_rolls_back_records_nothing():
    draft = ready_draft()
    listen(draft.award)

    with pytest.raises(RuntimeError), transaction.atomic():
        submit(draft)
        assert WebhookDelivery.objects.count() == 1  # written with the change …
        raise RuntimeError("the change fails after the event")

    assert WebhookDelivery.objects.count() == 0  # … and gone with it


def test_only_active_endpoints_subscribed_to_the_event_get_a_delivery():
    draft = ready_draft()
    wanted = listen(draft.award, events=["entry.submitted"])
    listen(draft.award, events=["results.published"])
    listen(draft.award, is_active=False)
    listen(AwardFactory(), events=["entry.submitted"])  # another award's

    submit(draft)

    assert list(WebhookDelivery.objects.values_list("endpoint", flat=True)) == [wanted.pk]


def test_withdrawing_records_entry_withdrawn():
    entry = submit(ready_draft())
    listen(entry.award)

    submission_services.submission_withdraw(submission=entry, actor=entry.created_by)

    assert only_delivery("entry.withdrawn").payload["data"]["status"] == "withdrawn"


def test_the_eligibility_decision_records_entry_eligibility_decided_without_the_reason():
    award = AwardFactory(status="closed", form=False)
    entry = SubmissionFactory(award=award, status="submitted", reference="LIA-2030-C01-0001")
    organiser = AwardRoleFactory(award=award).user
    listen(award)

    submission_services.eligibility_decide(
        submission=entry, actor=organiser, eligible=False, reason="Sitz außerhalb Berlins"
    )

    data = only_delivery("entry.eligibility_decided").payload["data"]
    assert (data["status"], data["eligible"], data["entry"]) == ("ineligible", False, entry.pk)
    assert "Sitz" not in str(data)  # a person's text never leaves with a webhook


def test_submitting_a_review_records_review_submitted_but_a_draft_does_not():
    s = judging_setup(entries=1, jurors=1)
    listen(s.award)
    assignment = Assignment.objects.create(
        round=s.round, juror=s.jurors[0], submission=s.submissions[0]
    )

    jury_services.review_save(
        assignment=assignment,
        actor=s.jurors[0].user,
        version=0,
        scores={s.criteria[0].pk: 5},
        overall_comment="Good",
    )
    assert WebhookDelivery.objects.count() == 0
    review = jury_services.review_save(
        assignment=assignment,
        actor=s.jurors[0].user,
        version=1,
        scores={c.pk: 7 for c in s.criteria},
        overall_comment="Sehr gut",
        submit=True,
    )

    data = only_delivery("review.submitted").payload["data"]
    assert data["review"] == review.pk and data["round"] == 1
    assert data["entry"] == s.submissions[0].pk and data["juror"] == s.jurors[0].pk
    assert "Sehr gut" not in str(data)


def test_opening_and_closing_a_round_record_round_opened_and_round_closed():
    award = AwardFactory(status="judging")
    organiser = AwardRoleFactory(award=award).user
    SubmissionFactory(award=award, status="eligible")
    round_ = RoundFactory(award=award, number=1)
    listen(award)

    jury_services.round_open(round=round_, actor=organiser)
    opened = only_delivery("round.opened")
    assert opened.payload["data"]["round"] == 1
    assert opened.payload["data"]["entries"] == 1
    assert opened.payload["data"]["reopened"] is False

    jury_services.round_close(round=round_, actor=organiser)
    closed = WebhookDelivery.objects.get(event="round.closed")
    assert closed.payload["data"] == {
        "award": award.slug,
        "round": 1,
        "assignments": 0,
        "submitted": 0,
    }
    assert RoundEntry.objects.filter(round=round_).count() == 1


def test_publishing_the_results_records_results_published():
    scene = decided_award()
    listen(scene.award)
    results_services.publication_schedule(
        award=scene.award, at=timezone.now(), actor=scene.organiser
    )
    now = timezone.now() + dt.timedelta(seconds=1)

    assert results_services.results_publish(award_id=scene.award.pk, now=now)

    data = only_delivery("results.published").payload["data"]
    assert data["award"] == scene.award.slug
    assert data["published_at"] == now.isoformat().replace("+00:00", "Z")


def test_a_review_submitted_in_a_rolled_back_transaction_records_nothing():
    s = judging_setup(entries=1, jurors=1)
    listen(s.award)
    assignment = Assignment.objects.create(
        round=s.round, juror=s.jurors[0], submission=s.submissions[0]
    )

    with pytest.raises(RuntimeError), transaction.atomic():
        submit_review(assignment, 6)
        raise RuntimeError

    assert WebhookDelivery.objects.count() == 0
