"""Reminding by hand asks first: each juror with open reviews and when they were last
reminded, who is skipped for a reminder within ``LAUREL_REMINDER_MIN_INTERVAL``, the mail in
both languages; only the confirmed POST sends, a second click sends nothing more, "remind
them anyway" forces, and nobody but the organisers may ask."""

import datetime as dt
import re
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from awards.models import AuditEntry
from jury import services
from jury.models import Assignment
from notifications.models import MailTemplate, Message
from tests.factories import JurorFactory
from tests.helpers import html_lang, text
from tests.jury.manage_helpers import assign, confirm_remind, submit_review, url

pytestmark = pytest.mark.django_db


def reminders(s):
    return Message.objects.filter(template_key="jury.reminder", award=s.award)


def row(html: str, juror) -> dict[str, str]:
    found = re.search(rf'<tr data-juror="{juror.pk}">(.*?)</tr>', html, re.S)
    assert found, f"no row for juror {juror.pk}"
    cells = re.findall(r'data-col="(\w+)">(.*?)</td>', found.group(1), re.S)
    return {k: " ".join(re.sub(r"<[^>]+>", " ", v).split()) for k, v in cells}


def messages_after(client, response) -> list[str]:
    assert response.status_code == 302, response.status_code
    return [str(m) for m in client.get(response["Location"]).context["messages"]]


@pytest.fixture
def scene(s):
    """Round 1 of ``s``: Anna Berg (German) has 2 reviews not started and was never
    reminded; Ben Stein (English) has a draft and was reminded 2 hours ago; the third juror
    has submitted everything. The award words the reminder its own way."""
    anna, ben, done = s.jurors
    for juror, name, language in ((anna, "Anna Berg", "de"), (ben, "Ben Stein", "en")):
        juror.user.full_name = name
        juror.user.preferred_language = language
        juror.user.save(update_fields=["full_name", "preferred_language"])
    assign(s, 0, 0)
    assign(s, 0, 1)
    draft = assign(s, 1, 0)
    criterion = s.award.criteria.order_by("position").first()
    services.review_save(assignment=draft, actor=ben.user, version=0, scores={criterion.pk: 4})
    submit_review(assign(s, 2, 2), 8)
    services.reminder_send_now(round=s.round, actor=s.organiser, juror=ben)
    s.ben_reminded = timezone.now() - dt.timedelta(hours=2)
    reminders(s).update(created_at=s.ben_reminded)
    AuditEntry.objects.filter(action="jury.reminded").delete()
    MailTemplate.objects.create(
        award=s.award,
        key="jury.reminder",
        language="de",
        subject="Noch {{ open_reviews }} offen",
        body="Hallo {{ recipient_name }}, noch {{ open_reviews }} Bewertungen.",
    )
    MailTemplate.objects.create(
        award=s.award,
        key="jury.reminder",
        language="en",
        subject="{{ open_reviews }} still open",
        body="Hello {{ recipient_name }}, {{ open_reviews }} reviews to go.",
    )
    s.anna, s.ben, s.done = anna, ben, done
    return s


def test_the_progress_page_links_to_the_question(organiser_client, scene):
    html = text(organiser_client.get(url(scene, "progress", number=1)))

    everyone = re.search(r'<a [^>]*data-testid="remind-all"[^>]*>', html).group(0)
    assert f'href="{url(scene, "remind", number=1)}"' in everyone
    one = re.search(rf'<a [^>]*data-testid="remind-{scene.anna.pk}"[^>]*>', html).group(0)
    assert f'href="{url(scene, "remind", number=1)}?juror={scene.anna.pk}"' in one
    assert 'method="post" action="' + url(scene, "remind", number=1) not in html


def test_the_question_shows_every_juror_with_open_work_and_the_last_reminder(
    organiser_client, scene
):
    response = organiser_client.get(url(scene, "remind", number=1))

    html = text(response)
    with translation.override("en"):
        when = formats.date_format(
            timezone.localtime(scene.ben_reminded, scene.award.tzinfo), "DATETIME_FORMAT"
        )
    assert row(html, scene.anna) == {
        "open": "2",
        "language": "German",
        "last": "never",
        "now": "will be reminded",
    }
    assert row(html, scene.ben) == {
        "open": "1",
        "language": "English",
        "last": when,
        "now": "skipped: reminded recently",
    }
    assert f'data-juror="{scene.done.pk}"' not in html
    due = " ".join(re.search(r'data-testid="remind-due">(.*?)</p>', html, re.S)[1].split())
    assert re.sub(r"<[^>]+>", "", due) == (
        "1 juror will be reminded now. Mails per language: German 1, English 0."
    )
    recent = re.search(r'data-testid="remind-recent">(.*?)</p>', html, re.S)[1]
    assert " ".join(recent.split()) == (
        "1 juror was reminded less than 24 hours ago and will be skipped, unless you tick "
        "“Remind them anyway”."
    )
    assert 'name="force"' in html
    form = re.search(r'<form [^>]*data-testid="remind-form"[^>]*>', html).group(0)
    assert "data-once" in form
    token = re.search(r'name="token" value="([0-9a-f-]{36})"', html)
    assert token and uuid.UUID(token.group(1))
    assert reminders(scene).count() == 1


def test_the_question_previews_the_mail_in_both_languages(organiser_client, scene):
    html = text(organiser_client.get(url(scene, "remind", number=1)))

    # Anna, the one to be reminded, is the sample in both languages, with her 2 reviews.
    assert 'data-testid="preview-subject-de">Noch 2 offen<' in html
    assert 'data-testid="preview-text-de">Hallo Anna Berg, noch 2 Bewertungen.<' in html
    assert 'data-testid="preview-subject-en">2 still open<' in html
    assert 'data-testid="preview-text-en">Hello Anna Berg, 2 reviews to go.<' in html


def test_one_juror_only(organiser_client, scene):
    html = text(organiser_client.get(url(scene, "remind", number=1) + f"?juror={scene.ben.pk}"))

    assert "Remind Ben Stein?" in html
    assert f'data-juror="{scene.anna.pk}"' not in html
    assert f'<input type="hidden" name="juror" value="{scene.ben.pk}">' in html
    assert 'data-testid="preview-text-en">Hello Ben Stein, 1 reviews to go.<' in html


def test_a_juror_of_another_award_is_404(organiser_client, scene):
    other = scene.other.jurors[0]

    response = organiser_client.get(url(scene, "remind", number=1) + f"?juror={other.pk}")

    assert response.status_code == 404


def test_a_post_without_confirm_sends_nothing(organiser_client, scene):
    response = organiser_client.post(url(scene, "remind", number=1), {"token": str(uuid.uuid4())})

    assert response.status_code == 200
    assert 'data-testid="remind-form"' in text(response)
    assert reminders(scene).count() == 1
    assert not AuditEntry.objects.filter(action="jury.reminded").exists()


def test_the_confirmed_post_skips_the_recently_reminded_and_sends_once(organiser_client, scene):
    token = str(uuid.uuid4())
    data = {"confirm": "on", "token": token}

    first = organiser_client.post(url(scene, "remind", number=1), data)

    assert messages_after(organiser_client, first) == [
        "A reminder has been sent to 1 juror.",
        "1 juror was reminded less than 24 hours ago and has not been reminded again.",
    ]
    assert reminders(scene).filter(recipient=scene.anna.user).count() == 1
    assert reminders(scene).filter(recipient=scene.ben.user).count() == 1  # the earlier one

    # The same confirmation again (a second click), even forced: nothing more.
    again = organiser_client.post(url(scene, "remind", number=1), {**data, "force": "on"})

    assert messages_after(organiser_client, again) == [
        "A reminder has been sent to 1 juror.",
        "1 juror was reminded less than 24 hours ago and has not been reminded again.",
    ]
    assert reminders(scene).filter(recipient=scene.anna.user).count() == 1
    assert reminders(scene).count() == 3  # Ben, forced: the only new one
    entries = AuditEntry.objects.filter(action="jury.reminded").order_by("pk")
    assert [e.data for e in entries] == [
        {"jurors": 1, "juror": None, "skipped": 1},
        {"jurors": 1, "juror": None, "skipped": 1, "forced": True},
    ]


def test_a_second_click_within_a_second_does_not_remind_twice(scene):
    first = services.reminder_send_now(round=scene.round, actor=scene.organiser)
    second = services.reminder_send_now(round=scene.round, actor=scene.organiser)

    assert (first.sent, second.sent) == (1, 0)
    assert [j.pk for j in second.skipped] == [scene.anna.pk, scene.ben.pk]  # by name
    assert reminders(scene).filter(recipient=scene.anna.user).count() == 1


def test_remind_them_anyway(organiser_client, scene):
    response = confirm_remind(organiser_client, scene, force="on")

    assert messages_after(organiser_client, response) == ["A reminder has been sent to 2 jurors."]
    assert reminders(scene).filter(recipient=scene.ben.user).count() == 2
    assert AuditEntry.objects.get(action="jury.reminded").data == {
        "jurors": 2,
        "juror": None,
        "forced": True,
    }


def test_the_interval_is_a_setting(organiser_client, scene, settings):
    settings.LAUREL_REMINDER_MIN_INTERVAL = 3600

    html = text(organiser_client.get(url(scene, "remind", number=1)))

    assert row(html, scene.ben)["now"] == "will be reminded"
    assert 'data-testid="remind-recent"' not in html
    response = confirm_remind(organiser_client, scene)
    assert messages_after(organiser_client, response) == ["A reminder has been sent to 2 jurors."]


def test_the_question_runs_a_fixed_number_of_queries(
    organiser_client, scene, django_assert_num_queries
):
    page = url(scene, "remind", number=1)
    organiser_client.get(page)  # the session settles
    with CaptureQueriesContext(connection) as few:
        organiser_client.get(page)
    for number in range(4):
        juror = JurorFactory(award=scene.award, categories=[scene.category])
        Assignment.objects.create(
            round=scene.round, juror=juror, submission=scene.submissions[number % 3]
        )
        if number % 2:
            services.reminder_send_now(round=scene.round, actor=None, juror=juror)
    count = len(few)
    organiser_client.get(page)  # the navigation's lists are read again after the new seats

    with django_assert_num_queries(count):
        response = organiser_client.get(page)

    assert text(response).count('<tr data-juror="') == 6


def test_nobody_with_open_work(organiser_client, scene):
    response = organiser_client.get(url(scene, "remind", number=1) + f"?juror={scene.done.pk}")

    assert 'data-testid="remind-nobody"' in text(response)
    assert 'data-testid="remind-form"' not in text(response)


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_log_in(client, scene, method):
    data = {"confirm": "on", "token": str(uuid.uuid4())} if method == "post" else {}

    response = getattr(client, method)(url(scene, "remind", number=1), data)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))
    assert reminders(scene).count() == 1


@pytest.mark.parametrize("who", ["applicant", "juror", "other_organiser"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_everyone_else_gets_404(client, scene, who, method):
    user = {
        "applicant": scene.applicant,
        "juror": scene.jurors[0].user,
        "other_organiser": scene.other.organiser,
    }[who]
    client.force_login(user)
    data = {"confirm": "on", "force": "on", "token": str(uuid.uuid4())}

    response = getattr(client, method)(url(scene, "remind", number=1), data)

    assert response.status_code == 404
    assert reminders(scene).count() == 1


def test_the_question_in_german(client, scene):
    scene.organiser.preferred_language = "de"
    scene.organiser.save(update_fields=["preferred_language"])
    client.force_login(scene.organiser)

    response = client.get(url(scene, "remind", number=1))

    html = text(response)
    assert html_lang(response) == "de"
    with translation.override("de"):
        assert gettext("Send reminders?") in html
        assert gettext("Yes, send the reminders") in html
        assert gettext("German") in html
    assert 'data-testid="preview-text-de">Hallo Anna Berg, noch 2 Bewertungen.<' in html
