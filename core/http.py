"""HTTP answers every app gives the same way: protected file downloads, the JSON of
autosave endpoints, and a session check that answers a script with JSON.

Autosave answers (the one shape ``static/js/autosave.js`` reads):

* saved: 200 ``{"ok": true, "version": n, "saved_at": "14:05 Uhr", "saved_moment": "14:05 Uhr
  deutscher Zeit"}``: the time of the save in the award's time zone, never the device's
  clock; ``saved_moment`` names the zone and is what the status line shows (``saved_stamp``)
* refused: 4xx ``{"ok": false, "code": c, "message": m, "errors": {field: [messages]},
  "final": bool}`` plus anything the endpoint adds (``current`` values on a conflict).
  ``code`` is ``invalid`` (400, fix the marked fields), ``conflict`` (409, someone else
  saved), ``closed`` (400, the deadline passed or the work is locked) or ``session`` (403,
  logged out or the CSRF token no longer matches). ``final`` tells the script to stop
  autosaving until the page is reloaded.
"""

import datetime as dt
import functools
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import formats, timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from .formatting import HasTimezone, time_in_words

# An upload is never a page: no scripts, no plugins, no same-origin access even if a browser
# were talked into rendering one.
DOWNLOAD_CONTENT_SECURITY_POLICY = "default-src 'none'; sandbox"


def protected_file(response: FileResponse) -> FileResponse:
    """Headers for a file that users uploaded (or that was made from one): never sniffed,
    never run, never kept by a cache on the way."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CONTENT_SECURITY_POLICY
    response["Cache-Control"] = "private, no-store"
    return response


def no_store(response: HttpResponse) -> HttpResponse:
    """An answer with personal data (exports, press kit): no cache on the way may keep it."""
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response


def autosave_saved(*, version: int, saved_at: str, **extra) -> JsonResponse:
    return JsonResponse({"ok": True, "version": version, "saved_at": saved_at, **extra})


def autosave_refused(
    *,
    code: str,
    message: str,
    status: int = 400,
    errors: dict[str, list[str]] | None = None,
    final: bool = False,
    **extra,
) -> JsonResponse:
    return JsonResponse(
        {
            "ok": False,
            "code": code,
            "message": message,
            "errors": errors or {},
            "final": final,
            **extra,
        },
        status=status,
    )


def autosave_invalid(errors: dict[str, list[str]]) -> JsonResponse:
    """Refused values (``core.forms.form_errors`` or ``service_errors``): the script marks
    each named field and keeps autosaving. The message asks to correct the marked fields, or
    is the refusal itself when it names no field."""
    if errors and set(errors) == {NON_FIELD_ERRORS}:
        message = " ".join(errors[NON_FIELD_ERRORS])
    else:
        message = _("Not saved: please correct the marked fields.")
    return autosave_refused(code="invalid", message=message, errors=errors)


def saved_time(moment: dt.datetime, tzinfo: dt.tzinfo) -> str:
    """``saved_at`` of an autosave answer: the time of ``moment`` in ``tzinfo`` (the award's
    time zone) in the active language's format, ready for "Saved at {time}"."""
    return formats.time_format(timezone.localtime(moment, tzinfo), "TIME_FORMAT")


def saved_stamp(owner: HasTimezone, moment: dt.datetime) -> dict[str, str]:
    """``saved_at`` and ``saved_moment`` of an autosave answer: the time of ``moment`` in
    ``owner``'s (the award's) time zone, without and with the zone in words ("Saved at 4:36
    p.m. German time"), so that the page never shows the device's clock beside the award's."""
    return {
        "saved_at": saved_time(moment, owner.tzinfo),
        "saved_moment": time_in_words(owner, moment),
    }


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def session_ended() -> JsonResponse:
    return autosave_refused(
        code="session",
        message=_(
            "You are no longer logged in, so nothing was saved. Log in again in another "
            "tab, then come back here: your text is still on this page."
        ),
        status=403,
        final=True,
    )


def _csrf_failure(request: HttpRequest) -> HttpResponseBase | None:
    """Django's own CSRF check, run inside the view so that a JSON caller gets JSON."""
    return CsrfViewMiddleware(lambda _request: HttpResponse()).process_view(request, None, (), {})


def session_checked(view: Callable) -> Callable:
    """``login_required`` and CSRF protection that answer a JSON caller (an autosave or
    upload script) with 403 JSON instead of a login page, so that the script can tell the
    user to log in again in another tab without losing the page. A page post (no
    JavaScript) gets Django's usual CSRF refusal and login redirect."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        json = wants_json(request)
        refusal = _csrf_failure(request)
        if refusal is not None:
            return session_ended() if json else refusal
        if not request.user.is_authenticated:
            return session_ended() if json else redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper
