import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from awards.models import Award, AwardRole, Category, Criterion, Round
from tests.factories import AwardFactory, CategoryFactory, CriterionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _refused_by_database(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_award_slug_is_unique():
    AwardFactory(slug="lia-2023", edition=2023)
    _refused_by_database(lambda: AwardFactory(slug="lia-2023", edition=2024))


def test_award_timeline_order_is_enforced_by_the_database():
    now = timezone.now()
    _refused_by_database(
        lambda: AwardFactory(submissions_open_at=now, submissions_close_at=now - dt.timedelta(1))
    )
    _refused_by_database(
        lambda: AwardFactory(
            submissions_close_at=now + dt.timedelta(days=20),
            jury_deadline_at=now + dt.timedelta(days=5),
        )
    )
    _refused_by_database(
        lambda: AwardFactory(
            jury_deadline_at=now + dt.timedelta(days=40),
            announcement_at=now + dt.timedelta(days=30),
        )
    )


def test_award_clean_names_the_date_that_is_out_of_order():
    award = AwardFactory.build(
        submissions_open_at=timezone.now(),
        submissions_close_at=timezone.now() - dt.timedelta(hours=1),
    )
    with translation.override("en"), pytest.raises(ValidationError) as error:
        award.clean()
    assert error.value.message_dict == {
        "submissions_close_at": ["Must be later than “Submissions open”."]
    }


def test_award_with_partial_timeline_is_valid():
    award = AwardFactory(jury_deadline_at=None, announcement_at=None)
    award.full_clean()
    with translation.override("en"):
        assert [label for label, _ in award.timeline()] == [
            "Submissions open",
            "Submission deadline",
        ]


def test_award_refuses_unknown_timezone():
    award = AwardFactory.build(timezone="Europe/Atlantis")
    with translation.override("en"), pytest.raises(ValidationError) as error:
        award.full_clean(exclude=["slug"])
    with translation.override("en"):
        assert error.value.message_dict["timezone"] == [
            "“Europe/Atlantis” is not a known time zone."
        ]


def test_criterion_weight_must_be_positive():
    award = AwardFactory()
    _refused_by_database(lambda: CriterionFactory(award=award, weight=Decimal("0")))
    _refused_by_database(lambda: CriterionFactory(award=award, weight=Decimal("-1")))
    with pytest.raises(ValidationError) as error:
        CriterionFactory.build(award=award, weight=Decimal("0")).full_clean()
    assert "weight" in error.value.message_dict


def test_criterion_scale_min_must_be_below_max():
    award = AwardFactory()
    _refused_by_database(lambda: CriterionFactory(award=award, scale_min=5, scale_max=5))
    with translation.override("en"), pytest.raises(ValidationError) as error:
        CriterionFactory.build(award=award, scale_min=10, scale_max=1).full_clean()
    with translation.override("en"):
        assert error.value.message_dict["scale_max"] == [
            "The highest score must be greater than the lowest score."
        ]


def test_category_code_is_unique_within_an_award_only():
    first, second = AwardFactory(), AwardFactory()
    CategoryFactory(award=first, code="MOB")
    CategoryFactory(award=second, code="MOB")
    _refused_by_database(lambda: CategoryFactory(award=first, code="MOB"))


def test_category_prize_and_entry_limit_are_checked():
    award = AwardFactory()
    _refused_by_database(lambda: CategoryFactory(award=award, prize_amount=Decimal("-1")))
    _refused_by_database(lambda: CategoryFactory(award=award, max_entries_per_organisation=0))
    unlimited = CategoryFactory(award=award, max_entries_per_organisation=None)
    assert unlimited.max_entries_per_organisation is None


def test_round_number_is_unique_per_award_and_positive():
    award = AwardFactory()
    Round.objects.create(award=award, number=1, name_de="R1", name_en="R1")
    _refused_by_database(
        lambda: Round.objects.create(award=award, number=1, name_de="x", name_en="x")
    )
    _refused_by_database(
        lambda: Round.objects.create(award=award, number=0, name_de="y", name_en="y")
    )
    _refused_by_database(
        lambda: Round.objects.create(
            award=award, number=2, name_de="z", name_en="z", shortlist_size=0
        )
    )


def test_award_role_is_unique_and_valid():
    award, user = AwardFactory(), UserFactory()
    AwardRole.objects.create(award=award, user=user, role="organiser")
    _refused_by_database(lambda: AwardRole.objects.create(award=award, user=user, role="organiser"))
    _refused_by_database(lambda: AwardRole.objects.create(award=award, user=user, role="king"))
    # A jury seat is the jury app's Juror row, never an award role.
    _refused_by_database(lambda: AwardRole.objects.create(award=award, user=user, role="juror"))
    assert award.roles.count() == 1


def test_status_outside_the_lifecycle_is_refused_by_the_database():
    _refused_by_database(lambda: AwardFactory(status="cancelled"))


@pytest.mark.parametrize(("language", "expected"), [("de", "Mobilität"), ("en", "Mobility")])
def test_category_name_follows_the_active_language(language, expected):
    category = CategoryFactory(name_de="Mobilität", name_en="Mobility")
    with translation.override(language):
        assert category.name == expected


def test_missing_translation_falls_back_to_the_other_language():
    category = CategoryFactory(description_de="Nur Deutsch", description_en="")
    with translation.override("en"):
        assert category.description == "Nur Deutsch"


def test_models_have_readable_names():
    award = AwardFactory(name="Lightweight Innovation Award", edition=2023)
    assert str(award) == "Lightweight Innovation Award 2023"
    assert Category._meta.ordering == ["award", "position", "pk"]
    assert Criterion._meta.ordering == ["award", "position", "pk"]
    assert Award._meta.get_field("timezone").default == "Europe/Berlin"


def test_signed_numbers_carry_a_real_minus_sign_and_a_plus():
    from django.utils import translation

    from awards.templatetags.laurel import signed

    with translation.override("en"):
        assert signed(4.56) == "+4.6"
        assert signed(-4.56) == "\u22124.6"
        assert signed(0.04) == "0.0"
        assert signed(None) == "–"
    with translation.override("de"):
        assert signed(-4.56) == "\u22124,6"
