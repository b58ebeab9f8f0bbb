"""The organiser's pages that configure an award: settings, categories, criteria, rounds."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awards import services
from awards.models import AuditEntry, Award, Category, Criterion, Round
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    CriterionFactory,
    JurorFactory,
    RoundFactory,
    SubmissionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC

CRITERION_LOCKED_WHILE_JUDGING = (
    "Criteria can only be added, changed or deleted while the award is “Draft” or "
    "“Open for submissions”, so that every entry is judged against the same criteria; "
    "it is “Judging” now."
)

# Every page this feature adds, by URL name; the ones with <pk> act on one object.
PAGES = [
    "settings",
    "category_create",
    "category_update",
    "category_delete",
    "criterion_create",
    "criterion_update",
    "criterion_delete",
    "round_create",
    "round_update",
    "round_delete",
]
OBJECT_PAGES = [name for name in PAGES if name.endswith(("_update", "_delete"))]


@pytest.fixture
def award():
    return AwardFactory(
        name="Lightweight Innovation Award",
        edition=2027,
        slug="lia-2027",
        timezone="Europe/Berlin",
        submissions_open_at=dt.datetime(2026, 9, 1, 8, 0, tzinfo=UTC),
        submissions_close_at=dt.datetime(2026, 10, 20, 16, 0, tzinfo=UTC),
        jury_deadline_at=dt.datetime(2026, 12, 1, 11, 0, tzinfo=UTC),
        announcement_at=dt.datetime(2027, 1, 15, 17, 0, tzinfo=UTC),
    )


@pytest.fixture
def structure(award):
    """One category, criterion and round of ``award``, by the URL-name prefix."""
    return {
        "category": CategoryFactory(award=award, code="MOB", name_en="Mobility"),
        "criterion": CriterionFactory(award=award, name_en="Degree of innovation"),
        "round": RoundFactory(award=award, number=1, name_en="Scoring round"),
    }


@pytest.fixture
def organiser(award):
    user = UserFactory(full_name="Olga Organiser", preferred_language="en")
    AwardRoleFactory(award=award, user=user, role="organiser")
    return user


@pytest.fixture
def superuser():
    return UserFactory(full_name="Sam Super", preferred_language="en", is_superuser=True)


def denied_user(kind: str, award: Award):
    """A signed-in user who must not see ``award``'s management pages."""
    user = UserFactory(preferred_language="en")
    if kind == "other_organiser":
        AwardRoleFactory(award=AwardFactory(slug="other-2027", edition=2028), user=user)
    elif kind == "juror":
        JurorFactory(award=award, user=user)
    elif kind == "jury_chair":
        JurorFactory(award=award, user=user, role="jury_chair")
    elif kind == "unverified_organiser":
        user.email_verified_at = None
        user.save(update_fields=["email_verified_at"])
        AwardRoleFactory(award=award, user=user, role="organiser")
    return user


def page_url(name: str, award: Award, structure: dict | None = None) -> str:
    kwargs = {"slug": award.slug}
    if name in OBJECT_PAGES:
        kwargs["pk"] = structure[name.split("_")[0]].pk
    return reverse(f"awards:{name}", kwargs=kwargs)


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
    }
    # Checkboxes post nothing when unticked.
    checkboxes = ("blind_review", "private_notes", "special_mentions", "jurors_see_ranking")
    data.update({name: "on" for name in checkboxes if getattr(award, name)})
    for name in ("submissions_open_at", "submissions_close_at", "jury_deadline_at"):
        data[name] = getattr(award, name).astimezone(tz).strftime("%Y-%m-%dT%H:%M")
    data["announcement_at"] = award.announcement_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M")
    data.update(overrides)
    return data


def category_data(**overrides: str) -> dict[str, str]:
    data = {
        "code": "ENE",
        "name_de": "Energie",
        "name_en": "Energy",
        "description_de": "",
        "description_en": "",
        "prize_amount": "5000",
        "max_entries_per_organisation": "2",
        "position": "1",
    }
    data.update(overrides)
    return data


def criterion_data(**overrides: str) -> dict[str, str]:
    data = {
        "name_de": "Marktpotenzial",
        "name_en": "Market potential",
        "description_de": "",
        "description_en": "",
        "weight": "2.5",
        "scale_min": "0",
        "scale_max": "5",
        "position": "1",
    }
    data.update(overrides)
    return data


def round_data(**overrides: str) -> dict[str, str]:
    data = {
        "number": "2",
        "name_de": "Finalrunde",
        "name_en": "Final round",
        "kind": "final",
        "shortlist_size": "",
        "method": "scores",
        "deadline_at": "",
    }
    data.update(overrides)
    return data


def set_status(award: Award, status: str) -> None:
    Award.objects.filter(pk=award.pk).update(status=status)
    award.refresh_from_db()


def actions(award: Award) -> list[str]:
    return list(
        AuditEntry.objects.filter(award=award).order_by("pk").values_list("action", flat=True)
    )


# --- who may open the pages -------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitor_is_sent_to_login(client, award, structure, name, method):
    url = page_url(name, award, structure)

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={url}"


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    "kind", ["no_role", "other_organiser", "juror", "jury_chair", "unverified_organiser"]
)
def test_user_who_may_not_manage_the_award_gets_404(client, award, structure, name, kind):
    client.force_login(denied_user(kind, award))
    url = page_url(name, award, structure)

    get = client.get(url)
    post = client.post(url, {"name": "Taken over", "code": "XX", "number": "9"})

    assert (get.status_code, post.status_code) == (404, 404)
    award.refresh_from_db()
    assert award.name == "Lightweight Innovation Award"
    assert (Category.objects.count(), Criterion.objects.count(), Round.objects.count()) == (
        1,
        1,
        1,
    )
    assert AuditEntry.objects.count() == 0


def test_unknown_award_gets_404_even_for_a_superuser(client, superuser):
    client.force_login(superuser)

    response = client.get(reverse("awards:settings", kwargs={"slug": "no-such-award"}))

    assert response.status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_organiser_opens_every_page(client, award, structure, organiser, name):
    client.force_login(organiser)

    response = client.get(page_url(name, award, structure))

    assert response.status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_superuser_opens_every_page(client, award, structure, superuser, name):
    client.force_login(superuser)

    response = client.get(page_url(name, award, structure))

    assert response.status_code == 200


@pytest.mark.parametrize("name", OBJECT_PAGES)
def test_object_of_another_award_in_the_address_gets_404(client, award, structure, organiser, name):
    other = AwardFactory(slug="other-2027", edition=2028)
    foreign = {
        "category": CategoryFactory(award=other, code="MOB"),
        "criterion": CriterionFactory(award=other),
        "round": RoundFactory(award=other, number=1),
    }
    client.force_login(organiser)
    url = reverse(
        f"awards:{name}", kwargs={"slug": award.slug, "pk": foreign[name.split("_")[0]].pk}
    )

    get = client.get(url)
    post = client.post(url, {**category_data(), **criterion_data(), **round_data()})

    assert (get.status_code, post.status_code) == (404, 404)
    assert (Category.objects.filter(award=other).count(), Round.objects.count()) == (1, 2)
    assert AuditEntry.objects.count() == 0


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


# --- categories -------------------------------------------------------------------------


def test_organiser_adds_a_category(client, award, organiser):
    client.force_login(organiser)

    response = client.post(
        reverse("awards:category_create", kwargs={"slug": award.slug}),
        category_data(code="ene"),
    )

    assert response.status_code == 302
    assert response.url == reverse("awards:manage", kwargs={"slug": award.slug}) + (
        "#categories-title"
    )
    category = award.categories.get()
    assert (category.code, category.name_en, category.prize_amount) == (
        "ENE",
        "Energy",
        Decimal("5000"),
    )
    assert actions(award) == ["category.created"]
    assert [str(m) for m in response.wsgi_request._messages] == [
        "The category “Energy” has been saved."
    ]


def test_organiser_edits_a_category(client, award, structure, organiser):
    client.force_login(organiser)
    category = structure["category"]

    response = client.post(
        reverse("awards:category_update", kwargs={"slug": award.slug, "pk": category.pk}),
        category_data(code="MOB", name_en="Mobility and transport"),
    )

    assert response.status_code == 302
    category.refresh_from_db()
    assert (category.code, category.name_en, category.max_entries_per_organisation) == (
        "MOB",
        "Mobility and transport",
        2,
    )
    assert actions(award) == ["category.updated"]


def test_organiser_deletes_a_category_after_confirming(client, award, structure, organiser):
    client.force_login(organiser)
    url = reverse(
        "awards:category_delete", kwargs={"slug": award.slug, "pk": structure["category"].pk}
    )

    confirm = client.get(url)
    still_there = award.categories.count()
    response = client.post(url)

    assert "Delete the category “Mobility”?" in confirm.content.decode()
    assert still_there == 1
    assert response.status_code == 302
    assert award.categories.count() == 0
    assert actions(award) == ["category.deleted"]


def test_a_duplicate_category_code_is_refused_next_to_the_field(
    client, award, structure, organiser
):
    client.force_login(organiser)

    response = client.post(
        reverse("awards:category_create", kwargs={"slug": award.slug}),
        category_data(code="MOB"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "code": ["Another category of this award already has the code “MOB”."]
    }
    assert list(award.categories.values_list("code", flat=True)) == ["MOB"]


def test_a_category_with_a_submission_cannot_be_deleted(client, award, structure, organiser):
    category = structure["category"]
    SubmissionFactory(award=award, category=category, title="Carbon bike frame")
    client.force_login(organiser)

    response = client.post(
        reverse("awards:category_delete", kwargs={"slug": award.slug, "pk": category.pk})
    )

    assert response.status_code == 200
    assert response.context["errors"] == [
        "The category “Mobility” cannot be deleted: 1 entry was filed under it."
    ]
    assert "The category “Mobility” cannot be deleted: 1 entry was filed under it." in (
        response.content.decode()
    )
    assert Category.objects.filter(pk=category.pk).exists() is True
    assert actions(award) == []


def test_categories_cannot_be_added_once_submissions_closed(client, award, organiser):
    set_status(award, "closed")
    client.force_login(organiser)
    url = reverse("awards:category_create", kwargs={"slug": award.slug})
    message = (
        "Categories can only be added, changed or deleted while the award is “Draft” or "
        "“Open for submissions”; it is “Submissions closed” now."
    )

    page = client.get(url)
    response = client.post(url, category_data())

    assert message in page.content.decode()
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [message]
    assert award.categories.count() == 0


# --- criteria ---------------------------------------------------------------------------


def test_organiser_adds_a_criterion(client, award, organiser):
    client.force_login(organiser)

    response = client.post(
        reverse("awards:criterion_create", kwargs={"slug": award.slug}), criterion_data()
    )

    assert response.status_code == 302
    criterion = award.criteria.get()
    assert (criterion.name_en, criterion.weight, criterion.scale_min, criterion.scale_max) == (
        "Market potential",
        Decimal("2.5"),
        0,
        5,
    )
    assert actions(award) == ["criterion.created"]


def test_organiser_edits_a_criterion(client, award, structure, organiser):
    client.force_login(organiser)
    criterion = structure["criterion"]

    response = client.post(
        reverse("awards:criterion_update", kwargs={"slug": award.slug, "pk": criterion.pk}),
        criterion_data(name_en="Degree of innovation", weight="3"),
    )

    assert response.status_code == 302
    criterion.refresh_from_db()
    assert (criterion.name_en, criterion.weight) == ("Degree of innovation", Decimal("3"))
    assert actions(award) == ["criterion.updated"]


def test_organiser_deletes_a_criterion(client, award, structure, organiser):
    client.force_login(organiser)

    response = client.post(
        reverse(
            "awards:criterion_delete",
            kwargs={"slug": award.slug, "pk": structure["criterion"].pk},
        )
    )

    assert response.status_code == 302
    assert award.criteria.count() == 0
    assert actions(award) == ["criterion.deleted"]


@pytest.mark.parametrize("weight", ["0", "-1"])
def test_a_weight_not_above_zero_is_refused(client, award, organiser, weight):
    client.force_login(organiser)

    response = client.post(
        reverse("awards:criterion_create", kwargs={"slug": award.slug}),
        criterion_data(weight=weight),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"weight": ["The weight must be greater than 0."]}
    assert "The weight must be greater than 0." in response.content.decode()
    assert award.criteria.count() == 0


@pytest.mark.parametrize(("scale_min", "scale_max"), [("5", "5"), ("10", "1")])
def test_a_scale_whose_lowest_is_not_below_its_highest_is_refused(
    client, award, organiser, scale_min, scale_max
):
    client.force_login(organiser)

    response = client.post(
        reverse("awards:criterion_create", kwargs={"slug": award.slug}),
        criterion_data(scale_min=scale_min, scale_max=scale_max),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "scale_max": ["The highest score must be greater than the lowest score."]
    }
    assert award.criteria.count() == 0


def test_editing_a_criterion_while_judging_is_refused_with_the_reason(
    client, award, structure, organiser
):
    set_status(award, "judging")
    criterion = structure["criterion"]
    client.force_login(organiser)
    url = reverse("awards:criterion_update", kwargs={"slug": award.slug, "pk": criterion.pk})

    page = client.get(url)
    response = client.post(url, criterion_data(weight="3"))

    assert CRITERION_LOCKED_WHILE_JUDGING in page.content.decode()
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [CRITERION_LOCKED_WHILE_JUDGING]
    assert CRITERION_LOCKED_WHILE_JUDGING in response.content.decode()
    criterion.refresh_from_db()
    assert (criterion.name_en, criterion.weight) == ("Degree of innovation", Decimal("1"))
    assert actions(award) == []


def test_deleting_a_criterion_while_judging_is_refused_with_the_reason(
    client, award, structure, organiser
):
    set_status(award, "judging")
    client.force_login(organiser)

    response = client.post(
        reverse(
            "awards:criterion_delete",
            kwargs={"slug": award.slug, "pk": structure["criterion"].pk},
        )
    )

    assert response.status_code == 200
    assert response.context["errors"] == [CRITERION_LOCKED_WHILE_JUDGING]
    assert award.criteria.count() == 1


# --- rounds -----------------------------------------------------------------------------


def test_organiser_adds_a_round(client, award, structure, organiser):
    client.force_login(organiser)

    response = client.post(
        reverse("awards:round_create", kwargs={"slug": award.slug}), round_data()
    )

    assert response.status_code == 302
    assert list(award.rounds.values_list("number", "name_en", "kind")) == [
        (1, "Scoring round", "scoring"),
        (2, "Final round", "final"),
    ]
    assert actions(award) == ["round.created"]


def test_organiser_edits_a_round_while_judging(client, award, structure, organiser):
    set_status(award, "judging")
    client.force_login(organiser)
    round_ = structure["round"]

    response = client.post(
        reverse("awards:round_update", kwargs={"slug": award.slug, "pk": round_.pk}),
        round_data(number="1", kind="scoring", shortlist_size="6"),
    )

    assert response.status_code == 302
    round_.refresh_from_db()
    assert (round_.number, round_.name_en, round_.shortlist_size) == (1, "Final round", 6)


def test_organiser_deletes_a_round(client, award, structure, organiser):
    client.force_login(organiser)

    response = client.post(
        reverse("awards:round_delete", kwargs={"slug": award.slug, "pk": structure["round"].pk})
    )

    assert response.status_code == 302
    assert award.rounds.count() == 0
    assert actions(award) == ["round.deleted"]


def test_a_duplicate_round_number_is_refused_next_to_the_field(client, award, structure, organiser):
    client.force_login(organiser)

    response = client.post(
        reverse("awards:round_create", kwargs={"slug": award.slug}), round_data(number="1")
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "number": ["This award already has a round number 1."]
    }


def test_rounds_cannot_change_once_decided(client, award, structure, organiser):
    set_status(award, "decided")
    client.force_login(organiser)

    response = client.post(
        reverse("awards:round_update", kwargs={"slug": award.slug, "pk": structure["round"].pk}),
        round_data(number="1"),
    )

    assert response.context["form"].non_field_errors() == [
        "Rounds can no longer be added, changed or deleted once the award is “Decided”; "
        "it is “Decided” now."
    ]
    assert award.rounds.get().name_en == "Scoring round"


# --- the manage page --------------------------------------------------------------------


def test_manage_page_links_to_every_change(client, award, structure, organiser):
    client.force_login(organiser)

    html = client.get(reverse("awards:manage", kwargs={"slug": award.slug})).content.decode()

    for name in PAGES:
        assert f'href="{page_url(name, award, structure)}"' in html, name


def test_manage_page_hides_locked_changes_and_says_why(client, award, structure, organiser):
    set_status(award, "judging")
    client.force_login(organiser)

    html = client.get(reverse("awards:manage", kwargs={"slug": award.slug})).content.decode()

    assert page_url("category_create", award) not in html
    assert page_url("criterion_update", award, structure) not in html
    assert page_url("round_update", award, structure) in html
    assert CRITERION_LOCKED_WHILE_JUDGING in html


def test_manage_page_shows_the_latest_20_changes_newest_first(client, award, organiser):
    for position in range(25):
        services.award_update(award=award, actor=organiser, description_en=f"Version {position}")
    client.force_login(organiser)

    response = client.get(reverse("awards:manage", kwargs={"slug": award.slug}))

    rows = response.context["audit_rows"]
    assert len(rows) == 20
    assert rows[0]["entry"].data["changes"]["description_en"]["after"] == "Version 24"
    assert rows[-1]["entry"].data["changes"]["description_en"]["after"] == "Version 5"
    assert [str(label) for label in rows[0]["fields"]] == ["description (English)"]
    assert str(rows[0]["label"]) == "Settings changed"
    assert "Olga Organiser" in response.content.decode()


def _manage_page_queries(client, award: Award, size: int) -> int:
    for n in range(size):
        CategoryFactory(award=award)
        CriterionFactory(award=award)
        RoundFactory(award=award, number=n + 1)
        services.award_update(award=award, actor=None, description_de=f"Fassung {n}")
    url = reverse("awards:manage", kwargs={"slug": award.slug})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["award"].categories.all()) == size
    return len(queries)


def test_manage_page_query_count_does_not_grow_with_the_award(client, organiser):
    small = AwardFactory(slug="small-2027", edition=2031)
    large = AwardFactory(slug="large-2027", edition=2032)
    AwardRoleFactory(award=small, user=organiser)
    AwardRoleFactory(award=large, user=organiser)
    client.force_login(organiser)

    assert _manage_page_queries(client, small, 2) == _manage_page_queries(client, large, 20)
