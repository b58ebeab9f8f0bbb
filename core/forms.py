"""Forms meet services: a service's refusal shown on the form that was sent; the explicit
confirmation of a destructive or mass action."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseForm


def add_service_errors(form: BaseForm, error: ValidationError) -> bool:
    """Show a service's ``ValidationError`` on ``form``: each message next to the field it
    names when the form has that field, above the form otherwise. Returns whether the error
    named fields (False for a refusal of the whole action, which is still added)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return False
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)
    return True


def error_message(error: ValidationError) -> str:
    """All messages of ``error`` as one sentence (for a flash message or a JSON answer)."""
    return " ".join(error.messages)


def form_errors(form: BaseForm) -> dict[str, list[str]]:
    """A bound form's errors as plain JSON: field name (``__all__`` above) → messages."""
    return {name: [str(message) for message in errors] for name, errors in form.errors.items()}


def service_errors(error: ValidationError) -> dict[str, list[str]]:
    """A service's ``ValidationError`` in the same JSON shape as ``form_errors``."""
    if hasattr(error, "error_dict"):
        return {name: [str(m) for m in messages] for name, messages in error.message_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


class ConfirmForm(forms.Form):
    """The explicit "yes" to a destructive or mass action. Its page first shows what will
    happen (counts, a preview) with a form that sends ``confirm``; a POST without it changes
    nothing and shows that page again."""

    confirm = forms.BooleanField(widget=forms.HiddenInput)

    @classmethod
    def confirmed(cls, data) -> bool:
        return cls(data).is_valid()
