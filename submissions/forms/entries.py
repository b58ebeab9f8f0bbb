"""Forms of an applicant's entry: starting one, editing it, and the version a button acts on.

They parse and check input; the services in ``submissions.services`` decide and write.
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from awards.models import Award, Category
from awards.templatetags.laurel import money

from ..models import Organisation, Submission
from ..services.entries import ENTRY_FIELDS


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
    """Every field an applicant edits, and the version they loaded (optimistic locking).

    Nothing is required but the title: drafts save whatever is there, and submitting checks
    completeness (``services.missing_items``).
    """

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    class Meta:
        model = Submission
        fields = ENTRY_FIELDS
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "description": forms.Textarea(attrs={"rows": 8}),
            "lightweight": forms.Textarea(attrs={"rows": 5}),
            "innovation": forms.Textarea(attrs={"rows": 5}),
            "future_potential": forms.Textarea(attrs={"rows": 5}),
            "team": forms.Textarea(attrs={"rows": 4}),
            "video_url": forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
        }

    SECTIONS = (
        (_("The entry"), ("title", "summary", "description")),
        (
            _("Assessment"),
            ("lightweight", "innovation", "future_potential", "market_readiness"),
        ),
        (_("Team and video"), ("team", "video_url")),
        (_("Consents"), ("consent_terms", "consent_data", "consent_publication")),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["video_url"].help_text = _(
            "Optional: a link to a video on the web, e.g. https://www.youtube.com/…"
        )
        readiness = self.fields["market_readiness"]
        readiness.help_text = _("Technology readiness level (TRL)")
        readiness.choices = [("", _("Choose …")), *list(readiness.choices)[1:]]
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        self.helper = _helper(self)

    def clean_video_url(self) -> str:
        url = self.cleaned_data["video_url"].strip()
        # "www.example.com/film" means the web address; anything naming a scheme of its own
        # ("javascript:…") is left as typed for the model's validator to refuse.
        if url and ":" not in url:
            url = f"https://{url}"
        return url

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.SECTIONS]

    def entry_values(self) -> dict:
        """The cleaned entry fields, as ``services.submission_update`` takes them."""
        return {name: self.cleaned_data[name] for name in ENTRY_FIELDS}


class VersionForm(forms.Form):
    """The version of the entry a button (submit) was shown for."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
