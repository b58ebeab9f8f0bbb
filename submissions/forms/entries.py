"""Forms of an applicant's entry: starting one, editing it, and the version a button acts on.

They parse and check input; the services in ``submissions.services`` decide and write.
"""

import json

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import QuerySet
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from awards.models import Award, Category
from awards.templatetags.laurel import money

from ..enums import CONDITION_KINDS, AttachmentKind, QuestionKind
from ..models import SUMMARY_MAX, Organisation, Question, Submission
from ..questions import FormQuestions, answer_field, initial_value, to_stored
from ..services.entries import ENTRY_FIELDS
from ..uploads import EXTENSIONS, PDF


def _helper(form: forms.BaseForm) -> FormHelper:
    """Crispy renders the fields and their errors; the template writes <form> and buttons."""
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, category: Category) -> str:
        return f"{category.name} – {money(category.prize_amount, category.award.currency)}"


class SubmissionStartForm(forms.Form):
    """Organisation, category and a working title of a new entry.

    Only the user's own organisations and the categories of this award are choices, so an id
    from elsewhere is refused as an invalid choice before any service is asked.
    """

    organisation = forms.ModelChoiceField(
        label=_("Company"), queryset=Organisation.objects.none(), empty_label=None
    )
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(
        label=_("Title of the entry"),
        max_length=Submission._meta.get_field("title").max_length,
        help_text=_("You can change it later."),
    )

    def __init__(self, *args, award: Award, organisations: QuerySet[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk
        self.fields["category"].queryset = award.categories.select_related("award").order_by(
            "position", "pk"
        )
        self.helper = _helper(self)


class EntryForm(forms.ModelForm):
    """The core fields, the award's questions for the entry's category (fields ``q<id>``,
    from ``questions.answer_field``), and the version the applicant loaded (optimistic
    locking).

    Nothing is required but the title: drafts save whatever is there, and submitting checks
    completeness (``services.missing_items``). A field a condition hides is not validated: the
    service discards its answer. Keys in the POST that are no field of this form are ignored.
    """

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    class Meta:
        model = Submission
        fields = ENTRY_FIELDS
        widgets = {"summary": forms.Textarea(attrs={"rows": 4, "data-counter": SUMMARY_MAX})}

    CORE = ("title", "summary")
    CONSENTS = ("consent_terms", "consent_data", "consent_publication")

    def __init__(self, *args, form_questions: FormQuestions, **kwargs):
        super().__init__(*args, **kwargs)
        self.form_questions = form_questions
        answers = self.instance.answers or {}
        for question in form_questions.answerable():
            field = answer_field(question)
            if question.kind in (QuestionKind.NUMBER, QuestionKind.MONEY):
                # Rendered by hand with the unit after it (``_form_sections.html``).
                field.widget.attrs["class"] = "form-control"
                if question.help:
                    field.widget.attrs["aria-describedby"] = f"id_{question.field_name}_helptext"
            if question.required:
                # Marked, not enforced: a draft saves incomplete (``missing_items`` lists it).
                field.label = required_label(question.label)
            self.fields[question.field_name] = field
            self.initial.setdefault(
                question.field_name, initial_value(question, answers.get(str(question.pk)))
            )
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        self.helper = _helper(self)

    def _clean_fields(self) -> None:
        # Hidden questions are not checked: their input is discarded, not refused.
        if self.is_bound:
            shown = self.form_questions.visible(self._posted_answers())
            for question in self.form_questions.answerable():
                if question.pk not in shown:
                    self.fields[question.field_name].disabled = True
        super()._clean_fields()

    def _posted_answers(self) -> dict[str, dict]:
        """The posted answers of the questions conditions test, in stored form."""
        posted: dict[str, dict] = {}
        for question in self.form_questions.answerable():
            if question.kind not in CONDITION_KINDS:
                continue
            field = self.fields[question.field_name]
            raw = field.widget.value_from_datadict(
                self.data, self.files, self.add_prefix(question.field_name)
            )
            try:
                value = to_stored(question, field.clean(raw))
            except forms.ValidationError:
                continue
            if value is not None:
                posted[str(question.pk)] = {"value": value}
        return posted

    def sections(self) -> list[tuple[str, list[tuple[Question | None, forms.BoundField | None]]]]:
        """(heading, [(question or None, field or None)]) in the form's order: the core
        fields first, a heading starting each section, file slots with no field (the page
        puts its upload there), the consents last."""
        sections: list[tuple[str, list]] = [
            (_("The entry"), [(None, self[name]) for name in self.CORE])
        ]
        for question in self.form_questions.questions:
            if question.kind == QuestionKind.SECTION:
                sections.append((question.label, [(question, None)]))
            elif question.kind == QuestionKind.FILE:
                sections[-1][1].append((question, None))
            else:
                sections[-1][1].append((question, self[question.field_name]))
        sections.append((_("Consents"), [(None, self[name]) for name in self.CONSENTS]))
        return sections

    # What the edit page sets before rendering: the other person's values on a conflict (by
    # field name) and the entry's files by slot id. Empty for a preview.
    conflict_values: dict[str, str] | None = None
    slot_files: dict | None = None

    def layout(self) -> list[dict]:
        """``sections()`` as ``templates/submissions/_form_sections.html`` renders them: per
        section its heading (and the heading's question, which may have a condition) and its
        rows, each with the field's conflict value or the slot's files and limits."""
        conflict = self.conflict_values or {}
        files = self.slot_files or {}
        award = self.instance.award
        result = []
        for heading, items in self.sections():
            section: dict = {"heading": heading, "question": None, "rows": []}
            for question, field in items:
                if question is not None and question.kind == QuestionKind.SECTION:
                    section.update(question=question, **condition_attrs(question))
                    continue
                row: dict = {"question": question, "field": field}
                if question is not None:
                    row.update(condition_attrs(question))
                if field is not None and field.errors and question is not None:
                    classes = field.field.widget.attrs.get("class", "")
                    field.field.widget.attrs["class"] = f"{classes} is-invalid".strip()
                if field is not None:
                    row["differs"] = field.name in conflict
                    row["theirs"] = conflict.get(field.name, "")
                    row["label"] = question.label if question else field.label
                if question is not None and question.kind == QuestionKind.FILE:
                    row.update(slot_limits(question, award))
                    row["files"] = files.get(question.pk, [])
                section["rows"].append(row)
            result.append(section)
        return result

    def entry_values(self) -> dict:
        """The cleaned core fields and ``answers`` by question id, as
        ``services.submission_update`` takes them (hidden questions' values are None)."""
        values = {name: self.cleaned_data[name] for name in ENTRY_FIELDS}
        values["answers"] = {
            question.pk: None
            if self.fields[question.field_name].disabled
            else self.cleaned_data.get(question.field_name)
            for question in self.form_questions.answerable()
        }
        return values


def condition_attrs(question: Question) -> dict:
    """The condition of ``question`` as its wrapper's data attributes carry it."""
    return {
        "show_if": question.show_if_id or "",
        "show_if_values": json.dumps([str(v) for v in question.show_if_values or []]),
    }


def required_label(label: str) -> str:
    """A label with the required marker: a star to see, the word for screen readers
    (``label`` is escaped)."""
    return format_html(
        '{}<span class="text-danger" aria-hidden="true"> *</span>'
        '<span class="visually-hidden"> ({})</span>',
        label,
        _("required"),
    )


def slot_limits(slot: Question, award: Award) -> dict:
    """What a file slot takes, for its label: the kinds in words, the largest file per kind
    (the slot's limit, else the award's), how many files, and the ``accept`` extensions."""
    kinds = [k for k in AttachmentKind.values if k in (slot.file_kinds or [])]
    sizes = {
        AttachmentKind.DOCUMENT: award.max_pdf_mb,
        AttachmentKind.IMAGE: award.max_image_mb,
    }
    accept = set()
    for content_type, extensions in EXTENSIONS.items():
        kind = AttachmentKind.DOCUMENT if content_type == PDF else AttachmentKind.IMAGE
        if kind in kinds:
            accept |= extensions
    return {
        "kinds": [
            {
                "label": AttachmentKind(kind).label,
                "mb": min(slot.max_file_mb, sizes[kind]) if slot.max_file_mb else sizes[kind],
            }
            for kind in kinds
        ],
        "max_files": slot.max_files or award.max_attachments,
        "accept": ",".join(sorted(accept)),
    }


class VersionForm(forms.Form):
    """The version of the entry a button (submit) was shown for."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
