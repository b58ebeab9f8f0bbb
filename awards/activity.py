"""The award's change log in words: what each action is called, what each key of an
entry's data means, and what each entry is about, with a link to it.

Every app writes to the one log (``services.audit_log``), so the words for every action are
here, as strings. What an entry concerns and how a value reads can need another app's rows
(an entry's reference number, a juror's name) or choices (an entry's status): the app that
owns them registers a resolver or a formatter in its ``AppConfig.ready`` (through its
``cockpit.register``), so this app imports none of them. Each resolver runs one query for all
the entries of its kind on a page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils import formats
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .enums import AwardRoleKind, AwardStatus
from .models import AuditEntry, Award, Category, Criterion, Round, localized

ACTION_LABELS = {
    "award.status_changed": gettext_lazy("Status changed"),
    "award.role_granted": gettext_lazy("Role granted"),
    "award.updated": gettext_lazy("Settings changed"),
    "award.reference_prefix_changed": gettext_lazy("Reference prefix changed"),
    "category.created": gettext_lazy("Category added"),
    "category.updated": gettext_lazy("Category changed"),
    "category.deleted": gettext_lazy("Category deleted"),
    "criterion.created": gettext_lazy("Criterion added"),
    "criterion.updated": gettext_lazy("Criterion changed"),
    "criterion.deleted": gettext_lazy("Criterion deleted"),
    "round.created": gettext_lazy("Round added"),
    "round.updated": gettext_lazy("Round changed"),
    "round.deleted": gettext_lazy("Round deleted"),
    # The entries, the messages, the jury and the results write to the same log.
    "submission.created": gettext_lazy("Draft started"),
    "submission.submitted": gettext_lazy("Entry submitted"),
    "submission.withdrawn": gettext_lazy("Entry withdrawn"),
    "submission.renumbered": gettext_lazy("Reference number changed"),
    "submission.reopened": gettext_lazy("Entry reopened as a draft"),
    "submission.eligibility": gettext_lazy("Eligibility decided"),
    "submission.deadline_extended": gettext_lazy("Individual deadline changed"),
    "question.created": gettext_lazy("Question added to the application form"),
    "question.updated": gettext_lazy("Question of the application form changed"),
    "question.deleted": gettext_lazy("Question deleted from the application form"),
    "question.retired": gettext_lazy("Question hidden for new entries"),
    "question.restored": gettext_lazy("Question shown for new entries again"),
    "form.reordered": gettext_lazy("Application form reordered"),
    "form.standard_added": gettext_lazy("Standard application form added"),
    "form.copied": gettext_lazy("Application form copied from another edition"),
    "attachment.added": gettext_lazy("File added"),
    "attachment.deleted": gettext_lazy("File deleted"),
    "mail_template.saved": gettext_lazy("Mail template changed"),
    "mail_template.reset": gettext_lazy("Mail template reset to the default"),
    "announcement.created": gettext_lazy("Announcement sent"),
    "announcement.resumed": gettext_lazy("Announcement resumed"),
    "jury.invited": gettext_lazy("Juror invited"),
    "jury.invitation_accepted": gettext_lazy("Jury invitation accepted"),
    "jury.invitation_declined": gettext_lazy("Jury invitation declined"),
    "jury.invitation_revoked": gettext_lazy("Jury invitation withdrawn"),
    "jury.confidentiality_confirmed": gettext_lazy("Confidentiality confirmed"),
    "jury.conflicts_declared": gettext_lazy("Conflicts of interest declared"),
    "jury.conflict_recorded": gettext_lazy("Conflict of interest recorded"),
    "jury.assignments_dropped_for_conflict": gettext_lazy("Assignments removed for a conflict"),
    "jury.ballot_entries_dropped_for_conflict": gettext_lazy(
        "Entries removed from a ballot for a conflict"
    ),
    "jury.juror_changed": gettext_lazy("Juror changed"),
    "jury.juror_removed": gettext_lazy("Juror removed"),
    "jury.assignments_computed": gettext_lazy("Assignments computed"),
    "jury.assignment_added": gettext_lazy("Assignment added"),
    "jury.assignment_removed": gettext_lazy("Assignment removed"),
    "jury.calibration_entries_set": gettext_lazy("Calibration entries chosen"),
    "jury.calibration_assigned": gettext_lazy("Calibration entries assigned"),
    "jury.reminded": gettext_lazy("Jurors reminded"),
    "review.submitted": gettext_lazy("Review submitted"),
    "review.reopened": gettext_lazy("Review reopened"),
    "ballot.submitted": gettext_lazy("Ballot submitted"),
    "round.opened": gettext_lazy("Round opened"),
    "round.reopened": gettext_lazy("Round reopened"),
    "round.closed": gettext_lazy("Round closed"),
    "round.shortlist_taken": gettext_lazy("Shortlist taken"),
    "decision.confirmed": gettext_lazy("Decision confirmed"),
    "decision.reopened": gettext_lazy("Decision reopened"),
    "decision.presented": gettext_lazy("Jury statement or visibility changed"),
    "results.scheduled": gettext_lazy("Publication scheduled"),
    "results.unscheduled": gettext_lazy("Publication cancelled"),
    "results.published": gettext_lazy("Results published"),
    "results.report_requested": gettext_lazy("Edition report requested"),
    "feedback.reviewed": gettext_lazy("Feedback to an applicant reviewed"),
    "feedback.approved_pending": gettext_lazy("Feedback to the applicants approved"),
    "feedback.settings_changed": gettext_lazy("Feedback settings changed"),
    "feedback.released": gettext_lazy("Feedback to the applicants released"),
    "webhook.created": gettext_lazy("Webhook endpoint added"),
    "webhook.updated": gettext_lazy("Webhook endpoint changed"),
    "webhook.deleted": gettext_lazy("Webhook endpoint deleted"),
    "webhook.secret_rotated": gettext_lazy("Signing secret of a webhook endpoint renewed"),
    "webhook.enabled": gettext_lazy("Webhook endpoint enabled again"),
    "webhook.redelivered": gettext_lazy("Webhook delivery sent again"),
    "api.token_created": gettext_lazy("API token created"),
    "api.token_revoked": gettext_lazy("API token revoked"),
}

# What the keys of the entries' data mean (the services of every app write them).
KEY_LABELS = {
    "account": gettext_lazy("Account"),
    "after": gettext_lazy("After"),
    "assignments": gettext_lazy("Assignments"),
    "assignments_removed": gettext_lazy("Assignments removed"),
    "audience": gettext_lazy("Recipients"),
    "before": gettext_lazy("Before"),
    "body": gettext_lazy("Text"),
    "by": gettext_lazy("By"),
    "categories": gettext_lazy("Categories"),
    "category": gettext_lazy("Category"),
    "created": gettext_lazy("Added"),
    "deadline_extended_until": gettext_lazy("Individual jury deadline"),
    "description_de": capfirst(gettext_lazy("meaning (German)")),
    "description_en": capfirst(gettext_lazy("meaning (English)")),
    "departures": gettext_lazy("Places that depart from the ranking"),
    "drafts": gettext_lazy("Drafts"),
    "email": gettext_lazy("Email address"),
    "entries": gettext_lazy("Entries"),
    "entries_seen": gettext_lazy("Entries declared on"),
    "events": gettext_lazy("Events"),
    "expanded": gettext_lazy("Recipients prepared"),
    "from": gettext_lazy("From"),
    "from_round": gettext_lazy("From round"),
    "high": capfirst(gettext_lazy("to score")),
    "incomplete_chosen": gettext_lazy("Chosen entries with fewer reviews than required"),
    "skipped": gettext_lazy("Skipped (reminded shortly before)"),
    "forced": gettext_lazy("Reminded anyway"),
    "juror": gettext_lazy("Juror"),
    "jurors": gettext_lazy("Jurors"),
    "justification": gettext_lazy("Justification"),
    "kept": gettext_lazy("Kept"),
    "key": gettext_lazy("Mail"),
    "language": gettext_lazy("Language"),
    "low": capfirst(gettext_lazy("from score")),
    "mails": gettext_lazy("Mails"),
    "max_assignments": gettext_lazy("Most entries to review"),
    "mentions": gettext_lazy("Special mentions"),
    "missing_reviews": gettext_lazy("Missing reviews"),
    "name": gettext_lazy("Name"),
    "number": gettext_lazy("Number"),
    "organisation": gettext_lazy("Organisation"),
    "place": gettext_lazy("Place"),
    "places": gettext_lazy("Places"),
    "public": capfirst(gettext_lazy("shown on the public results")),
    "ranking": gettext_lazy("Ranking"),
    "reason": gettext_lazy("Reason"),
    "reference": gettext_lazy("Reference number"),
    "removed": gettext_lazy("Removed"),
    "review": gettext_lazy("Review"),
    "role": gettext_lazy("Role"),
    "round": gettext_lazy("Round"),
    "rounds": gettext_lazy("Rounds"),
    "scheduled_for": gettext_lazy("Scheduled for"),
    "score_levels": capfirst(gettext_lazy("score levels")),
    "scores": gettext_lazy("Scores"),
    "short": gettext_lazy("Entries short of reviews"),
    "size": gettext_lazy("Size"),
    "snapshot": gettext_lazy("Fingerprint of the frozen ranking"),
    "statement": gettext_lazy("Statement"),
    "statement_de": capfirst(gettext_lazy("jury statement (German)")),
    "statement_en": capfirst(gettext_lazy("jury statement (English)")),
    "subject": gettext_lazy("Subject"),
    "submission": gettext_lazy("Entry"),
    "submissions": gettext_lazy("Entries"),
    "submitted": gettext_lazy("Submitted"),
    "to": gettext_lazy("To"),
    "total": gettext_lazy("Recipients"),
    "url": gettext_lazy("Address (URL)"),
    "user": gettext_lazy("User"),
}
CHANGE_LABEL = gettext_lazy("Change")

# Keys whose values are entry ids (one, or a list); ``SUBMISSION_KEYED`` maps entry ids to a
# value. ``references`` is the entry's own id → reference map (shown through the others).
SUBMISSION_KEYS = frozenset(
    {"places", "mentions", "incomplete_chosen", "submission", "submissions"}
)
SUBMISSION_KEYED = frozenset({"short", "ranking", "references"})
HIDDEN_KEYS = frozenset({"references"})


# --- What apps register ------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What an entry concerns, by name, and the page that shows it ("" when there is none,
    e.g. after it was deleted)."""

    name: str
    url: str = ""

    def __str__(self) -> str:
        return self.name


TargetResolver = Callable[[Award, list[AuditEntry]], Mapping[str, Target]]
EntryNamer = Callable[[Award, set[int]], Mapping[int, str]]
ValueFormatter = Callable[[Any], str]

_TARGETS: dict[str, TargetResolver] = {}
_ENTRY_NAMERS: list[EntryNamer] = []
_FORMATTERS: dict[tuple[str, str], ValueFormatter] = {}


def target_register(object_type: str, resolver: TargetResolver) -> None:
    """``resolver(award, entries)`` names the objects of ``object_type`` (a model's
    ``label_lower``, e.g. ``"jury.review"``) that ``entries`` concern: object id → Target,
    in one query. Ids it leaves out are shown by the name in the entry's data, or by number."""
    _TARGETS[object_type] = resolver


def entry_names_register(namer: EntryNamer) -> None:
    """``namer(award, ids)`` gives the award's entries of ``ids`` their names (reference
    number, or title of a draft), in one query; the log shows them for entry ids."""
    if namer not in _ENTRY_NAMERS:
        _ENTRY_NAMERS.append(namer)


def value_format_register(action_prefix: str, key: str, formatter: ValueFormatter) -> None:
    """Show the value of ``key`` in the entries whose action starts with ``action_prefix``
    (``""`` for all) as ``formatter(value)`` says."""
    _FORMATTERS[(action_prefix, key)] = formatter


def value_labels_register(action_prefix: str, key: str, choices: Iterable[tuple[Any, Any]]) -> None:
    """Show the value of ``key`` by the label of its choice (e.g. a status)."""
    labels = dict(choices)
    value_format_register(action_prefix, key, lambda value: str(labels.get(value, value)))


def _language_name(value: Any) -> str:
    return str(dict(settings.LANGUAGES).get(value, value))


value_labels_register("award.", "from", AwardStatus.choices)
value_labels_register("award.", "to", AwardStatus.choices)
value_labels_register("award.", "role", AwardRoleKind.choices)
value_format_register("", "language", _language_name)


# --- Names --------------------------------------------------------------------------------


@dataclass
class LogNames:
    """The names a page of the log needs: entries (by id) and the award's criteria."""

    entries: dict[int, str] = field(default_factory=dict)
    criteria: dict[int, str] = field(default_factory=dict)


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _entry_ids(value: Any, key: str, found: set[int]) -> None:
    """Collect the entry ids in ``value`` (found under ``key``), recursively."""
    if key in SUBMISSION_KEYS:
        for item in value if isinstance(value, list) else [value]:
            pk = _as_id(item)
            if pk is not None:
                found.add(pk)
        return
    if key in SUBMISSION_KEYED and isinstance(value, dict):
        found.update(pk for pk in map(_as_id, value) if pk is not None)
        return
    if isinstance(value, dict):
        for inner_key, inner in value.items():
            _entry_ids(inner, inner_key, found)
    elif isinstance(value, list):
        for item in value:
            _entry_ids(item, key, found)


def log_names(award: Award, entries: Iterable[AuditEntry]) -> LogNames:
    """The names ``entries`` refer to by id: one query per registered namer (when an entry
    names an entry by id), and the award's criteria (when one shows scores; prefetched by
    ``selectors.award_with_structure``)."""
    names = LogNames()
    wanted: set[int] = set()
    scores = False
    for entry in entries:
        data = entry.data or {}
        _entry_ids(data, "", wanted)
        scores = scores or "scores" in data
    if wanted:
        for namer in _ENTRY_NAMERS:
            names.entries.update(namer(award, wanted))
    if scores:
        names.criteria = {criterion.pk: criterion.name for criterion in award.criteria.all()}
    return names


# --- Values in words ----------------------------------------------------------------------


def key_label(key: str) -> str:
    label = KEY_LABELS.get(key)
    return str(label) if label is not None else capfirst(str(key).replace("_", " "))


def _moment(text: Any) -> dt.datetime | None:
    if not isinstance(text, str) or len(text) < 19 or text[4] != "-" or "T" not in text:
        return None
    try:
        return parse_datetime(text)
    except ValueError:
        return None


class Words:
    """Reads the values of one entry's data as a person does: labelled keys, names for ids,
    choices by their label, moments in the award's time zone."""

    def __init__(self, tz, names: LogNames | None = None, action: str = "", references=None):
        self.tz = tz
        self.names = names or LogNames()
        self.action = action
        self.references = {
            pk: str(ref)
            for pk, ref in ((_as_id(k), v) for k, v in (references or {}).items())
            if pk is not None and ref
        }

    def entry(self, value: Any) -> str:
        pk = _as_id(value)
        if pk is None:
            return self.plain(value)
        name = self.references.get(pk) or self.names.entries.get(pk)
        return name or _("entry no. %(number)s") % {"number": pk}

    def formatter(self, key: str) -> ValueFormatter | None:
        best: tuple[int, ValueFormatter] | None = None
        for (prefix, name), formatter in _FORMATTERS.items():
            if (
                name == key
                and self.action.startswith(prefix)
                and (best is None or len(prefix) > best[0])
            ):
                best = (len(prefix), formatter)
        return best[1] if best else None

    def value(self, key: str, value: Any) -> str:
        if value is None or value == "" or value == [] or value == {}:
            return "–"
        formatter = self.formatter(key)
        if formatter is not None and not isinstance(value, dict | list):
            return formatter(value)
        if key in SUBMISSION_KEYS:
            if isinstance(value, list):
                return ", ".join(self.entry(item) for item in value)
            return self.entry(value)
        if key in SUBMISSION_KEYED and isinstance(value, dict):
            return "; ".join(f"{self.entry(k)}: {self.value('', v)}" for k, v in value.items())
        if key == "scores" and isinstance(value, dict):
            return "; ".join(f"{self.criterion(k)}: {self.value('', v)}" for k, v in value.items())
        if isinstance(value, list):
            return ", ".join(self.value(key, item) for item in value)
        if isinstance(value, dict):
            return "; ".join(
                f"{key_label(k)}: {self.value(k, v)}"
                for k, v in value.items()
                if k not in HIDDEN_KEYS
            )
        return self.plain(value)

    def criterion(self, value: Any) -> str:
        pk = _as_id(value)
        name = self.names.criteria.get(pk) if pk is not None else None
        return name or _("criterion no. %(number)s") % {"number": value}

    def plain(self, value: Any) -> str:
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        moment = _moment(value)
        if moment is not None and moment.tzinfo is not None:
            return formats.date_format(moment.astimezone(self.tz), "DATETIME_FORMAT")
        if isinstance(value, int | float):
            return formats.number_format(value)
        return str(value)


# --- What an entry concerns ------------------------------------------------------------------

_STRUCTURE = {model._meta.label_lower: model for model in (Category, Criterion, Round)}


def kind_label(object_type: str) -> str:
    """The name of the kind of object an entry concerns ("Category", "Review")."""
    try:
        return capfirst(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def _fallback_name(entry: AuditEntry) -> str:
    """The name the entry's own data gives its object (it may be deleted), else its number."""
    data = entry.data or {}
    changes = data.get("changes") if isinstance(data.get("changes"), dict) else {}
    if "name_de" in changes or "name_en" in changes:
        names = {}
        for field_name in ("name_de", "name_en"):
            change = changes.get(field_name)
            if isinstance(change, dict):
                names[field_name] = change.get("before") or change.get("after") or ""
            else:
                names[field_name] = ""
        name = localized(SimpleNamespace(**names), "name")
        if name:
            return name
    for key in ("name", "reference", "email", "user", "subject"):
        if isinstance(data.get(key), str) and data[key]:
            return data[key]
    return f"#{entry.object_id}"


def _award_url(award: Award, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"slug": award.slug, **kwargs})


def _structure_targets(award: Award, entries: list[AuditEntry]) -> dict[tuple[str, str], Target]:
    """The award itself and its categories, criteria and rounds (from the prefetched
    structure, or one query per kind), each linked to where it is changed or used."""
    targets: dict[tuple[str, str], Target] = {}
    kinds = {entry.object_type for entry in entries}
    objects: dict[str, dict[str, Any]] = {}
    for label, related in (
        ("awards.category", "categories"),
        ("awards.criterion", "criteria"),
        ("awards.round", "rounds"),
    ):
        if label in kinds:
            objects[label] = {str(obj.pk): obj for obj in getattr(award, related).all()}
    for entry in entries:
        key = (entry.object_type, entry.object_id)
        action = entry.action
        if entry.object_type == "awards.award":
            if action.startswith("results."):
                url = _award_url(award, "results_manage:publication")
            elif action == "award.status_changed":
                url = _award_url(award, "awards:manage") + "#status"
            elif action.startswith("jury."):
                url = _award_url(award, "jury_manage:jurors")
            elif action.startswith("feedback."):
                url = _award_url(award, "results_manage:feedback")
            else:
                url = _award_url(award, "awards:settings")
            targets[key] = Target(str(award), url)
            continue
        obj = objects.get(entry.object_type, {}).get(entry.object_id)
        if obj is None:
            continue
        if action.startswith("decision."):
            # The category's ranking page, where the decision stands (a decision's target
            # is the category or the decision itself).
            category_id = obj.pk if isinstance(obj, Category) else getattr(obj, "category_id", None)
            url = (
                _award_url(award, "results_manage:category", category=category_id)
                if category_id
                else _award_url(award, "results_manage:overview")
            )
        elif isinstance(obj, Category):
            url = _award_url(award, "awards:category_update", pk=obj.pk)
        elif isinstance(obj, Criterion):
            url = _award_url(award, "awards:criterion_update", pk=obj.pk)
        elif action == "jury.assignments_computed":
            url = _award_url(award, "jury_manage:assignments", number=obj.number)
        elif action == "jury.reminded":
            url = _award_url(award, "jury_manage:progress", number=obj.number)
        else:
            url = _award_url(award, "results_manage:round", number=obj.number)
        targets[key] = Target(str(obj), url)
    return targets


def targets_for(award: Award, entries: list[AuditEntry]) -> dict[tuple[str, str], Target]:
    """(object type, id) → what each of ``entries`` concerns: one resolver call (one query)
    per kind of object among them, whatever the number of entries."""
    targets = _structure_targets(award, entries)
    by_kind: dict[str, list[AuditEntry]] = {}
    for entry in entries:
        by_kind.setdefault(entry.object_type, []).append(entry)
    for object_type, kind_entries in by_kind.items():
        resolver = _TARGETS.get(object_type)
        if resolver is None:
            continue
        for object_id, target in resolver(award, kind_entries).items():
            targets[(object_type, str(object_id))] = target
    for entry in entries:
        targets.setdefault((entry.object_type, entry.object_id), Target(_fallback_name(entry)))
    return targets


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else _("Other change")


def _field_names(entry: AuditEntry) -> list[str]:
    model = _STRUCTURE.get(entry.object_type) or (
        Award if entry.object_type == "awards.award" else None
    )
    names = []
    for name in (entry.data or {}).get("changes", {}):
        try:
            label = model._meta.get_field(name).verbose_name if model else key_label(name)
        except FieldDoesNotExist:
            label = key_label(name)
        names.append(str(label))
    return names


def activity_rows(award: Award, entries: Iterable[AuditEntry]) -> list[dict[str, Any]]:
    """The latest changes as the overview shows them: who, when, the action in words, what
    it concerns (with a link) and the fields a structure change touched."""
    entries = list(entries)
    targets = targets_for(award, entries)
    return [
        {
            "entry": entry,
            "label": action_label(entry.action),
            "kind": kind_label(entry.object_type),
            "target": targets[(entry.object_type, entry.object_id)],
            "fields": _field_names(entry),
        }
        for entry in entries
    ]
