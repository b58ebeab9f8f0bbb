"""The application form's questions as the applicant answers them and everyone else reads them.

One place decides, for every kind of question (``enums.QuestionKind``):

- the form field an applicant fills (``answer_field``), which is also the schema a stored
  answer is checked against: the services clean every value through the same field, so an
  answer of the wrong type, a choice that is not offered, text over the limit or a number out
  of range is refused whoever sends it (the page, autosave, a script);
- how an answer is stored in ``Submission.answers`` (plain JSON: text, a decimal as a string,
  an ISO date, a choice's value, a list of values, true/false) and read back
  (``stored_value``, ``answer_display``);
- which questions an entry is asked (``FormQuestions``: its category's questions, in order,
  with the conditions evaluated in order, exactly as ``static/js/questions.js`` does in the
  browser from the ``data-show-if`` attributes the form renders).

Nothing here writes: ``services.questions`` changes the form, ``services.entries`` the answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import formats
from django.utils.html import conditional_escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .enums import CHOICE_KINDS, CONDITION_KINDS, NO_VALUE_KINDS, TEXT_KINDS, QuestionKind
from .models import Question, Submission

YES, NO = "yes", "no"
# Without a limit of its own, a text answer is still bounded (a 10 MB paste is not an answer).
SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 20_000


def choice_label(choice: Mapping[str, Any]) -> str:
    """A choice's text in the active language (the other one when that is empty)."""
    first, second = ("en", "de") if (get_language() or "de").startswith("en") else ("de", "en")
    return str(choice.get(first) or choice.get(second) or choice.get("value", ""))


def choice_options(question: Question) -> list[tuple[str, str]]:
    """(value, label) of a question's choices; yes/no questions have the two answers."""
    if question.kind == QuestionKind.YES_NO:
        return [(YES, _("Yes")), (NO, _("No"))]
    return [(str(c["value"]), choice_label(c)) for c in question.choices or []]


def text_limit(question: Question) -> int:
    default = SHORT_TEXT_MAX if question.kind == QuestionKind.SHORT_TEXT else LONG_TEXT_MAX
    return min(question.max_length or default, default)


class YesNoField(forms.TypedChoiceField):
    """Yes / no as two radio buttons (an unticked box could not tell "no" from "not yet")."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=[(YES, _("Yes")), (NO, _("No"))],
            coerce=lambda value: value in (True, YES, "True", "true"),
            empty_value=None,
            widget=forms.RadioSelect,
            **kwargs,
        )

    def to_python(self, value: Any) -> Any:
        if value is True:
            return YES
        if value is False:
            return NO
        return super().to_python(value)


class WebAddressField(forms.URLField):
    """A web address: http or https only (no ftp://, file:// or any other scheme)."""

    default_validators = [URLValidator(schemes=["http", "https"])]


def answer_field(question: Question) -> forms.Field:
    """The form field of ``question``; never required here (a draft saves what is there:
    a required question is listed as missing until it is answered, ``missing_answers``)."""
    kind = question.kind
    common: dict[str, Any] = {
        "label": question.label,
        # Crispy writes help texts as HTML: the organiser's text must stay text.
        "help_text": conditional_escape(question.help),
        "required": False,
    }
    if kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
        limit = text_limit(question)
        attrs: dict[str, Any] = {"maxlength": limit}
        if kind == QuestionKind.LONG_TEXT:
            attrs.update({"rows": 6, "data-counter": limit})
            widget: forms.Widget = forms.Textarea(attrs=attrs)
        else:
            widget = forms.TextInput(attrs=attrs)
        return forms.CharField(max_length=limit, widget=widget, **common)
    if kind in (QuestionKind.NUMBER, QuestionKind.MONEY):
        places = 2 if kind == QuestionKind.MONEY else question.decimals
        field_kwargs: dict[str, Any] = {"decimal_places": places, "max_digits": 14}
        step = Decimal(10) ** -places  # "at least 100", not "at least 100.00", for whole numbers
        if question.min_value is not None:
            field_kwargs["min_value"] = Decimal(question.min_value).quantize(step)
        if question.max_value is not None:
            field_kwargs["max_value"] = Decimal(question.max_value).quantize(step)
        return forms.DecimalField(
            localize=True,
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            **field_kwargs,
            **common,
        )
    if kind == QuestionKind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == QuestionKind.CHOICE:
        return forms.ChoiceField(
            choices=[("", _("Choose …")), *choice_options(question)],
            **common,
        )
    if kind == QuestionKind.MULTIPLE:
        return forms.MultipleChoiceField(
            choices=choice_options(question), widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == QuestionKind.YES_NO:
        return YesNoField(**common)
    if kind == QuestionKind.URL:
        return WebAddressField(
            assume_scheme="https",
            max_length=500,
            widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
            **common,
        )
    if kind == QuestionKind.EMAIL:
        return forms.EmailField(**common)
    raise ValueError(f"{kind} has no form field")


def to_stored(question: Question, value: Any) -> Any:
    """A cleaned value as JSON stores it; None for no answer."""
    if value in (None, "", [], ()):
        return None
    kind = question.kind
    if kind in (QuestionKind.NUMBER, QuestionKind.MONEY):
        return str(value)
    if kind == QuestionKind.DATE:
        return value.isoformat()
    if kind == QuestionKind.YES_NO:
        return bool(value)
    if kind == QuestionKind.MULTIPLE:
        return [str(v) for v in value]
    if isinstance(value, str):
        return value.strip() or None
    return value


def stored_value(question: Question, answer: Any) -> Any:
    """The stored answer as Python (Decimal, date, list …), or None; a value that no longer
    fits the definition (it was stored under an earlier version) is returned as stored."""
    if not isinstance(answer, Mapping):
        return None
    value = answer.get("value")
    if value is None:
        return None
    kind = question.kind
    try:
        if kind in (QuestionKind.NUMBER, QuestionKind.MONEY):
            return Decimal(str(value))
        if kind == QuestionKind.DATE:
            return dt.date.fromisoformat(str(value))
    except (InvalidOperation, ValueError):
        return value
    return value


def initial_value(question: Question, answer: Any) -> Any:
    """What the form field shows for a stored answer."""
    value = stored_value(question, answer)
    if question.kind == QuestionKind.YES_NO and isinstance(value, bool):
        return YES if value else NO
    return value


def answer_display(question: Question, answer: Any) -> str:
    """The answer in words, as the jury, the organisers, the PDF and the exports show it:
    a choice's label (its value when the choice was removed since), "Yes"/"No", numbers and
    dates in the active language's format, the unit after a number. "" for no answer."""
    value = stored_value(question, answer)
    if value is None or value == []:
        return ""
    kind = question.kind
    if kind == QuestionKind.YES_NO:
        return _("Yes") if value else _("No")
    if kind in CHOICE_KINDS:
        labels = dict(choice_options(question))
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in values)
    if kind == QuestionKind.NUMBER and isinstance(value, Decimal):
        shown = formats.number_format(value, question.decimals, use_l10n=True)
        return f"{shown} {question.unit}".strip()
    if kind == QuestionKind.MONEY and isinstance(value, Decimal):
        currency = question.award.currency if question.award_id else "EUR"
        return f"{formats.number_format(value, 2, use_l10n=True, force_grouping=True)} {currency}"
    if kind == QuestionKind.DATE and isinstance(value, dt.date):
        return formats.date_format(value, "DATE_FORMAT")
    return str(value)


def export_value(question: Question, answer: Any) -> Any:
    """The answer as a spreadsheet cell: a number stays a number, the rest is its words."""
    value = stored_value(question, answer)
    if question.kind in (QuestionKind.NUMBER, QuestionKind.MONEY) and isinstance(value, Decimal):
        return value
    if question.kind == QuestionKind.DATE and isinstance(value, dt.date):
        return value
    return answer_display(question, answer)


def condition_met(question: Question, answers: Mapping[str, Any]) -> bool:
    """Whether the answer to ``question.show_if`` is one of ``show_if_values``."""
    parent = question.show_if
    if parent is None:
        return True
    answer = answers.get(str(parent.pk))
    value = answer.get("value") if isinstance(answer, Mapping) else None
    if value is None:
        return False
    wanted = {str(v) for v in question.show_if_values or []}
    if parent.kind == QuestionKind.YES_NO:
        return (YES if value else NO) in wanted
    values = value if isinstance(value, list) else [value]
    return any(str(v) in wanted for v in values)


@dataclass
class FormQuestions:
    """The questions of one category's form, in order.

    Built from the award's questions as ``selectors.form_questions_of`` reads them (two queries,
    ``show_if`` and categories loaded); ``visible`` evaluates the conditions in order
    against a set of answers, so a question whose condition hangs on a hidden question is
    hidden too.
    """

    questions: list[Question]

    @classmethod
    def of(
        cls,
        questions: Iterable[Question],
        *,
        category_id: int | None,
        answers: Mapping[str, Any] | None = None,
        attachment_question_ids: Iterable[int] = (),
        include_retired: bool = False,
    ) -> FormQuestions:
        """``questions`` narrowed to a category (None: all of them, for a preview of the
        whole form); retired questions only where the entry answered them (or
        ``include_retired``, for the organisers' and the jury's view)."""
        answered = frozenset(
            {int(k) for k, v in (answers or {}).items() if isinstance(v, Mapping)}
            | set(attachment_question_ids)
        )
        chosen = []
        for question in questions:
            category_ids = {c.pk for c in question.categories.all()}
            if category_id is not None and category_ids and category_id not in category_ids:
                continue
            if question.retired and not include_retired and question.pk not in answered:
                continue
            chosen.append(question)
        return cls(questions=chosen)

    def answerable(self) -> list[Question]:
        """The questions that take a value in the form (no headings, no file slots)."""
        return [q for q in self.questions if q.kind not in NO_VALUE_KINDS]

    def file_slots(self) -> list[Question]:
        return [q for q in self.questions if q.kind == QuestionKind.FILE]

    def visible(self, answers: Mapping[str, Any]) -> set[int]:
        """The ids of the questions shown for ``answers`` (stored form)."""
        shown: set[int] = set()
        for question in self.questions:
            if question.show_if_id is not None and question.show_if_id not in shown:
                continue
            if condition_met(question, answers):
                shown.add(question.pk)
        return shown

    def sections(
        self, answers: Mapping[str, Any], *, only_answered: bool = False
    ) -> list[tuple[str, list[tuple[Question, str]]]]:
        """(heading, [(question, answer in words)]) for reading an entry, in the form's
        order: headings start sections; hidden questions are left out; with
        ``only_answered`` so are unanswered ones and file slots."""
        shown = self.visible(answers)
        sections: list[tuple[str, list[tuple[Question, str]]]] = [("", [])]
        for question in self.questions:
            if question.kind == QuestionKind.SECTION:
                if question.pk in shown:
                    sections.append((question.label, []))
                continue
            if question.pk not in shown:
                continue
            if question.kind == QuestionKind.FILE:
                if not only_answered:
                    sections[-1][1].append((question, ""))
                continue
            text = answer_display(question, answers.get(str(question.pk)))
            if only_answered and not text:
                continue
            sections[-1][1].append((question, text))
        return [(heading, rows) for heading, rows in sections if rows]


def answers_clean(
    form_questions: FormQuestions,
    values: Mapping[int, Any],
    *,
    previous: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """New stored answers from ``values`` ({question id: value}), and the errors by field.

    Every value goes through the question's field (the schema): wrong types, unknown choices,
    over-long text and out-of-range numbers are errors. Answers to questions that the new
    answers hide are discarded. Answers to questions this form does not ask (another
    category's, a retired question the entry never answered) are kept as they were; an id
    that is no question of this form is refused by the caller (``unknown_question_ids``).
    """
    asked = {q.pk for q in form_questions.answerable()}
    answers = {key: value for key, value in previous.items() if int(key) not in asked}
    errors: dict[str, list[str]] = {}
    candidates: dict[str, Any] = {}
    for question in form_questions.answerable():
        raw = values.get(question.pk)
        try:
            cleaned = answer_field(question).clean(raw)
        except ValidationError as error:
            errors[question.field_name] = [str(m) for m in error.messages]
            # The earlier answer stays until the new one is valid.
            if str(question.pk) in previous:
                candidates[str(question.pk)] = previous[str(question.pk)]
            continue
        stored = to_stored(question, cleaned)
        if stored is not None:
            candidates[str(question.pk)] = {"value": stored, "version": question.version}
    shown = form_questions.visible(candidates)
    for question in form_questions.answerable():
        key = str(question.pk)
        if key in candidates and question.pk in shown:
            answers[key] = candidates[key]
        elif question.pk not in shown:
            errors.pop(question.field_name, None)  # a hidden question's input is discarded
    return answers, errors


def unknown_question_ids(form_questions: FormQuestions, ids: Iterable[int]) -> list[int]:
    asked = {q.pk for q in form_questions.answerable()}
    return sorted(set(ids) - asked)


def missing_answers(
    form_questions: FormQuestions,
    answers: Mapping[str, Any],
    files_by_question: Mapping[int, int],
) -> dict[str, list[str]]:
    """The required questions and file slots still unanswered, by field name."""
    missing: dict[str, list[str]] = {}
    shown = form_questions.visible(answers)
    for question in form_questions.questions:
        if question.pk not in shown or not question.required or question.retired:
            continue
        if question.kind == QuestionKind.FILE:
            if files_by_question.get(question.pk, 0) == 0:
                missing[question.field_name] = [
                    _("Add a file to “%(question)s”.") % {"question": question.label}
                ]
            continue
        if question.kind == QuestionKind.SECTION:
            continue
        answer = answers.get(str(question.pk))
        if not isinstance(answer, Mapping) or answer.get("value") in (None, "", []):
            missing[question.field_name] = [
                _("Answer “%(question)s”.") % {"question": question.label}
            ]
    return missing


def answers_index(questions: Sequence[Question], answers: Mapping[str, Any]) -> dict[str, Any]:
    """The fields the organisers' list searches and filters, derived from ``answers``:
    ``answers_text`` (the text answers in one casefolded string: searched with a plain,
    case-sensitive ``LIKE``, several times faster than a case-insensitive one) and
    ``choice_answers`` ({id: value} of the choice and yes/no answers: small enough to stay in
    the row, unlike the answers, and indexed on PostgreSQL)."""
    parts, choices = [], {}
    for question in questions:
        answer = answers.get(str(question.pk))
        if not isinstance(answer, Mapping) or answer.get("value") in (None, "", []):
            continue
        if question.kind in TEXT_KINDS:
            parts.append(str(answer["value"]).casefold())
        elif question.kind in CONDITION_KINDS:
            choices[str(question.pk)] = answer["value"]
    return {"answers_text": "\n".join(parts), "choice_answers": choices}


def attachment_counts(submission: Submission) -> dict[int, int]:
    """How many files each file slot of ``submission`` holds (prefetched attachments used)."""
    counts: dict[int, int] = {}
    for attachment in submission.attachments.all():
        if attachment.question_id is not None:
            counts[attachment.question_id] = counts.get(attachment.question_id, 0) + 1
    return counts


def answers_by_key(questions: Iterable[Question], values: Mapping[str, Any]) -> dict[str, Any]:
    """Stored answers from values by question key ({"description": "…"}), for seeding demo
    data and tests; unknown keys are an error."""
    by_key = {q.key: q for q in questions}
    unknown = set(values) - set(by_key)
    if unknown:
        raise KeyError(f"no questions {sorted(unknown)}")
    return {
        str(by_key[key].pk): {
            "value": to_stored(by_key[key], value),
            "version": by_key[key].version,
        }
        for key, value in values.items()
        if to_stored(by_key[key], value) is not None
    }


def files_by_slot(attachments: Iterable[Any]) -> dict[int | None, list[Any]]:
    """Attachments grouped by their file slot's id (None: uploaded before slots existed)."""
    grouped: dict[int | None, list[Any]] = {}
    for attachment in attachments:
        grouped.setdefault(attachment.question_id, []).append(attachment)
    return grouped
