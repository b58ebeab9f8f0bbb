from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        # A login records its session, a logout forgets it (the person's sessions page).
        user_logged_in.connect(_session_record, dispatch_uid="accounts.session_record")
        user_logged_out.connect(_session_forget, dispatch_uid="accounts.session_forget")
        # A login notes in the session whether the privacy policy was agreed to (accounts.consent).
        from .consent import remember_at_login

        user_logged_in.connect(remember_at_login, dispatch_uid="accounts.consent_remember")


def _session_record(sender, request, user, **kwargs) -> None:
    from .sessions import session_record

    session_record(request, user)


def _session_forget(sender, request, user, **kwargs) -> None:
    from .sessions import session_forget

    session_forget(request, user)
