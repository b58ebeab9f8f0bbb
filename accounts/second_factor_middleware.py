"""Leading a person to set up a second factor when an award's page requires one."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .mfa import SecondFactorRequired


class SecondFactorRequiredMiddleware:
    """Turns ``SecondFactorRequired`` (raised by the award's getters) into a redirect to the
    security page, with a message naming the award and the page to come back to."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, SecondFactorRequired):
            return None
        messages.warning(
            request,
            _(
                "The organisers of %(award)s require a second factor for logging in. Please set "
                "up an authenticator app or a passkey; then you can continue."
            )
            % {"award": exception.award_name},
        )
        back = request.get_full_path() if request.method == "GET" else ""
        query = f"?{urlencode({'next': back})}" if back else ""
        return redirect(f"{_security_url()}{query}")


def _security_url() -> str:
    from django.urls import reverse

    return reverse("accounts:security")
