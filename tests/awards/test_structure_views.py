"""An award's categories, criteria and rounds (/manage/<slug>/categories/…, criteria/…,
rounds/…): adding, editing and deleting them, what is refused next to its field, and the
changes locked by the award's status, with the reason."""

from decimal import Decimal

import pytest
from django.urls import reverse

from awards.models import Category
from tests.awards.helpers import (
    CRITERION_LOCKED_WHILE_JUDGING,
    actions,
    category_data,
    criterion_data,
    round_data,
    set_status,
)
from tests.factories import SubmissionFactory

pytestmark = pytest.mark.django_db

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
