"""Links built from what users typed, and links that carry a way back."""

from django.http import HttpRequest, QueryDict
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_link(url: str | None) -> str | None:
    """``url`` if it is a web address that may be a link; anything else (``javascript:``,
    ``data:``, a bare word) is shown as text, never as a link."""
    url = (url or "").strip()
    return url if url.lower().startswith(("http://", "https://")) else None


def with_next(url_name: str, next_url: str, **kwargs) -> str:
    """The address of ``url_name`` with ``?next=next_url``, to come back after a detour
    (login, a company profile to create first)."""
    query = QueryDict(mutable=True)
    query["next"] = next_url
    return f"{resolve_url(url_name, **kwargs)}?{query.urlencode(safe='/')}"


def safe_next(request: HttpRequest, candidate: object = None) -> str:
    """``candidate`` (by default ``next`` from the form, then the query) if it is an address
    on this site, else "": the one check of every "come back to" address, so that no link
    leads off the site (an open redirect)."""
    if candidate is None:
        candidate = request.POST.get("next") or request.GET.get("next") or ""
    if isinstance(candidate, str) and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""
