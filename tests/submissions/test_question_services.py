"""The form builder's services (``submissions.services.questions``): every kind of question
can be added; a definition that makes no sense is refused with the reason at its field; a
change that would invalidate answers already given is refused with the number of entries,
while wording can always change; questions with answers are hidden, never deleted; the order
keeps conditions after their questions; the standard form and a copy of another edition's
form; every change lands in the award's change log."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from awards.models import AuditEntry
from submissions.enums import QuestionKind
from submissions.models import Attachment, Question
from submissions.services import questions as services
from tests.factories import AwardFactory, CategoryFactory, SubmissionFactory
from tests.helpers import en_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PATENT = [
    {"value": "none", "de": "keines", "en": "none"},
    {"value": "filed", "de": "angemeldet", "en": "filed"},
    {"value": "granted", "de": "erteilt", "en": "granted"},
]


@pytest.fixture
def award():
    return AwardFactory(form=False, status="open")


@pytest.fixture
def actor():
    return en_user(full_name="Oda Organiser")


def create(award, actor, **fields):
    fields.setdefault("kind", QuestionKind.SHORT_TEXT)
    fields.setdefault("label_de", "Frage")
    return services.question_create(award=award, actor=actor, **fields)


def refusal(call, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return caught.value.message_dict


def answer(award, question, value, **kwargs):
    """An entry of ``award`` that answered ``question`` with ``value`` (stored form)."""
    return SubmissionFactory(
        award=award,
        category=CategoryFactory(award=award),
        answers={str(question.pk): {"value": value, "version": question.version}},
        **kwargs,
    )


def actions(award) -> list[str]:
    return list(
        AuditEntry.objects.filter(award=award).order_by("pk").values_list("action", flat=True)
    )


# --- Creating -----------------------------------------------------------------------------


KINDS = {
    QuestionKind.SECTION: {},
    QuestionKind.SHORT_TEXT: {"max_length": 80},
    QuestionKind.LONG_TEXT: {"max_length": 2000},
    QuestionKind.NUMBER: {
        "min_value": Decimal(0),
        "max_value": Decimal(100),
        "decimals": 1,
        "unit": "kg",
    },
    QuestionKind.MONEY: {"min_value": Decimal(0)},
    QuestionKind.DATE: {},
    QuestionKind.CHOICE: {"choices": PATENT},
    QuestionKind.MULTIPLE: {"choices": PATENT},
    QuestionKind.YES_NO: {},
    QuestionKind.URL: {},
    QuestionKind.EMAIL: {},
    QuestionKind.FILE: {"file_kinds": ["document"], "max_files": 2, "max_file_mb": 5},
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_of_question_can_be_added_at_the_end_of_the_form(award, actor, kind):
    first = create(award, actor, label_de="Erste Frage")

    question = create(award, actor, kind=kind, label_de="Neue Frage", **KINDS[kind])

    assert question.position > first.position
    assert question.kind == kind
    assert question.key == "neue_frage"
    assert actions(award) == ["question.created", "question.created"]


def test_a_question_for_some_categories_is_asked_only_there(award, actor):
    health = CategoryFactory(award=award, code="HEA")
    CategoryFactory(award=award, code="CON")

    question = create(award, actor, categories=[health])

    assert list(question.categories.all()) == [health]


# --- Bad definitions ----------------------------------------------------------------------


BAD = [
    ({"label_de": ""}, "label_de", "Write the question in German."),
    ({"kind": QuestionKind.CHOICE, "choices": []}, "choices", "List at least one choice."),
    (
        {
            "kind": QuestionKind.CHOICE,
            "choices": [{"value": "a", "de": "A"}, {"value": "a", "de": "B"}],
        },
        "choices",
        "Two choices have the same value.",
    ),
    (
        {"kind": QuestionKind.NUMBER, "min_value": Decimal(10), "max_value": Decimal(1)},
        "max_value",
        "The largest value must not be smaller than the smallest.",
    ),
    (
        {"kind": QuestionKind.FILE, "file_kinds": []},
        "file_kinds",
        "Choose which kinds of file the slot takes.",
    ),
]


@pytest.mark.parametrize(("fields", "field", "message"), BAD)
def test_a_definition_that_makes_no_sense_is_refused_at_its_field(
    award, actor, fields, field, message
):
    errors = refusal(create, award=award, actor=actor, **fields)

    assert message in errors[field]
    assert not award.questions.exists()
    assert actions(award) == []


def test_a_condition_on_a_question_that_cannot_decide_is_refused(award, actor):
    text = create(award, actor, label_de="Text")

    errors = refusal(
        create, award=award, actor=actor, show_if=text, show_if_values=["x"], label_de="Folge"
    )

    assert errors["show_if"] == ["Only a choice or yes/no question can decide."]


def test_a_condition_on_an_answer_the_question_does_not_offer_is_refused(award, actor):
    patent = create(award, actor, kind=QuestionKind.CHOICE, choices=PATENT, label_de="Patent")

    errors = refusal(create, award=award, actor=actor, show_if=patent, show_if_values=["stolen"])

    assert errors["show_if_values"] == ["Choose among the answers the question offers."]


def test_a_condition_on_a_later_question_is_refused(award, actor):
    number = create(award, actor, label_de="Patentnummer")
    patent = create(award, actor, kind=QuestionKind.CHOICE, choices=PATENT, label_de="Patent")

    errors = refusal(
        services.question_update,
        question=number,
        actor=actor,
        expected_version=number.version,
        show_if=patent,
        show_if_values=["granted"],
    )

    assert errors["show_if"] == [
        "A question can only depend on a question before it; move it further down."
    ]


# --- Order --------------------------------------------------------------------------------


def test_an_order_that_puts_a_question_before_the_one_it_depends_on_is_refused(award, actor):
    patent = create(award, actor, kind=QuestionKind.CHOICE, choices=PATENT, label_de="Patent")
    number = create(
        award, actor, label_de="Patentnummer", show_if=patent, show_if_values=["granted"]
    )

    with pytest.raises(ValidationError) as caught:
        services.questions_reorder(award=award, actor=actor, order=[number.pk, patent.pk])

    assert caught.value.messages == ["“Patentnummer” depends on “Patent” and must stay after it."]
    assert list(award.questions.values_list("pk", flat=True)) == [patent.pk, number.pk]


@pytest.mark.parametrize("change", ["missing", "extra"])
def test_an_order_with_a_missing_or_an_unknown_question_is_refused_as_stale(award, actor, change):
    one, two = create(award, actor, label_de="Eins"), create(award, actor, label_de="Zwei")
    order = [two.pk] if change == "missing" else [two.pk, one.pk, 999_999]

    with pytest.raises(ValidationError) as caught:
        services.questions_reorder(award=award, actor=actor, order=order)

    assert caught.value.code == "stale"
    assert "reload the page" in caught.value.messages[0]


def test_a_new_order_is_kept_and_logged(award, actor):
    one, two = create(award, actor, label_de="Eins"), create(award, actor, label_de="Zwei")

    services.questions_reorder(award=award, actor=actor, order=[two.pk, one.pk])

    assert list(award.questions.order_by("position").values_list("pk", flat=True)) == [
        two.pk,
        one.pk,
    ]
    assert actions(award)[-1] == "form.reordered"


# --- Changing a question with answers ------------------------------------------------------


def test_a_change_based_on_an_old_version_is_refused_as_stale(award, actor):
    question = create(award, actor, label_de="Alt")
    services.question_update(
        question=question, actor=actor, expected_version=1, label_de="Von jemand anderem"
    )

    with pytest.raises(services.StaleQuestion) as caught:
        services.question_update(
            question=question, actor=actor, expected_version=1, label_de="Meins"
        )

    assert caught.value.current.label_de == "Von jemand anderem"
    assert Question.objects.get(pk=question.pk).label_de == "Von jemand anderem"


def test_a_change_of_kind_that_would_not_fit_the_answers_is_refused_with_the_count(award, actor):
    question = create(award, actor, label_de="Budget")
    answer(award, question, "viel")
    answer(award, question, "wenig")

    errors = refusal(
        services.question_update,
        question=question,
        actor=actor,
        expected_version=question.version,
        kind=QuestionKind.NUMBER,
    )

    assert errors["kind"] == [
        "2 entries answered this question as “Short text”; their answers would not fit "
        "“Number”. Hide this question for new entries and add a new one instead."
    ]
    assert Question.objects.get(pk=question.pk).kind == QuestionKind.SHORT_TEXT


def test_a_short_text_with_answers_can_become_a_long_text(award, actor):
    question = create(award, actor, label_de="Team")
    answer(award, question, "Zwei Leute")

    changed = services.question_update(
        question=question,
        actor=actor,
        expected_version=question.version,
        kind=QuestionKind.LONG_TEXT,
    )

    assert changed.kind == QuestionKind.LONG_TEXT
    assert changed.version == 2


def test_removing_a_choice_that_was_answered_is_refused(award, actor):
    question = create(award, actor, kind=QuestionKind.CHOICE, choices=PATENT, label_de="Patent")
    answer(award, question, "granted")

    errors = refusal(
        services.question_update,
        question=question,
        actor=actor,
        expected_version=question.version,
        choices=PATENT[:2],
    )

    assert errors["choices"] == ["1 entry chose an answer you removed; keep that choice."]


def test_the_wording_of_an_answered_question_can_always_change(award, actor):
    question = create(award, actor, label_de="Alt", label_en="Old")
    answer(award, question, "eine Antwort")

    changed = services.question_update(
        question=question,
        actor=actor,
        expected_version=question.version,
        label_de="Neu",
        label_en="New",
        help_de="Hilfe",
    )

    assert (changed.label_de, changed.label_en, changed.help_de) == ("Neu", "New", "Hilfe")
    assert changed.version == 2
    entry = AuditEntry.objects.filter(award=award, action="question.updated").get()
    assert entry.data["changes"]["label_de"] == {"before": "Alt", "after": "Neu"}


# --- Deleting and hiding ------------------------------------------------------------------


def test_a_question_with_answers_is_not_deleted_and_hiding_is_offered(award, actor):
    question = create(award, actor, label_de="Budget")
    answer(award, question, "viel")

    with pytest.raises(ValidationError) as caught:
        services.question_delete(question=question, actor=actor)

    assert caught.value.messages == [
        "1 entry answered this question, so it cannot be deleted: their answers stay part "
        "of the entry. Hide it for new entries instead."
    ]
    assert Question.objects.filter(pk=question.pk).exists()


def test_a_file_slot_holding_a_file_counts_as_answered(award, actor):
    slot = create(award, actor, kind=QuestionKind.FILE, file_kinds=["image"], label_de="Bilder")
    entry = SubmissionFactory(award=award, category=CategoryFactory(award=award))
    Attachment.objects.create(
        submission=entry,
        question=slot,
        kind="image",
        file="x.png",
        original_name="x.png",
        content_type="image/png",
        size=10,
        sha256="0" * 64,
    )

    assert services.answer_count(slot) == 1
    assert services.delete_refusal(slot) is not None


def test_a_question_nobody_answered_is_deleted_and_logged(award, actor):
    question = create(award, actor, label_de="Weg damit")

    services.question_delete(question=question, actor=actor)

    assert not award.questions.exists()
    assert actions(award) == ["question.created", "question.deleted"]


def test_a_hidden_question_can_be_shown_again(award, actor):
    question = create(award, actor)

    hidden = services.question_retire(question=question, actor=actor, retired=True)
    shown = services.question_retire(question=question, actor=actor, retired=False)

    assert hidden.retired is True
    assert shown.retired is False
    assert actions(award)[-2:] == ["question.retired", "question.restored"]


# --- Starting a form ----------------------------------------------------------------------


def test_the_standard_form_is_only_for_an_empty_form(award, actor):
    created = services.form_standard_add(award=award, actor=actor)

    assert [q.key for q in created][:2] == ["description", "assessment"]
    with pytest.raises(ValidationError) as caught:
        services.form_standard_add(award=award, actor=actor)
    assert caught.value.code == "not_empty"
    assert award.questions.count() == len(created)
    assert actions(award) == ["form.standard_added"]


def test_a_copy_keeps_conditions_and_maps_categories_by_code(award, actor):
    last_year = AwardFactory(form=False)
    old_health = CategoryFactory(award=last_year, code="HEA")
    CategoryFactory(award=last_year, code="OLD")
    patent = create(last_year, actor, kind=QuestionKind.CHOICE, choices=PATENT, label_de="Patent")
    create(
        last_year,
        actor,
        label_de="Patentnummer",
        show_if=patent,
        show_if_values=["granted"],
        categories=[old_health],
    )
    new_health = CategoryFactory(award=award, code="HEA")

    created = services.form_copy(award=award, source=last_year, actor=actor)

    copied_patent, copied_number = created
    assert copied_number.show_if == copied_patent
    assert copied_number.show_if_values == ["granted"]
    assert list(copied_number.categories.all()) == [new_health]
    assert copied_patent.award == award
    assert actions(award)[-1] == "form.copied"


def test_a_form_is_not_copied_onto_itself(award, actor):
    create(award, actor)

    with pytest.raises(ValidationError):
        services.form_copy(award=award, source=award, actor=actor)
