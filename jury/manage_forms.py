"""Forms of the organisers' jury pages. They parse input and limit every choice to the award
(or the round) at hand; the services decide and write."""

from __future__ import annotations

import zoneinfo

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from awards.forms import WallClockDateTimeField, wall_time_to_aware
from awards.models import Award, Category, Round
from core.forms import ConfirmForm
from submissions.models import Submission

from .enums import JuryRole
from .models import Juror
from .selectors import JURY_VISIBLE_STATUSES

LANGUAGES = [("de", _("German")), ("en", _("English"))]


def _helper(form: forms.BaseForm) -> FormHelper:
    """Crispy renders the fields and their errors; the template writes <form> and buttons."""
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class CategoryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return f"{obj.code} – {obj.name}"


class JurorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Juror) -> str:
        return f"{obj.user.full_name} <{obj.user.email}>"


class EntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Submission) -> str:
        return f"{obj.reference or '–'} · {obj.title} ({obj.category.code})"


def _categories(award: Award) -> CategoryChoiceField:
    return CategoryChoiceField(
        label=_("Categories"),
        queryset=award.categories.order_by("position", "code"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one category."),
            "invalid_choice": _("A category of another award was chosen."),
        },
    )


def _active_jurors(award: Award):
    return (
        Juror.objects.filter(award=award, is_active=True)
        .select_related("user")
        .order_by("user__full_name", "pk")
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=JuryRole.choices, initial=JuryRole.JUROR)
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=LANGUAGES,
        initial="de",
        help_text=_("Used until the person has an account with a language of their own."),
    )

    def __init__(self, *args, award: Award, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"] = _categories(award)
        self.order_fields(["email", "name", "role", "categories", "language"])
        self.helper = _helper(self)


class JurorForm(forms.Form):
    """An organiser's changes to a seat; the individual deadline is typed as wall-clock time
    in the award's zone and stored as a moment."""

    role = forms.ChoiceField(label=_("Role"), choices=JuryRole.choices)
    max_assignments = forms.IntegerField(
        label=_("Most entries to review"),
        required=False,
        min_value=1,
        max_value=32767,
        help_text=_("Empty for no limit."),
    )
    deadline_extended_until = WallClockDateTimeField(
        label=_("Individual jury deadline"), required=False
    )

    def __init__(self, *args, juror: Juror, **kwargs):
        award = juror.award
        self.tz: zoneinfo.ZoneInfo = award.tzinfo
        self.stored = juror.deadline_extended_until
        kwargs.setdefault(
            "initial",
            {
                "role": juror.role,
                "categories": [link.category_id for link in juror.category_links.all()],
                "max_assignments": juror.max_assignments,
                "deadline_extended_until": timezone.localtime(self.stored, self.tz).replace(
                    tzinfo=None
                )
                if self.stored
                else None,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["categories"] = _categories(award)
        self.order_fields(["role", "categories", "max_assignments", "deadline_extended_until"])
        self.fields["deadline_extended_until"].help_text = _(
            "Date and time in %(zone)s. Empty: the round's deadline applies."
        ) % {"zone": self.tz.key}
        self.helper = _helper(self)

    def clean_deadline_extended_until(self):
        value = self.cleaned_data.get("deadline_extended_until")
        if value is None or value.tzinfo is not None:
            return value
        stored = self.stored
        if (
            stored is not None
            and timezone.localtime(stored, self.tz).replace(tzinfo=None, second=0, microsecond=0)
            == value
        ):
            return stored  # unchanged: keep the seconds the minute-precise input cannot show
        return wall_time_to_aware(value, self.tz)


class ConflictForm(forms.Form):
    def __init__(self, *args, award: Award, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["juror"] = JurorChoiceField(label=_("Juror"), queryset=_active_jurors(award))
        self.fields["submission"] = EntryChoiceField(
            label=_("Entry"),
            queryset=Submission.objects.filter(award=award, status__in=JURY_VISIBLE_STATUSES)
            .select_related("category")
            .order_by("category__position", "reference", "pk"),
        )
        self.fields["whole_organisation"] = forms.BooleanField(
            label=_("The whole company (all its entries)"), required=False
        )
        self.fields["note"] = forms.CharField(
            label=_("Note"),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        self.helper = _helper(self)


class AssignmentAddForm(forms.Form):
    def __init__(self, *args, round: Round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["juror"] = JurorChoiceField(
            label=_("Juror"), queryset=_active_jurors(round.award)
        )
        self.fields["submission"] = EntryChoiceField(
            label=_("Entry"),
            queryset=Submission.objects.filter(rounds__round=round)
            .select_related("category")
            .order_by("category__position", "reference", "pk"),
        )
        self.helper = _helper(self)


class ShortlistForm(forms.Form):
    """Either the top ``size`` entries per category, or the entries picked by hand (the
    service checks that they belong to the round)."""

    SIZE = "size"
    PICK = "pick"

    mode = forms.ChoiceField(choices=[(SIZE, SIZE), (PICK, PICK)], initial=SIZE)
    size = forms.IntegerField(
        label=_("Entries per category"),
        required=False,
        min_value=1,
        max_value=1000,
    )
    submissions = forms.TypedMultipleChoiceField(
        label=_("Entries"), required=False, coerce=int, choices=()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any whole number is accepted here; the service refuses ids not in the round.
        self.fields["submissions"].valid_value = lambda value: str(value).isdigit()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == self.SIZE and not cleaned.get("size"):
            raise ValidationError(_("Say how many entries per category go on."))
        return cleaned


class CalibrationEntryField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Submission) -> str:
        return f"{obj.reference or '–'} · {obj.title}"


class CalibrationForm(forms.Form):
    """The calibration entries of one category in a round: a checkbox for each of the round's
    entries in the category (the service checks how many). ``confirmed`` is set by the
    confirmation step of an open round."""

    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, round: Round, category: Category, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submissions"] = CalibrationEntryField(
            label=_("Calibration entries"),
            queryset=Submission.objects.filter(rounds__round=round, category=category).order_by(
                "reference", "pk"
            ),
            widget=forms.CheckboxSelectMultiple,
            required=False,
            help_text=_("Choose 2 to 5 entries, or none to do without calibration."),
            error_messages={
                "invalid_choice": _(
                    "Only entries of this round in this category can be calibration entries."
                ),
                "invalid_pk_value": _(
                    "Only entries of this round in this category can be calibration entries."
                ),
            },
        )
        self.order_fields(["submissions", "confirmed"])
        self.helper = _helper(self)


class CalibrationCountingForm(forms.Form):
    counts = forms.BooleanField(
        label=_("Calibration reviews count in the ranking"),
        required=False,
        help_text=_(
            "When unticked, the reviews of the calibration entries serve only the comparison "
            "of the jurors and are left out of the ranking."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self)


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Your message to the jury"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self)


class AssignmentRunForm(ConfirmForm):
    """The confirmation of a computation: ``plan`` is the fingerprint of the plan shown, so
    the service refuses once the assignments have changed (a second click among them)."""

    plan = forms.CharField(max_length=64, widget=forms.HiddenInput)


class ReminderForm(forms.Form):
    """Reminding by hand: ``token`` is the page's one-time token (the same confirmation
    never reminds anyone twice); ``force`` reminds jurors reminded recently too."""

    token = forms.UUIDField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
    force = forms.BooleanField(
        label=_("Remind them anyway"),
        required=False,
        help_text=_("Also remind the jurors who were reminded less than %(interval)s ago."),
    )

    def __init__(self, *args, interval: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["force"].help_text = self.fields["force"].help_text % {"interval": interval}
        self.helper = _helper(self)
        self.helper.layout = Layout("token", "force")
