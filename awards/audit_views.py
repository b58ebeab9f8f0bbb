"""The award's whole change log (Änderungsprotokoll) for its organisers, newest first, with
the result of checking the hash chain: "intact", or the entries that no longer match.

Only organisers reach it (permission "awards.manage_award"); everyone else gets a 404. The
page reads the log of this award only; names of the award's own categories, criteria and
rounds are looked up in one query each, other targets are shown by kind and number (this app
does not read the jury's tables).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils import formats
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .models import AuditEntry, Award, Category, Criterion, Round
from .services import audit_verify
from .views import AUDIT_ACTION_LABELS
from .views_base import OrganiserView

PER_PAGE = 50
NAMED_TARGETS = {model._meta.label_lower: model for model in (Category, Criterion, Round)}
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


def _moment(text: str) -> dt.datetime | None:
    if not isinstance(text, str) or len(text) < 19 or text[4] != "-" or "T" not in text:
        return None
    try:
        return parse_datetime(text)
    except ValueError:
        return None


def readable(value: Any, tz) -> str:
    """A JSON value as a person reads it (the template escapes it)."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(readable(item, tz) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {readable(item, tz)}" for key, item in value.items())
    moment = _moment(value)
    if moment is not None and moment.tzinfo is not None:
        return formats.date_format(moment.astimezone(tz), "DATETIME_FORMAT")
    return str(value)


def _is_change(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and set(value) <= {"before", "after"}


def _field_label(model, name: str) -> str:
    if model is None:
        return name
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def data_lines(data: dict, tz, model=None) -> list[DataLine]:
    """The entry's data, line by line: field changes ({"changes": {field: {before, after}}})
    as "before → after" (named as the ``model``'s fields), the rest as key: value."""
    lines = []
    for key, value in (data or {}).items():
        if key == "changes" and isinstance(value, dict):
            for field_name, change in value.items():
                name = _field_label(model, field_name)
                if _is_change(change):
                    lines.append(
                        DataLine(
                            key=name,
                            before=readable(change.get("before"), tz),
                            after=readable(change.get("after"), tz),
                            change=True,
                        )
                    )
                else:
                    lines.append(DataLine(key=name, value=readable(change, tz)))
        elif _is_change(value):
            lines.append(
                DataLine(
                    key=key,
                    before=readable(value.get("before"), tz),
                    after=readable(value.get("after"), tz),
                    change=True,
                )
            )
        else:
            lines.append(DataLine(key=key, value=readable(value, tz)))
    return lines


def _target_names(entries: list[AuditEntry]) -> dict[tuple[str, str], str]:
    """(object type, id) → name, for the award's own structure (one query per kind)."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        if entry.object_type in NAMED_TARGETS and entry.object_id.isdigit():
            wanted.setdefault(entry.object_type, set()).add(int(entry.object_id))
    names = {}
    for label, ids in wanted.items():
        for obj in NAMED_TARGETS[label].objects.filter(pk__in=ids):
            names[(label, str(obj.pk))] = str(obj)
    return names


def _kind(object_type: str) -> str:
    try:
        return capfirst(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


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
        names = _target_names(entries)
        broken_ids = {entry.pk for entry in broken}
        tz = award.tzinfo
        rows = [
            {
                "entry": entry,
                "label": AUDIT_ACTION_LABELS.get(entry.action, entry.action),
                "kind": award._meta.verbose_name.capitalize()
                if entry.object_type == award._meta.label_lower
                else _kind(entry.object_type),
                "target": str(award)
                if entry.object_type == award._meta.label_lower
                else names.get((entry.object_type, entry.object_id), f"#{entry.object_id}"),
                "lines": data_lines(entry.data, tz, STRUCTURE_MODELS.get(entry.object_type)),
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
                        "label": AUDIT_ACTION_LABELS.get(entry.action, entry.action),
                    }
                    for entry in broken
                ],
            },
        )
