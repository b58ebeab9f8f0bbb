"""Reminders of unfinished drafts, 7 days and 1 day before the deadline, each at most once."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from notifications.models import Message
from submissions import services
from submissions.tasks import send_draft_reminders
from tests.factories import (
    AwardFactory,
    CategoryFactory,
    MembershipFactory,
    SubmissionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
CLOSE = dt.datetime(2031, 3, 10, 18, 0, tzinfo=BERLIN)
DAY = dt.timedelta(days=1)


def award_closing_at(close=CLOSE, status="open"):
    return AwardFactory(
        status=status,
        submissions_open_at=close - 60 * DAY,
        submissions_close_at=close,
        jury_deadline_at=close + 30 * DAY,
        announcement_at=close + 60 * DAY,
    )


def entry(award, status="draft", **kwargs):
    """An entry of an organisation with a German owner and an English member."""
    owner = MembershipFactory(user=UserFactory(preferred_language="de"))
    MembershipFactory(
        organisation=owner.organisation,
        user=UserFactory(preferred_language="en"),
        role="member",
    )
    category = award.categories.first() or CategoryFactory(
        award=award, name_de="Mobilität", name_en="Mobility", max_entries_per_organisation=None
    )
    return SubmissionFactory(
        award=award,
        category=category,
        organisation=owner.organisation,
        created_by=owner.user,
        status=status,
        title="Flax frame",
        **kwargs,
    )


def members(submission):
    return [m.user for m in submission.organisation.memberships.order_by("pk")]


def keys(submission, window):
    return {f"draft-reminder:{submission.pk}:{window}:{user.pk}" for user in members(submission)}


def reminder_keys():
    return set(
        Message.objects.filter(template_key="submission.draft_reminder").values_list(
            "idempotency_key", flat=True
        )
    )


def send(now):
    return services.draft_reminders_send(now=now)


@pytest.fixture
def award():
    return award_closing_at()


def test_eight_days_before_nothing_is_sent(award):
    entry(award)

    assert send(CLOSE - 8 * DAY) == 0
    assert send(CLOSE - 7 * DAY - dt.timedelta(seconds=1)) == 0
    assert not Message.objects.exists()


def test_within_seven_days_every_member_is_reminded_once(award):
    submission = entry(award)

    assert send(CLOSE - 6 * DAY) == 2

    assert reminder_keys() == keys(submission, 7)
    for key in keys(submission, 7):
        assert Message.objects.filter(idempotency_key=key).count() == 1
    # Later runs inside the same window add nothing.
    assert send(CLOSE - 6 * DAY + dt.timedelta(hours=1)) == 0
    assert send(CLOSE - 2 * DAY) == 0
    assert reminder_keys() == keys(submission, 7)


def test_the_seven_day_window_starts_exactly_seven_days_before(award):
    submission = entry(award)

    assert send(CLOSE - 7 * DAY) == 2

    assert reminder_keys() == keys(submission, 7)


def test_within_one_day_the_last_reminder_goes_once(award):
    submission = entry(award)
    send(CLOSE - 6 * DAY)

    assert send(CLOSE - dt.timedelta(hours=20)) == 2
    assert send(CLOSE - dt.timedelta(hours=19)) == 0
    assert send(CLOSE - dt.timedelta(seconds=1)) == 0

    assert reminder_keys() == keys(submission, 7) | keys(submission, 1)
    assert Message.objects.count() == 4


def test_a_draft_first_seen_inside_the_last_day_gets_only_the_last_reminder(award):
    submission = entry(award)

    assert send(CLOSE - DAY) == 2

    assert reminder_keys() == keys(submission, 1)


def test_after_the_deadline_nothing_is_sent(award):
    entry(award)

    assert send(CLOSE) == 0
    assert send(CLOSE + dt.timedelta(hours=1)) == 0
    assert not Message.objects.exists()


def test_the_reminder_names_the_draft_in_each_members_language(award):
    submission = entry(award)
    german, english = members(submission)

    send(CLOSE - 6 * DAY)

    url = settings.SITE_URL + reverse("submissions:edit", kwargs={"pk": submission.pk})
    de = Message.objects.get(recipient=german)
    en = Message.objects.get(recipient=english)
    assert (de.language, de.recipient_email, de.award) == ("de", german.email, award)
    assert de.subject == "Noch 6 Tage: Ihre Einreichung ist noch nicht abgeschickt"
    assert "Ihr Entwurf „Flax frame“" in de.body_text
    assert "Die Einreichungsfrist endet am 10. März 2031, 18:00 Uhr." in de.body_text
    assert url in de.body_text
    assert en.subject == "6 days left: your entry has not been submitted yet"
    assert "The deadline is 10 March 2031, 6:00 p.m." in en.body_text
    assert en.context["category"] == "Mobility" and de.context["category"] == "Mobilität"
    assert url in en.body_text


@pytest.mark.parametrize("status", ["submitted", "withdrawn", "eligible", "ineligible"])
def test_entries_that_are_not_drafts_get_no_reminder(award, status):
    entry(award, status=status)

    assert send(CLOSE - 6 * DAY) == 0
    assert send(CLOSE - dt.timedelta(hours=20)) == 0
    assert not Message.objects.exists()


def test_an_individual_extension_moves_the_window(award):
    regular = entry(award)
    extended = entry(award, deadline_extended_until=CLOSE + 10 * DAY)

    assert send(CLOSE - 6 * DAY) == 2
    assert reminder_keys() == keys(regular, 7)
    # The extended draft's deadline is 4 days after the general one: its week starts then.
    award.status = "closed"
    award.save(update_fields=["status"])
    assert send(CLOSE + 4 * DAY) == 2
    assert send(CLOSE + 9 * DAY + dt.timedelta(hours=6)) == 2

    assert reminder_keys() == keys(regular, 7) | keys(extended, 7) | keys(extended, 1)


@pytest.mark.parametrize("status", ["draft", "closed", "judging"])
def test_drafts_of_an_award_that_takes_no_entries_get_no_reminder(status):
    entry(award_closing_at(status=status))

    assert send(CLOSE - 6 * DAY) == 0
    assert send(CLOSE - dt.timedelta(hours=20)) == 0
    assert not Message.objects.exists()


def test_only_the_open_awards_drafts_are_reminded():
    open_award, closed_award = award_closing_at(), award_closing_at(status="closed")
    reminded = entry(open_award)
    entry(closed_award)

    assert send(CLOSE - 6 * DAY) == 2

    assert reminder_keys() == keys(reminded, 7)


def test_a_deactivated_member_is_not_reminded(award):
    submission = entry(award)
    german, english = members(submission)
    english.is_active = False
    english.save(update_fields=["is_active"])

    assert send(CLOSE - 6 * DAY) == 1

    assert list(Message.objects.values_list("recipient", flat=True)) == [german.pk]


def test_a_member_who_joins_later_gets_the_reminder_the_others_had(award):
    submission = entry(award)
    send(CLOSE - 6 * DAY)
    newcomer = MembershipFactory(organisation=submission.organisation, role="member").user

    assert send(CLOSE - 5 * DAY) == 1

    assert Message.objects.filter(
        idempotency_key=f"draft-reminder:{submission.pk}:7:{newcomer.pk}"
    ).exists()


def test_the_beat_task_reminds_with_the_current_time():
    now = timezone.now()
    award = award_closing_at(close=now + 3 * DAY)
    submission = entry(award)

    assert send_draft_reminders() == 2
    assert send_draft_reminders() == 0

    assert reminder_keys() == keys(submission, 7)


def test_the_task_is_on_the_beat_schedule_every_hour():
    schedule = settings.CELERY_BEAT_SCHEDULE["draft-reminders"]

    assert schedule == {"task": "submissions.draft_reminders", "schedule": dt.timedelta(hours=1)}
    assert send_draft_reminders.name == "submissions.draft_reminders"
