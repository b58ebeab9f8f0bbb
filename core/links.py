"""Links built from what users typed, and links that carry a way back."""

from django.http import QueryDict
from django.shortcuts import resolve_url


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
