"""Forms of the organisers' certificate page: the design and a revocation. They parse and
check input (images by content, wordings by the mail rules); the services write."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import CertificateDesign
from .services import DESIGN_FIELDS, design_image_clean, wording_errors


def _helper(form: forms.BaseForm) -> FormHelper:
    """Crispy renders the fields and their errors; the template writes <form> and buttons."""
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class CertificateDesignForm(forms.ModelForm):
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG, JPEG or WebP, at most 5 MB; printed at the top right."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    signature = forms.FileField(
        label=_("Signature"),
        required=False,
        help_text=_(
            "A scan of the signature (PNG with a transparent background looks best), printed "
            "above the signatory's name."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_signature = forms.BooleanField(label=_("Remove the signature"), required=False)

    class Meta:
        model = CertificateDesign
        fields = list(DESIGN_FIELDS)
        widgets = {
            "colour": forms.TextInput(attrs={"type": "color", "class": "form-control-color"}),
            "wording_de": forms.Textarea(attrs={"rows": 4, "lang": "de"}),
            "wording_en": forms.Textarea(attrs={"rows": 4, "lang": "en"}),
        }
        help_texts = {
            "wording_de": _("Empty: the default wording. Placeholders are listed below."),
            "wording_en": _("Empty: the default wording. Placeholders are listed below."),
            "issue_finalists": _("Entries that reached a later round (the shortlist)."),
            "issue_participants": _(
                "Every entry that was submitted and not found ineligible, besides the distinctions."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("logo", "signature"):
            self.fields[name].widget = forms.FileInput(
                attrs={"accept": "image/png,image/jpeg,image/webp"}
            )
        self.helper = _helper(self)

    def _image(self, name: str) -> bytes | None:
        upload = self.cleaned_data.get(name)
        if not upload:
            return None
        return design_image_clean(upload)

    def clean_logo(self) -> bytes | None:
        return self._image("logo")

    def clean_signature(self) -> bytes | None:
        return self._image("signature")

    def _wording(self, name: str) -> str:
        text = self.cleaned_data.get(name, "")
        problems = wording_errors(text)
        if problems:
            raise ValidationError(problems)
        return text

    def clean_wording_de(self) -> str:
        return self._wording("wording_de")

    def clean_wording_en(self) -> str:
        return self._wording("wording_en")

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in DESIGN_FIELDS}


class RevokeForm(forms.Form):
    """The reason for a revocation, with the explicit confirmation (``confirm``)."""

    confirm = forms.BooleanField(widget=forms.HiddenInput, initial=True)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the change log; the verification page shows only the date."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self)
