"""The organiser's form for one question of the application form (the form builder).

It parses what the organiser typed (choices one per line, the answers that show a
conditional question) into the values ``services.questions`` takes, and keeps each kind's
settings to that kind; whether the definition makes sense, and whether a change would
invalidate answers, the service decides.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from awards.models import Award

from ..enums import CHOICE_KINDS, CONDITION_KINDS, AttachmentKind, QuestionKind
from ..models import Question
from ..questions import choice_options

TEXT_KINDS_WITH_LIMIT = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)
# Which settings belong to which kinds (the others are cleared when saving).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "max_length": TEXT_KINDS_WITH_LIMIT,
    "min_value": (QuestionKind.NUMBER, QuestionKind.MONEY),
    "max_value": (QuestionKind.NUMBER, QuestionKind.MONEY),
    "decimals": (QuestionKind.NUMBER,),
    "unit": (QuestionKind.NUMBER,),
    "choices": tuple(CHOICE_KINDS),
    "file_kinds": (QuestionKind.FILE,),
    "max_files": (QuestionKind.FILE,),
    "max_file_mb": (QuestionKind.FILE,),
}
# What a setting is when its kind does not use it.
EMPTY: dict[str, Any] = {
    "max_length": None,
    "min_value": None,
    "max_value": None,
    "decimals": 0,
    "unit": "",
    "choices": [],
    "file_kinds": [],
    "max_files": None,
    "max_file_mb": None,
}
# The fields passed to the services as they are.
SERVICE_FIELDS = (
    "kind",
    "key",
    "label_de",
    "label_en",
    "help_de",
    "help_en",
    "required",
    *EMPTY,
    "show_if",
    "show_if_values",
)
CONDITION_SEPARATOR = ":"


def choices_text(choices: list[dict[str, Any]]) -> str:
    """Stored choices as the textarea shows them: "value | Deutsch | English" per line."""
    lines = []
    for choice in choices or []:
        parts = [str(choice.get("value", "")), str(choice.get("de", "")), str(choice.get("en", ""))]
        while len(parts) > 2 and not parts[-1]:
            parts.pop()
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def parse_choices(text: str) -> list[dict[str, str]]:
    """The textarea's lines as choices; a line of one part is value and German text at once.
    Raises ``ValidationError`` naming every bad line."""
    choices: list[dict[str, str]] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) > 3:
            errors.append(
                _("Line %(line)d has more than three parts; write “value | Deutsch | English”.")
                % {"line": number}
            )
            continue
        if len(parts) == 1:
            parts = [parts[0], parts[0], ""]
        value, german, english = (*parts, "")[:3]
        if not value:
            errors.append(_("Line %(line)d has no value before the first “|”.") % {"line": number})
            continue
        if not german:
            errors.append(_("Line %(line)d has no German text.") % {"line": number})
            continue
        if value in seen:
            errors.append(
                _("Line %(line)d has the same value as line %(first)d: “%(value)s”.")
                % {"line": number, "first": seen[value], "value": value}
            )
            continue
        seen[value] = number
        choices.append({"value": value, "de": german, "en": english})
    if errors:
        raise forms.ValidationError(errors)
    return choices


class ConditionValuesField(forms.MultipleChoiceField):
    """The answers of the possible deciding questions, grouped by question; each value is
    "<question id>:<value>" so that equal values of two questions stay apart."""

    widget = forms.CheckboxSelectMultiple


class QuestionForm(forms.Form):
    """One question of ``award``'s form: a new one (``question`` None) or ``question``."""

    kind = forms.ChoiceField(label=_("Type"), choices=QuestionKind.choices)
    label_de = forms.CharField(label=_("Question (German)"), max_length=300, required=False)
    label_en = forms.CharField(
        label=_("Question (English)"),
        max_length=300,
        required=False,
        help_text=_("Without it, English readers see the German question."),
    )
    help_de = forms.CharField(
        label=_("Help text (German)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    help_en = forms.CharField(
        label=_("Help text (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    required = forms.BooleanField(label=_("Applicants must answer it"), required=False)
    categories = forms.ModelMultipleChoiceField(
        label=_("Ask in these categories"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none to ask in every category."),
    )
    max_length = forms.IntegerField(
        label=_("Character limit"),
        min_value=1,
        required=False,
        help_text=_("Leave it empty for no limit of your own."),
    )
    min_value = forms.DecimalField(
        label=_("Smallest value"), max_digits=14, decimal_places=2, required=False, localize=True
    )
    max_value = forms.DecimalField(
        label=_("Largest value"), max_digits=14, decimal_places=2, required=False, localize=True
    )
    decimals = forms.TypedChoiceField(
        label=_("Decimal places"),
        choices=[(0, "0"), (1, "1"), (2, "2")],
        coerce=int,
        initial=0,
        required=False,
        empty_value=0,
    )
    unit = forms.CharField(
        label=_("Unit"),
        max_length=30,
        required=False,
        help_text=_("Shown after the number, e.g. “kg” or “%”."),
    )
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=_(
            "One choice per line: “value | Deutsch | English”, e.g. “granted | erteilt | "
            "granted”. The value is stored and exported; keep it when you change the texts."
        ),
    )
    file_kinds = forms.MultipleChoiceField(
        label=_("The slot takes"),
        choices=AttachmentKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    max_files = forms.IntegerField(
        label=_("At most files"),
        min_value=1,
        max_value=100,
        required=False,
        help_text=_("Leave it empty for the award's limit."),
    )
    max_file_mb = forms.IntegerField(
        label=_("Largest file (MB)"),
        min_value=1,
        max_value=1000,
        required=False,
        help_text=_("Leave it empty for the award's limit."),
    )
    show_if = forms.ModelChoiceField(
        label=_("Show only if"),
        queryset=None,
        required=False,
        empty_label=_("Always show it"),
        help_text=_("A choice or yes/no question before this one."),
    )
    show_if_values = ConditionValuesField(
        label=_("is answered with"),
        required=False,
        help_text=_("Tick the answers of the question chosen above that show this question."),
    )
    key = forms.SlugField(
        label=_("Key"),
        max_length=60,
        required=False,
        help_text=_(
            "The column name in exports. Leave it empty to make one from the German question."
        ),
    )
    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        data=None,
        *,
        award: Award,
        questions: list[Question],
        question: Question | None = None,
        initial: dict[str, Any] | None = None,
    ) -> None:
        """``questions``: the award's form in order (``selectors.form_questions_of``), from
        which the possible deciding questions are those before ``question``."""
        if question is not None and initial is None:
            initial = self.initial_of(question)
        super().__init__(data, initial=initial)
        self.award = award
        self.question = question
        self.fields["categories"].queryset = award.categories.order_by("position", "pk")
        parents = [
            q
            for q in questions
            if q.kind in CONDITION_KINDS
            and (question is None or (q.position, q.pk) < (question.position, question.pk))
        ]
        self.parents = parents
        self.fields["show_if"].queryset = Question.objects.filter(
            pk__in=[q.pk for q in parents]
        ).order_by("position", "pk")
        self.fields["show_if"].label_from_instance = lambda q: q.label
        self.fields["show_if_values"].choices = [
            (
                parent.label,
                [
                    (f"{parent.pk}{CONDITION_SEPARATOR}{value}", label)
                    for value, label in choice_options(parent)
                ],
            )
            for parent in parents
        ]
        if not parents:
            self.fields["show_if"].help_text = _(
                "Add a choice or yes/no question before this one to show it only for some answers."
            )

    @staticmethod
    def initial_of(question: Question) -> dict[str, Any]:
        values: dict[str, Any] = {
            name: getattr(question, name)
            for name in SERVICE_FIELDS
            if name not in ("choices", "show_if", "show_if_values")
        }
        values["choices"] = choices_text(question.choices)
        values["show_if"] = question.show_if_id
        values["show_if_values"] = [
            f"{question.show_if_id}{CONDITION_SEPARATOR}{value}"
            for value in question.show_if_values or []
        ]
        values["categories"] = [c.pk for c in question.categories.all()]
        values["version"] = question.version
        return values

    def clean_choices(self) -> list[dict[str, str]]:
        text = self.cleaned_data.get("choices") or ""
        if self.cleaned_data.get("kind") not in CHOICE_KINDS:
            return []
        return parse_choices(text)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        for name, kinds in KIND_FIELDS.items():
            if kind not in kinds:
                data[name] = EMPTY[name]
                self.errors.pop(name, None)
        if kind == QuestionKind.MONEY:
            data["decimals"], data["unit"] = 0, ""
        parent = data.get("show_if")
        chosen = data.get("show_if_values") or []
        if parent is None:
            data["show_if_values"] = []
        else:
            prefix = f"{parent.pk}{CONDITION_SEPARATOR}"
            own = [v.removeprefix(prefix) for v in chosen if v.startswith(prefix)]
            if len(own) != len(chosen):
                self.add_error(
                    "show_if_values",
                    _("Tick only answers of the question chosen under “Show only if”."),
                )
            data["show_if_values"] = own
        if self.question is not None and data.get("version") is None:
            self.add_error(None, _("The form was sent without its version; reload the page."))
        return data

    def service_values(self) -> dict[str, Any]:
        """The cleaned values as ``question_create`` / ``question_update`` take them
        (``categories`` separately, the version as ``expected_version``)."""
        return {name: self.cleaned_data[name] for name in SERVICE_FIELDS}

    def kind_fields(self) -> dict[str, str]:
        """For the template: each kind-bound field with the kinds it belongs to."""
        return {name: " ".join(str(k) for k in kinds) for name, kinds in KIND_FIELDS.items()}


class CopySourceForm(forms.Form):
    """Which other edition's form to copy (only editions the user may manage too)."""

    source = forms.ModelChoiceField(
        label=_("Copy the form of"), queryset=Award.objects.none(), empty_label=None
    )

    def __init__(self, data=None, *, sources: list[Award]) -> None:
        super().__init__(data)
        self.fields["source"].queryset = Award.objects.filter(
            pk__in=[a.pk for a in sources]
        ).order_by("-submissions_open_at", "-pk")
