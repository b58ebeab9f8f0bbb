"""The award's settings page (/manage/<slug>/settings/): changes by an organiser or a
superuser, dates in the award's time zone (including the clock changes), what is refused next
to its field, and a save without changes recording nothing."""

import datetime as dt

import pytest
from django.urls import reverse

from awards.models import AuditEntry, Award
from tests.awards.helpers import UTC, actions
from tests.factories import AwardFactory

pytestmark = pytest.mark.django_db


def settings_data(award: Award, **overrides: str) -> dict[str, str]:
    """What the settings form posts when nothing is changed (times in the award's zone)."""
    tz = award.tzinfo
    data = {
        "name": award.name,
        "organiser_name": award.organiser_name,
        "description_de": award.description_de,
        "description_en": award.description_en,
        "currency": award.currency,
        "timezone": award.timezone,
        "reviews_per_submission": str(award.reviews_per_submission),
        "score_visibility": award.score_visibility,
        "confidentiality_de": award.confidentiality_de,
        "confidentiality_en": award.confidentiality_en,
        "ranking_normalisation": award.ranking_normalisation,
        "ranking_aggregation": award.ranking_aggregation,
        "tie_break_criterion": str(award.tie_break_criterion_id or ""),
        "places_per_category": str(award.places_per_category),
        "retention_months": str(award.retention_months),
        "embed_origins": award.embed_origins,
    }
    # Checkboxes post nothing when unticked.
    checkboxes = (
        "blind_review",
        "private_notes",
        "criterion_comments",
        "applicant_feedback",
        "special_mentions",
        "jurors_see_ranking",
        "mfa_required",
    )
    data.update({name: "on" for name in checkboxes if getattr(award, name)})
    for name in ("submissions_open_at", "submissions_close_at", "jury_deadline_at"):
        data[name] = getattr(award, name).astimezone(tz).strftime("%Y-%m-%dT%H:%M")
    data["announcement_at"] = award.announcement_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M")
    data.update(overrides)
    return data


# --- settings ---------------------------------------------------------------------------


def test_organiser_changes_the_settings(client, award, organiser):
    client.force_login(organiser)
    data = settings_data(
        award,
        organiser_name="Leichtbau e.V.",
        description_en="The award for lightweight design.",
        currency="chf",
    )

    response = client.post(reverse("awards:settings", kwargs={"slug": award.slug}), data)

    assert response.status_code == 302
    assert response.url == reverse("awards:manage", kwargs={"slug": award.slug})
    award.refresh_from_db()
    assert (award.organiser_name, award.description_en, award.currency) == (
        "Leichtbau e.V.",
        "The award for lightweight design.",
        "CHF",
    )
    entry = AuditEntry.objects.get(award=award)
    assert (entry.action, entry.actor) == ("award.updated", organiser)
    assert sorted(entry.data["changes"]) == ["currency", "description_en", "organiser_name"]


def test_organiser_requires_a_second_factor_of_the_jury_and_is_held_to_it_too(
    client, award, organiser
):
    client.force_login(organiser)

    response = client.post(
        reverse("awards:settings", kwargs={"slug": award.slug}),
        settings_data(award, mfa_required="on"),
        follow=True,
    )

    award.refresh_from_db()
    assert award.mfa_required is True
    entry = AuditEntry.objects.get(award=award)
    assert entry.data["changes"] == {"mfa_required": {"before": False, "after": True}}
    # The organiser has none yet: the award's pages now lead them to set one up first.
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:security"))


def test_superuser_changes_the_settings(client, award, superuser):
    client.force_login(superuser)

    response = client.post(
        reverse("awards:settings", kwargs={"slug": award.slug}),
        settings_data(award, organiser_name="Leichtbau e.V."),
    )

    assert response.status_code == 302
    award.refresh_from_db()
    assert award.organiser_name == "Leichtbau e.V."


def test_settings_show_the_dates_in_the_award_time_zone(client, award, organiser):
    client.force_login(organiser)

    response = client.get(reverse("awards:settings", kwargs={"slug": award.slug}))

    form = response.context["form"]
    # 08:00 UTC in September is 10:00 summer time in Berlin, 17:00 UTC in January 18:00.
    assert form["submissions_open_at"].value() == dt.datetime(2026, 9, 1, 10, 0)
    assert form["announcement_at"].value() == dt.datetime(2027, 1, 15, 18, 0)
    html = response.content.decode()
    assert 'type="datetime-local" name="submissions_open_at" value="2026-09-01T10:00"' in html
    assert 'name="announcement_at" value="2027-01-15T18:00"' in html


def test_a_time_on_the_day_summer_time_ends_is_stored_in_utc(client, award, organiser):
    client.force_login(organiser)

    response = client.post(
        reverse("awards:settings", kwargs={"slug": award.slug}),
        settings_data(award, submissions_close_at="2026-10-25T18:00"),
    )

    assert response.status_code == 302
    award.refresh_from_db()
    # Berlin is back on UTC+1 from 03:00 that morning.
    assert award.submissions_close_at == dt.datetime(2026, 10, 25, 17, 0, tzinfo=UTC)


def test_a_time_skipped_when_summer_time_starts_is_refused(client, award, organiser):
    client.force_login(organiser)

    response = client.post(
        reverse("awards:settings", kwargs={"slug": award.slug}),
        settings_data(award, announcement_at="2027-03-28T02:30"),
    )

    assert response.status_code == 200
    message = (
        "28 March 2027, 2:30 a.m. does not exist in the time zone Europe/Berlin: the clocks "
        "go forward then. Please choose another time."
    )
    assert response.context["form"].errors == {"announcement_at": [message]}
    assert message in response.content.decode()
    award.refresh_from_db()
    assert award.announcement_at == dt.datetime(2027, 1, 15, 17, 0, tzinfo=UTC)


def test_a_time_that_happens_twice_when_summer_time_ends_is_refused(client, award, organiser):
    client.force_login(organiser)

    response = client.post(
        reverse("awards:settings", kwargs={"slug": award.slug}),
        settings_data(award, submissions_close_at="2026-10-25T02:30"),
    )

    assert response.context["form"].errors == {
        "submissions_close_at": [
            "25 October 2026, 2:30 a.m. happens twice in the time zone Europe/Berlin: the "
            "clocks go back then. Please choose another time."
        ]
    }


def test_dates_are_read_in_the_time_zone_chosen_in_the_same_form(client, award, organiser):
    client.force_login(organiser)

    response = client.post(
        reverse("awards:settings", kwargs={"slug": award.slug}),
        settings_data(award, timezone="America/New_York", submissions_close_at="2026-10-25T18:00"),
    )

    assert response.status_code == 302
    award.refresh_from_db()
    # New York is still on summer time (UTC-4) on 25 October 2026.
    assert award.timezone == "America/New_York"
    assert award.submissions_close_at == dt.datetime(2026, 10, 25, 22, 0, tzinfo=UTC)


def test_saving_unchanged_settings_records_no_change(client, award, organiser):
    # Stored moments with seconds, which the minute-precise input cannot show.
    Award.objects.filter(pk=award.pk).update(
        submissions_open_at=dt.datetime(2026, 9, 1, 8, 0, 42, 123456, tzinfo=UTC)
    )
    award.refresh_from_db()
    client.force_login(organiser)

    response = client.post(
        reverse("awards:settings", kwargs={"slug": award.slug}), settings_data(award)
    )

    assert response.status_code == 302
    award.refresh_from_db()
    assert award.submissions_open_at == dt.datetime(2026, 9, 1, 8, 0, 42, 123456, tzinfo=UTC)
    assert actions(award) == []


def test_a_deadline_before_the_opening_is_refused(client, award, organiser):
    client.force_login(organiser)

    response = client.post(
        reverse("awards:settings", kwargs={"slug": award.slug}),
        settings_data(award, submissions_close_at="2026-08-01T12:00"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "submissions_close_at": ["Must be later than “Submissions open”."]
    }
    assert "Must be later than “Submissions open”." in response.content.decode()
    award.refresh_from_db()
    assert award.submissions_close_at == dt.datetime(2026, 10, 20, 16, 0, tzinfo=UTC)


def test_an_unknown_time_zone_is_refused(client, award, organiser):
    client.force_login(organiser)

    response = client.post(
        reverse("awards:settings", kwargs={"slug": award.slug}),
        settings_data(award, timezone="Mars/Olympus_Mons"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "timezone": ["“Mars/Olympus_Mons” is not a known time zone."]
    }
    award.refresh_from_db()
    assert award.timezone == "Europe/Berlin"


def test_an_award_in_a_legacy_time_zone_keeps_it_when_saved(client, award, organiser):
    Award.objects.filter(pk=award.pk).update(timezone="GB")
    award.refresh_from_db()
    client.force_login(organiser)

    page = client.get(reverse("awards:settings", kwargs={"slug": award.slug}))
    response = client.post(
        reverse("awards:settings", kwargs={"slug": award.slug}),
        settings_data(award, organiser_name="Leichtbau e.V."),
    )

    assert '<option value="GB" selected>GB</option>' in page.content.decode()
    assert response.status_code == 302
    award.refresh_from_db()
    assert (award.timezone, award.organiser_name) == ("GB", "Leichtbau e.V.")


def test_the_name_of_another_award_of_the_same_edition_is_refused_next_to_the_field(
    client, award, organiser
):
    AwardFactory(name="Composite Prize", edition=2027, slug="cp-2027")
    client.force_login(organiser)

    response = client.post(
        reverse("awards:settings", kwargs={"slug": award.slug}),
        settings_data(award, name="Composite Prize"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "name": ["There is already an award called “Composite Prize” for 2027."]
    }
    # The rejected name does not leak into the page header.
    assert "Settings of Lightweight Innovation Award 2027" in response.content.decode()
