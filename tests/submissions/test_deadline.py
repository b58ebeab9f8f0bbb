"""The deadline, to the second, in the award's time zone, on the days the clocks change.

Services that take no ``now`` read Django's clock, so the tests set that clock (not our code)
with ``mock.patch("django.utils.timezone.now")``.
"""

import datetime as dt
import io
from contextlib import contextmanager
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from awards.models import AuditEntry
from submissions import services
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    MembershipFactory,
    SubmissionFactory,
    complete_entry_fields,
)
from tests.submissions.helpers import answer_values

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
SECOND = dt.timedelta(seconds=1)
# The last Sunday of March 2027: at 2:00 the clocks go forward to 3:00 (CET → CEST).
SPRING = dt.datetime(2027, 3, 28, 18, 0, tzinfo=BERLIN)
# The last Sunday of October 2026: at 3:00 the clocks go back to 2:00 (CEST → CET).
AUTUMN = dt.datetime(2026, 10, 25, 18, 0, tzinfo=BERLIN)
DEADLINES = {
    "spring": (
        SPRING,
        "28 March 2027, 6:00 p.m. (Europe/Berlin)",
        "28. März 2027, 18:00 Uhr (Europe/Berlin)",
    ),
    "autumn": (
        AUTUMN,
        "25 October 2026, 6:00 p.m. (Europe/Berlin)",
        "25. Oktober 2026, 18:00 Uhr (Europe/Berlin)",
    ),
}


@contextmanager
def clock(moment: dt.datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment.astimezone(dt.UTC)):
        yield


def award_closing_at(close: dt.datetime, **kwargs):
    return AwardFactory(
        status=kwargs.pop("status", "open"),
        timezone=kwargs.pop("timezone", "Europe/Berlin"),
        submissions_open_at=close - dt.timedelta(days=60),
        submissions_close_at=close,
        jury_deadline_at=close + dt.timedelta(days=30),
        announcement_at=close + dt.timedelta(days=60),
        **kwargs,
    )


def entry(award, **kwargs):
    return SubmissionFactory(award=award, category=CategoryFactory(award=award), **kwargs)


def png_upload(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), "image/png")


def ready(submission, moment):
    """Complete every field and add an image while the deadline is still ahead."""
    with clock(moment):
        submission = services.submission_update(
            submission=submission,
            actor=submission.created_by,
            expected_version=submission.version,
            answers=answer_values(submission.award),
            **complete_entry_fields(),
        )
        services.attachment_add(
            submission=submission, actor=submission.created_by, upload=png_upload()
        )
    return submission


@pytest.fixture(params=sorted(DEADLINES))
def deadline(request):
    return DEADLINES[request.param]


def test_the_deadlines_are_stored_as_the_right_instants():
    # 18:00 is 16:00 UTC in summer time and 17:00 UTC in winter time.
    assert award_closing_at(SPRING).submissions_close_at == dt.datetime(
        2027, 3, 28, 16, 0, tzinfo=dt.UTC
    )
    assert award_closing_at(AUTUMN).submissions_close_at == dt.datetime(
        2026, 10, 25, 17, 0, tzinfo=dt.UTC
    )


def test_editing_is_allowed_until_one_second_before_the_deadline(deadline):
    close, _en, _de = deadline
    submission = entry(award_closing_at(close))

    assert services.editing_allowed(submission, now=close - dt.timedelta(hours=25)) is True
    assert services.editing_allowed(submission, now=close - SECOND) is True
    assert services.editing_allowed(submission, now=close) is False
    assert services.editing_allowed(submission, now=close + SECOND) is False


def test_a_draft_saves_one_second_before_the_deadline(deadline):
    close, _en, _de = deadline
    submission = entry(award_closing_at(close))

    with clock(close - SECOND):
        saved = services.submission_update(
            submission=submission,
            actor=submission.created_by,
            expected_version=1,
            title="Saved in the last second",
        )

    assert (saved.title, saved.version) == ("Saved in the last second", 2)


def test_submitting_one_second_before_the_deadline_is_accepted(deadline):
    close, _en, _de = deadline
    submission = ready(entry(award_closing_at(close)), close - dt.timedelta(minutes=5))

    with clock(close - SECOND):
        submitted = services.submission_submit(
            submission=submission, actor=submission.created_by, expected_version=2
        )

    assert submitted.status == "submitted"
    assert submitted.submitted_at == close - SECOND


@pytest.mark.parametrize("after", [dt.timedelta(0), SECOND, dt.timedelta(days=3)])
def test_a_save_at_or_after_the_deadline_is_refused_with_the_deadline_in_english(deadline, after):
    close, english, _de = deadline
    submission = entry(award_closing_at(close))

    with (
        clock(close + after),
        translation.override("en"),
        pytest.raises(services.DeadlinePassed) as error,
    ):
        services.submission_update(
            submission=submission,
            actor=submission.created_by,
            expected_version=1,
            title="Too late",
        )

    assert error.value.messages == [
        f"The deadline was {english}; entries can no longer be changed."
    ]
    submission.refresh_from_db()
    assert submission.title != "Too late"
    assert submission.version == 1


def test_the_deadline_in_the_message_is_in_german_for_german_users(deadline):
    close, _en, german = deadline
    submission = entry(award_closing_at(close))

    with (
        clock(close + SECOND),
        translation.override("de"),
        pytest.raises(services.DeadlinePassed) as error,
    ):
        services.submission_update(
            submission=submission, actor=submission.created_by, expected_version=1, summary="x"
        )

    assert german in error.value.messages[0]


def test_submitting_one_second_after_the_deadline_is_refused(deadline):
    close, english, _de = deadline
    submission = ready(entry(award_closing_at(close)), close - dt.timedelta(minutes=5))

    with (
        clock(close + SECOND),
        translation.override("en"),
        pytest.raises(services.DeadlinePassed) as error,
    ):
        services.submission_submit(
            submission=submission, actor=submission.created_by, expected_version=2
        )

    # When it arrived, to the second, and the deadline: why it is late.
    arrived = english.replace(" p.m.", ":01 p.m.").replace(" a.m.", ":01 a.m.")
    assert error.value.messages == [
        f"Your entry arrived on {arrived}; the deadline was {english}. It can no longer be "
        "submitted."
    ]
    submission.refresh_from_db()
    assert (submission.status, submission.reference) == ("draft", None)


def test_a_file_one_second_after_the_deadline_is_refused(deadline):
    close, english, german = deadline
    submission = entry(award_closing_at(close))

    with clock(close - SECOND):
        services.attachment_add(
            submission=submission, actor=submission.created_by, upload=png_upload()
        )
    for language, shown in (("en", english), ("de", german)):
        with (
            clock(close + SECOND),
            translation.override(language),
            pytest.raises(services.DeadlinePassed) as error,
        ):
            services.attachment_add(
                submission=submission, actor=submission.created_by, upload=png_upload()
            )
        assert shown in error.value.messages[0]
    assert submission.attachments.count() == 1


def test_a_file_cannot_be_deleted_after_the_deadline():
    submission = entry(award_closing_at(SPRING))
    with clock(SPRING - SECOND):
        attachment = services.attachment_add(
            submission=submission, actor=submission.created_by, upload=png_upload()
        )

    with clock(SPRING + SECOND), pytest.raises(services.DeadlinePassed):
        services.attachment_delete(attachment=attachment, actor=submission.created_by)

    assert submission.attachments.count() == 1


def test_a_submitted_entry_can_be_edited_and_withdrawn_until_the_deadline():
    submission = ready(entry(award_closing_at(SPRING)), SPRING - dt.timedelta(hours=2))
    with clock(SPRING - dt.timedelta(hours=1)):
        submission = services.submission_submit(
            submission=submission, actor=submission.created_by, expected_version=2
        )

    with clock(SPRING - SECOND):
        edited = services.submission_update(
            submission=submission,
            actor=submission.created_by,
            expected_version=submission.version,
            title="Corrected title",
        )
        withdrawn = services.submission_withdraw(submission=edited, actor=edited.created_by)

    assert (edited.title, withdrawn.status) == ("Corrected title", "withdrawn")


def test_a_submitted_entry_cannot_be_withdrawn_after_the_deadline():
    submission = ready(entry(award_closing_at(SPRING)), SPRING - dt.timedelta(hours=2))
    with clock(SPRING - dt.timedelta(hours=1)):
        services.submission_submit(
            submission=submission, actor=submission.created_by, expected_version=2
        )

    with clock(SPRING + SECOND), pytest.raises(services.DeadlinePassed):
        services.submission_withdraw(submission=submission, actor=submission.created_by)

    submission.refresh_from_db()
    assert submission.status == "submitted"


def test_the_deadline_is_shown_in_the_awards_own_time_zone():
    # The second Sunday of March 2027 is the day the clocks go forward in New York.
    close = dt.datetime(2027, 3, 14, 18, 0, tzinfo=ZoneInfo("America/New_York"))
    submission = entry(award_closing_at(close, timezone="America/New_York"))

    assert services.editing_allowed(submission, now=close - SECOND) is True
    assert services.editing_allowed(submission, now=close) is False
    with (
        clock(close + SECOND),
        translation.override("en"),
        pytest.raises(services.DeadlinePassed) as error,
    ):
        services.submission_update(
            submission=submission, actor=submission.created_by, expected_version=1, summary="x"
        )

    assert error.value.messages == [
        "The deadline was 14 March 2027, 6:00 p.m. (America/New_York); "
        "entries can no longer be changed."
    ]


# --- Individual extensions ------------------------------------------------------------------


@pytest.mark.parametrize("award_status", ["open", "closed"])
def test_an_individual_extension_keeps_one_entry_open_after_the_general_deadline(award_status):
    award = award_closing_at(SPRING)
    organiser = AwardRoleFactory(award=award, role="organiser").user
    category = CategoryFactory(award=award, max_entries_per_organisation=None)
    before = SPRING - dt.timedelta(hours=3)
    extended = ready(SubmissionFactory(award=award, category=category), before)
    other = ready(SubmissionFactory(award=award, category=category), before)
    until = SPRING + dt.timedelta(days=2)
    with clock(SPRING - dt.timedelta(hours=2)):
        services.deadline_extend(submission=extended, actor=organiser, until=until)
    award.status = award_status
    award.save(update_fields=["status"])
    extended.refresh_from_db()
    other.refresh_from_db()

    after = SPRING + dt.timedelta(hours=1)
    assert services.deadline_for(extended) == until
    assert services.editing_allowed(extended, now=after) is True
    assert services.editing_allowed(other, now=after) is False
    with clock(after):
        extended = services.submission_update(
            submission=extended,
            actor=extended.created_by,
            expected_version=extended.version,
            title="Finished late, with permission",
        )
        extended = services.submission_submit(
            submission=extended, actor=extended.created_by, expected_version=extended.version
        )
        with pytest.raises(services.DeadlinePassed):
            services.submission_submit(
                submission=other, actor=other.created_by, expected_version=other.version
            )

    assert (extended.status, extended.title) == ("submitted", "Finished late, with permission")
    other.refresh_from_db()
    assert other.status == "draft"


def test_an_extension_ends_to_the_second_and_the_message_shows_it():
    award = award_closing_at(SPRING)
    submission = entry(award)
    until = dt.datetime(2027, 3, 30, 12, 0, tzinfo=BERLIN)
    with clock(SPRING - dt.timedelta(days=1)):
        services.deadline_extend(submission=submission, actor=None, until=until)
    submission.refresh_from_db()

    assert services.editing_allowed(submission, now=until - SECOND) is True
    assert services.editing_allowed(submission, now=until) is False
    with (
        clock(until + SECOND),
        translation.override("en"),
        pytest.raises(services.DeadlinePassed) as error,
    ):
        services.submission_update(
            submission=submission, actor=submission.created_by, expected_version=1, summary="x"
        )
    assert error.value.messages == [
        "The deadline was 30 March 2027, 12:00 p.m. (Europe/Berlin); "
        "entries can no longer be changed."
    ]


def test_an_extension_must_end_after_the_general_deadline():
    submission = entry(award_closing_at(SPRING))

    for until in (SPRING, SPRING - dt.timedelta(days=1)):
        with translation.override("en"), pytest.raises(ValidationError) as error:
            services.deadline_extend(submission=submission, actor=None, until=until)
        assert error.value.message_dict == {
            "until": ["An extension must end after the general deadline."]
        }
    submission.refresh_from_db()
    assert submission.deadline_extended_until is None


def test_an_extension_can_be_taken_back_and_both_are_audit_logged():
    award = award_closing_at(SPRING)
    organiser = AwardRoleFactory(award=award, role="organiser").user
    submission = entry(award)
    until = SPRING + dt.timedelta(days=1)

    services.deadline_extend(submission=submission, actor=organiser, until=until)
    services.deadline_extend(submission=submission, actor=organiser, until=None)

    submission.refresh_from_db()
    assert submission.deadline_extended_until is None
    assert services.editing_allowed(submission, now=SPRING + SECOND) is False
    entries = AuditEntry.objects.filter(action="submission.deadline_extended").order_by("pk")
    assert [(e.actor, e.data) for e in entries] == [
        (organiser, {"before": None, "after": "2027-03-29T18:00:00+02:00"}),
        (organiser, {"before": "2027-03-29T16:00:00Z", "after": None}),
    ]


# --- Before the opening, and awards that do not take entries ------------------------------------


def _new_entry(award, moment, language="en"):
    category = CategoryFactory(award=award)
    member = MembershipFactory().user
    organisation = member.memberships.get().organisation
    with clock(moment), translation.override(language):
        return services.submission_create(
            award=award, category=category, organisation=organisation, actor=member, title="X"
        )


def test_before_the_opening_an_entry_is_refused_with_the_opening_time():
    award = award_closing_at(SPRING)  # opens 60 days before: 27 January 2027, 18:00
    opens = award.submissions_open_at

    with pytest.raises(services.DeadlinePassed) as error:
        _new_entry(award, opens - SECOND)

    assert error.value.messages == [
        "Submissions open on 27 January 2027, 6:00 p.m. (Europe/Berlin)."
    ]
    assert _new_entry(award, opens).title == "X"


def test_a_draft_award_takes_no_entries_even_inside_its_timeline():
    award = award_closing_at(SPRING, status="draft")
    submission = entry(award)

    assert services.editing_allowed(submission, now=SPRING - dt.timedelta(days=1)) is False
    with pytest.raises(services.DeadlinePassed) as error:
        _new_entry(award, SPRING - dt.timedelta(days=1))
    assert error.value.messages == ["This award does not accept entries at the moment."]


def test_an_award_closed_early_takes_no_more_changes():
    award = award_closing_at(SPRING, status="closed")
    submission = entry(award)

    with (
        clock(SPRING - dt.timedelta(days=1)),
        translation.override("en"),
        pytest.raises(services.DeadlinePassed) as error,
    ):
        services.submission_update(
            submission=submission, actor=submission.created_by, expected_version=1, summary="x"
        )
    assert error.value.messages == ["This award does not accept entries at the moment."]


def test_an_entry_for_an_award_past_its_deadline_is_refused():
    award = award_closing_at(SPRING)

    with pytest.raises(services.DeadlinePassed) as error:
        _new_entry(award, SPRING + SECOND)

    assert error.value.messages == [
        "The deadline was 28 March 2027, 6:00 p.m. (Europe/Berlin); "
        "entries can no longer be changed."
    ]


@pytest.mark.django_db(transaction=True)
def test_a_submit_that_arrived_in_time_is_stamped_in_time_though_it_waited_past_the_deadline():
    """One clock per submit: another submit of the category holds its counter's lock across
    the deadline; this one, which arrived before it, waits, is accepted, and its stored
    time, audit entry and mail say when it arrived — not when the lock came free."""
    import threading

    from django.db import connections, transaction
    from django.utils import timezone

    from notifications.models import Message
    from submissions.models import SubmissionSequence

    close = timezone.now() + dt.timedelta(minutes=10)
    submission = ready(entry(award_closing_at(close)), close - dt.timedelta(minutes=5))
    SubmissionSequence.objects.get_or_create(category=submission.category)
    holding, release = threading.Event(), threading.Event()

    def hold_the_counter():
        try:
            with transaction.atomic():
                SubmissionSequence.objects.select_for_update().get(category=submission.category)
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_counter)
    holder.start()
    assert holding.wait(10)
    arrived = close - dt.timedelta(milliseconds=5)
    outcome = {}

    def submit():
        try:
            outcome["entry"] = services.submission_submit(
                submission=submission,
                actor=submission.created_by,
                expected_version=submission.version,
                at=arrived,
            )
        except Exception as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    submitter = threading.Thread(target=submit)
    submitter.start()
    submitter.join(1.0)
    assert submitter.is_alive()  # waiting for the category's counter
    # The lock comes free only after the deadline (the clock of the rest of the world).
    with clock(close + dt.timedelta(seconds=2)):
        release.set()
        holder.join(10)
        submitter.join(10)

    assert "error" not in outcome, outcome.get("error")
    submission.refresh_from_db()
    assert submission.status == "submitted"
    assert submission.submitted_at == arrived < close
    audit = AuditEntry.objects.get(action="submission.submitted", object_id=str(submission.pk))
    logged = dt.datetime.fromisoformat(audit.data["submitted_at"].replace("Z", "+00:00"))
    assert abs(logged - arrived) < dt.timedelta(milliseconds=1) and logged < close  # ms kept
    mail = Message.objects.filter(template_key="submission.received").first()
    # The confirmation is of that submit (its key names the arrival), not of a later moment.
    assert mail is not None and arrived.isoformat() in mail.idempotency_key
