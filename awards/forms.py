"""Forms for configuring an award. They parse and check input; the services write."""

import datetime as dt
import functools
import zoneinfo
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import TIMELINE, Award, Category, Criterion, Round

TIMELINE_FIELDS = tuple(name for name, _label in TIMELINE)
DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


@functools.cache
def timezone_choices() -> list[tuple[str, str]]:
    """The region/city zones and UTC; legacy aliases ("GB", "localtime", …) left out."""
    names = {name for name in zoneinfo.available_timezones() if "/" in name} | {"UTC"}
    return [(name, name) for name in sorted(names)]


def _label(model: type, name: str) -> str:
    return capfirst(model._meta.get_field(name).verbose_name)


def _helper(form: forms.BaseForm, *layout) -> FormHelper:
    """Crispy renders the fields and their errors; the template writes <form> and buttons."""
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True
    if layout:
        helper.layout = Layout(*layout)
    return helper


def wall_time_to_aware(value: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """``value`` (a wall-clock time without zone) as the moment it names in ``tz``.

    Refuses times that do not exist (skipped when the clocks go forward) or that happen twice
    (when they go back): a deadline must name exactly one moment, and guessing which one
    would move it by an hour without anyone noticing.
    """
    earlier = value.replace(tzinfo=tz, fold=0)
    later = value.replace(tzinfo=tz, fold=1)
    shown = formats.date_format(value, "DATETIME_FORMAT")
    if earlier.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) != value:
        raise ValidationError(
            _(
                "%(time)s does not exist in the time zone %(zone)s: the clocks go forward "
                "then. Please choose another time."
            ),
            code="nonexistent",
            params={"time": shown, "zone": tz.key},
        )
    if earlier.utcoffset() != later.utcoffset():
        raise ValidationError(
            _(
                "%(time)s happens twice in the time zone %(zone)s: the clocks go back then. "
                "Please choose another time."
            ),
            code="ambiguous",
            params={"time": shown, "zone": tz.key},
        )
    return earlier


class WallClockDateTimeField(forms.DateTimeField):
    """A date and time as typed, without a time zone; the form decides which zone it is in.

    Django's own field would read it in the visitor's current time zone; an award's dates
    are in the award's zone, which only the form knows.
    """

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL_FORMAT)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value
        try:
            result = parse_datetime(str(value).strip())
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if result is None:
            result = forms.fields.BaseTemporalField.to_python(self, value)
        return result


RESULTS_FIELDS = (
    "ranking_normalisation",
    "ranking_aggregation",
    "tie_break_criterion",
    "places_per_category",
    "special_mentions",
    "jurors_see_ranking",
)
JURY_FIELDS = (
    "reviews_per_submission",
    "blind_review",
    "score_visibility",
    "private_notes",
    "confidentiality_de",
    "confidentiality_en",
)


class AwardSettingsForm(forms.ModelForm):
    """An award's settings. The four dates are shown and entered in the award's time zone
    (the one chosen in the same form), and stored as moments in UTC."""

    timezone = forms.ChoiceField(
        label=_label(Award, "timezone"),
        choices=timezone_choices,
        error_messages={"invalid_choice": _("“%(value)s” is not a known time zone.")},
        help_text=_("The dates below are in this time zone."),
    )
    submissions_open_at = WallClockDateTimeField(
        label=_label(Award, "submissions_open_at"), required=False
    )
    submissions_close_at = WallClockDateTimeField(
        label=_label(Award, "submissions_close_at"), required=False
    )
    jury_deadline_at = WallClockDateTimeField(
        label=_label(Award, "jury_deadline_at"), required=False
    )
    announcement_at = WallClockDateTimeField(label=_label(Award, "announcement_at"), required=False)

    class Meta:
        model = Award
        fields = (
            "name",
            "organiser_name",
            "description_de",
            "description_en",
            "currency",
            "timezone",
            *TIMELINE_FIELDS,
            *JURY_FIELDS,
            *RESULTS_FIELDS,
        )
        widgets = {
            "description_de": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "confidentiality_de": forms.Textarea(attrs={"rows": 4}),
            "confidentiality_en": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if (self.instance.timezone, self.instance.timezone) not in timezone_choices():
            # A zone set elsewhere (the admin) stays selectable, so saving does not fail on it.
            self.fields["timezone"].choices = sorted(
                [*timezone_choices(), (self.instance.timezone, self.instance.timezone)]
            )
        self.fields["ranking_normalisation"].help_text = _(
            "Calibrated (recommended): each juror's offset — how much milder or harsher they "
            "score than the others on the same entries — is estimated and subtracted, fully "
            "for jurors with many reviews, in part for those with few. It came closest to the "
            "truth on simulated juries (bench/fairness.py)."
        )
        tz = self.instance.tzinfo
        for name in TIMELINE_FIELDS:
            moment = getattr(self.instance, name)
            if moment is not None:
                self.initial[name] = moment.astimezone(tz).replace(tzinfo=None)
        self.helper = _helper(
            self,
            Fieldset(
                _("General"),
                "name",
                "organiser_name",
                "description_de",
                "description_en",
                "currency",
            ),
            Fieldset(_("Timeline"), "timezone", *TIMELINE_FIELDS),
            Fieldset(_("Jury"), *JURY_FIELDS),
            Fieldset(_("Results"), *RESULTS_FIELDS),
        )
        self.fields["tie_break_criterion"].queryset = Criterion.objects.filter(
            award=self.instance.pk
        ).order_by("position", "pk")

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        zone_name = cleaned.get("timezone") or self.instance.timezone
        tz = zoneinfo.ZoneInfo(zone_name)
        for name in TIMELINE_FIELDS:
            value = cleaned.get(name)
            if value is None or value.tzinfo is not None:
                continue
            stored = getattr(self.instance, name)
            if stored is not None and _to_minute(stored.astimezone(tz)) == value:
                # Unchanged: keep the stored moment with its seconds, which the minute-precise
                # input cannot show, so that saving does not record a change nobody made.
                cleaned[name] = stored
                continue
            try:
                cleaned[name] = wall_time_to_aware(value, tz)
            except ValidationError as error:
                self.add_error(name, error)
        return cleaned


def _to_minute(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=None, second=0, microsecond=0)


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = (
            "code",
            "name_de",
            "name_en",
            "description_de",
            "description_en",
            "prize_amount",
            "max_entries_per_organisation",
            "position",
        )
        widgets = {
            "description_de": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self)

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = (
            "name_de",
            "name_en",
            "description_de",
            "description_en",
            "weight",
            "scale_min",
            "scale_max",
            "position",
        )
        widgets = {
            "description_de": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self)

    def clean_weight(self) -> Decimal:
        weight = self.cleaned_data["weight"]
        if weight is not None and weight <= 0:
            raise ValidationError(_("The weight must be greater than 0."), code="min_value")
        return weight


class RoundForm(forms.ModelForm):
    class Meta:
        model = Round
        fields = ("number", "name_de", "name_en", "kind", "shortlist_size", "method", "deadline_at")

    deadline_at = WallClockDateTimeField(label=_label(Round, "deadline_at"), required=False)

    def __init__(self, *args, **kwargs):
        self.award = kwargs.pop("award", None)
        super().__init__(*args, **kwargs)
        award = self.award or getattr(self.instance, "award", None)
        self.tz = award.tzinfo if award is not None else zoneinfo.ZoneInfo("Europe/Berlin")
        if self.instance.deadline_at is not None:
            self.initial["deadline_at"] = self.instance.deadline_at.astimezone(self.tz).replace(
                tzinfo=None
            )
        self.fields["deadline_at"].help_text = _(
            "In the award's time zone. Empty: the award's jury deadline."
        )
        self.helper = _helper(self)

    def clean_deadline_at(self):
        value = self.cleaned_data.get("deadline_at")
        if value is None or value.tzinfo is not None:
            return value
        stored = self.instance.deadline_at
        if stored is not None and _to_minute(stored.astimezone(self.tz)) == value:
            return stored
        return wall_time_to_aware(value, self.tz)
