"""Autosave of a review (JSON): saving a draft, refusals by field, a stale version, the
deadline, CSRF and a lost session; and one answer for both autosaves, the review's and the
applicant's entry's, which static/js/autosave.js reads alike."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from jury.models import Assignment, Review
from tests.factories import SubmissionFactory
from tests.helpers import login, prefer_english
from tests.jury.juror_helpers import (
    criterion_fields,
    expected_deadline,
    full_scores,
    people,
    url,
    user_of,
)

pytestmark = pytest.mark.django_db

JSON = {"Accept": "application/json"}


# --- Autosave -------------------------------------------------------------------------------


def autosave(client, jury, assignment, data, **kwargs):
    return client.post(url("review_autosave", jury, pk=assignment.pk), data, headers=JSON, **kwargs)


def test_autosave_saves_a_draft_and_answers_the_new_version(client, jury, assigned):
    c1, _c2 = jury.criteria
    login(client, jury.jurors[0].user)

    first = autosave(client, jury, assigned, criterion_fields(jury, {f"score_{c1.pk}": "6"}))
    second = autosave(
        client,
        jury,
        assigned,
        criterion_fields(jury, full_scores(jury), version="1", action="submit"),
    )

    assert first.status_code == 200
    body = first.json()
    assert (body["ok"], body["version"]) == (True, 1)
    review = Review.objects.get(assignment=assigned)
    with translation.override("en"):
        from django.utils import formats

        expected = formats.time_format(
            timezone.localtime(review.updated_at, jury.award.tzinfo), "TIME_FORMAT"
        )
    assert second.json() == {
        "ok": True,
        "version": 2,
        "saved_at": expected,
        "saved_moment": f"{expected} German time",
    }
    # Autosave never submits, whatever the form carries.
    assert (review.status, review.version) == ("draft", 2)


def test_autosave_reports_a_score_outside_the_scale_by_field(client, jury, assigned):
    c1, _c2 = jury.criteria
    login(client, jury.jurors[0].user)

    response = autosave(client, jury, assigned, criterion_fields(jury, {f"score_{c1.pk}": "0"}))

    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "code": "invalid",
        "errors": {f"score_{c1.pk}": ["Enter a score from 1 to 10."]},
        "message": "Not saved: please correct the marked fields.",
        "final": False,
    }
    assert not Review.objects.exists()


def test_autosave_refuses_a_stale_version_with_409(client, jury, assigned):
    c1, _c2 = jury.criteria
    login(client, jury.jurors[0].user)
    autosave(client, jury, assigned, criterion_fields(jury, {f"score_{c1.pk}": "6"}))

    response = autosave(client, jury, assigned, criterion_fields(jury, {f"score_{c1.pk}": "2"}))

    assert response.status_code == 409
    body = response.json()
    assert (body["ok"], body["code"], body["final"]) == (False, "conflict", True)
    assert body["errors"] == {}
    assert body["version"] == 1
    assert body["message"].startswith("This review was saved in another window")
    assert Review.objects.get(assignment=assigned).scores.get().value == 6


def test_autosave_after_the_deadline_stops_with_the_message(client, jury, assigned):
    jury.round.deadline_at = timezone.now() - dt.timedelta(minutes=5)
    jury.round.save(update_fields=["deadline_at"])
    login(client, jury.jurors[0].user)

    response = autosave(client, jury, assigned, criterion_fields(jury, full_scores(jury)))

    assert response.status_code == 400
    body = response.json()
    assert (body["ok"], body["code"], body["final"], body["errors"]) == (False, "closed", True, {})
    assert expected_deadline(jury, jury.round.deadline_at) in body["message"]


def test_autosave_is_csrf_protected(jury, assigned):
    client = Client(enforce_csrf_checks=True)
    client.force_login(jury.jurors[0].user)

    response = autosave(client, jury, assigned, criterion_fields(jury, full_scores(jury)))

    assert response.status_code == 403
    assert response.json()["code"] == "session"
    assert not Review.objects.exists()


def test_autosave_only_takes_post(client, jury, assigned):
    login(client, jury.jurors[0].user)

    assert client.get(url("review_autosave", jury, pk=assigned.pk)).status_code == 405


@pytest.mark.parametrize("role", ["not_assigned", "in_conflict", "other_award", "applicant"])
def test_autosave_of_an_entry_that_is_not_theirs_is_404(client, matrix, role):
    assignment = Assignment.objects.get(juror=matrix.jurors[0])
    if role == "in_conflict":
        assignment = Assignment.objects.get(juror=matrix.jurors[2])
    login(client, user_of(people(matrix)[role]))

    response = autosave(client, matrix, assignment, criterion_fields(matrix, full_scores(matrix)))

    assert response.status_code == 404
    assert not Review.objects.exists()


def test_autosave_without_a_session_answers_json(client, jury, assigned):
    response = autosave(client, jury, assigned, criterion_fields(jury, full_scores(jury)))

    assert response.status_code == 403
    assert response.json()["code"] == "session"


# --- One answer for both autosaves ---------------------------------------------------------


# What every refusal of an autosave carries (core.http.autosave_refused): the one shape that
# static/js/autosave.js reads for the entry form and the review form alike.
REFUSAL_KEYS = {"ok", "code", "message", "errors", "final"}


@pytest.fixture
def entry():
    """An applicant's draft in an open award; the applicant reads English."""
    entry = SubmissionFactory(title="Flax frame")
    prefer_english(entry.created_by)
    return entry


def entry_autosave(client, entry, **values):
    data = {"title": entry.title, "version": str(entry.version), **values}
    return client.post(reverse("submissions:autosave", kwargs={"pk": entry.pk}), data, headers=JSON)


def shown_time(award, moment) -> str:
    """``saved_at``: the time in the award's zone as English shows it ("4:05 p.m.")."""
    with translation.override("en"):
        return formats.time_format(timezone.localtime(moment, award.tzinfo), "TIME_FORMAT")


def both_logged_in(jury, entry) -> tuple[Client, Client]:
    """A client for the applicant of ``entry`` and one for the assigned juror."""
    applicant, juror = Client(), Client()
    applicant.force_login(entry.created_by)
    juror.force_login(jury.jurors[0].user)
    return applicant, juror


def answer(response) -> tuple:
    """What the script acts on: the status, ``ok``, ``code``, ``final`` and whether fields
    are named."""
    data = response.json()
    return (
        response.status_code,
        data["ok"],
        data.get("code"),
        data.get("final"),
        bool(data.get("errors")),
    )


def test_both_autosaves_answer_a_save_alike(jury, assigned, entry):
    applicant, juror = both_logged_in(jury, entry)

    saved_entry = entry_autosave(applicant, entry, summary="Typed")
    saved_review = autosave(juror, jury, assigned, criterion_fields(jury, full_scores(jury)))

    entry.refresh_from_db()
    review = Review.objects.get(assignment=assigned)
    assert (saved_entry.status_code, saved_review.status_code) == (200, 200)
    assert saved_entry.json() == {
        "ok": True,
        "version": 2,
        "saved_at": shown_time(entry.award, entry.updated_at),
        "saved_moment": f"{shown_time(entry.award, entry.updated_at)} German time",
    }
    assert saved_review.json() == {
        "ok": True,
        "version": 1,
        "saved_at": shown_time(jury.award, review.updated_at),
        "saved_moment": f"{shown_time(jury.award, review.updated_at)} German time",
    }


def test_both_autosaves_refuse_a_value_alike(jury, assigned, entry):
    c1, _c2 = jury.criteria
    applicant, juror = both_logged_in(jury, entry)

    video = entry.award.questions.get(key="video_url").field_name
    refused_entry = entry_autosave(applicant, entry, **{video: "javascript:alert(1)"})
    refused_review = autosave(
        juror, jury, assigned, criterion_fields(jury, {f"score_{c1.pk}": "0"})
    )

    assert answer(refused_entry) == answer(refused_review) == (400, False, "invalid", False, True)
    assert set(refused_entry.json()) == set(refused_review.json()) == REFUSAL_KEYS
    assert refused_entry.json()["message"] == refused_review.json()["message"]
    assert list(refused_entry.json()["errors"]) == [video]
    assert list(refused_review.json()["errors"]) == [f"score_{c1.pk}"]


def test_both_autosaves_stop_alike_after_the_deadline(jury, assigned, entry):
    award = entry.award
    award.submissions_close_at = timezone.now() - dt.timedelta(minutes=1)
    award.save(update_fields=["submissions_close_at"])
    jury.round.deadline_at = timezone.now() - dt.timedelta(minutes=1)
    jury.round.save(update_fields=["deadline_at"])
    applicant, juror = both_logged_in(jury, entry)

    closed_entry = entry_autosave(applicant, entry, summary="Late")
    closed_review = autosave(juror, jury, assigned, criterion_fields(jury, full_scores(jury)))

    assert answer(closed_entry) == answer(closed_review) == (400, False, "closed", True, False)
    assert set(closed_entry.json()) == set(closed_review.json()) == REFUSAL_KEYS
    entry.refresh_from_db()
    assert entry.summary == ""
    assert not Review.objects.exists()


def test_both_autosaves_answer_an_ended_session_with_the_same_json(jury, assigned, entry):
    logged_out = Client(headers={"Accept-Language": "en"})
    logged_out.cookies["laurel_language"] = "en"

    entry_answer = entry_autosave(logged_out, entry, summary="Typed while logged out")
    review_answer = autosave(logged_out, jury, assigned, criterion_fields(jury, full_scores(jury)))

    assert (entry_answer.status_code, review_answer.status_code) == (403, 403)
    assert entry_answer.json() == review_answer.json()
    assert answer(entry_answer) == (403, False, "session", True, False)
    assert set(entry_answer.json()) == REFUSAL_KEYS


def test_both_autosaves_stop_alike_when_saved_elsewhere(jury, assigned, entry):
    c1, _c2 = jury.criteria
    applicant, juror = both_logged_in(jury, entry)
    entry_autosave(applicant, entry, summary="Saved in another tab")  # version 1 → 2
    autosave(juror, jury, assigned, criterion_fields(jury, {f"score_{c1.pk}": "6"}))  # 0 → 1

    stale_entry = entry_autosave(applicant, entry, summary="Typed here")  # still version 1
    stale_review = autosave(juror, jury, assigned, criterion_fields(jury, {f"score_{c1.pk}": "2"}))

    assert answer(stale_entry) == answer(stale_review) == (409, False, "conflict", True, False)
    assert set(stale_entry.json()) == REFUSAL_KEYS | {"version", "updated_by", "current", "shown"}
    assert set(stale_review.json()) == REFUSAL_KEYS | {"version"}
    assert (stale_entry.json()["version"], stale_review.json()["version"]) == (2, 1)
    entry.refresh_from_db()
    assert entry.summary == "Saved in another tab"
    assert Review.objects.get(assignment=assigned).scores.get().value == 6
