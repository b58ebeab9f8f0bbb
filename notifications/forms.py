"""Forms of the organisers' message pages. They parse and check input; the services write."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from awards.models import Award

from .bulk import custom_recipients_parse
from .catalogue import COMMON, MAIL_TYPES
from .enums import Audience, MessageStatus
from .rendering import template_errors


def _helper(form: forms.BaseForm, *layout) -> FormHelper:
    """Crispy renders the fields and their errors; the template writes <form> and buttons."""
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True
    if layout:
        helper.layout = Layout(*layout)
    return helper


class MessageFilterForm(forms.Form):
    """The outbox filter (GET). Unknown values are ignored rather than refused."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *MessageStatus.choices]
    )
    template = forms.ChoiceField(label=_("Mail"), required=False)
    recipient = forms.CharField(label=_("Recipient contains"), required=False, max_length=254)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [
            ("", _("All")),
            *((key, mail.label) for key, mail in MAIL_TYPES.items()),
        ]
        self.helper = _helper(self)
        self.helper.form_show_labels = True

    def filters(self) -> dict[str, str]:
        """The filters for ``messages_for_award``; empty when the input is not valid."""
        if not self.is_valid():
            return {}
        return {
            "status": self.cleaned_data["status"],
            "template_key": self.cleaned_data["template"],
            "recipient": self.cleaned_data["recipient"],
        }


class MailTemplateForm(forms.Form):
    """Subject and text of one mail in one language, checked against its placeholders."""

    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 14}))

    def __init__(self, *args, allowed: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed = allowed
        self.fields["body"].widget.attrs["spellcheck"] = "true"
        self.helper = _helper(self)

    def _placeholders_checked(self, name: str) -> str:
        text = self.cleaned_data[name]
        problems = template_errors(text, self.allowed)
        if problems:
            raise ValidationError(problems)
        return text

    def clean_subject(self) -> str:
        return self._placeholders_checked("subject")

    def clean_body(self) -> str:
        return self._placeholders_checked("body")


class AnnouncementForm(forms.Form):
    """A new announcement: who receives it and its text in both languages.

    ``request_token`` is generated when the empty form is shown; posting the same form twice
    (a double click) sends one announcement.
    """

    request_token = forms.UUIDField(widget=forms.HiddenInput)
    audience = forms.ChoiceField(
        label=_("Send to"), choices=Audience.choices, widget=forms.RadioSelect
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=None,
        required=False,
        help_text=_("Only for “Applicants of one category”."),
    )
    custom_recipients = forms.CharField(
        label=_("Addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Only for “A list of addresses”: one address per line, or separated by commas."
        ),
    )
    subject_de = forms.CharField(label=_("Subject (German)"), max_length=200)
    body_de = forms.CharField(label=_("Text (German)"), widget=forms.Textarea(attrs={"rows": 8}))
    subject_en = forms.CharField(label=_("Subject (English)"), max_length=200)
    body_en = forms.CharField(label=_("Text (English)"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, award: Award, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = award.categories.all()
        self.helper = _helper(
            self,
            "request_token",
            Fieldset(
                _("Who receives it"),
                "audience",
                "category",
                Field("custom_recipients", spellcheck="false"),
            ),
            Fieldset(_("German"), "subject_de", "body_de"),
            Fieldset(_("English"), "subject_en", "body_en"),
        )

    def clean(self):
        cleaned = super().clean()
        audience = cleaned.get("audience")
        category_missing = not cleaned.get("category") and "category" not in self.errors
        if audience == Audience.CATEGORY_APPLICANTS and category_missing:
            self.add_error("category", _("Choose a category of this award."))
        if audience == Audience.CUSTOM and "custom_recipients" not in self.errors:
            try:
                custom_recipients_parse(cleaned.get("custom_recipients", ""))
            except ValidationError as error:
                self.add_error("custom_recipients", error)
        for name in ("subject_de", "body_de", "subject_en", "body_en"):
            if name in cleaned:
                problems = template_errors(cleaned[name], COMMON)
                if problems:
                    self.add_error(name, problems)
        return cleaned
