"""The form of a new personal access token; the rules are the service's
(``api.services.api_token_create``), the limits shown here are the same."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .models import TokenScope
from .selectors import api_token_awards

DEFAULT_DAYS = 90


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “Website winners list” or “CRM import”."),
    )
    award = forms.ModelChoiceField(
        label=_("Award"),
        queryset=None,
        empty_label=None,
        help_text=_("A token reaches this one award and nothing else."),
    )
    scope = forms.ChoiceField(
        label=_("Permissions"),
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
        help_text=_(
            "“Read” is enough to fetch data. Writes also go through your own permissions on "
            "the award."
        ),
    )
    expires_in_days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        initial=DEFAULT_DAYS,
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award"].queryset = api_token_awards(user)
        limit = settings.LAUREL_API_TOKEN_MAX_DAYS
        field = self.fields["expires_in_days"]
        field.max_value = limit
        field.validators.append(MaxValueValidator(limit))
        field.widget.attrs["max"] = limit
        field.help_text = _("From 1 to %(max)d days.") % {"max": limit}
