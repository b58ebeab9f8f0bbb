"""schema.org structured data (JSON-LD) for public pages, safe to put into HTML.

What a user typed (a company name, a title, a jury statement) ends up in these scripts, so the
JSON is escaped for the HTML it sits in: ``<``, ``>`` and ``&`` become ``\\u003c``, ``\\u003e``
and ``\\u0026`` (a ``</script>`` in a title cannot end the script), and the two line
separators JavaScript treats as line ends are escaped too. The result is still the same
JSON to any parser. Builders take plain values (no models): the apps compose them.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.safestring import SafeString, mark_safe

CONTEXT = "https://schema.org"

_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    ord("\u2028"): "\\u2028",
    ord("\u2029"): "\\u2029",
}


def dumps(data: Any) -> str:
    """``data`` as JSON with nothing in it that HTML would read as markup."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_ESCAPES)


def script(data: dict[str, Any]) -> SafeString:
    """The ``<script type="application/ld+json">`` element for ``data`` (a data block, which
    browsers never run; a Content-Security-Policy does not apply to it)."""
    return mark_safe(f'<script type="application/ld+json">{dumps(data)}</script>')  # noqa: S308


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Leaves out the keys without a value (schema.org has no use for empty strings)."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def organization(*, name: str, award: str = "", url: str = "") -> dict[str, Any]:
    return _clean({"@type": "Organization", "name": name, "award": award, "url": url})


def event(
    *, name: str, url: str, organiser: str, start: str = "", description: str = ""
) -> dict[str, Any]:
    """An edition of an award, as the event it is (``start``: ISO 8601)."""
    return _clean(
        {
            "@type": "Event",
            "name": name,
            "url": url,
            "startDate": start,
            "description": description,
            "organizer": organization(name=organiser),
        }
    )


def creative_work(
    *,
    name: str,
    url: str,
    award: str,
    creator: dict[str, Any],
    abstract: str = "",
    image: str = "",
) -> dict[str, Any]:
    """An entry: the project, the award it received and the company behind it."""
    return _clean(
        {
            "@type": "CreativeWork",
            "name": name,
            "url": url,
            "award": award,
            "abstract": abstract,
            "image": image,
            "creator": creator,
        }
    )


def item_list(*, name: str, url: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """An ordered list of things (positions from 1)."""
    return _clean(
        {
            "@type": "ItemList",
            "name": name,
            "url": url,
            "itemListElement": [
                {"@type": "ListItem", "position": number, "item": item}
                for number, item in enumerate(items, start=1)
            ],
        }
    )


def graph(*nodes: dict[str, Any]) -> dict[str, Any]:
    """Several things on one page, in one script."""
    return {"@context": CONTEXT, "@graph": list(nodes)}
