"""The organiser's form builder (/manage/<slug>/submissions/form/…): who gets in; the form in
order with what each question asks, where, when and how often it was answered; adding and
changing questions with the services' refusals at their fields; moving, hiding and deleting;
the standard form and a copy of another edition's; the preview per category and language;
user text inert everywhere."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from submissions.enums import QuestionKind
from submissions.models import Question
from submissions.services import questions as services
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    JurorFactory,
    SubmissionFactory,
    UserFactory,
)
from tests.helpers import en_user, login_url, text
from tests.submissions.helpers import HOSTILE, HOSTILE_ESCAPED

pytestmark = pytest.mark.django_db

PATENT = [
    {"value": "none", "de": "keines", "en": "none"},
    {"value": "granted", "de": "erteilt", "en": "granted"},
]


@pytest.fixture
def award():
    """An open award with an empty form and two categories."""
    award = AwardFactory(form=False, status="open", slug="lia-2040", edition=2040)
    CategoryFactory(award=award, code="MOB", name_en="Mobility", name_de="Mobilität", position=1)
    CategoryFactory(award=award, code="CON", name_en="Construction", name_de="Bauen", position=2)
    return award


@pytest.fixture
def mobility(award):
    return award.categories.get(code="MOB")


@pytest.fixture
def construction(award):
    return award.categories.get(code="CON")


@pytest.fixture
def patent(award):
    return services.question_create(
        award=award,
        actor=None,
        kind=QuestionKind.CHOICE,
        key="patent",
        label_de="Patentstatus",
        label_en="Patent status",
        choices=PATENT,
    )


@pytest.fixture
def number(award, patent, mobility):
    return services.question_create(
        award=award,
        actor=None,
        kind=QuestionKind.SHORT_TEXT,
        key="patent_number",
        label_de="Patentnummer",
        label_en="Patent number",
        show_if=patent,
        show_if_values=["granted"],
        categories=[mobility],
    )


@pytest.fixture
def client_of(client):
    def log_in(user):
        client.force_login(user)
        return client

    return log_in


@pytest.fixture
def organiser_client(client_of, organiser):
    return client_of(organiser)


def url(name, award, question=None, **query):
    kwargs = {"slug": award.slug}
    if question is not None:
        kwargs["pk"] = question.pk
    address = reverse(f"submissions_manage:{name}", kwargs=kwargs)
    if query:
        address += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return address


def answer(award, question, value, category=None):
    return SubmissionFactory(
        award=award,
        category=category or award.categories.first(),
        answers={str(question.pk): {"value": value, "version": question.version}},
    )


def question_data(**overrides):
    data = {
        "kind": "short_text",
        "label_de": "Frage",
        "label_en": "Question",
        "help_de": "",
        "help_en": "",
        "decimals": "0",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- Who gets in --------------------------------------------------------------------------

# (url name, method, needs a question, POST data, the organiser's status)
VIEWS = [
    ("form", "get", False, None, 200),
    ("form_question_add", "get", False, None, 200),
    ("form_question_add", "post", False, question_data(label_de="Neue Frage"), 302),
    ("form_question_edit", "get", True, None, 200),
    ("form_question_edit", "post", True, "edit", 302),
    ("form_question_delete", "get", True, None, 200),
    ("form_question_delete", "post", True, {"confirm": "on"}, 302),
    ("form_question_retire", "post", True, {"retired": "1"}, 302),
    ("form_move", "post", True, {"direction": "down"}, 302),
    ("form_reorder", "post", False, "order", 302),
    ("form_standard", "post", False, {}, 302),
    ("form_copy", "get", False, None, 200),
    ("form_preview", "get", False, None, 200),
]


def call(client, name, method, needs, data, award, question):
    if data == "edit":
        data = question_data(version=question.version)
    elif data == "order":
        data = {"order": ",".join(str(pk) for pk in award.questions.values_list("pk", flat=True))}
    return getattr(client, method)(url(name, award, question if needs else None), data or {})


@pytest.fixture
def question(award):
    return services.question_create(
        award=award, actor=None, kind=QuestionKind.SHORT_TEXT, label_de="Frage"
    )


@pytest.mark.parametrize(("name", "method", "needs", "data", "status"), VIEWS)
def test_anonymous_visitors_are_sent_to_log_in(
    client, award, question, name, method, needs, data, status
):
    response = call(client, name, method, needs, data, award, question)

    assert response.status_code == 302
    assert response.url == login_url(url(name, award, question if needs else None))
    assert Question.objects.filter(award=award).count() == 1


def user_for(role, award):
    if role == "applicant":
        user = en_user()
        SubmissionFactory(award=award, category=award.categories.first(), created_by=user)
        return user
    if role == "juror":
        return JurorFactory(award=award, user=en_user()).user
    if role == "other_organiser":
        return AwardRoleFactory(award=AwardFactory(), user=en_user()).user
    return en_user()


@pytest.mark.parametrize(("name", "method", "needs", "data", "status"), VIEWS)
@pytest.mark.parametrize("role", ["stranger", "applicant", "juror", "other_organiser"])
def test_only_the_awards_organisers_get_in(
    client_of, award, question, role, name, method, needs, data, status
):
    client = client_of(user_for(role, award))

    response = call(client, name, method, needs, data, award, question)

    assert response.status_code == 404
    assert list(award.questions.values_list("label_de", "retired")) == [("Frage", False)]


@pytest.mark.parametrize(("name", "method", "needs", "data", "status"), VIEWS)
def test_the_awards_organiser_gets_in(
    organiser_client, award, question, name, method, needs, data, status
):
    response = call(organiser_client, name, method, needs, data, award, question)

    assert response.status_code == status


@pytest.mark.parametrize(
    ("name", "method", "data"),
    [
        ("form_question_edit", "get", None),
        ("form_question_edit", "post", question_data(version=1)),
        ("form_question_delete", "get", None),
        ("form_question_delete", "post", {"confirm": "on"}),
        ("form_question_retire", "post", {"retired": "1"}),
        ("form_move", "post", {"direction": "up"}),
    ],
)
def test_another_awards_question_is_not_found(organiser_client, award, name, method, data):
    other = AwardFactory()
    theirs = other.questions.order_by("position").last()

    response = getattr(organiser_client, method)(url(name, award, theirs), data or {})

    assert response.status_code == 404
    assert Question.objects.get(pk=theirs.pk).retired is False


# --- The builder page ---------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_the_page_lists_the_questions_with_kind_categories_condition_and_answers(
    organiser_client, award, patent, number, mobility
):
    answer(award, patent, "granted", category=mobility)
    answer(award, patent, "none")
    services.question_retire(question=number, actor=None, retired=True)

    page = text(organiser_client.get(url("form", award)))

    assert page.index("Patent status") < page.index("Patent number")
    assert "Single choice" in page
    assert "All categories" in page
    assert "Only in: Mobility" in page
    assert "shown if “Patent status” is “granted”" in page
    assert "2 entries answered" in page
    assert "0 entries answered" in page
    assert "hidden for new entries" in page
    assert "Entries have answered; changes that would invalidate answers are refused" in page


def test_the_page_runs_as_many_queries_for_a_large_form_as_for_a_small_one(
    organiser_client, award, patent
):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert organiser_client.get(url("form", award)).status_code == 200
        return len(captured)

    small = queries()
    services.form_standard_add(award=AwardFactory(form=False), actor=None)
    for index in range(6):
        question = services.question_create(
            award=award,
            actor=None,
            kind=QuestionKind.SHORT_TEXT,
            label_de=f"Frage {index}",
            categories=list(award.categories.all()),
            show_if=patent,
            show_if_values=["granted"],
        )
        answer(award, question, "ja")
    services.question_create(
        award=award, actor=None, kind=QuestionKind.FILE, label_de="Bilder", file_kinds=["image"]
    )

    assert queries() == small


def test_the_page_speaks_german_to_a_german_organiser(client_of, award, patent):
    user = UserFactory(preferred_language="de")
    AwardRoleFactory(award=award, user=user)

    page = text(client_of(user).get(url("form", award)))

    assert '<html lang="de">' in page
    assert "Patentstatus" in page
    assert "Patent status" not in page


@pytest.mark.usefixtures("english")
def test_an_empty_form_offers_the_standard_form(organiser_client, award):
    page = text(organiser_client.get(url("form", award)))
    assert "Start from the standard form" in page

    organiser_client.post(url("form_standard", award))

    page = text(organiser_client.get(url("form", award)))
    assert "Start from the standard form" not in page
    assert "Description of the innovation" in page


@pytest.mark.usefixtures("english")
def test_user_text_is_inert_on_the_builder_page_and_in_the_preview(organiser_client, award):
    services.question_create(
        award=award,
        actor=None,
        kind=QuestionKind.CHOICE,
        label_de=HOSTILE,
        label_en=HOSTILE,
        help_en=HOSTILE,
        choices=[{"value": "x", "de": HOSTILE, "en": HOSTILE}],
    )

    for address in (url("form", award), url("form_preview", award, lang="en")):
        page = text(organiser_client.get(address))
        assert HOSTILE not in page
        assert "<script>alert(1)" not in page
        assert 'hx-get="/x"' not in page
        assert HOSTILE_ESCAPED in page


# --- Adding and changing ------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_a_choice_question_is_added_from_lines_of_choices(organiser_client, award, mobility):
    response = organiser_client.post(
        url("form_question_add", award),
        question_data(
            kind="choice",
            label_de="Patentstatus",
            label_en="Patent status",
            choices="none | keines | none\ngranted | erteilt | granted\n",
            categories=[mobility.pk],
            required="on",
        ),
    )

    question = award.questions.get()
    assert response.status_code == 302
    assert response.url == url("form", award) + f"#question-{question.pk}"
    assert question.choices == PATENT
    assert question.key == "patentstatus"
    assert question.required is True
    assert list(question.categories.all()) == [mobility]


@pytest.mark.usefixtures("english")
def test_bad_lines_of_choices_are_named(organiser_client, award):
    response = organiser_client.post(
        url("form_question_add", award),
        question_data(kind="choice", choices="a | A\n | B\nc\na | again\nd | D | E | F"),
    )

    page = text(response)
    assert response.status_code == 400
    assert "Line 2 has no value before the first “|”." in page
    assert "Line 4 has the same value as line 1: “a”." in page
    assert "Line 5 has more than three parts" in page
    assert not award.questions.exists()


@pytest.mark.usefixtures("english")
def test_the_services_refusal_is_shown_at_its_field_and_the_input_kept(organiser_client, award):
    response = organiser_client.post(
        url("form_question_add", award),
        question_data(kind="number", label_de="Budget", min_value="10", max_value="1"),
    )

    page = text(response)
    assert response.status_code == 400
    assert "The largest value must not be smaller than the smallest." in page
    assert 'value="Budget"' in page


@pytest.mark.usefixtures("english")
def test_a_conditional_question_is_added_and_described_in_words(organiser_client, award, patent):
    response = organiser_client.post(
        url("form_question_add", award),
        question_data(
            label_de="Patentnummer",
            label_en="Patent number",
            show_if=patent.pk,
            show_if_values=[f"{patent.pk}:granted"],
        ),
    )

    assert response.status_code == 302
    question = award.questions.get(key="patentnummer")
    assert question.show_if == patent
    assert question.show_if_values == ["granted"]
    assert "shown if “Patent status” is “granted”" in text(organiser_client.get(url("form", award)))


@pytest.mark.usefixtures("english")
def test_the_settings_of_other_kinds_are_not_kept(organiser_client, award):
    organiser_client.post(
        url("form_question_add", award),
        question_data(kind="date", label_de="Gründung", max_length="20", unit="kg", choices="a"),
    )

    question = award.questions.get()
    assert (question.max_length, question.unit, question.choices) == (None, "", [])


@pytest.mark.usefixtures("english")
def test_a_change_on_a_stale_version_is_refused_with_the_current_values(
    organiser_client, award, patent
):
    services.question_update(
        question=patent, actor=None, expected_version=1, label_en="Patent situation"
    )

    response = organiser_client.post(
        url("form_question_edit", award, patent),
        question_data(
            kind="choice",
            label_de="Patentstatus",
            label_en="Mine",
            choices="none | keines | none\ngranted | erteilt | granted",
            version=1,
        ),
    )

    page = text(response)
    assert response.status_code == 409
    assert "Someone else changed this question in the meantime." in page
    assert 'value="Patent situation"' in page
    assert 'name="version" value="2"' in page
    assert "What you had typed" in page
    assert '<dd class="pre-wrap text-break">Mine</dd>' in page
    assert Question.objects.get(pk=patent.pk).label_en == "Patent situation"


@pytest.mark.usefixtures("english")
def test_a_change_of_kind_that_breaks_answers_is_refused_at_the_kind(
    organiser_client, award, question
):
    answer(award, question, "viel")

    response = organiser_client.post(
        url("form_question_edit", award, question),
        question_data(kind="number", label_de="Frage", version=question.version),
    )

    page = text(response)
    assert response.status_code == 400
    assert "1 entry answered this question as “Short text”" in page
    assert Question.objects.get(pk=question.pk).kind == "short_text"


@pytest.mark.usefixtures("english")
def test_the_wording_of_an_answered_question_can_change_and_the_key_stays(
    organiser_client, award, patent
):
    answer(award, patent, "granted")

    response = organiser_client.post(
        url("form_question_edit", award, patent),
        question_data(
            kind="choice",
            label_de="Patentlage",
            label_en="Patents",
            choices="none | keines | none\ngranted | erteilt | granted",
            version=1,
            key="",
        ),
    )

    assert response.status_code == 302
    patent.refresh_from_db()
    assert (patent.label_en, patent.key, patent.version) == ("Patents", "patent", 2)


@pytest.mark.usefixtures("english")
def test_the_edit_page_shows_the_stored_choices_and_condition(organiser_client, award, number):
    page = text(organiser_client.get(url("form_question_edit", award, number.show_if)))
    assert "granted | erteilt | granted" in page

    page = text(organiser_client.get(url("form_question_edit", award, number)))
    assert f'value="{number.show_if_id}:granted"' in page
    boxes = dict(re.findall(r'<input type="checkbox"[^>]*value="([^"]+)"([^>]*)>', page))
    assert "checked" in boxes[f"{number.show_if_id}:granted"]
    assert "checked" not in boxes[f"{number.show_if_id}:none"]


# --- Deleting and hiding ------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_an_answered_question_is_not_deleted_and_hiding_is_offered(
    organiser_client, award, question
):
    answer(award, question, "viel")

    page = text(organiser_client.get(url("form_question_delete", award, question)))
    assert "1 entry answered this question, so it cannot be deleted" in page
    assert "Hide it for new entries" in page
    assert "Yes, delete the question" not in page

    response = organiser_client.post(
        url("form_question_delete", award, question), {"confirm": "on"}
    )
    assert response.status_code == 400
    assert Question.objects.filter(pk=question.pk).exists()

    organiser_client.post(url("form_question_retire", award, question), {"retired": "1"})
    assert Question.objects.get(pk=question.pk).retired is True


@pytest.mark.usefixtures("english")
def test_a_question_nobody_answered_is_deleted_after_confirmation(
    organiser_client, award, question
):
    page = text(organiser_client.get(url("form_question_delete", award, question)))
    assert "Yes, delete the question" in page

    organiser_client.post(url("form_question_delete", award, question))
    assert Question.objects.filter(pk=question.pk).exists()

    response = organiser_client.post(
        url("form_question_delete", award, question), {"confirm": "on"}
    )
    assert response.status_code == 302
    assert not Question.objects.filter(pk=question.pk).exists()


@pytest.mark.usefixtures("english")
def test_a_hidden_question_is_shown_again(organiser_client, award, question):
    organiser_client.post(url("form_question_retire", award, question), {"retired": "1"})
    assert "Show again" in text(organiser_client.get(url("form", award)))

    organiser_client.post(url("form_question_retire", award, question), {"retired": "0"})
    assert Question.objects.get(pk=question.pk).retired is False


# --- Order --------------------------------------------------------------------------------


def order(award):
    return list(award.questions.order_by("position", "pk").values_list("pk", flat=True))


@pytest.mark.usefixtures("english")
def test_the_buttons_move_a_question_one_place(organiser_client, award, patent, question):
    organiser_client.post(url("form_move", award, question), {"direction": "up"})
    assert order(award) == [question.pk, patent.pk]

    organiser_client.post(url("form_move", award, question), {"direction": "down"})
    assert order(award) == [patent.pk, question.pk]


@pytest.mark.usefixtures("english")
def test_a_question_cannot_move_before_the_question_it_depends_on(
    organiser_client, award, patent, number
):
    response = organiser_client.post(
        url("form_move", award, number), {"direction": "up"}, follow=True
    )

    assert "“Patent number” depends on “Patent status” and must stay after it." in text(response)
    assert order(award) == [patent.pk, number.pk]


@pytest.mark.usefixtures("english")
def test_a_dropped_order_is_saved_and_answered_in_json(organiser_client, award, patent, question):
    response = organiser_client.post(
        url("form_reorder", award),
        json.dumps({"order": [question.pk, patent.pk]}),
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json() == {"ok": True, "message": "The new order has been saved."}
    assert order(award) == [question.pk, patent.pk]


@pytest.mark.usefixtures("english")
def test_an_order_of_a_form_that_changed_meanwhile_is_refused(
    organiser_client, award, patent, question
):
    response = organiser_client.post(
        url("form_reorder", award),
        json.dumps({"order": [question.pk]}),
        content_type="application/json",
    )

    assert response.status_code == 409
    assert "reload the page" in response.json()["message"]
    assert order(award) == [patent.pk, question.pk]


# --- Copying another edition's form -------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_only_editions_the_organiser_manages_are_offered_and_copied(
    organiser_client, organiser, award
):
    mine = AwardFactory(name="Lightweight Innovation Award", edition=2039)
    AwardRoleFactory(award=mine, user=organiser)
    theirs = AwardFactory(name="Secret Award", edition=2038)

    page = text(organiser_client.get(url("form_copy", award)))
    assert "Secret Award" not in page
    assert f'value="{mine.pk}"' in page
    assert organiser_client.get(url("form_copy", award, source=theirs.pk)).status_code == 404
    response = organiser_client.post(
        url("form_copy", award), {"source": theirs.pk, "confirm": "on"}
    )
    assert response.status_code == 404
    assert not award.questions.exists()

    count = mine.questions.count()
    page = text(organiser_client.get(url("form_copy", award, source=mine.pk)))
    assert f"{count} questions of “{mine}” will be added" in page
    organiser_client.post(url("form_copy", award), {"source": mine.pk})
    assert not award.questions.exists()

    organiser_client.post(url("form_copy", award), {"source": mine.pk, "confirm": "on"})
    assert award.questions.count() == count


# --- Preview ------------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_the_preview_shows_a_categorys_form_in_the_chosen_language(
    organiser_client, award, patent, number, mobility, construction
):
    page = text(organiser_client.get(url("form_preview", award, category=mobility.pk, lang="de")))
    assert "Patentstatus" in page
    assert "Patentnummer" in page
    assert "erteilt" in page
    assert 'lang="de"' in page

    page = text(
        organiser_client.get(url("form_preview", award, category=construction.pk, lang="en"))
    )
    assert "Patent status" in page
    assert "Patent number" not in page
    assert f'data-show-if="{patent.pk}"' not in page

    page = text(organiser_client.get(url("form_preview", award, category=mobility.pk, lang="en")))
    assert f'data-question="{number.pk}"' in page
    assert f'data-show-if="{patent.pk}"' in page


def test_the_preview_refuses_another_awards_category(organiser_client, award):
    other = CategoryFactory(award=AwardFactory())

    response = organiser_client.get(url("form_preview", award, category=other.pk))

    assert response.status_code == 404


# --- Navigation ---------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_the_form_is_a_page_of_the_settings_section(organiser_client, award):
    page = text(organiser_client.get(url("form", award)))

    assert re.findall(r'aria-current="page" href="[^"]*" data-section="(\w+)"', page) == [
        "settings"
    ]
    settings = text(organiser_client.get(reverse("awards:settings", kwargs={"slug": award.slug})))
    assert f'href="{url("form", award)}" data-testid="nav-form">Application form</a>' in settings
