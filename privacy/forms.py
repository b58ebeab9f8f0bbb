"""The privacy app's forms."""

from django import forms
from django.utils.translation import gettext_lazy

from accounts.forms import PasswordConfirmForm


class ErasureForm(PasswordConfirmForm):
    understood = forms.BooleanField(
        label=gettext_lazy(
            "I understand that my account and my personal data are deleted and that this "
            "cannot be undone."
        ),
        error_messages={"required": gettext_lazy("Please confirm that you understand.")},
    )
