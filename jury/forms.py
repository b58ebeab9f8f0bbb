"""Forms of the jurors' own pages: confidentiality, profile, conflicts and preferences,
reviews, ranked ballots and the discussion of a finalist.

They parse and keep what the juror typed; ``jury.services`` decides and writes. A refused
value therefore stays in the form, with the service's message at its field. (The organisers'
jury forms live elsewhere.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.forms import InvitationAnswerForm
from awards.enums import ScoreControl, ScoreVisibility
from awards.models import Criterion
from submissions.models import Submission

from .enums import Expertise, Preference
from .models import DiscussionPost, Juror, JurorCategory
from .services import ConflictScope, Declaration

SCORE_FIELD = re.compile(r"^score_(\d+)$")
COMMENT_FIELD = re.compile(r"^comment_(\d+)$")
RANK_FIELD = re.compile(r"^rank_(\d+)$")
COMMENT_MAX = 10_000
# Who reads the comments, by the award's rule on the jurors' seeing each other's reviews.
COMMENT_READERS = {
    ScoreVisibility.NEVER: _("Read by the organisers, never by the applicant."),
    ScoreVisibility.AFTER_OWN: _(
        "Read by the organisers and by the other jurors of this entry once they have "
        "submitted their own review; never by the applicant."
    ),
    ScoreVisibility.ALWAYS: _(
        "Read by the organisers and by the other jurors of this entry; never by the applicant."
    ),
}
# A scale wider than this (0–100, say) gets a number box even where buttons were chosen.
BUTTONS_MAX = 20


def _helper(form: forms.BaseForm) -> FormHelper:
    """Crispy renders the fields and their errors; the template writes <form> and buttons."""
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def _ids(data, pattern: re.Pattern) -> dict[int, str]:
    """Every ``<prefix>_<id>`` key of ``data`` with its value: also ids the page never
    offered, so that the service refuses them instead of the form dropping them silently."""
    found: dict[int, str] = {}
    for key in data:
        match = pattern.match(key)
        if match:
            found[int(match.group(1))] = data.get(key, "")
    return found


class InvitationResponseForm(InvitationAnswerForm):
    """Accept (with the mailed code from another account), ask for the code, or decline."""

    action = forms.ChoiceField(choices=[*InvitationAnswerForm.ACTIONS, ("decline", "decline")])


class JurorConfidentialityForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have read the confidentiality statement and will keep to it."),
        error_messages={"required": _("Please confirm the statement to continue.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self)


class JurorProfileForm(forms.Form):
    """Affiliation, areas of expertise, and the level of expertise in each own category."""

    affiliation = forms.CharField(
        label=_("Affiliation"),
        max_length=Juror._meta.get_field("affiliation").max_length,
        required=False,
        help_text=_(
            "Your company, university or institution. It helps to suggest conflicts of interest."
        ),
    )
    expertise_note = forms.CharField(
        label=_("Areas of expertise"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, links: Iterable[JurorCategory], **kwargs):
        super().__init__(*args, **kwargs)
        self.links = list(links)
        for link in self.links:
            self.fields[f"expertise_{link.category_id}"] = forms.TypedChoiceField(
                label=_("My expertise in “%(category)s”") % {"category": link.category.name},
                choices=Expertise.choices,
                coerce=int,
                initial=link.expertise,
                widget=forms.RadioSelect,
            )
        self.helper = _helper(self)

    def expertise(self) -> dict[int, int]:
        return {
            link.category_id: self.cleaned_data[f"expertise_{link.category_id}"]
            for link in self.links
        }


class ConflictDeclarationForm(forms.Form):
    """For each entry of the juror's categories: the conflict (none, with the entry, with its
    company) with a note, and the wish to review it. Entries with a conflict the organisers
    recorded are shown but not part of the form: the juror cannot change those."""

    SCOPE_CHOICES = [
        (ConflictScope.NONE, _("No conflict")),
        (ConflictScope.SUBMISSION, _("Conflict with this entry")),
        (ConflictScope.ORGANISATION, _("Conflict with this company and all its entries")),
    ]

    def __init__(self, *args, entries: Iterable[Submission], **kwargs):
        super().__init__(*args, **kwargs)
        self.entry_ids: list[int] = []
        for entry in entries:
            self.entry_ids.append(entry.pk)
            self.fields[f"scope_{entry.pk}"] = forms.ChoiceField(
                label=_("Conflict of interest"),
                choices=self.SCOPE_CHOICES,
                initial=ConflictScope.NONE,
            )
            self.fields[f"note_{entry.pk}"] = forms.CharField(
                label=_("Note (optional)"), required=False, max_length=2000
            )
            self.fields[f"preference_{entry.pk}"] = forms.TypedChoiceField(
                label=_("Would you like to review it?"),
                choices=[
                    (Preference.WANT, _("I would like to")),
                    (Preference.NEUTRAL, _("Neutral")),
                    (Preference.RATHER_NOT, _("Rather not")),
                ],
                coerce=int,
                initial=Preference.NEUTRAL,
            )

    def declarations(self) -> list[Declaration]:
        return [
            Declaration(
                submission_id=pk,
                scope=self.cleaned_data[f"scope_{pk}"],
                note=self.cleaned_data[f"note_{pk}"],
                preference=self.cleaned_data[f"preference_{pk}"],
            )
            for pk in self.entry_ids
        ]


class ReviewForm(forms.Form):
    """A score per criterion (entered the way the organisers chose: a row of buttons, a
    slider with a number box, or a number box), a comment per criterion where the award
    asks for them, the overall comment, and where the award allows, a private note to the
    organisers and feedback meant for the applicant. Scores are kept as typed: the service
    checks them against each criterion's scale and says what is wrong at the field."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    overall_comment = forms.CharField(
        label=_("Overall comment"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(
        self,
        *args,
        criteria: Iterable[Criterion],
        private_notes: bool,
        criterion_comments: bool = True,
        applicant_feedback: bool = False,
        score_visibility: str = ScoreVisibility.AFTER_OWN,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["overall_comment"].help_text = COMMENT_READERS[score_visibility]
        self.criteria = list(criteria)
        self.criterion_comments = criterion_comments
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.CharField(
                label=criterion.name, required=False, widget=_score_widget(criterion)
            )
            if criterion_comments:
                self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                    label=_("Comment on “%(criterion)s” (optional)")
                    % {"criterion": criterion.name},
                    required=False,
                    max_length=COMMENT_MAX,
                    widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                )
        if private_notes:
            self.fields["private_note"] = forms.CharField(
                label=_("Note to the organisers (not shown to other jurors)"),
                required=False,
                max_length=COMMENT_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_(
                    "Only the organisers read it: never the other jurors or the applicant."
                ),
            )
        if applicant_feedback:
            self.fields["applicant_feedback"] = forms.CharField(
                label=_("Feedback to the applicant"),
                required=False,
                max_length=COMMENT_MAX,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_(
                    "Meant for the company that entered: the organisers review it and may "
                    "release it after the decision, without your name. Your scores, comments "
                    "and note are never shown to the applicant."
                ),
            )

    def rows(
        self,
    ) -> list[
        tuple[Criterion, forms.BoundField, forms.BoundField | None, list[ScoreButton] | None]
    ]:
        """Each criterion with its score field, its comment field (None where the award
        has no comments per criterion) and, where it is scored with buttons, the buttons
        (``score_buttons``), marked invalid where an error (also one the service found after
        validation) belongs to them."""
        rows = []
        for criterion in self.criteria:
            names = [f"score_{criterion.pk}"]
            if self.criterion_comments:
                names.append(f"comment_{criterion.pk}")
            for name in names:
                if self.is_bound and name in self.errors:
                    attrs = self.fields[name].widget.attrs
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                    attrs["aria-invalid"] = "true"
            comment = self[f"comment_{criterion.pk}"] if self.criterion_comments else None
            score = self[f"score_{criterion.pk}"]
            buttons = None
            if isinstance(score.field.widget, forms.RadioSelect):
                buttons = score_buttons(score)
            elif criterion.score_control == ScoreControl.BUTTONS:
                # A scale too long for buttons: the number box, where the buttons would be.
                buttons = [
                    ScoreButton(
                        input=radio.tag(),
                        id=radio.id_for_label,
                        value=str(radio.data["value"]),
                        label=str(radio.data.get("label", "")),
                    )
                    for radio in score
                ]
            rows.append((criterion, score, comment, buttons))
        return rows

    def review_values(self) -> dict:
        """What ``services.review_save`` takes, from the posted data as typed."""
        values = {
            "version": self.cleaned_data["version"],
            "scores": {pk: value.strip() for pk, value in _ids(self.data, SCORE_FIELD).items()},
            "comments": _ids(self.data, COMMENT_FIELD) if self.criterion_comments else {},
            "overall_comment": self.cleaned_data["overall_comment"],
            "private_note": self.cleaned_data.get("private_note", ""),
        }
        if "applicant_feedback" in self.fields:
            values["applicant_feedback"] = self.cleaned_data["applicant_feedback"]
        return values


def _attributes(attrs: dict) -> str:
    """A widget's attributes in their order, escaped, as ``django/forms/widgets/attrs.html``
    writes them (True: the bare name; False: left out)."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class ScoreButton(NamedTuple):
    input: SafeString  # the radio button, as the widget's own template writes it
    id: str
    value: str
    label: str


def score_buttons(score: forms.BoundField) -> list[ScoreButton]:
    """The radio buttons of a score scored with buttons: the markup of ``{{ radio.tag }}``
    (``RadioSelect``'s option template: name, value, the widget's attributes, the id with the
    option's index, ``checked`` on the chosen one, "" when nothing is scored yet), written in
    Python instead of rendering a template per button (11 buttons per criterion were most of
    the review page's rendering time). ``tests/jury/test_review_page_reads.py`` compares the
    two."""
    widget = score.field.widget
    chosen = set(widget.format_value(score.value()))
    base_id = score.auto_id
    attrs = mark_safe(_attributes(widget.build_attrs(widget.attrs)))  # noqa: S308 - escaped
    buttons = []
    for index, (value, label) in enumerate(widget.choices):
        value = str(value)
        option_id = f"{base_id}_{index}"
        buttons.append(
            ScoreButton(
                input=format_html(
                    '<input type="radio" name="{}" value="{}"{} id="{}"{}>',
                    score.html_name,
                    value,
                    attrs,
                    option_id,
                    mark_safe(" checked") if value in chosen else "",
                ),
                id=option_id,
                value=value,
                label=str(label),
            )
        )
    return buttons


def _score_widget(criterion: Criterion) -> forms.Widget:
    """A row of buttons (radio buttons: arrow keys move between them; "–" clears the
    score), or a number box (which the template pairs with a slider for ``slider``)."""
    described = f"help_score_{criterion.pk} level_score_{criterion.pk}"
    span = criterion.scale_max - criterion.scale_min
    if criterion.score_control == ScoreControl.BUTTONS and span <= BUTTONS_MAX:
        choices = [("", "–")] + [
            (str(n), str(n)) for n in range(criterion.scale_min, criterion.scale_max + 1)
        ]
        return forms.RadioSelect(
            choices=choices, attrs={"class": "btn-check score-input", "aria-describedby": described}
        )
    return forms.NumberInput(
        attrs={
            "min": criterion.scale_min,
            "max": criterion.scale_max,
            "step": 1,
            "inputmode": "numeric",
            "class": "form-control score-input",
            "aria-describedby": described,
        }
    )


class BallotForm(forms.Form):
    """A rank per finalist (1 = best; equal ranks are ties; empty = not ranked yet)."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, finalists: Iterable[Submission], **kwargs):
        super().__init__(*args, **kwargs)
        self.finalists = list(finalists)
        for finalist in self.finalists:
            self.fields[f"rank_{finalist.pk}"] = forms.IntegerField(
                label=_("Rank of %(entry)s") % {"entry": finalist.reference or finalist.title},
                required=False,
                widget=forms.NumberInput(
                    attrs={"min": 1, "max": len(self.finalists), "class": "form-control rank-input"}
                ),
            )

    def clean(self):
        cleaned = super().clean()
        offered = {f.pk for f in self.finalists}
        for pk, value in _ids(self.data, RANK_FIELD).items():
            if pk not in offered and value.strip():
                # Not one of the finalists shown: the service refuses it with its own words.
                try:
                    cleaned[f"rank_{pk}"] = int(value)
                except ValueError:
                    self.add_error(None, _("Enter whole numbers as ranks."))
        return cleaned

    def rows(self) -> list[tuple[Submission, forms.BoundField]]:
        return [(f, self[f"rank_{f.pk}"]) for f in self.finalists]

    def ranking(self) -> dict[int, int]:
        return {
            int(name.removeprefix("rank_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("rank_") and value is not None
        }


class DiscussionPostForm(forms.Form):
    body = forms.CharField(
        label=_("Your contribution"),
        max_length=DiscussionPost._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self)
