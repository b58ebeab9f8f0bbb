"""The application form an organiser builds: questions, file slots and headings of an award.

Every change is checked against the answers already given, so that no entry loses or
misreads what it answered: a question with answers is never deleted (``question_retire``
hides it from new entries, its answers stay visible to the jury and the organisers); a change
of type, a removed choice, a tighter limit or fewer file types that would invalidate existing
answers is refused with the number of entries concerned. Labels and help texts can always
change. Each change raises the question's ``version`` (the answers keep the version they
answered) and is written to the award's change log. Two organisers editing one question at
once: the second save names the version it loaded and is refused as stale (``StaleQuestion``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from awards.models import Award, Category
from awards.services import audit_log
from core import pagecache

from ..enums import CHOICE_KINDS, CONDITION_KINDS, AttachmentKind, QuestionKind
from ..models import Attachment, Question, Submission
from ..questions import choice_options, stored_value
from ..selectors import answer_counts, form_scope
from ..standard_form import STANDARD_QUESTIONS

# The fields of a question an organiser sets (categories separately).
QUESTION_FIELDS = (
    "kind",
    "key",
    "label_de",
    "label_en",
    "help_de",
    "help_en",
    "required",
    "max_length",
    "min_value",
    "max_value",
    "decimals",
    "unit",
    "choices",
    "file_kinds",
    "max_files",
    "max_file_mb",
    "show_if",
    "show_if_values",
)
TEXT = frozenset({QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT})


class StaleQuestion(ValidationError):
    """Someone changed the question since ``expected_version`` was loaded."""

    def __init__(self, message: str, current: Question):
        super().__init__(message, code="stale")
        self.current = current


def _snapshot(question: Question) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in QUESTION_FIELDS:
        value = getattr(question, name)
        if isinstance(value, Question):
            value = value.pk
        elif isinstance(value, Decimal):
            value = str(value)
        values[name] = value
    return values


def _award_locked(award_id: int) -> Award:
    return Award.objects.select_for_update().get(pk=award_id)


def _answered(question: Question) -> Any:
    """The entries holding an answer to ``question`` (a value, or a file in its slot)."""
    if question.kind == QuestionKind.FILE:
        return Submission.objects.filter(attachments__question=question).distinct()
    return Submission.objects.filter(award_id=question.award_id, answers__has_key=str(question.pk))


def answer_count(question: Question) -> int:
    """How many entries answered ``question`` (the builder's reading, one query)."""
    return answer_counts(question.award, [question]).get(question.pk, 0)


def _entries(count: int) -> str:
    return ngettext("%(count)d entry", "%(count)d entries", count) % {"count": count}


def _definition_errors(question: Question, categories: Sequence[Category]) -> dict[str, list]:
    """What is wrong with the definition itself, by field."""
    errors: dict[str, list] = {}
    kind = question.kind

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not (question.label_de or "").strip():
        add("label_de", _("Write the question in German."))
    if any(c.award_id != question.award_id for c in categories):
        add("categories", _("This category belongs to another award."))
    if kind in CHOICE_KINDS:
        choices = question.choices or []
        if not isinstance(choices, list) or not choices:
            add("choices", _("List at least one choice."))
        else:
            values = [str(c.get("value", "")).strip() for c in choices]
            if any(not v for v in values) or any(not str(c.get("de", "")).strip() for c in choices):
                add("choices", _("Every choice needs a value and a German text."))
            if len(set(values)) != len(values):
                add("choices", _("Two choices have the same value."))
    elif question.choices:
        question.choices = []
    if kind in TEXT and question.max_length is not None and question.max_length < 1:
        add("max_length", _("At least 1 character; leave it empty for no limit."))
    if kind in (QuestionKind.NUMBER, QuestionKind.MONEY):
        low, high = question.min_value, question.max_value
        if low is not None and high is not None and low > high:
            add("max_value", _("The largest value must not be smaller than the smallest."))
    if kind == QuestionKind.FILE:
        kinds = question.file_kinds or []
        if not kinds or not set(kinds) <= set(AttachmentKind.values):
            add("file_kinds", _("Choose which kinds of file the slot takes."))
        if question.max_files is not None and question.max_files < 1:
            add("max_files", _("At least 1; leave it empty for the award's limit."))
        limit = max(question.award.max_pdf_mb, question.award.max_image_mb)
        if question.max_file_mb is not None and not 1 <= question.max_file_mb <= limit:
            add(
                "max_file_mb",
                _("Between 1 and %(limit)d MB (the award's limit).") % {"limit": limit},
            )
    parent = question.show_if
    if parent is not None:
        if parent.award_id != question.award_id or parent.pk == question.pk:
            add("show_if", _("Choose a question of this form."))
        elif parent.kind not in CONDITION_KINDS:
            add("show_if", _("Only a choice or yes/no question can decide."))
        elif question.pk is not None and (parent.position, parent.pk) >= (
            question.position,
            question.pk,
        ):
            add(
                "show_if",
                _("A question can only depend on a question before it; move it further down."),
            )
        else:
            offered = {value for value, _label in choice_options(parent)}
            chosen = [str(v) for v in question.show_if_values or []]
            if not chosen:
                add("show_if_values", _("Choose the answers that show this question."))
            elif not set(chosen) <= offered:
                add("show_if_values", _("Choose among the answers the question offers."))
    elif question.show_if_values:
        question.show_if_values = []
    if question.kind == QuestionKind.SECTION:
        question.required = False
    return errors


def _answers_errors(before: Question | None, question: Question) -> dict[str, list]:
    """What a change would do to the answers already given, refused with a reason."""
    if before is None:
        return {}
    errors: dict[str, list] = {}
    answered = _answered(before)
    if before.kind != question.kind:
        convertible = before.kind in TEXT and question.kind in TEXT
        count = answered.count()
        if count and not convertible:
            errors["kind"] = [
                _(
                    "%(entries)s answered this question as “%(before)s”; their answers "
                    "would not fit “%(after)s”. Hide this question for new entries and add "
                    "a new one instead."
                )
                % {
                    "entries": _entries(count),
                    "before": QuestionKind(before.kind).label,
                    "after": QuestionKind(question.kind).label,
                }
            ]
            return errors
    if question.kind == QuestionKind.FILE:
        removed = set(before.file_kinds or []) - set(question.file_kinds or [])
        if removed:
            count = (
                Attachment.objects.filter(question=before, kind__in=removed)
                .values("submission")
                .distinct()
                .count()
            )
            if count:
                errors["file_kinds"] = [
                    _("%(entries)s uploaded files of a kind you removed.")
                    % {"entries": _entries(count)}
                ]
        return errors
    if question.kind not in (*TEXT, *CHOICE_KINDS, QuestionKind.NUMBER, QuestionKind.MONEY):
        return errors
    bad: dict[str, int] = {}
    offered = {str(c.get("value")) for c in question.choices or []}
    for answers in answered.values_list("answers", flat=True).iterator():
        value = stored_value(question, answers.get(str(before.pk)))
        if value is None:
            continue
        if question.kind in TEXT and question.max_length and len(str(value)) > question.max_length:
            bad["max_length"] = bad.get("max_length", 0) + 1
        elif question.kind in CHOICE_KINDS:
            values = value if isinstance(value, list) else [value]
            if not {str(v) for v in values} <= offered:
                bad["choices"] = bad.get("choices", 0) + 1
        elif (
            question.kind in (QuestionKind.NUMBER, QuestionKind.MONEY)
            and isinstance(value, Decimal)
            and (
                (question.min_value is not None and value < question.min_value)
                or (question.max_value is not None and value > question.max_value)
            )
        ):
            bad["min_value"] = bad.get("min_value", 0) + 1
    messages = {
        "max_length": _("%(entries)s answered with more characters than the new limit."),
        "choices": _("%(entries)s chose an answer you removed; keep that choice."),
        "min_value": _("%(entries)s answered with a number outside the new range."),
    }
    for field, count in bad.items():
        errors[field] = [messages[field] % {"entries": _entries(count)}]
    return errors


def _check(question: Question, categories: Sequence[Category], before: Question | None) -> None:
    errors = _definition_errors(question, categories)
    question.key = slugify(question.key or question.label_de)[:60].replace("-", "_") or "question"
    clash = Question.objects.filter(award_id=question.award_id, key=question.key)
    if question.pk is not None:
        clash = clash.exclude(pk=question.pk)
    if clash.exists():
        errors.setdefault("key", []).append(
            _("Another question of this form has the key “%(key)s”.") % {"key": question.key}
        )
    if not errors:
        errors = _answers_errors(before, question)
    try:
        question.full_clean(exclude={"award", "show_if", *errors})
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def question_create(
    *,
    award: Award,
    actor: User | None,
    categories: Iterable[Category] = (),
    **fields: Any,
) -> Question:
    """Add a question at the end of ``award``'s form. Side effect: a ``question.created``
    audit entry."""
    unknown = set(fields) - set(QUESTION_FIELDS)
    if unknown:
        raise TypeError(f"question_create() cannot set {sorted(unknown)}")
    award = _award_locked(award.pk)
    last = award.questions.aggregate(last=Max("position"))["last"] or 0
    question = Question(award=award, position=last + 10, **fields)
    categories = list(categories)
    _check(question, categories, None)
    question.save()
    question.categories.set(categories)
    audit_log(
        award=award,
        actor=actor,
        action="question.created",
        target=question,
        data={"changes": {k: {"before": None, "after": v} for k, v in _snapshot(question).items()}},
    )
    return question


@transaction.atomic
def question_update(
    *,
    question: Question,
    actor: User | None,
    expected_version: int,
    categories: Iterable[Category] | None = None,
    **fields: Any,
) -> Question:
    """Change a question. Refused as StaleQuestion when it changed since ``expected_version``,
    and with the reason when the change would invalidate answers already given (see the
    module). Side effects: ``version`` raised, a ``question.updated`` audit entry with before
    and after."""
    unknown = set(fields) - set(QUESTION_FIELDS)
    if unknown:
        raise TypeError(f"question_update() cannot set {sorted(unknown)}")
    award = _award_locked(question.award_id)
    current = Question.objects.select_related("award", "show_if").get(pk=question.pk, award=award)
    if current.version != expected_version:
        raise StaleQuestion(
            _(
                "Someone else changed this question in the meantime. Their version is shown; "
                "make your change again."
            ),
            current=current,
        )
    before = Question.objects.select_related("award", "show_if").get(pk=current.pk)
    before_categories = sorted(current.categories.values_list("pk", flat=True))
    if "key" in fields and not fields["key"]:
        fields["key"] = current.key  # exports and the API know the question by it
    for name, value in fields.items():
        setattr(current, name, value)
    chosen = list(categories) if categories is not None else list(current.categories.all())
    _check(current, chosen, before)
    dependants = current.dependants.exists()
    if current.kind != before.kind and current.kind not in CONDITION_KINDS and dependants:
        raise ValidationError(
            {"kind": [_("Other questions depend on this one; remove their condition first.")]}
        )
    changes = {
        name: {"before": old, "after": new}
        for (name, old), new in zip(
            _snapshot(before).items(), _snapshot(current).values(), strict=True
        )
        if old != new
    }
    after_categories = sorted(c.pk for c in chosen)
    if after_categories != before_categories:
        changes["categories"] = {"before": before_categories, "after": after_categories}
    if not changes:
        return current
    current.version = before.version + 1
    current.save()
    if "categories" in changes:
        current.categories.set(chosen)
    audit_log(
        award=award,
        actor=actor,
        action="question.updated",
        target=current,
        data={"changes": changes, "version": current.version},
    )
    return current


def delete_refusal(question: Question) -> str | None:
    """Why ``question`` cannot be deleted (answers, or questions depending on it), or None."""
    count = answer_count(question)
    if count:
        return _(
            "%(entries)s answered this question, so it cannot be deleted: their answers stay "
            "part of the entry. Hide it for new entries instead."
        ) % {"entries": _entries(count)}
    if question.dependants.exists():
        names = ", ".join(f"“{q.label}”" for q in question.dependants.all())
        return _("%(questions)s depend on this question; remove their condition first.") % {
            "questions": names
        }
    return None


@transaction.atomic
def question_delete(*, question: Question, actor: User | None) -> None:
    """Delete a question nobody answered. Refused with the reason (``delete_refusal``)
    otherwise. Side effect: a ``question.deleted`` audit entry."""
    award = _award_locked(question.award_id)
    current = Question.objects.get(pk=question.pk, award=award)
    reason = delete_refusal(current)
    if reason:
        raise ValidationError(reason, code="answered")
    audit_log(
        award=award,
        actor=actor,
        action="question.deleted",
        target=current,
        data={"changes": {k: {"before": v, "after": None} for k, v in _snapshot(current).items()}},
    )
    current.delete()


@transaction.atomic
def question_retire(*, question: Question, actor: User | None, retired: bool) -> Question:
    """Hide a question from entries that have not answered it (``retired``), or show it
    again. Answers stay and stay visible. Side effect: a ``question.retired`` /
    ``question.restored`` audit entry."""
    award = _award_locked(question.award_id)
    current = Question.objects.get(pk=question.pk, award=award)
    if current.retired == retired:
        return current
    current.retired = retired
    current.version += 1
    current.save(update_fields=["retired", "version", "updated_at"])
    audit_log(
        award=award,
        actor=actor,
        action="question.retired" if retired else "question.restored",
        target=current,
        data={"version": current.version},
    )
    return current


@transaction.atomic
def questions_reorder(*, award: Award, actor: User | None, order: Sequence[int]) -> None:
    """Put the form's questions in ``order`` (every question id once). Refused when the list
    is not the form's questions (someone added or deleted one meanwhile: reload) or when a
    question would come before the question its condition depends on. Side effect: a
    ``form.reordered`` audit entry."""
    award = _award_locked(award.pk)
    questions = {q.pk: q for q in award.questions.all()}
    if len(order) != len(set(order)) or set(order) != set(questions):
        raise ValidationError(
            _("The form has changed in the meantime. Please reload the page and try again."),
            code="stale",
        )
    place = {pk: index for index, pk in enumerate(order)}
    for question in questions.values():
        if question.show_if_id is not None and place[question.show_if_id] > place[question.pk]:
            raise ValidationError(
                _("“%(question)s” depends on “%(parent)s” and must stay after it.")
                % {"question": question.label, "parent": questions[question.show_if_id].label},
                code="order",
            )
    before = [q.pk for q in sorted(questions.values(), key=lambda q: (q.position, q.pk))]
    if before == list(order):
        return
    changed = []
    for index, pk in enumerate(order, start=1):
        question = questions[pk]
        if question.position != index * 10:
            question.position = index * 10
            changed.append(question)
    Question.objects.bulk_update(changed, ["position"])
    # A bulk update sends no save signal: the pages' copy of the form is renewed here.
    pagecache.renew_on_commit(form_scope(award.pk))
    audit_log(
        award=award,
        actor=actor,
        action="form.reordered",
        target=award,
        data={"before": before, "after": list(order)},
    )


def _copy_rows(
    award: Award, rows: Sequence[dict[str, Any]], category_codes: Sequence[Sequence[str]]
) -> list[Question]:
    """Create ``rows`` (question fields, ``show_if`` as the row index of the parent) at the
    end of ``award``'s form; keys that are taken get a number."""
    taken = set(award.questions.values_list("key", flat=True))
    last = award.questions.aggregate(last=Max("position"))["last"] or 0
    categories = {c.code: c for c in award.categories.all()}
    created: list[Question] = []
    for index, row in enumerate(rows):
        values = dict(row)
        parent_index = values.pop("show_if_index", None)
        key, number = values["key"], 2
        while values["key"] in taken:
            values["key"], number = f"{key}_{number}", number + 1
        taken.add(values["key"])
        question = Question.objects.create(
            award=award,
            position=last + 10 * (index + 1),
            show_if=created[parent_index] if parent_index is not None else None,
            **values,
        )
        question.categories.set([categories[c] for c in category_codes[index] if c in categories])
        created.append(question)
    return created


@transaction.atomic
def form_standard_add(*, award: Award, actor: User | None) -> list[Question]:
    """Give an award without questions the standard form (``standard_form``). Refused when
    the form has questions already. Side effect: a ``form.standard_added`` audit entry."""
    award = _award_locked(award.pk)
    if award.questions.exists():
        raise ValidationError(
            _("This form has questions already; the standard form is for an empty one."),
            code="not_empty",
        )
    created = _copy_rows(award, STANDARD_QUESTIONS, [()] * len(STANDARD_QUESTIONS))
    audit_log(
        award=award,
        actor=actor,
        action="form.standard_added",
        target=award,
        data={"questions": len(created)},
    )
    return created


@transaction.atomic
def form_copy(*, award: Award, source: Award, actor: User | None) -> list[Question]:
    """Append ``source``'s form (last year's, say) to ``award``'s: every question that is not
    hidden, with its conditions, and its categories where ``award`` has a category of the same
    code. Refused when ``source`` is ``award``. Side effect: a ``form.copied`` audit entry.
    The caller checks that the actor may manage ``source`` as well."""
    if source.pk == award.pk:
        raise ValidationError(_("Choose another edition's form."), code="same")
    award = _award_locked(award.pk)
    originals = list(
        source.questions.filter(retired=False)
        .select_related("show_if")
        .prefetch_related("categories")
        .order_by("position", "pk")
    )
    index = {q.pk: i for i, q in enumerate(originals)}
    rows, codes = [], []
    for question in originals:
        row = {name: getattr(question, name) for name in QUESTION_FIELDS if name != "show_if"}
        parent = question.show_if_id
        row["show_if_index"] = index.get(parent) if parent is not None else None
        if parent is not None and parent not in index:  # its parent is hidden: no condition
            row["show_if_values"] = []
        rows.append(row)
        codes.append([c.code for c in question.categories.all()])
    created = _copy_rows(award, rows, codes)
    audit_log(
        award=award,
        actor=actor,
        action="form.copied",
        target=award,
        data={"source": source.pk, "questions": len(created)},
    )
    return created
