"""A criterion's score levels (what a range of its scores means) on the criterion pages
(/manage/<slug>/criteria/…) and in the services: rows added, changed and deleted with the
criterion, refusals next to the row's field with nothing typed lost, a scale that would leave
levels outside it refused, the change in the audit log, the way scores are entered."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from awards import services
from awards.models import AuditEntry, Criterion, RubricLevel
from tests.awards.helpers import actions, criterion_data, set_status
from tests.factories import AwardFactory, AwardRoleFactory, CriterionFactory, UserFactory

pytestmark = pytest.mark.django_db


def levels_data(rows: list[tuple], *, initial: int = 0) -> dict[str, str]:
    """The rows of the score levels as the page posts them: (low, high, German, English[,
    delete])."""
    data = {"levels-TOTAL_FORMS": str(len(rows)), "levels-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        low, high, de, en, *delete = row
        data.update(
            {
                f"levels-{index}-low": str(low),
                f"levels-{index}-high": str(high),
                f"levels-{index}-description_de": de,
                f"levels-{index}-description_en": en,
            }
        )
        if delete:
            data[f"levels-{index}-DELETE"] = "on"
    return data


def stored(criterion: Criterion) -> list[tuple]:
    return list(
        criterion.levels.order_by("low").values_list(
            "low", "high", "description_de", "description_en"
        )
    )


def add_levels(criterion: Criterion, *rows: tuple) -> None:
    RubricLevel.objects.bulk_create(
        RubricLevel(criterion=criterion, low=lo, high=hi, description_de=de, description_en=en)
        for lo, hi, de, en in rows
    )


def criterion_url(award, name: str, **kwargs) -> str:
    return reverse(f"awards:{name}", kwargs={"slug": award.slug, **kwargs})


# --- the pages --------------------------------------------------------------------------


def test_organiser_adds_a_criterion_with_score_levels(client, award, organiser):
    client.force_login(organiser)
    data = {
        **criterion_data(scale_min="1", scale_max="10", score_control="slider"),
        **levels_data(
            [
                (9, 10, "Durchbruch", "Breakthrough"),
                (1, 2, "Keine erkennbare Innovation", "No recognisable innovation"),
                ("", "", "", ""),
            ]
        ),
    }

    response = client.post(criterion_url(award, "criterion_create"), data)

    assert response.status_code == 302
    criterion = award.criteria.get()
    assert criterion.score_control == "slider"
    assert stored(criterion) == [
        (1, 2, "Keine erkennbare Innovation", "No recognisable innovation"),
        (9, 10, "Durchbruch", "Breakthrough"),
    ]
    entry = AuditEntry.objects.get(award=award)
    assert entry.action == "criterion.created"
    assert entry.data["changes"]["score_levels"]["after"] == [
        {
            "low": 1,
            "high": 2,
            "description_de": "Keine erkennbare Innovation",
            "description_en": "No recognisable innovation",
        },
        {"low": 9, "high": 10, "description_de": "Durchbruch", "description_en": "Breakthrough"},
    ]


def test_the_edit_page_shows_the_levels_in_both_languages_and_empty_rows(
    client, award, structure, organiser
):
    criterion = structure["criterion"]
    add_levels(criterion, (1, 2, "Kaum neu", "Hardly new"), (9, 10, "Durchbruch", "Breakthrough"))
    client.force_login(organiser)

    response = client.get(criterion_url(award, "criterion_update", pk=criterion.pk))

    html = response.content.decode()
    formset = response.context["formset"]
    assert (formset.initial_form_count(), formset.total_form_count()) == (2, 4)
    assert 'value="Kaum neu"' in html and 'value="Hardly new"' in html
    assert "Level 9–10" in html
    assert 'name="levels-0-DELETE"' in html and 'name="levels-2-DELETE"' not in html
    assert 'name="score_control" value="buttons"' in html


def test_a_new_criterion_offers_five_empty_rows(client, award, organiser):
    client.force_login(organiser)

    response = client.get(criterion_url(award, "criterion_create"))

    assert response.context["formset"].total_form_count() == 5


def test_organiser_changes_and_deletes_levels(client, award, structure, organiser):
    criterion = structure["criterion"]
    add_levels(criterion, (1, 2, "Kaum neu", "Hardly new"), (9, 10, "Durchbruch", "Breakthrough"))
    client.force_login(organiser)
    data = {
        **criterion_data(name_en="Degree of innovation", scale_min="1", scale_max="10"),
        **levels_data(
            [
                (1, 3, "Kaum neu", "Hardly new"),
                (9, 10, "Durchbruch", "Breakthrough", "delete"),
                ("", "", "", ""),
            ],
            initial=2,
        ),
    }

    response = client.post(criterion_url(award, "criterion_update", pk=criterion.pk), data)

    assert response.status_code == 302
    assert stored(criterion) == [(1, 3, "Kaum neu", "Hardly new")]
    entry = AuditEntry.objects.get(award=award, action="criterion.updated")
    assert entry.data["changes"]["score_levels"] == {
        "before": [
            {"low": 1, "high": 2, "description_de": "Kaum neu", "description_en": "Hardly new"},
            {
                "low": 9,
                "high": 10,
                "description_de": "Durchbruch",
                "description_en": "Breakthrough",
            },
        ],
        "after": [
            {"low": 1, "high": 3, "description_de": "Kaum neu", "description_en": "Hardly new"}
        ],
    }


def test_saving_unchanged_levels_records_nothing(client, award, structure, organiser):
    criterion = structure["criterion"]
    criterion.scale_min, criterion.scale_max, criterion.weight = 0, 5, "2.5"
    criterion.name_de, criterion.name_en, criterion.position = (
        "Marktpotenzial",
        "Market potential",
        1,
    )
    criterion.save()
    add_levels(criterion, (0, 1, "Gering", "Low"))
    client.force_login(organiser)
    data = {**criterion_data(), **levels_data([(0, 1, "Gering", "Low")], initial=1)}

    response = client.post(criterion_url(award, "criterion_update", pk=criterion.pk), data)

    assert response.status_code == 302
    assert actions(award) == []


def test_overlapping_levels_are_refused_at_the_row_and_nothing_is_lost(client, award, organiser):
    client.force_login(organiser)
    data = {
        **criterion_data(scale_min="1", scale_max="10"),
        **levels_data(
            [
                (1, 4, "Kaum neu", "Hardly new"),
                (3, 6, "Etwas neu", "Somewhat new"),
                (8, 7, "Verdreht", "Reversed"),
                (9, 12, "Durchbruch", "Breakthrough"),
                (5, 5, "", "No German"),
            ]
        ),
    }

    response = client.post(criterion_url(award, "criterion_create"), data)

    assert response.status_code == 200
    rows = response.context["formset"].forms
    assert rows[1].errors == {
        "low": ["Overlaps with the level 1–4; each score may mean one thing."]
    }
    assert rows[2].errors == {"high": ["Must not be lower than the first score of the level (8)."]}
    assert rows[3].errors == {
        "high": [
            "Outside the scale of this criterion (1 to 10): change the scores or delete the level."
        ]
    }
    assert rows[4].errors == {
        "description_de": ["Say in German what these scores mean."],
        "low": ["Overlaps with the level 3–6; each score may mean one thing."],
    }
    html = response.content.decode()
    assert "Some score levels need correcting" in html
    assert 'value="Etwas neu"' in html and 'value="No German"' in html
    assert award.criteria.count() == 0
    assert actions(award) == []


def test_a_partly_filled_row_asks_for_its_scores(client, award, organiser):
    client.force_login(organiser)
    data = {**criterion_data(), **levels_data([("", "", "Nur Text", "")])}

    response = client.post(criterion_url(award, "criterion_create"), data)

    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors == {
        "low": ["Enter the first score of this level."],
        "high": ["Enter the last score of this level."],
    }
    assert award.criteria.count() == 0


def test_shrinking_the_scale_below_the_levels_is_refused_with_the_reason(
    client, award, structure, organiser
):
    criterion = structure["criterion"]
    add_levels(criterion, (1, 5, "Mittel", "Medium"), (6, 10, "Hoch", "High"))
    client.force_login(organiser)
    data = {
        **criterion_data(name_en="Degree of innovation", scale_min="1", scale_max="5"),
        **levels_data([(1, 5, "Mittel", "Medium"), (6, 10, "Hoch", "High")], initial=2),
    }

    response = client.post(criterion_url(award, "criterion_update", pk=criterion.pk), data)

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "scale_max": [
            "Some score levels lie outside the new scale; change or delete them below, or "
            "keep the scale."
        ]
    }
    assert response.context["formset"].forms[1].errors == {
        "high": [
            "Outside the scale of this criterion (1 to 5): change the scores or delete the level."
        ]
    }
    criterion.refresh_from_db()
    assert criterion.scale_max == 10
    assert len(stored(criterion)) == 2
    assert actions(award) == []


def test_levels_of_another_awards_criterion_cannot_be_reached(client, award, organiser):
    other = AwardFactory(slug="other-2027", edition=2028)
    foreign = CriterionFactory(award=other)
    add_levels(foreign, (1, 2, "Fremd", "Foreign"))
    client.force_login(organiser)
    url = criterion_url(award, "criterion_update", pk=foreign.pk)

    get = client.get(url)
    post = client.post(url, {**criterion_data(), **levels_data([])})

    assert (get.status_code, post.status_code) == (404, 404)
    assert stored(foreign) == [(1, 2, "Fremd", "Foreign")]


def test_someone_elses_award_is_a_404(client, award, structure):
    stranger = UserFactory(preferred_language="en")
    organiser_elsewhere = UserFactory(preferred_language="en")
    AwardRoleFactory(award=AwardFactory(slug="elsewhere", edition=2029), user=organiser_elsewhere)
    url = criterion_url(award, "criterion_update", pk=structure["criterion"].pk)

    codes = []
    for user in (stranger, organiser_elsewhere):
        client.force_login(user)
        codes += [client.get(url).status_code, client.post(url, criterion_data()).status_code]

    assert codes == [404, 404, 404, 404]


def test_levels_cannot_change_while_judging(client, award, structure, organiser):
    criterion = structure["criterion"]
    set_status(award, "judging")
    client.force_login(organiser)
    data = {
        **criterion_data(name_en="Degree of innovation"),
        **levels_data([(0, 1, "Neu", "New")]),
    }

    response = client.post(criterion_url(award, "criterion_update", pk=criterion.pk), data)

    assert response.status_code == 200
    assert len(response.context["form"].non_field_errors()) == 1
    assert stored(criterion) == []


def test_the_edit_page_runs_a_fixed_number_of_queries(
    client, award, structure, organiser, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    criterion = structure["criterion"]
    client.force_login(organiser)
    url = criterion_url(award, "criterion_update", pk=criterion.pk)
    client.get(url)  # warm the session
    add_levels(criterion, (1, 2, "A", "A"))
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add_levels(criterion, (3, 4, "B", "B"), (5, 6, "C", "C"), (7, 8, "D", "D"))
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(few) == len(many)
    with django_assert_max_num_queries(12):
        client.get(url)


# --- the services -----------------------------------------------------------------------


def test_criterion_update_keeps_levels_when_none_are_given(award, structure, organiser):
    criterion = structure["criterion"]
    add_levels(criterion, (1, 2, "Kaum neu", "Hardly new"))

    services.criterion_update(criterion=criterion, actor=organiser, weight="2")

    assert stored(criterion) == [(1, 2, "Kaum neu", "Hardly new")]


@pytest.mark.usefixtures("english")  # the service's messages in English
def test_a_new_scale_leaving_stored_levels_outside_is_refused_by_the_service(
    award, structure, organiser
):
    criterion = structure["criterion"]
    add_levels(
        criterion, (1, 2, "Kaum neu", "Hardly new"), (7, 8, "Gut", "Good"), (9, 10, "X", "X")
    )

    with pytest.raises(ValidationError) as caught:
        services.criterion_update(criterion=criterion, actor=organiser, scale_max=6)

    assert caught.value.message_dict == {
        "scale_max": [
            "The score levels 7–8, 9–10 lie outside this scale; change or delete them first."
        ]
    }
    criterion.refresh_from_db()
    assert criterion.scale_max == 10


@pytest.mark.usefixtures("english")  # the service's messages in English
def test_raising_the_lowest_score_above_a_level_is_refused_at_the_lowest(
    award, structure, organiser
):
    criterion = structure["criterion"]
    add_levels(criterion, (1, 2, "Kaum neu", "Hardly new"))

    with pytest.raises(ValidationError) as caught:
        services.criterion_update(criterion=criterion, actor=organiser, scale_min=3)

    assert caught.value.message_dict == {
        "scale_min": ["The score level 1–2 lies outside this scale; change or delete it first."]
    }


@pytest.mark.usefixtures("english")  # the service's messages in English
def test_the_service_refuses_bad_levels_by_row(award, organiser):
    levels = [
        services.LevelInput(low=0, high=2, description_de="Zu tief", description_en=""),
        services.LevelInput(low=2, high=3, description_de=" ", description_en=""),
        services.LevelInput(low=4, high=4, description_de="x" * 301, description_en=""),
    ]

    with pytest.raises(ValidationError) as caught:
        services.criterion_create(
            award=award, actor=organiser, name_de="K", name_en="C", levels=levels
        )

    assert caught.value.message_dict == {
        "levels-0-low": [
            "Outside the scale of this criterion (1 to 10): change the scores or delete the level."
        ],
        "levels-1-description_de": ["Say in German what these scores mean."],
        "levels-1-low": ["Overlaps with the level 0–2; each score may mean one thing."],
        "levels-2-description_de": ["At most 300 characters (it has 301)."],
    }
    assert award.criteria.count() == 0


def test_a_level_reads_in_the_language_of_the_page(award, structure):
    criterion = structure["criterion"]
    add_levels(criterion, (1, 2, "Kaum neu", "Hardly new"), (3, 4, "Etwas neu", ""))
    low, mid = criterion.levels.order_by("low")

    with translation.override("de"):
        german = [low.description, mid.description]
    with translation.override("en"):
        english = [low.description, mid.description]

    assert german == ["Kaum neu", "Etwas neu"]
    assert english == ["Hardly new", "Etwas neu"]


# --- the demo ---------------------------------------------------------------------------


def test_every_demo_criterion_has_levels_covering_its_scale_in_both_languages():
    from awards import demo

    award = demo.demo_award_create(demo.EDITION_2023)

    for criterion in award.criteria.prefetch_related("levels"):
        levels = list(criterion.levels.all())
        covered = [score for level in levels for score in range(level.low, level.high + 1)]
        assert covered == list(range(criterion.scale_min, criterion.scale_max + 1)), criterion
        assert all(level.description_de and level.description_en for level in levels)
        assert (
            services.rubric_level_errors(
                [
                    services.LevelInput(lv.low, lv.high, lv.description_de, lv.description_en)
                    for lv in levels
                ],
                scale_min=criterion.scale_min,
                scale_max=criterion.scale_max,
            )
            == {}
        )


def test_the_change_log_shows_the_levels_in_words(client, award, structure, organiser):
    criterion = structure["criterion"]
    client.force_login(organiser)
    client.post(
        criterion_url(award, "criterion_update", pk=criterion.pk),
        {
            **criterion_data(name_en="Degree of innovation", scale_min="1", scale_max="10"),
            **levels_data([(1, 2, "Kaum neu", "Hardly new")]),
        },
    )

    html = client.get(reverse("awards:audit", kwargs={"slug": award.slug})).content.decode()

    assert "Score levels" in html
    assert (
        "From score: 1; To score: 2; Meaning (German): Kaum neu; Meaning (English): Hardly new"
        in html
    )
