import logging

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import User
from .services import account_mail_headers

logger = logging.getLogger("django.contrib.auth")


def privacy_policy_link() -> str:
    """The words "privacy policy", linked to ``LAUREL_PRIVACY_URL`` (in a new tab, so that a
    half-filled form is kept); without an address, the words alone."""
    words = _("privacy policy")
    url = settings.LAUREL_PRIVACY_URL
    if not url:
        return str(words)
    return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, words)


def privacy_policy_agreement() -> str:
    """The label of the consent checkbox, with the policy linked where there is an address."""
    return format_html(_("I have read the {policy} and agree to it."), policy=privacy_policy_link())


class RegistrationForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("Email address"), max_length=254)
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=settings.LANGUAGES, initial="de"
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    # GDPR art. 7: the account records which version of the policy was agreed to, and when
    # (accounts.services.user_register). The label links the policy: set in __init__.
    privacy_consent = forms.BooleanField(
        required=True,
        error_messages={"required": _("Please agree to the privacy policy to register.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["privacy_consent"].label = privacy_policy_agreement()

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords do not match."))
        if password1:
            candidate = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class LoginForm(AuthenticationForm):
    """Email and password. Refuses accounts whose address is not verified yet."""

    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The email address or the password is wrong."),
        "unverified": _(
            "Please confirm your email address first: follow the link in the mail we sent you. "
            '<a href="%(resend)s">Send the link again</a>.'
        ),
    }

    def clean_username(self) -> str:
        # One spelling per account: the login throttle counts failures per username, so
        # "Anna@Example.org" and "anna@example.org" must be the same account to it.
        return User.objects.normalize_email(self.cleaned_data["username"]).lower()

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if not user.is_verified:
            raise forms.ValidationError(
                format_html(
                    str(self.error_messages["unverified"]).replace("%(resend)s", "{}"),
                    reverse("accounts:resend_verification"),
                ),
                code="unverified",
            )


class ResendVerificationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "preferred_language"]


class LanguageAwarePasswordResetForm(PasswordResetForm):
    """Writes the reset mail in the account's preferred language, not the page's, and names
    it in the outbox (Django's ``send_mail`` with the account mails' headers). Its link
    starts with ``SITE_URL``, as every mail's does, not with the host the request named."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        language = context["user"].preferred_language
        context = {**context, "site_url": settings.SITE_URL}
        with translation.override(language):
            subject = "".join(render_to_string(subject_template_name, context).splitlines())
            mail = EmailMultiAlternatives(
                subject,
                render_to_string(email_template_name, context),
                from_email,
                [to_email],
                headers=account_mail_headers(template="password_reset", language=language),
            )
            if html_email_template_name is not None:
                mail.attach_alternative(
                    render_to_string(html_email_template_name, context), "text/html"
                )
            try:
                mail.send()
            except Exception:
                # As Django does: the page says the same whether or not a mail was written.
                logger.exception("Failed to send password reset email to %s", context["user"].pk)


class InvitationAnswerForm(forms.Form):
    """The buttons of an invitation page: accept, or have a code mailed to the invited
    address (``accounts.address_codes``) and accept with it from an account of another
    address; the code is typed in the same form."""

    ACTIONS = [("accept", "accept"), ("send_code", "send_code")]

    action = forms.ChoiceField(choices=ACTIONS)
    code = forms.CharField(max_length=20, required=False, strip=True)


class SecondFactorCodeForm(forms.Form):
    """A code from the authenticator app (six digits) or a recovery code (``xxxxx-xxxxx``)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class PasswordConfirmForm(forms.Form):
    """The person's current password, asked before a second factor is removed or new
    recovery codes replace the old ones: an open laptop is not enough for either."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."), code="password")
        return password
