"""Autosave of an entry (JSON): who may, the version, a stale save with the current values,
the deadline, refused values by field, an ended session and CSRF; unknown entry ids and the
JSON answers."""

import datetime as dt
import json
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from submissions import services
from tests.helpers import login
from tests.submissions.helpers import (
    EDITORS,
    ROLES,
    close_award,
    closed_text,
    field_of,
    form_data,
)

pytestmark = pytest.mark.django_db

# --- Autosave -------------------------------------------------------------------------------


def saved_time(entry) -> str:
    """``saved_at`` of an autosave answer: the time in the award's zone, as English shows it."""
    with translation.override("en"):
        return formats.time_format(
            timezone.localtime(entry.updated_at, entry.award.tzinfo), "TIME_FORMAT"
        )


def autosave(client, entry, **overrides):
    return client.post(
        reverse("submissions:autosave", kwargs={"pk": entry.pk}),
        form_data(entry, **overrides),
        headers={"Accept": "application/json"},
    )


@pytest.mark.parametrize("role", ROLES)
def test_autosave_by_role(client, people, entry, role):
    login(client, people[role])

    response = autosave(client, entry, summary="Typed")

    entry.refresh_from_db()
    if role == "anonymous":
        assert response.status_code == 403
        assert response.json()["code"] == "session"
    else:
        assert response.status_code == (200 if role in EDITORS else 404)
    assert entry.summary == ("Typed" if role in EDITORS else "")


def test_autosave_round_trip_increments_the_version(client, people, entry):
    login(client, people["member"])

    first = autosave(client, entry, summary="A")
    second = autosave(client, entry, summary="AB", version=first.json()["version"])

    entry.refresh_from_db()
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.json()["version"], second.json()["version"]) == (2, 3)
    assert second.json() == {
        "ok": True,
        "version": 3,
        "saved_at": saved_time(entry),
        "saved_moment": f"{saved_time(entry)} German time",
    }
    assert (entry.summary, entry.version, entry.updated_by) == ("AB", 3, people["member"])


def test_a_stale_autosave_is_refused_with_the_current_values(client, people, entry):
    services.submission_update(
        submission=entry,
        actor=people["colleague"],
        expected_version=1,
        summary="Max's summary",
        answers={entry.award.questions.get(key="market_readiness").pk: "4"},
    )
    login(client, people["member"])

    response = autosave(client, entry, summary="Rita's summary")

    data = response.json()
    assert response.status_code == 409
    assert (data["ok"], data["code"], data["final"]) == (False, "conflict", True)
    assert data["errors"] == {}
    assert data["message"].startswith("Someone else saved this entry in the meantime")
    assert data["version"] == 2
    assert data["updated_by"] == "Max Mayer"
    questions = {q.key: q.field_name for q in entry.award.questions.all()}
    assert data["current"] == {
        "title": "Flax bicycle frame",
        "summary": "Max's summary",
        questions["description"]: None,
        questions["lightweight"]: None,
        questions["innovation"]: None,
        questions["future_potential"]: None,
        questions["market_readiness"]: "4",
        questions["team"]: None,
        questions["video_url"]: None,
        "consent_terms": False,
        "consent_data": False,
        "consent_publication": False,
    }
    # The other person's values where they differ, as the applicant reads them (by field
    # name, so autosave.js shows each beside its field).
    assert data["shown"] == {
        "summary": "Max's summary",
        questions["market_readiness"]: "TRL 4 – technology validated in the lab",
    }
    entry.refresh_from_db()
    assert (entry.summary, entry.version) == ("Max's summary", 2)


def test_autosave_after_the_deadline_is_refused_with_the_deadline(client, people, entry, award):
    close_award(award)
    login(client, people["member"])

    response = autosave(client, entry, summary="Late")

    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "code": "closed",
        "message": closed_text(award),
        "errors": {},
        "final": True,
    }
    entry.refresh_from_db()
    assert entry.summary == ""


def test_autosave_of_a_refused_value_names_the_field(client, people, entry):
    login(client, people["member"])

    response = autosave(client, entry, video_url="javascript:alert(1)", summary="x")

    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "code": "invalid",
        "message": "Not saved: please correct the marked fields.",
        "errors": {field_of(entry, "video_url"): ["Enter a valid URL."]},
        "final": False,
    }


def test_autosave_after_logout_answers_403_json_not_a_login_page(client, people, entry):
    login(client, people["member"])
    client.logout()
    client.cookies["laurel_language"] = "en"

    response = autosave(client, entry, summary="Typed while logged out")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "ok": False,
        "code": "session",
        "message": "You are no longer logged in, so nothing was saved. Log in again in another "
        "tab, then come back here: your text is still on this page.",
        "errors": {},
        "final": True,
    }


def test_autosave_with_an_outdated_csrf_token_answers_403_json(people, entry):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["member"])
    client.get(reverse("submissions:edit", kwargs={"pk": entry.pk}))

    response = client.post(
        reverse("submissions:autosave", kwargs={"pk": entry.pk}),
        {**form_data(entry, summary="x"), "csrfmiddlewaretoken": "outdated" * 4},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 403
    assert response.json()["code"] == "session"
    entry.refresh_from_db()
    assert entry.summary == ""


def test_autosave_with_the_current_csrf_token_saves(people, entry):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["member"])
    client.get(reverse("submissions:edit", kwargs={"pk": entry.pk}))
    token = client.cookies["csrftoken"].value

    response = client.post(
        reverse("submissions:autosave", kwargs={"pk": entry.pk}),
        {**form_data(entry, summary="x"), "csrfmiddlewaretoken": token},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 200


def test_autosave_answers_only_post(client, people, entry):
    login(client, people["member"])

    response = client.get(reverse("submissions:autosave", kwargs={"pk": entry.pk}))

    assert response.status_code == 405


# --- Unused-ids and JSON helpers ------------------------------------------------------------


def test_unknown_entry_ids_are_not_found(client, people):
    login(client, people["member"])

    for name in ("detail", "edit", "print", "pdf"):
        assert client.get(reverse(f"submissions:{name}", kwargs={"pk": 999999})).status_code == 404
    for name in ("autosave", "submit", "withdraw", "reopen", "attachment_upload"):
        url = reverse(f"submissions:{name}", kwargs={"pk": 999999})
        assert client.post(url).status_code == 404, name


def test_json_answers_are_valid_json(client, people, entry):
    login(client, people["member"])

    response = autosave(client, entry, summary="ok")

    assert json.loads(response.content)["version"] == 2


def test_the_saved_time_is_the_awards_whatever_the_readers_zone(client, people, entry):
    """The server says when it saved, in the award's zone and naming it; the script shows
    that, never the device's clock (static/js/autosave.js)."""
    award = entry.award
    award.timezone = "America/New_York"
    award.save(update_fields=["timezone"])
    member = people["member"]
    member.preferred_language = "de"
    member.save(update_fields=["preferred_language"])
    login(client, member)
    saved_at = timezone.make_aware(dt.datetime(2026, 12, 9, 15, 36), dt.UTC)

    with mock.patch("django.utils.timezone.now", return_value=saved_at):
        response = autosave(client, entry, summary="Gespeichert")

    assert response.json()["saved_at"] == "10:36 Uhr"
    assert response.json()["saved_moment"] == "10:36 Uhr (America/New_York)"
