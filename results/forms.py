"""Forms of the organisers' results pages: a category's decision, reopening it, and the moment
of publication. They parse input and limit every choice to the entries at hand; the services
decide (for instance whether a justification is needed) and write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from awards.forms import WallClockDateTimeField, wall_time_to_aware
from awards.models import Award

from .enums import FeedbackDisclosure
from .models import FeedbackRelease
from .services.feedback import FEEDBACK_MAX

PLACE_LABELS = {
    1: _("Winner (1st place)"),
    2: _("2nd place"),
    3: _("3rd place"),
}


def _helper(form: forms.BaseForm) -> FormHelper:
    """Crispy renders the fields and their errors; the template writes <form> and buttons."""
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class DecisionForm(forms.Form):
    """The places (and mentions) of one category, chosen among the entries of its decisive
    round. ``entries`` are (submission id, label) in the ranking's order; ``initial_places``
    pre-fills the places with that order."""

    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Needed when the choice departs from the ranking: the jury's reasons, as they "
            "will stand in the audit log."
        ),
    )

    def __init__(
        self,
        *args,
        award: Award,
        entries: Sequence[tuple[int, str]],
        initial_places: Sequence[int] = (),
        confirm_gaps: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        choices = [(str(pk), label) for pk, label in entries]
        self.place_names = []
        for place in range(1, award.places_per_category + 1):
            name = f"place_{place}"
            self.place_names.append(name)
            self.fields[name] = forms.TypedChoiceField(
                label=PLACE_LABELS[place],
                choices=[("", "–"), *choices],
                coerce=int,
                empty_value=None,
                required=place == 1,
                error_messages={"required": _("Choose the winner.")},
            )
            if len(initial_places) >= place:
                self.initial.setdefault(name, str(initial_places[place - 1]))
        if award.special_mentions:
            self.fields["mentions"] = forms.TypedMultipleChoiceField(
                label=_("Special mentions"),
                choices=choices,
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        # The justification last, after the choices it justifies.
        self.fields["justification"] = self.fields.pop("justification")
        if confirm_gaps:
            # The service refuses without it; the reasons stand above the form.
            self.fields["confirm_gaps"] = forms.BooleanField(
                label=_("I have read what is missing and decide all the same."),
                required=False,
            )
        self.helper = _helper(self)

    def clean(self):
        cleaned = super().clean()
        chosen = [cleaned.get(name) for name in self.place_names]
        filled = [pk for pk in chosen if pk is not None]
        if filled and chosen[: len(filled)] != filled:
            raise ValidationError(_("Fill the places in order, without a gap."))
        return cleaned

    @property
    def places(self) -> list[int]:
        return [
            self.cleaned_data[name]
            for name in self.place_names
            if self.cleaned_data.get(name) is not None
        ]

    @property
    def gaps_confirmed(self) -> bool:
        return bool(self.cleaned_data.get("confirm_gaps"))

    @property
    def mentions(self) -> list[int]:
        return list(self.cleaned_data.get("mentions") or [])


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the decision reopened?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the decision is reopened.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self)

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why the decision is reopened."), code="required")
        return reason


class PublicationForm(forms.Form):
    """The moment the results go public, typed in the award's time zone."""

    at = WallClockDateTimeField(
        label=_("Publish the results on"),
        required=True,
        error_messages={"required": _("Enter the date and time of publication.")},
    )

    def __init__(self, *args, award: Award, **kwargs):
        super().__init__(*args, **kwargs)
        self.award = award
        self.fields["at"].help_text = _("Date and time in %(zone)s.") % {"zone": award.timezone}
        if award.results_publish_at is not None:
            self.initial.setdefault(
                "at", award.results_publish_at.astimezone(award.tzinfo).replace(tzinfo=None)
            )
        self.helper = _helper(self)

    def clean_at(self) -> dt.datetime:
        value = self.cleaned_data["at"]
        moment = value if value.tzinfo is not None else wall_time_to_aware(value, self.award.tzinfo)
        if moment <= timezone.now():
            raise ValidationError(
                _("This moment has passed. To publish at once, use “Publish now”."),
                code="past",
            )
        return moment


class DecisionPresentationForm(forms.Form):
    """What the public sees of one place or mention: the jury's statement in both languages
    and whether it is shown at all. For a winner, who is always shown, the box is fixed."""

    statement_de = forms.CharField(
        label=_("Jury statement (German)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    statement_en = forms.CharField(
        label=_("Jury statement (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    public = forms.BooleanField(label=_("Show on the public results"), required=False)

    def __init__(self, *args, is_winner: bool, max_length: int, **kwargs):
        super().__init__(*args, **kwargs)
        limit = formats.number_format(max_length, force_grouping=True)
        for name in ("statement_de", "statement_en"):
            self.fields[name].help_text = _(
                "Shown with the distinction on the public results and in the widget on other "
                "websites. At most %(max)s characters."
            ) % {"max": limit}
        if is_winner:
            self.fields["public"].disabled = True
            self.fields["public"].help_text = _("The winner is always shown on the public results.")
        else:
            self.fields["public"].help_text = _(
                "Untick to leave this distinction off the public results (e.g. when the "
                "company asked not to be named)."
            )
        self.helper = _helper(self)


class FeedbackSettingsForm(forms.Form):
    """What the applicants see besides the jury's feedback, and when it is released."""

    disclosure = forms.ChoiceField(
        label=_("Besides the jury's feedback, the applicants see"),
        choices=FeedbackDisclosure.choices,
        widget=forms.RadioSelect,
        help_text=_("Never another entry's scores, and never a juror's name."),
    )
    timing = forms.ChoiceField(
        label=_("Release"),
        choices=[
            ("with_results", _("with the results")),
            ("later", _("at a later moment")),
        ],
        widget=forms.RadioSelect,
    )
    release_at = WallClockDateTimeField(label=_("Release on"), required=False)

    def __init__(self, *args, award: Award, release: FeedbackRelease, **kwargs):
        super().__init__(*args, **kwargs)
        self.award = award
        self.fields["release_at"].help_text = _(
            "Date and time in %(zone)s; only with “at a later moment”. Leave it empty to "
            "release the feedback by hand."
        ) % {"zone": award.timezone}
        self.initial.setdefault("disclosure", release.disclosure)
        self.initial.setdefault("timing", "with_results" if release.with_results else "later")
        if release.release_at is not None:
            self.initial.setdefault(
                "release_at", release.release_at.astimezone(award.tzinfo).replace(tzinfo=None)
            )
        self.helper = _helper(self)

    def clean_release_at(self) -> dt.datetime | None:
        value = self.cleaned_data.get("release_at")
        if value is None:
            return None
        return value if value.tzinfo is not None else wall_time_to_aware(value, self.award.tzinfo)


class FeedbackReviewForm(forms.Form):
    """The organisers' review of one juror's feedback: approve it (as written or edited)
    or withhold it."""

    text = forms.CharField(
        label=_("Feedback as the applicant will read it"),
        required=False,
        max_length=FEEDBACK_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    action = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("withhold", _("Withhold"))],
        widget=forms.HiddenInput,
    )
