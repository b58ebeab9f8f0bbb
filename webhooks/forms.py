"""The organisers' endpoint form: it parses input; the service checks the address and writes."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from .events import EVENT_CHOICES


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("Address (URL)"),
        max_length=500,
        help_text=_("An https:// address on the internet that accepts POST requests."),
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("For you and your colleagues, e.g. which system receives it."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EVENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one event."),
            "invalid_choice": _("Unknown event: %(value)s."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
