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

from .models import TIMELINE, Award, Category, Criterion, Round, RubricLevel
from .services import LevelInput

TIMELINE_FIELDS = tuple(name for name, _label in TIMELINE)
DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


DEFAULT_TIMEZONE = "Europe/Berlin"
# The regions of the zone database, as the select groups them (in this order); zones of any
# other first part ("Etc/GMT+1", legacy "US/Eastern") and UTC come last, under "Other".
TIMEZONE_REGIONS = {
    "Europe": _("Europe"),
    "America": _("America"),
    "Africa": _("Africa"),
    "Asia": _("Asia"),
    "Australia": _("Australia"),
    "Pacific": _("Pacific"),
    "Atlantic": _("Atlantic"),
    "Indian": _("Indian Ocean"),
    "Antarctica": _("Antarctica"),
    "Arctic": _("Arctic"),
}


@functools.cache
def timezone_names() -> tuple[str, ...]:
    """The region/city zones and UTC, sorted; legacy aliases ("GB", "localtime", …) left
    out."""
    return tuple(sorted({n for n in zoneinfo.available_timezones() if "/" in n} | {"UTC"}))


def _place(name: str) -> str:
    """A zone's place as a person reads it: "Argentina / Buenos Aires" for
    America/Argentina/Buenos_Aires."""
    return " / ".join(part.replace("_", " ") for part in name.split("/")[1:]) or name


def timezone_choices(current: str | None = None) -> list:
    """The zones for a select, grouped: first the award's current zone and Europe/Berlin
    ("Suggested"), then by region (Europe, America, …; each place once, by its city), then
    the rest ("Other", UTC included). A zone not in the database's list (one set elsewhere)
    is among the suggested, so that the form still saves it."""
    suggested = list(dict.fromkeys(z for z in (current, DEFAULT_TIMEZONE) if z))
    groups: dict[str, list[tuple[str, str]]] = {region: [] for region in TIMEZONE_REGIONS}
    other: list[tuple[str, str]] = []
    for name in timezone_names():
        if name in suggested:
            continue
        region = name.split("/")[0]
        if region in groups:
            groups[region].append((name, _place(name)))
        else:
            other.append((name, name))
    return [
        (_("Suggested"), [(name, name.replace("_", " ")) for name in suggested]),
        *((TIMEZONE_REGIONS[region], zones) for region, zones in groups.items() if zones),
        (_("Other"), other),
    ]


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
    "retention_months",
)
JURY_FIELDS = (
    "mfa_required",
    "reviews_per_submission",
    "blind_review",
    "score_visibility",
    "private_notes",
    "criterion_comments",
    "applicant_feedback",
    "confidentiality_de",
    "confidentiality_en",
)
SHOWCASE_FIELDS = ("embed_origins",)


class AwardSettingsForm(forms.ModelForm):
    """An award's settings. The four dates are shown and entered in the award's time zone
    (the one chosen in the same form), and stored as moments in UTC."""

    timezone = forms.ChoiceField(
        label=_label(Award, "timezone"),
        choices=timezone_choices,
        error_messages={"invalid_choice": _("“%(value)s” is not a known time zone.")},
        help_text=_(
            "The dates below are in this time zone. The zones are grouped by region; type the "
            "first letters of a city to jump to it."
        ),
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
            *SHOWCASE_FIELDS,
        )
        widgets = {
            "description_de": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "confidentiality_de": forms.Textarea(attrs={"rows": 4}),
            "confidentiality_en": forms.Textarea(attrs={"rows": 4}),
            "embed_origins": forms.Textarea(
                attrs={"rows": 4, "spellcheck": "false", "autocapitalize": "none"}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The award's zone (even one set elsewhere, e.g. in the admin) and Europe/Berlin first.
        self.fields["timezone"].choices = timezone_choices(self.instance.timezone)
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
            Fieldset(_("Publication on other websites"), *SHOWCASE_FIELDS),
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
            "score_control",
            "position",
        )
        widgets = {
            "description_de": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "score_control": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["score_control"].help_text = _(
            "How jurors enter this criterion's score. Each works with the keyboard alone."
        )
        self.helper = _helper(self)

    def clean_weight(self) -> Decimal:
        weight = self.cleaned_data["weight"]
        if weight is not None and weight <= 0:
            raise ValidationError(_("The weight must be greater than 0."), code="min_value")
        return weight


class RubricLevelForm(forms.Form):
    """One score level of a criterion: from which to which score, and what that means. A row
    left empty is ignored; the service checks the scale, the order and overlaps."""

    low = forms.IntegerField(label=_label(RubricLevel, "low"), required=False)
    high = forms.IntegerField(label=_label(RubricLevel, "high"), required=False)
    description_de = forms.CharField(label=_label(RubricLevel, "description_de"), required=False)
    description_en = forms.CharField(label=_label(RubricLevel, "description_en"), required=False)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        names = ("low", "high", "description_de", "description_en")
        return all(data.get(name) in (None, "") for name in names)

    def clean(self):
        cleaned = super().clean()
        if self.is_blank():
            return cleaned
        for name, message in (
            ("low", _("Enter the first score of this level.")),
            ("high", _("Enter the last score of this level.")),
        ):
            if cleaned.get(name) is None and name not in self.errors:
                self.add_error(name, ValidationError(message, code="required"))
        return cleaned

    def level(self) -> LevelInput:
        data = self.cleaned_data
        return LevelInput(
            low=data["low"],
            high=data["high"],
            description_de=data.get("description_de") or "",
            description_en=data.get("description_en") or "",
        )


class BaseRubricLevelFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Delete this level")

    def levels(self) -> tuple[list[LevelInput], list[int]]:
        """The levels of a valid formset (rows neither empty nor marked for deletion), and
        for each the index of the row it came from (where its errors go)."""
        levels, rows = [], []
        for index, form in enumerate(self.forms):
            if not form.has_changed() and index >= self.initial_form_count():
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            if form.is_blank():
                continue
            levels.append(form.level())
            rows.append(index)
        return levels, rows


RubricLevelFormSet = forms.formset_factory(
    RubricLevelForm,
    formset=BaseRubricLevelFormSet,
    extra=2,
    can_delete=True,
    can_delete_extra=False,
    max_num=30,
    validate_max=True,
)


def rubric_level_formset(
    data=None, *, criterion: Criterion | None = None
) -> BaseRubricLevelFormSet:
    """The score levels of ``criterion`` as rows (two empty ones below; five for a criterion
    without levels), under the prefix ``levels``."""
    initial = []
    if criterion is not None and criterion.pk is not None:
        initial = [
            {
                "low": level.low,
                "high": level.high,
                "description_de": level.description_de,
                "description_en": level.description_en,
            }
            for level in criterion.levels.order_by("low", "pk")
        ]
    formset = RubricLevelFormSet(data, initial=initial, prefix="levels")
    if not initial and data is None:
        formset.extra = 5
    return formset


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
