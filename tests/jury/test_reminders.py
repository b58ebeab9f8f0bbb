"""Reminders of open reviews: 7, 3 and 1 days before the jury deadline, once each, to every
active juror with open work; and by hand."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from awards.models import AuditEntry
from jury import services
from jury.models import Assignment, Ballot, Review, RoundEntry
from jury.tasks import send_reminders
from notifications.models import Message
from tests.factories import RoundFactory, judging_setup

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BERLIN = ZoneInfo("Europe/Berlin")
DEADLINE = dt.datetime(2031, 3, 10, 18, 0, tzinfo=BERLIN)
DAY = dt.timedelta(days=1)


# --- When a reminder is due --------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "due"),
    [
        (8 * DAY, None),
        (7 * DAY + dt.timedelta(seconds=1), None),
        (7 * DAY, 7),
        (6.9 * DAY, 7),
        (3 * DAY + dt.timedelta(seconds=1), 7),
        (3 * DAY, 3),
        (2 * DAY, 3),
        (1 * DAY, 1),
        (0.5 * DAY, 1),
        (dt.timedelta(seconds=1), 1),
        (dt.timedelta(0), None),
        (-DAY, None),
    ],
)
def test_due_reminder(before, due):
    assert services.due_reminder(DEADLINE, DEADLINE - before) == due


# --- Sending the due reminders -----------------------------------------------------------


@pytest.fixture
def jury():
    """Round 1 ends at DEADLINE. Open work: Anna 2 reviews, Ben 1 (a draft), Clara none
    (everything submitted), Dora 1 but she has left the jury."""
    setup = judging_setup(entries=3, jurors=4)
    setup.round.deadline_at = DEADLINE
    setup.round.save()
    anna, ben, clara, dora = setup.jurors
    s0, s1, s2 = setup.submissions

    def assign(juror, submission, status=None):
        assignment = Assignment.objects.create(
            round=setup.round, juror=juror, submission=submission
        )
        if status:
            Review.objects.create(assignment=assignment, status=status)
        return assignment

    assign(anna, s0)
    assign(anna, s1)
    assign(ben, s0, "draft")
    assign(ben, s1, "submitted")
    assign(clara, s0, "submitted")
    assign(clara, s2, "submitted")
    assign(dora, s2)
    dora.is_active = False
    dora.save()
    setup.anna, setup.ben, setup.clara, setup.dora = anna, ben, clara, dora
    return setup


def reminders():
    return Message.objects.filter(template_key="jury.reminder")


def keys():
    return set(reminders().values_list("idempotency_key", flat=True))


def key(setup, juror, days):
    return f"jury.reminder:{setup.round.pk}:{juror.pk}:{days}d"


def test_nothing_is_sent_more_than_7_days_before_the_deadline(jury):
    assert services.reminders_send_due(now=DEADLINE - 8 * DAY) == 0
    assert not reminders().exists()


def test_the_7_day_reminder_goes_to_each_active_juror_with_open_reviews(jury):
    sent = services.reminders_send_due(now=DEADLINE - 6.9 * DAY)

    assert sent == 2
    assert keys() == {key(jury, jury.anna, 7), key(jury, jury.ben, 7)}
    by_recipient = {m.recipient: m for m in reminders()}
    assert set(by_recipient) == {jury.anna.user, jury.ben.user}
    anna = by_recipient[jury.anna.user]
    assert anna.recipient_email == jury.anna.user.email
    assert anna.context["open_reviews"] == "2"
    assert by_recipient[jury.ben.user].context["open_reviews"] == "1"
    assert anna.context["jury_deadline"] == "10. März 2031, 18:00 Uhr"
    dashboard = settings.SITE_URL + reverse("jury:dashboard", kwargs={"slug": jury.award.slug})
    assert anna.context["dashboard_url"] == dashboard
    assert anna.subject == "Erinnerung: 2 Bewertungen offen"
    assert dashboard in anna.body_text


def test_running_twice_at_the_same_moment_sends_nothing_more(jury):
    services.reminders_send_due(now=DEADLINE - 6.9 * DAY)

    assert services.reminders_send_due(now=DEADLINE - 6.9 * DAY) == 0
    assert services.reminders_send_due(now=DEADLINE - 6 * DAY) == 0
    assert reminders().count() == 2


def test_the_3_and_1_day_reminders_each_go_out_once_more(jury):
    services.reminders_send_due(now=DEADLINE - 6.9 * DAY)

    services.reminders_send_due(now=DEADLINE - 2 * DAY)
    services.reminders_send_due(now=DEADLINE - 1.5 * DAY)

    assert reminders().count() == 4
    assert keys() == {key(jury, j, days) for j in (jury.anna, jury.ben) for days in (7, 3)}

    services.reminders_send_due(now=DEADLINE - 0.5 * DAY)
    services.reminders_send_due(now=DEADLINE - 0.1 * DAY)

    assert reminders().count() == 6
    assert services.reminders_send_due(now=DEADLINE + dt.timedelta(minutes=1)) == 0
    assert reminders().count() == 6


def test_a_missed_7_day_moment_sends_only_the_3_day_reminder(jury):
    services.reminders_send_due(now=DEADLINE - 2 * DAY)

    assert keys() == {key(jury, jury.anna, 3), key(jury, jury.ben, 3)}


def test_the_count_follows_the_work_done_in_between(jury):
    services.reminders_send_due(now=DEADLINE - 6.9 * DAY)
    Review.objects.filter(assignment__juror=jury.ben).update(status="submitted")
    Review.objects.create(
        assignment=Assignment.objects.get(juror=jury.anna, submission=jury.submissions[0]),
        status="submitted",
    )

    services.reminders_send_due(now=DEADLINE - 2 * DAY)

    latest = reminders().get(idempotency_key=key(jury, jury.anna, 3))
    assert latest.context["open_reviews"] == "1"
    assert not reminders().filter(idempotency_key=key(jury, jury.ben, 3)).exists()


def test_a_juror_with_a_later_individual_deadline_is_not_reminded(jury):
    jury.ben.deadline_extended_until = DEADLINE + 5 * DAY
    jury.ben.save()

    services.reminders_send_due(now=DEADLINE - 2 * DAY)

    assert keys() == {key(jury, jury.anna, 3)}


def test_a_round_that_is_not_open_or_has_no_deadline_sends_nothing(jury):
    jury.round.status = "closed"
    jury.round.save()
    assert services.reminders_send_due(now=DEADLINE - 2 * DAY) == 0

    jury.round.status = "open"
    jury.round.deadline_at = None
    jury.round.save()
    jury.award.jury_deadline_at = None
    jury.award.save()
    assert services.reminders_send_due(now=DEADLINE - 2 * DAY) == 0
    assert not reminders().exists()


def test_the_awards_jury_deadline_counts_when_the_round_has_none(jury):
    jury.round.deadline_at = None
    jury.round.save()

    services.reminders_send_due(now=jury.award.jury_deadline_at - 2 * DAY)

    assert keys() == {key(jury, jury.anna, 3), key(jury, jury.ben, 3)}


def test_in_a_ranking_round_jurors_without_a_submitted_ballot_are_reminded(jury):
    services.round_close(round=jury.round, actor=jury.organiser)
    final = RoundFactory(
        award=jury.award,
        number=2,
        kind="final",
        method="ranking",
        status="open",
        deadline_at=DEADLINE + 10 * DAY,
    )
    for submission in jury.submissions[:2]:
        RoundEntry.objects.create(round=final, submission=submission)
    Ballot.objects.create(round=final, juror=jury.anna, category=jury.category, status="submitted")
    Ballot.objects.create(round=final, juror=jury.ben, category=jury.category, status="draft")

    services.reminders_send_due(now=DEADLINE + 9 * DAY)

    assert keys() == {
        f"jury.reminder:{final.pk}:{jury.ben.pk}:1d",
        f"jury.reminder:{final.pk}:{jury.clara.pk}:1d",
    }


# --- By hand -----------------------------------------------------------------------------


def test_an_organiser_reminds_one_juror_now(jury):
    report = services.reminder_send_now(round=jury.round, actor=jury.organiser, juror=jury.ben)

    assert (report.sent, report.skipped) == (1, [])
    message = reminders().get()
    assert message.recipient == jury.ben.user
    assert message.context["open_reviews"] == "1"
    entry = AuditEntry.objects.get(action="jury.reminded")
    assert entry.actor == jury.organiser
    assert entry.data == {"jurors": 1, "juror": jury.ben.user.email}


def test_an_organiser_reminds_every_juror_with_open_work_now(jury):
    report = services.reminder_send_now(round=jury.round, actor=jury.organiser)

    assert report.sent == 2
    assert {m.recipient for m in reminders()} == {jury.anna.user, jury.ben.user}
    assert AuditEntry.objects.get(action="jury.reminded").data == {"jurors": 2, "juror": None}


def test_reminders_by_hand_do_not_use_up_the_scheduled_ones_and_can_repeat(jury):
    services.reminder_send_now(round=jury.round, actor=jury.organiser, juror=jury.anna)
    # A second one within LAUREL_REMINDER_MIN_INTERVAL only when forced (see
    # test_remind_confirmation.py).
    services.reminder_send_now(round=jury.round, actor=jury.organiser, juror=jury.anna, force=True)

    services.reminders_send_due(now=DEADLINE - 6.9 * DAY)

    assert reminders().filter(recipient=jury.anna.user).count() == 3
    assert key(jury, jury.anna, 7) in keys()


def test_a_juror_without_open_work_gets_no_reminder_by_hand(jury):
    assert services.reminder_send_now(round=jury.round, actor=None, juror=jury.clara).sent == 0
    assert services.reminder_send_now(round=jury.round, actor=None, juror=jury.dora).sent == 0
    assert not reminders().exists()


# --- The beat task -----------------------------------------------------------------------


def test_the_task_sends_the_reminders_due_now(jury):
    jury.round.deadline_at = timezone.now() + 5 * DAY
    jury.round.save()

    assert send_reminders() == 2
    assert send_reminders() == 0
    assert keys() == {key(jury, jury.anna, 7), key(jury, jury.ben, 7)}
