"""Forms for company profiles and invitations. They parse and check input; services write."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import Organisation
from ..services.organisations import INVITATION_DAYS, ORGANISATION_FIELDS


def _helper(form: forms.BaseForm, *layout) -> FormHelper:
    """Crispy renders the fields and their errors; the template writes <form> and buttons."""
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True
    if layout:
        helper.layout = Layout(*layout)
    return helper


class OrganisationForm(forms.ModelForm):
    """The company profile. The model's validators refuse anything but http(s) websites."""

    class Meta:
        model = Organisation
        fields = ORGANISATION_FIELDS
        widgets = {
            "website": forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "url"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "contact_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "street": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "country": forms.TextInput(attrs={"autocomplete": "country-name"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].help_text = _("For example https://www.example.com")
        self.helper = _helper(
            self,
            Fieldset(_("Company"), "name", "legal_form", "size_class", "founded_year", "website"),
            Fieldset(_("Address"), "street", "postal_code", "city", "country"),
            Fieldset(_("Contact person"), "contact_name", "contact_email", "contact_phone"),
        )

    def clean_website(self) -> str:
        website = self.cleaned_data["website"].strip()
        # "www.example.com" means the web address; anything naming a scheme of its own
        # ("javascript:…", "ftp://…") is left as typed for the validator to refuse.
        if website and ":" not in website:
            website = f"https://{website}"
        return website


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address of your colleague"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = ngettext(
            "They get a link by mail that is valid for %(days)d day.",
            "They get a link by mail that is valid for %(days)d days.",
            INVITATION_DAYS,
        ) % {"days": INVITATION_DAYS}
        self.helper = _helper(self)
