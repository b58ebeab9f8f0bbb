"""The services that configure an award: settings, categories, criteria, rounds."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from awards import services
from awards.models import AuditEntry, Award, Category, Criterion, Round
from tests.factories import (
    AwardFactory,
    CategoryFactory,
    CriterionFactory,
    RoundFactory,
    SubmissionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

UTC = dt.UTC
ALL_STATUSES = ["draft", "open", "closed", "judging", "decided", "published"]

CATEGORY_LOCKED = (
    "Categories can only be added, changed or deleted while the award is “Draft” or "
    "“Open for submissions”; it is “{status}” now."
)
CRITERION_LOCKED = (
    "Criteria can only be added, changed or deleted while the award is “Draft” or "
    "“Open for submissions”, so that every entry is judged against the same criteria; "
    "it is “{status}” now."
)
ROUND_LOCKED = (
    "Rounds can no longer be added, changed or deleted once the award is “Decided”; "
    "it is “{status}” now."
)


@pytest.fixture
def actor():
    return UserFactory(full_name="Olga Organiser", preferred_language="en")


@pytest.fixture
def award():
    return AwardFactory(
        name="Lightweight Innovation Award",
        edition=2027,
        slug="lia-2027",
        submissions_open_at=dt.datetime(2026, 9, 1, 8, 0, tzinfo=UTC),
        submissions_close_at=dt.datetime(2026, 10, 20, 16, 0, tzinfo=UTC),
        jury_deadline_at=dt.datetime(2026, 12, 1, 11, 0, tzinfo=UTC),
        announcement_at=dt.datetime(2027, 1, 15, 17, 0, tzinfo=UTC),
    )


def entries(award: Award) -> list[tuple[str, str, dict]]:
    return [
        (entry.action, entry.object_type, entry.data)
        for entry in AuditEntry.objects.filter(award=award).order_by("pk")
    ]


def with_status(award: Award, status: str) -> Award:
    Award.objects.filter(pk=award.pk).update(status=status)
    award.refresh_from_db()
    return award


# --- award_update -----------------------------------------------------------------------


def test_award_update_saves_and_logs_before_and_after_of_changed_fields(award, actor):
    new_close = dt.datetime(2026, 10, 25, 17, 0, tzinfo=UTC)

    updated = services.award_update(
        award=award,
        actor=actor,
        name="Lightweight Innovation Award",
        organiser_name="Leichtbau e.V.",
        submissions_close_at=new_close,
    )

    award.refresh_from_db()
    assert (award.organiser_name, award.submissions_close_at) == ("Leichtbau e.V.", new_close)
    assert updated.organiser_name == "Leichtbau e.V."
    assert entries(award) == [
        (
            "award.updated",
            "awards.award",
            {
                "changes": {
                    "organiser_name": {
                        "before": "Composites United e.V.",
                        "after": "Leichtbau e.V.",
                    },
                    "submissions_close_at": {
                        "before": "2026-10-20T16:00:00Z",
                        "after": "2026-10-25T17:00:00Z",
                    },
                }
            },
        )
    ]
    assert AuditEntry.objects.get(award=award).actor == actor


def test_award_update_without_a_change_writes_nothing(award, actor):
    services.award_update(award=award, actor=actor, name=award.name, timezone="Europe/Berlin")

    assert entries(award) == []


def test_award_update_refuses_to_change_the_status(award, actor):
    with pytest.raises(TypeError, match="award_update\\(\\) cannot change status"):
        services.award_update(award=award, actor=actor, status="published")

    award.refresh_from_db()
    assert award.status == "draft"


def test_award_update_refuses_a_deadline_before_the_opening(award, actor):
    with pytest.raises(ValidationError) as caught:
        services.award_update(
            award=award,
            actor=actor,
            submissions_close_at=dt.datetime(2026, 8, 1, 10, 0, tzinfo=UTC),
        )

    assert caught.value.message_dict == {
        "submissions_close_at": ["Must be later than “Submissions open”."]
    }
    award.refresh_from_db()
    assert award.submissions_close_at == dt.datetime(2026, 10, 20, 16, 0, tzinfo=UTC)
    assert entries(award) == []


def test_award_update_refuses_an_unknown_time_zone(award, actor):
    with pytest.raises(ValidationError) as caught:
        services.award_update(award=award, actor=actor, timezone="Mars/Olympus_Mons")

    assert caught.value.message_dict == {
        "timezone": ["“Mars/Olympus_Mons” is not a known time zone."]
    }


def test_award_update_refuses_the_name_of_another_award_of_the_same_edition(award, actor):
    AwardFactory(name="Composite Prize", edition=2027, slug="cp-2027")

    with pytest.raises(ValidationError) as caught:
        services.award_update(award=award, actor=actor, name="Composite Prize")

    assert caught.value.message_dict == {
        "name": ["There is already an award called “Composite Prize” for 2027."]
    }


# --- the structure rule -----------------------------------------------------------------


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_structure_locked_reason_follows_the_status(award, status):
    award.status = status
    label = award.get_status_display()

    reasons = {
        part: services.structure_locked_reason(award=award, part=part)
        for part in ("category", "criterion", "round")
    }

    expected = {
        "draft": {"category": None, "criterion": None, "round": None},
        "open": {"category": None, "criterion": None, "round": None},
        "closed": {
            "category": CATEGORY_LOCKED.format(status=label),
            "criterion": CRITERION_LOCKED.format(status=label),
            "round": None,
        },
        "judging": {
            "category": CATEGORY_LOCKED.format(status=label),
            "criterion": CRITERION_LOCKED.format(status=label),
            "round": None,
        },
        "decided": {
            "category": CATEGORY_LOCKED.format(status=label),
            "criterion": CRITERION_LOCKED.format(status=label),
            "round": ROUND_LOCKED.format(status=label),
        },
        "published": {
            "category": CATEGORY_LOCKED.format(status=label),
            "criterion": CRITERION_LOCKED.format(status=label),
            "round": ROUND_LOCKED.format(status=label),
        },
    }[status]
    assert reasons == expected


# --- categories -------------------------------------------------------------------------


def test_category_create_saves_and_logs_every_value(award, actor):
    category = services.category_create(
        award=award,
        actor=actor,
        code="MOB",
        name_de="Mobilität",
        name_en="Mobility",
        prize_amount=Decimal("10000"),
        max_entries_per_organisation=None,
        position=2,
    )

    assert Category.objects.filter(award=award).get() == category
    assert (category.code, category.name_en, category.max_entries_per_organisation) == (
        "MOB",
        "Mobility",
        None,
    )
    assert entries(award) == [
        (
            "category.created",
            "awards.category",
            {
                "changes": {
                    "code": {"before": None, "after": "MOB"},
                    "name_de": {"before": None, "after": "Mobilität"},
                    "name_en": {"before": None, "after": "Mobility"},
                    "description_de": {"before": None, "after": ""},
                    "description_en": {"before": None, "after": ""},
                    "prize_amount": {"before": None, "after": "10000"},
                    "max_entries_per_organisation": {"before": None, "after": None},
                    "position": {"before": None, "after": 2},
                }
            },
        )
    ]


@pytest.mark.parametrize("status", ["draft", "open"])
def test_category_create_is_allowed_while_draft_or_open(award, actor, status):
    with_status(award, status)

    services.category_create(award=award, actor=actor, code="MOB", name_de="M", name_en="M")

    assert list(award.categories.values_list("code", flat=True)) == ["MOB"]


@pytest.mark.parametrize("status", ["closed", "judging", "decided", "published"])
def test_category_create_is_refused_after_submissions_close(award, actor, status):
    with_status(award, status)

    with pytest.raises(services.StructureLockedError) as caught:
        services.category_create(award=award, actor=actor, code="MOB", name_de="M", name_en="M")

    assert caught.value.messages == [CATEGORY_LOCKED.format(status=award.get_status_display())]
    assert award.categories.count() == 0
    assert entries(award) == []


def test_category_create_refuses_a_code_the_award_already_uses(award, actor):
    CategoryFactory(award=award, code="MOB")
    CategoryFactory(code="ENE")  # another award's code is no clash

    with pytest.raises(ValidationError) as caught:
        services.category_create(award=award, actor=actor, code="MOB", name_de="Neu", name_en="New")
    services.category_create(award=award, actor=actor, code="ENE", name_de="E", name_en="E")

    assert caught.value.message_dict == {
        "code": ["Another category of this award already has the code “MOB”."]
    }
    assert sorted(award.categories.values_list("code", flat=True)) == ["ENE", "MOB"]


def test_category_create_reports_every_invalid_field(award, actor):
    with pytest.raises(ValidationError) as caught:
        services.category_create(
            award=award,
            actor=actor,
            code="mob",
            name_de="M",
            name_en="M",
            prize_amount=Decimal("-1"),
            max_entries_per_organisation=0,
        )

    assert caught.value.message_dict == {
        "code": ["2 to 8 capital letters or digits."],
        "prize_amount": ["Ensure this value is greater than or equal to 0."],
        "max_entries_per_organisation": ["At least 1; leave it empty for no limit."],
    }


def test_category_update_logs_only_the_changed_fields(award, actor):
    category = CategoryFactory(award=award, code="MOB", name_en="Mobility", name_de="Mobilität")

    services.category_update(
        category=category,
        actor=actor,
        code="MOB",
        name_en="Mobility and transport",
        prize_amount=Decimal("12000"),
    )

    category.refresh_from_db()
    assert (category.name_en, category.prize_amount) == ("Mobility and transport", Decimal("12000"))
    assert entries(award) == [
        (
            "category.updated",
            "awards.category",
            {
                "changes": {
                    "name_en": {"before": "Mobility", "after": "Mobility and transport"},
                    "prize_amount": {"before": "10000.00", "after": "12000"},
                }
            },
        )
    ]


def test_category_update_refuses_fields_it_does_not_own(award, actor):
    category = CategoryFactory(award=award)
    other_award = AwardFactory()

    with pytest.raises(TypeError, match="category_update\\(\\) cannot change award"):
        services.category_update(category=category, actor=actor, award=other_award)


def test_category_update_is_refused_once_submissions_closed(award, actor):
    category = CategoryFactory(award=award, name_en="Mobility")
    with_status(award, "closed")

    with pytest.raises(services.StructureLockedError):
        services.category_update(category=category, actor=actor, name_en="Energy")

    category.refresh_from_db()
    assert category.name_en == "Mobility"


def test_category_delete_keeps_the_deleted_values_in_the_log(award, actor):
    category = CategoryFactory(award=award, code="MOB", name_de="Mobilität", name_en="Mobility")
    category_pk = category.pk

    services.category_delete(category=category, actor=actor)

    assert Category.objects.filter(pk=category_pk).exists() is False
    entry = AuditEntry.objects.get(award=award)
    assert (entry.action, entry.object_id) == ("category.deleted", str(category_pk))
    assert entry.data["changes"]["code"] == {"before": "MOB", "after": None}
    assert entry.data["changes"]["name_en"] == {"before": "Mobility", "after": None}
    assert services.audit_verify(award=award) == []


def test_category_delete_is_refused_when_an_entry_was_filed_under_it(award, actor):
    category = CategoryFactory(award=award, name_en="Mobility")
    SubmissionFactory(award=award, category=category, title="Carbon bike frame")

    with pytest.raises(ValidationError) as caught:
        services.category_delete(category=category, actor=actor)

    assert caught.value.messages == [
        "The category “Mobility” cannot be deleted: 1 entry was filed under it."
    ]
    assert Category.objects.filter(pk=category.pk).exists() is True
    assert entries(award) == []


# --- criteria ---------------------------------------------------------------------------


def test_criterion_create_saves_and_logs(award, actor):
    criterion = services.criterion_create(
        award=award,
        actor=actor,
        name_de="Innovationsgrad",
        name_en="Degree of innovation",
        weight=Decimal("2.5"),
        scale_min=0,
        scale_max=5,
    )

    assert Criterion.objects.filter(award=award).get() == criterion
    assert entries(award)[0][0:2] == ("criterion.created", "awards.criterion")
    assert entries(award)[0][2]["changes"]["weight"] == {"before": None, "after": "2.5"}


@pytest.mark.parametrize("weight", [Decimal("0"), Decimal("-1")])
def test_criterion_create_refuses_a_weight_not_above_zero(award, actor, weight):
    with pytest.raises(ValidationError) as caught:
        services.criterion_create(award=award, actor=actor, name_de="K", name_en="C", weight=weight)

    assert caught.value.message_dict == {
        "weight": ["Ensure this value is greater than or equal to 0.01."]
    }
    assert award.criteria.count() == 0


@pytest.mark.parametrize(("scale_min", "scale_max"), [(5, 5), (10, 1)])
def test_criterion_create_refuses_a_scale_whose_lowest_is_not_below_its_highest(
    award, actor, scale_min, scale_max
):
    with pytest.raises(ValidationError) as caught:
        services.criterion_create(
            award=award,
            actor=actor,
            name_de="K",
            name_en="C",
            scale_min=scale_min,
            scale_max=scale_max,
        )

    assert caught.value.message_dict == {
        "scale_max": ["The highest score must be greater than the lowest score."]
    }


def test_criterion_create_refuses_a_name_the_award_already_uses(award, actor):
    CriterionFactory(award=award, name_en="Degree of innovation")

    with pytest.raises(ValidationError) as caught:
        services.criterion_create(
            award=award, actor=actor, name_de="Neu", name_en="Degree of innovation"
        )

    assert caught.value.message_dict == {
        "name_en": ["Another criterion of this award is already called “Degree of innovation”."]
    }


def test_criterion_update_changes_weight_and_scale_while_open(award, actor):
    criterion = CriterionFactory(award=award, weight=Decimal("1"))
    with_status(award, "open")

    services.criterion_update(
        criterion=criterion, actor=actor, weight=Decimal("3"), scale_min=0, scale_max=5
    )

    criterion.refresh_from_db()
    assert (criterion.weight, criterion.scale_min, criterion.scale_max) == (Decimal("3"), 0, 5)
    assert entries(award)[0][2] == {
        "changes": {
            "weight": {"before": "1.00", "after": "3"},
            "scale_min": {"before": 1, "after": 0},
            "scale_max": {"before": 10, "after": 5},
        }
    }


@pytest.mark.parametrize("status", ["closed", "judging", "decided", "published"])
def test_criterion_update_is_refused_once_submissions_closed(award, actor, status):
    criterion = CriterionFactory(award=award, weight=Decimal("1"))
    with_status(award, status)

    with pytest.raises(services.StructureLockedError) as caught:
        services.criterion_update(criterion=criterion, actor=actor, weight=Decimal("3"))

    assert caught.value.messages == [CRITERION_LOCKED.format(status=award.get_status_display())]
    criterion.refresh_from_db()
    assert criterion.weight == Decimal("1")


def test_criterion_create_and_delete_are_refused_while_judging(award, actor):
    criterion = CriterionFactory(award=award)
    with_status(award, "judging")

    with pytest.raises(services.StructureLockedError):
        services.criterion_create(award=award, actor=actor, name_de="K", name_en="C")
    with pytest.raises(services.StructureLockedError):
        services.criterion_delete(criterion=criterion, actor=actor)

    assert list(award.criteria.all()) == [criterion]


def test_criterion_delete_logs_and_deletes(award, actor):
    criterion = CriterionFactory(award=award, name_en="Market potential")

    services.criterion_delete(criterion=criterion, actor=actor)

    assert award.criteria.count() == 0
    assert entries(award)[0][0] == "criterion.deleted"
    assert entries(award)[0][2]["changes"]["name_en"] == {
        "before": "Market potential",
        "after": None,
    }


# --- rounds -----------------------------------------------------------------------------


def test_round_create_saves_and_logs(award, actor):
    round_ = services.round_create(
        award=award,
        actor=actor,
        number=1,
        name_de="Vorauswahl",
        name_en="Preselection",
        kind="scoring",
        shortlist_size=5,
    )

    assert Round.objects.filter(award=award).get() == round_
    assert entries(award) == [
        (
            "round.created",
            "awards.round",
            {
                "changes": {
                    "number": {"before": None, "after": 1},
                    "name_de": {"before": None, "after": "Vorauswahl"},
                    "name_en": {"before": None, "after": "Preselection"},
                    "kind": {"before": None, "after": "scoring"},
                    "shortlist_size": {"before": None, "after": 5},
                    "method": {"before": None, "after": "scores"},
                    "deadline_at": {"before": None, "after": None},
                }
            },
        )
    ]


def test_round_create_refuses_a_number_the_award_already_has(award, actor):
    RoundFactory(award=award, number=1)

    with pytest.raises(ValidationError) as caught:
        services.round_create(award=award, actor=actor, number=1, name_de="R", name_en="R")

    assert caught.value.message_dict == {"number": ["This award already has a round number 1."]}


def test_round_update_is_allowed_while_judging(award, actor):
    round_ = RoundFactory(award=award, number=1, shortlist_size=None)
    with_status(award, "judging")

    services.round_update(round=round_, actor=actor, shortlist_size=3)

    round_.refresh_from_db()
    assert round_.shortlist_size == 3
    assert entries(award)[0][2] == {"changes": {"shortlist_size": {"before": None, "after": 3}}}


@pytest.mark.parametrize("status", ["decided", "published"])
def test_rounds_cannot_change_once_decided(award, actor, status):
    round_ = RoundFactory(award=award, number=1, shortlist_size=None)
    with_status(award, status)
    message = [ROUND_LOCKED.format(status=award.get_status_display())]

    with pytest.raises(services.StructureLockedError) as on_create:
        services.round_create(award=award, actor=actor, number=2, name_de="F", name_en="F")
    with pytest.raises(services.StructureLockedError) as on_update:
        services.round_update(round=round_, actor=actor, shortlist_size=3)
    with pytest.raises(services.StructureLockedError) as on_delete:
        services.round_delete(round=round_, actor=actor)

    assert (on_create.value.messages, on_update.value.messages, on_delete.value.messages) == (
        message,
        message,
        message,
    )
    assert list(award.rounds.values_list("number", "shortlist_size")) == [(1, None)]


def test_round_delete_logs_and_deletes(award, actor):
    round_ = RoundFactory(award=award, number=1)

    services.round_delete(round=round_, actor=actor)

    assert award.rounds.count() == 0
    assert entries(award)[0][0:2] == ("round.deleted", "awards.round")


def test_a_series_of_changes_leaves_an_intact_audit_chain(award, actor):
    services.award_update(award=award, actor=actor, organiser_name="Leichtbau e.V.")
    category = services.category_create(
        award=award, actor=actor, code="MOB", name_de="M", name_en="M"
    )
    services.category_update(category=category, actor=actor, position=3)
    criterion = services.criterion_create(award=award, actor=actor, name_de="K", name_en="C")
    services.criterion_delete(criterion=criterion, actor=actor)
    services.round_create(award=award, actor=actor, number=1, name_de="R", name_en="R")

    assert [action for action, _type, _data in entries(award)] == [
        "award.updated",
        "category.created",
        "category.updated",
        "criterion.created",
        "criterion.deleted",
        "round.created",
    ]
    assert services.audit_verify(award=award) == []
