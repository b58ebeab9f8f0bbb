"""A deliberately tiny template language for mails: ``{{ name }}`` and nothing else.

Organisers edit mail texts, so the texts are untrusted: there are no tags, no filters and no
attribute access (``{{ user.password }}`` is not a name), and every value is a plain string
prepared before rendering. In the HTML part every value is escaped, so a submission titled
``<a href="…">`` or ``[click](…)`` shows as literal text, never as a link; only the
placeholders that carry our own URLs become links.
"""

import re
from collections.abc import Iterable, Mapping

from django.utils.html import escape
from django.utils.translation import gettext as _

PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
FORBIDDEN = re.compile(r"\{%|%\}|\{#|#\}")


def template_errors(text: str, allowed: Iterable[str]) -> list[str]:
    """What is wrong with ``text`` as a mail template with the ``allowed`` placeholders."""
    allowed = set(allowed)
    errors: list[str] = []
    if FORBIDDEN.search(text):
        errors.append(
            _("Template tags and comments ({% … %}, {# … #}) are not allowed; use placeholders.")
        )
    for match in PLACEHOLDER.finditer(text):
        name = match.group(1).strip()
        if not NAME.match(name):
            errors.append(
                _("“%(text)s” is not a placeholder: only plain names such as {{ award_name }}.")
                % {"text": match.group(0)}
            )
        elif name not in allowed:
            errors.append(
                _("Unknown placeholder {{ %(name)s }}. Allowed: %(allowed)s.")
                % {"name": name, "allowed": ", ".join(sorted(allowed))}
            )
    stripped = PLACEHOLDER.sub("", text)
    if "{{" in stripped or "}}" in stripped:
        errors.append(_("A placeholder is not closed: write {{ name }}."))
    return list(dict.fromkeys(errors))


# What may follow an empty placeholder without the blank before it: "Guten Tag {{ name }},"
# with no name reads "Guten Tag,", never "Guten Tag ,".
_CLOSES = frozenset(",.;:!?)\n")
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")


def _substitute(template: str, values: Mapping[str, str]) -> str:
    out: list[str] = []
    position = 0
    for match in PLACEHOLDER.finditer(template):
        out.append(template[position : match.start()])
        value = values.get(match.group(1).strip(), "")
        following = template[match.end() : match.end() + 1]
        if not value and (following == "" or following in _CLOSES):
            out[-1] = out[-1].rstrip(" \t")
        out.append(value)
        position = match.end()
    out.append(template[position:])
    return "".join(out)


def render_text(template: str, values: Mapping[str, str]) -> str:
    """The text with every placeholder replaced (each value once, never evaluated).

    An empty value takes the blank before it along when punctuation or the line's end
    follows, and a paragraph left empty leaves no gap: between paragraphs there is never
    more than one blank line, and none at the start or the end.
    """
    text = _substitute(template.replace("\r\n", "\n"), values).replace("\r\n", "\n")
    return _BLANK_LINES.sub("\n\n", text).strip("\n")


def render_subject(template: str, values: Mapping[str, str]) -> str:
    # A header is one line: no value may smuggle in a line break (header injection).
    return " ".join(_substitute(template, values).split())[:255]


def render_html(template: str, values: Mapping[str, str], link_names: Iterable[str]) -> str:
    """Paragraphs from blank lines, line breaks kept, everything escaped."""
    link_names = set(link_names)

    def piece(match: re.Match) -> str:
        name = match.group(1).strip()
        value = values.get(name, "")
        if name in link_names and value.startswith(("https://", "http://")):
            return f'<a href="{escape(value)}">{escape(value)}</a>'
        return escape(value)

    template = template.replace("\r\n", "\n")
    out: list[str] = []
    position = 0
    for match in PLACEHOLDER.finditer(template):
        out.append(escape(template[position : match.start()]))
        rendered = piece(match)
        following = template[match.end() : match.end() + 1]
        if not rendered and (following == "" or following in _CLOSES):
            out[-1] = out[-1].rstrip(" \t")
        out.append(rendered)
        position = match.end()
    out.append(escape(template[position:]))
    html = "".join(out).replace("\r\n", "\n")
    paragraphs = [p.strip().replace("\n", "<br>\n") for p in re.split(r"\n\s*\n", html)]
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs if p)
    return (
        '<!doctype html><html><body style="font-family: sans-serif; line-height: 1.5">'
        f"{body}</body></html>"
    )
