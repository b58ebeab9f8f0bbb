"""Forms of the organisers' entry pages: the list filter, the eligibility decision and the
individual deadline. They parse input; the services decide."""

import zoneinfo
from collections.abc import Iterable

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from awards.forms import WallClockDateTimeField, wall_time_to_aware
from awards.models import Category

from ..enums import OrganisationSize, SubmissionStatus
from ..manage_selectors import SubmissionFilters
from ..models import Question
from ..questions import choice_options

SEARCH_MAX = 200


def _helper(form: forms.BaseForm) -> FormHelper:
    """Crispy renders the fields and their errors; the template writes <form> and buttons."""
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class SubmissionFilterForm(forms.Form):
    """The list's filter and search (GET). Unknown values are ignored rather than refused, so
    an old bookmark still shows the list.

    Beside the fixed filters, one select per choice or yes/no question of the form
    (``q<question id>``, "any" or one of its choices): a question id that is not among
    ``questions`` is no field, and a value that is not among its choices is invalid, so both
    are ignored."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX,
        help_text=_("Title, reference number, organisation or text answers"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *SubmissionStatus.choices]
    )
    size = forms.ChoiceField(
        label=_("Organisation size"),
        required=False,
        choices=[("", _("All")), *OrganisationSize.choices],
    )

    def __init__(self, *args, categories: list[Category], questions: list[Question] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", _("All")),
            *((category.pk, f"{category.code} – {category.name}") for category in categories),
        ]
        self.questions = {question.field_name: question for question in questions}
        for name, question in self.questions.items():
            self.fields[name] = forms.ChoiceField(
                label=question.label,
                required=False,
                choices=[("", _("Any answer")), *choice_options(question)],
            )

    def fixed_fields(self) -> list[forms.BoundField]:
        """The filters every award has (search, category, status, size)."""
        return [self[name] for name in self.fields if name not in self.questions]

    def answer_fields(self) -> list[forms.BoundField]:
        """One filter per choice or yes/no question, in the form's order."""
        return [self[name] for name in self.questions]

    def fixed_controls(self) -> list[dict]:
        """``fixed_fields`` as plain values for the list's template (``controls``)."""
        return self.controls(name for name in self.fields if name not in self.questions)

    def answer_controls(self) -> list[dict]:
        """``answer_fields`` as plain values for the list's template (``controls``)."""
        return self.controls(self.questions)

    def controls(self, names: Iterable[str]) -> list[dict]:
        """The fields ``names`` as the values their markup needs: id, label, help text,
        errors, the ``aria-describedby`` Django would set, the value typed and, for a
        select, its options with the chosen one marked. The list's template writes the same
        markup crispy-forms did, without crispy's field template and Django's widget
        templates (an include per option): they took about a seventh of the list's time."""
        controls = []
        for name in names:
            bound = self[name]
            value = bound.value()
            current = "" if value is None else str(value)
            control = {
                "name": bound.html_name,
                "id": bound.auto_id,
                "label": bound.label,
                "help_text": bound.help_text,
                "errors": list(bound.errors),
                "describedby": bound.aria_describedby,
                "value": current,
                "options": None,
            }
            if isinstance(bound.field, forms.ChoiceField):
                control["options"] = [
                    {"value": str(key), "label": label, "selected": str(key) == current}
                    for key, label in bound.field.choices
                ]
            else:
                control["maxlength"] = bound.field.max_length
            controls.append(control)
        return controls

    def filters(self) -> SubmissionFilters:
        """The valid part of the input: a field with an unknown value counts as "all"."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return SubmissionFilters(
            category_id=data.get("category") or None,
            status=data.get("status") or "",
            size_class=data.get("size") or "",
            search=(data.get("q") or "").strip(),
            answers=tuple(
                (question, data[name])
                for name, question in self.questions.items()
                if data.get(name)
            ),
        )

    @property
    def active(self) -> bool:
        filters = self.filters()
        return bool(
            filters.category_id
            or filters.status
            or filters.size_class
            or filters.search
            or filters.answers
        )


class EligibilityForm(forms.Form):
    """Eligible, or not eligible with a reason (the service insists on the reason; its error
    is shown at the reason field)."""

    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(ELIGIBLE, _("Eligible")), (INELIGIBLE, _("Not eligible"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the entry is eligible.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required if the entry is not eligible. The applicant receives it by mail."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self)

    @property
    def eligible(self) -> bool:
        return self.cleaned_data["decision"] == self.ELIGIBLE


class ExtensionForm(forms.Form):
    """An individual deadline for one entry, typed as wall-clock time in the award's zone
    (whatever zone the organiser's browser is in) and stored as a moment."""

    until = WallClockDateTimeField(
        label=_("Individual deadline"),
        required=True,
        error_messages={"required": _("Enter the date and time of the extension.")},
    )

    def __init__(self, *args, tz: zoneinfo.ZoneInfo, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz
        self.fields["until"].help_text = _("Date and time in %(zone)s.") % {"zone": tz.key}
        if current is not None:
            self.initial["until"] = timezone.localtime(current, tz).replace(tzinfo=None)
        self.helper = _helper(self)

    def clean_until(self):
        value = self.cleaned_data["until"]
        if value is None or value.tzinfo is not None:
            return value
        # A time that does not exist or happens twice in the zone (DST) is refused here.
        return wall_time_to_aware(value, self.tz)
