"""The award's whole change log (Änderungsprotokoll) for its organisers, newest first, with
the result of checking the hash chain: "intact", or the entries that no longer match.

Only organisers reach it (permission "awards.manage_award"); everyone else gets a 404. The
page reads the log of this award only, in words (``awards.activity``): the names of the
award's own categories, criteria and rounds are looked up in one query each; the names of
entries, jurors, reviews and mails through the resolvers their apps register (this app does
not read their tables), one query per kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse

from .activity import (
    CHANGE_LABEL,
    HIDDEN_KEYS,
    LogNames,
    Words,
    action_label,
    key_label,
    kind_label,
    log_names,
    targets_for,
)
from .models import AuditEntry, Award, Category, Criterion, Round
from .services import audit_verify
from .views_base import OrganiserView

PER_PAGE = 50
STRUCTURE_MODELS = {model._meta.label_lower: model for model in (Award, Category, Criterion, Round)}


@dataclass(frozen=True)
class DataLine:
    """One readable line of an entry's data: a plain value, or a change from before to
    after."""

    key: str
    value: str = ""
    before: str = ""
    after: str = ""
    change: bool = False


def readable(value: Any, tz) -> str:
    """A JSON value as a person reads it (the template escapes it)."""
    return Words(tz).value("", value)


def _is_change(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and set(value) <= {"before", "after"}


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _field_value(field, words: Words, name: str, value: Any) -> str:
    """A field's value as the form shows it: a choice by its label."""
    choices = dict(field.flatchoices) if field is not None and field.choices else None
    if choices is not None and value in choices:
        return str(choices[value])
    return words.value(name, value)


def data_lines(
    data: dict, tz, model=None, *, names: LogNames | None = None, action: str = ""
) -> list[DataLine]:
    """The entry's data, line by line, in words: field changes ({"changes": {field: {before,
    after}}}) as "before → after" named as the ``model``'s fields, a change of the whole
    (``before`` and ``after`` side by side) as one line, the rest as key: value; keys by
    their label, entries by their reference number (``names``), criteria by their name,
    choices (a status, a role) by their label, moments in ``tz``."""
    data = data or {}
    words = Words(tz, names, action, references=data.get("references"))
    whole_change = "before" in data and "after" in data
    lines = []
    for key, value in data.items():
        if key in HIDDEN_KEYS or (whole_change and key == "after"):
            continue
        if whole_change and key == "before":
            lines.append(
                DataLine(
                    key=str(CHANGE_LABEL),
                    before=words.value("", value),
                    after=words.value("", data["after"]),
                    change=True,
                )
            )
        elif key == "changes" and isinstance(value, dict):
            for field_name, change in value.items():
                field = _field(model, field_name)
                name = str(field.verbose_name) if field is not None else key_label(field_name)
                if _is_change(change):
                    lines.append(
                        DataLine(
                            key=name,
                            before=_field_value(field, words, field_name, change.get("before")),
                            after=_field_value(field, words, field_name, change.get("after")),
                            change=True,
                        )
                    )
                else:
                    lines.append(
                        DataLine(key=name, value=_field_value(field, words, field_name, change))
                    )
        elif _is_change(value):
            lines.append(
                DataLine(
                    key=key_label(key),
                    before=words.value(key, value.get("before")),
                    after=words.value(key, value.get("after")),
                    change=True,
                )
            )
        else:
            lines.append(DataLine(key=key_label(key), value=words.value(key, value)))
    return lines


class AuditLogView(OrganiserView):
    permission_required = "awards.manage_award"

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        award = self.award
        broken = audit_verify(award=award)
        paginator = Paginator(
            AuditEntry.objects.filter(award=award).select_related("actor").order_by("-pk"),
            PER_PAGE,
        )
        wanted = request.GET.get("entry", "")
        number = request.GET.get("page")
        if wanted.isdigit():
            # A link to one entry (e.g. from a frozen ranking): the page that holds it.
            newer = AuditEntry.objects.filter(award=award, pk__gt=int(wanted)).count()
            number = newer // PER_PAGE + 1
        page = paginator.get_page(number)
        entries = list(page.object_list)
        targets = targets_for(award, entries)
        names = log_names(award, entries)
        broken_ids = {entry.pk for entry in broken}
        tz = award.tzinfo
        rows = [
            {
                "entry": entry,
                "label": action_label(entry.action),
                "kind": kind_label(entry.object_type),
                "target": targets[(entry.object_type, entry.object_id)].name,
                "lines": data_lines(
                    entry.data,
                    tz,
                    STRUCTURE_MODELS.get(entry.object_type),
                    names=names,
                    action=entry.action,
                ),
                "broken": entry.pk in broken_ids,
            }
            for entry in entries
        ]
        return self.render(
            "awards/audit_log.html",
            {
                "page": page,
                "rows": rows,
                "broken": [
                    {
                        "entry": entry,
                        "label": action_label(entry.action),
                    }
                    for entry in broken
                ],
            },
        )
