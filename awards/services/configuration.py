"""Organisers configure an award: settings, timeline, categories, criteria and rounds."""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User

from ..enums import AwardStatus, RoundKind, RoundMethod, ScoreControl
from ..models import Award, Category, Criterion, Round, RubricLevel, embed_origins_parse
from .audit import audit_log

# --- Configuration: settings, categories, criteria, rounds ------------------------------
#
# Every function below locks the award row first (``select_for_update``), so a status change
# running at the same moment cannot slip between the "may this change?" check and the write,
# and re-reads the object it changes, so what the audit log calls "before" is what was stored.

AWARD_SETTINGS_FIELDS = (
    "name",
    "organiser_name",
    "description_de",
    "description_en",
    "currency",
    "timezone",
    "submissions_open_at",
    "submissions_close_at",
    "jury_deadline_at",
    "announcement_at",
    "mfa_required",
    "reviews_per_submission",
    "blind_review",
    "score_visibility",
    "private_notes",
    "confidentiality_de",
    "confidentiality_en",
    "criterion_comments",
    "applicant_feedback",
    "embed_origins",
    "ranking_normalisation",
    "ranking_aggregation",
    "tie_break_criterion",
    "places_per_category",
    "special_mentions",
    "jurors_see_ranking",
    "retention_months",
)
CATEGORY_FIELDS = (
    "code",
    "name_de",
    "name_en",
    "description_de",
    "description_en",
    "prize_amount",
    "max_entries_per_organisation",
    "position",
)
CRITERION_FIELDS = (
    "name_de",
    "name_en",
    "description_de",
    "description_en",
    "weight",
    "scale_min",
    "scale_max",
    "position",
    "score_control",
)
ROUND_FIELDS = ("number", "name_de", "name_en", "kind", "shortlist_size", "method", "deadline_at")

# The statuses in which each part of an award's structure may be added, changed or deleted.
# Categories: entries are filed under them, and the call for entries names them, so they are
# fixed once submissions close. Criteria: every entry must be judged against the same
# criteria, so they are fixed once submissions close and jurors may start scoring. Rounds:
# how the jury proceeds can still be adjusted while judging, until the award is decided.
STRUCTURE_EDITABLE_STATUSES: dict[str, frozenset[str]] = {
    "category": frozenset({AwardStatus.DRAFT, AwardStatus.OPEN}),
    "criterion": frozenset({AwardStatus.DRAFT, AwardStatus.OPEN}),
    "round": frozenset(
        {AwardStatus.DRAFT, AwardStatus.OPEN, AwardStatus.CLOSED, AwardStatus.JUDGING}
    ),
}


class StructureLockedError(ValidationError):
    """A change to categories, criteria or rounds that the award's status no longer allows."""


def structure_locked_reason(*, award: Award, part: str) -> str | None:
    """Why ``part`` ("category", "criterion" or "round") of ``award`` cannot change now;
    None while it can. The one place that states the rule, for services, views and pages."""
    if award.status in STRUCTURE_EDITABLE_STATUSES[part]:
        return None
    params = {
        "status": AwardStatus(award.status).label,
        "draft": AwardStatus.DRAFT.label,
        "open": AwardStatus.OPEN.label,
        "decided": AwardStatus.DECIDED.label,
    }
    if part == "category":
        return (
            _(
                "Categories can only be added, changed or deleted while the award is "
                "“%(draft)s” or “%(open)s”; it is “%(status)s” now."
            )
            % params
        )
    if part == "criterion":
        return (
            _(
                "Criteria can only be added, changed or deleted while the award is "
                "“%(draft)s” or “%(open)s”, so that every entry is judged against the same "
                "criteria; it is “%(status)s” now."
            )
            % params
        )
    return (
        _(
            "Rounds can no longer be added, changed or deleted once the award is "
            "“%(decided)s”; it is “%(status)s” now."
        )
        % params
    )


def _award_locked(award_id: int) -> Award:
    return Award.objects.select_for_update().get(pk=award_id)


def _ensure_editable(award: Award, part: str) -> None:
    reason = structure_locked_reason(award=award, part=part)
    if reason is not None:
        raise StructureLockedError(reason)


def _refuse_unknown_fields(function: str, fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        # A programming error, not a user's: the forms only offer the allowed fields.
        raise TypeError(f"{function}() cannot change {', '.join(unknown)}")


def _snapshot(instance: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """Field values as the log records them (a related object by its id)."""
    values = {name: getattr(instance, name) for name in fields}
    return {name: v.pk if isinstance(v, models.Model) else v for name, v in values.items()}


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{field: {"before": …, "after": …}}`` for the fields whose value differs."""
    return {
        name: {"before": before.get(name), "after": value}
        for name, value in after.items()
        if before.get(name) != value
    }


def _created(after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: {"before": None, "after": value} for name, value in after.items()}


def _deleted(before: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: {"before": value, "after": None} for name, value in before.items()}


def _validate(
    instance: Any, unique: dict[str, str], errors: dict[str, list[str]] | None = None
) -> None:
    """``full_clean()``, with each error next to the field concerned.

    Django reports a clash on a two-column unique constraint (award + code), or a broken
    check constraint, as an error of the whole form, worded for developers; organisers need
    it next to the field they typed. So the clashes are checked here, the callers pass the
    check-constraint errors in ``errors``, and ``full_clean`` then skips those fields.
    """
    errors = dict(errors or {})
    siblings = type(instance)._default_manager.filter(award_id=instance.award_id)
    if instance.pk is not None:
        siblings = siblings.exclude(pk=instance.pk)
    for name, message in unique.items():
        value = getattr(instance, name)
        if value not in (None, "") and siblings.filter(**{name: value}).exists():
            errors[name] = [message % {"value": value}]
    try:
        instance.full_clean(exclude=set(errors))
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _category_errors(category: Category) -> dict[str, list[str]]:
    limit = category.max_entries_per_organisation
    if limit is not None and limit < 1:
        return {"max_entries_per_organisation": [_("At least 1; leave it empty for no limit.")]}
    return {}


def _category_unique() -> dict[str, str]:
    return {
        "code": _("Another category of this award already has the code “%(value)s”."),
        "name_de": _("Another category of this award is already called “%(value)s”."),
        "name_en": _("Another category of this award is already called “%(value)s”."),
    }


def _criterion_unique() -> dict[str, str]:
    return {"name_en": _("Another criterion of this award is already called “%(value)s”.")}


def _round_unique() -> dict[str, str]:
    return {"number": _("This award already has a round number %(value)s.")}


# --- Score levels of a criterion (what a range of its scores means) ------------------------

LEVEL_DESCRIPTION_MAX = 300


@dataclass(frozen=True)
class LevelInput:
    """One score level as an organiser describes it: the scores ``low`` to ``high`` mean
    ``description_de`` (``description_en`` in English)."""

    low: int
    high: int
    description_de: str
    description_en: str = ""


def level_error_key(index: int, field: str) -> str:
    """The key under which a service reports an error of the ``index``-th level passed in
    (its ``field``: low, high, description_de or description_en)."""
    return f"levels-{index}-{field}"


def _level_row(level: RubricLevel | LevelInput) -> dict[str, Any]:
    return {
        "low": level.low,
        "high": level.high,
        "description_de": level.description_de,
        "description_en": level.description_en,
    }


def rubric_level_errors(
    levels: Sequence[LevelInput], *, scale_min: int | None, scale_max: int | None
) -> dict[str, list[str]]:
    """What is wrong with ``levels`` of a criterion scored ``scale_min`` to ``scale_max``, by
    ``level_error_key``: a German text missing, a text too long, the lower score above the
    higher, scores outside the scale, or a range overlapping another level's."""
    errors: dict[str, list[str]] = {}

    def add(index: int, field: str, message: str) -> None:
        errors.setdefault(level_error_key(index, field), []).append(message)

    scale_known = scale_min is not None and scale_max is not None and scale_min < scale_max
    for index, level in enumerate(levels):
        if not level.description_de.strip():
            add(index, "description_de", _("Say in German what these scores mean."))
        for field in ("description_de", "description_en"):
            if len(getattr(level, field)) > LEVEL_DESCRIPTION_MAX:
                add(
                    index,
                    field,
                    _("At most %(max)d characters (it has %(count)d).")
                    % {"max": LEVEL_DESCRIPTION_MAX, "count": len(getattr(level, field))},
                )
        if level.low > level.high:
            add(
                index,
                "high",
                _("Must not be lower than the first score of the level (%(low)d).")
                % {"low": level.low},
            )
            continue
        if scale_known and (level.low < scale_min or level.high > scale_max):
            add(
                index,
                "low" if level.low < scale_min else "high",
                _(
                    "Outside the scale of this criterion (%(min)d to %(max)d): change the "
                    "scores or delete the level."
                )
                % {"min": scale_min, "max": scale_max},
            )
    # Overlaps: in the order of their first score, each level against the one reaching
    # highest before it.
    ordered = sorted(
        (level.low, level.high, index)
        for index, level in enumerate(levels)
        if level.low <= level.high
    )
    reach: tuple[int, int, int] | None = None
    for low, high, index in ordered:
        if reach is not None and low <= reach[1]:
            add(
                index,
                "low",
                _("Overlaps with the level %(low)d–%(high)d; each score may mean one thing.")
                % {"low": reach[0], "high": reach[1]},
            )
        if reach is None or high > reach[1]:
            reach = (low, high, index)
    return errors


class _Levels:
    """The score levels a criterion's create or update brings: ``None`` keeps the stored
    ones (which must then still lie within the scale), a list replaces them all."""

    def __init__(self, levels: Sequence[LevelInput] | None):
        self.levels = (
            None
            if levels is None
            else [
                LevelInput(
                    low=level.low,
                    high=level.high,
                    description_de=level.description_de.strip(),
                    description_en=level.description_en.strip(),
                )
                for level in levels
            ]
        )

    def errors(
        self, criterion: Criterion, *, scale_before: tuple[int, int] | None
    ) -> dict[str, list[str]]:
        low, high = criterion.scale_min, criterion.scale_max
        # A scale that is itself refused (by Criterion.clean) is not checked against.
        scale_known = low is not None and high is not None and low < high
        if self.levels is not None:
            errors = rubric_level_errors(
                self.levels,
                scale_min=low if scale_known else None,
                scale_max=high if scale_known else None,
            )
            outside = scale_known and any(
                level.low < low or level.high > high
                for level in self.levels
                if level.low <= level.high
            )
            if outside and scale_before is not None and scale_before != (low, high):
                errors.setdefault("scale_max", []).append(
                    _(
                        "Some score levels lie outside the new scale; change or delete them "
                        "below, or keep the scale."
                    )
                )
            return errors
        if not scale_known or criterion.pk is None:
            return {}
        outside = [
            level for level in criterion.levels.all() if level.low < low or level.high > high
        ]
        if not outside:
            return {}
        ranges = ", ".join(f"{level.low}–{level.high}" for level in outside)
        field = "scale_min" if any(level.low < low for level in outside) else "scale_max"
        return {
            field: [
                ngettext(
                    "The score level %(levels)s lies outside this scale; change or delete it "
                    "first.",
                    "The score levels %(levels)s lie outside this scale; change or delete "
                    "them first.",
                    len(outside),
                )
                % {"levels": ranges}
            ]
        }

    def save(self, criterion: Criterion) -> dict[str, dict[str, Any]]:
        """Replace the stored levels when they differ; the change for the audit entry."""
        if self.levels is None:
            return {}
        before = [_level_row(level) for level in criterion.levels.order_by("low", "pk")]
        after = [_level_row(level) for level in sorted(self.levels, key=lambda lv: lv.low)]
        if before == after:
            return {}
        criterion.levels.all().delete()
        RubricLevel.objects.bulk_create(RubricLevel(criterion=criterion, **row) for row in after)
        return {"score_levels": {"before": before or None, "after": after or None}}


@transaction.atomic
def award_update(*, award: Award, actor: User | None, **fields: Any) -> Award:
    """Change an award's settings: names, descriptions, currency, time zone, timeline, the
    jury's and the results' settings, and the websites that may embed the results.

    ``embed_origins`` is stored normalised (one origin a line, lowercase, each once; see
    ``embed_origins_parse``); a line that is not an origin is refused, named in the message.
    Only the fields in ``AWARD_SETTINGS_FIELDS`` may be passed (others raise TypeError; the
    status changes through ``award_transition``). Raises ValidationError (by field) for
    invalid values, a timeline out of order or a name already used for the same edition.
    Side effects: when anything changed, the award is saved and an ``award.updated`` audit
    entry records the before and after of each changed field; otherwise nothing is written.
    """
    _refuse_unknown_fields("award_update", fields, AWARD_SETTINGS_FIELDS)
    award = _award_locked(award.pk)
    before = _snapshot(award, AWARD_SETTINGS_FIELDS)
    for name, value in fields.items():
        setattr(award, name, value)
    errors: dict[str, list[str]] = {}
    if Award.objects.filter(name=award.name, edition=award.edition).exclude(pk=award.pk).exists():
        errors["name"] = [
            _("There is already an award called “%(name)s” for %(edition)s.")
            % {"name": award.name, "edition": award.edition}
        ]
    tie_breaker = award.tie_break_criterion
    if tie_breaker is not None and tie_breaker.award_id != award.pk:
        errors["tie_break_criterion"] = [_("Choose a criterion of this award.")]
    if "embed_origins" in fields:
        origins, problems = embed_origins_parse(award.embed_origins)
        if problems:
            errors["embed_origins"] = problems
        else:
            award.embed_origins = "\n".join(origins)
    try:
        # The prefix and edition are not settings (they are fixed when the award is created,
        # where Award.validate_unique keeps a prefix to one award per edition).
        award.full_clean(exclude=set(errors) | {"reference_prefix", "edition"})
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    changes = _changes(before, _snapshot(award, AWARD_SETTINGS_FIELDS))
    if changes:
        award.save(update_fields=[*changes, "updated_at"])
        audit_log(
            award=award,
            actor=actor,
            action="award.updated",
            target=award,
            data={"changes": changes},
        )
    return award


# --- Categories, criteria and rounds: one mechanism, three parts --------------------------


@dataclass(frozen=True)
class _Part:
    """How one part of an award's structure is created, changed and deleted: its name (the
    key of STRUCTURE_EDITABLE_STATUSES and the prefix of its audit actions), its model, the
    fields organisers set, the fields that must be unique within the award, and the check
    constraints reported by field."""

    name: str
    model: type[models.Model]
    fields: tuple[str, ...]
    unique: Callable[[], dict[str, str]]
    errors: Callable[[Any], dict[str, list[str]]] = lambda _instance: {}


_CATEGORY = _Part("category", Category, CATEGORY_FIELDS, _category_unique, _category_errors)
_CRITERION = _Part("criterion", Criterion, CRITERION_FIELDS, _criterion_unique)
_ROUND = _Part("round", Round, ROUND_FIELDS, _round_unique)


def _part_create(
    part: _Part,
    *,
    award: Award,
    actor: User | None,
    values: dict[str, Any],
    related: _Levels | None = None,
):
    award = _award_locked(award.pk)
    _ensure_editable(award, part.name)
    instance = part.model(award=award, **values)
    errors = part.errors(instance)
    if related is not None:
        errors.update(related.errors(instance, scale_before=None))
    _validate(instance, part.unique(), errors)
    instance.save()
    changes = _created(_snapshot(instance, part.fields))
    if related is not None:
        changes.update(related.save(instance))
    audit_log(
        award=award,
        actor=actor,
        action=f"{part.name}.created",
        target=instance,
        data={"changes": changes},
    )
    return instance


def _part_update(
    part: _Part,
    instance: Any,
    *,
    actor: User | None,
    fields: dict[str, Any],
    related: _Levels | None = None,
):
    _refuse_unknown_fields(f"{part.name}_update", fields, part.fields)
    award = _award_locked(instance.award_id)
    _ensure_editable(award, part.name)
    instance = part.model._default_manager.get(pk=instance.pk, award=award)
    before = _snapshot(instance, part.fields)
    for name, value in fields.items():
        setattr(instance, name, value)
    errors = part.errors(instance)
    if related is not None:
        scale_before = (before["scale_min"], before["scale_max"])
        errors.update(related.errors(instance, scale_before=scale_before))
    _validate(instance, part.unique(), errors)
    changes = _changes(before, _snapshot(instance, part.fields))
    if changes:
        instance.save(update_fields=list(changes))
    if related is not None:
        changes.update(related.save(instance))
    if changes:
        audit_log(
            award=award,
            actor=actor,
            action=f"{part.name}.updated",
            target=instance,
            data={"changes": changes},
        )
    return instance


def _part_delete(
    part: _Part,
    instance: Any,
    *,
    actor: User | None,
    refuse: Callable[[Any], str | None] = lambda _instance: None,
) -> None:
    award = _award_locked(instance.award_id)
    _ensure_editable(award, part.name)
    instance = part.model._default_manager.get(pk=instance.pk, award=award)
    reason = refuse(instance)
    if reason:
        raise ValidationError(reason)
    audit_log(
        award=award,
        actor=actor,
        action=f"{part.name}.deleted",
        target=instance,
        data={"changes": _deleted(_snapshot(instance, part.fields))},
    )
    instance.delete()


@transaction.atomic
def category_create(
    *,
    award: Award,
    actor: User | None,
    code: str,
    name_de: str,
    name_en: str,
    description_de: str = "",
    description_en: str = "",
    prize_amount: Decimal = Decimal("0"),
    max_entries_per_organisation: int | None = 1,
    position: int = 0,
) -> Category:
    """Add a category to ``award`` while it is draft or open (see STRUCTURE_EDITABLE_STATUSES).

    Raises StructureLockedError when the status forbids it and ValidationError (by field)
    for invalid values or a code or name another category of the award already uses.
    Side effects: the category is saved and a ``category.created`` audit entry written.
    """
    values = {
        "code": code,
        "name_de": name_de,
        "name_en": name_en,
        "description_de": description_de,
        "description_en": description_en,
        "prize_amount": prize_amount,
        "max_entries_per_organisation": max_entries_per_organisation,
        "position": position,
    }
    return _part_create(_CATEGORY, award=award, actor=actor, values=values)


@transaction.atomic
def category_update(*, category: Category, actor: User | None, **fields: Any) -> Category:
    """Change the fields in CATEGORY_FIELDS of ``category`` while its award is draft or open.

    Raises as ``category_create``. Side effects: when anything changed, the category is saved
    and a ``category.updated`` audit entry records each changed field's before and after.
    """
    return _part_update(_CATEGORY, category, actor=actor, fields=fields)


def _category_in_use(category: Category) -> str | None:
    count = category.submissions.count()
    if not count:
        return None
    return ngettext(
        "The category “%(name)s” cannot be deleted: %(count)d entry was filed under it.",
        "The category “%(name)s” cannot be deleted: %(count)d entries were filed under it.",
        count,
    ) % {"name": category.name, "count": count}


@transaction.atomic
def category_delete(*, category: Category, actor: User | None) -> None:
    """Delete ``category`` while its award is draft or open and no entry was filed under it.

    Raises StructureLockedError when the status forbids it and ValidationError when the
    category has submissions (even drafts: they belong to applicants). Side effects: a
    ``category.deleted`` audit entry keeps the deleted values, then the row is deleted.
    """
    _part_delete(_CATEGORY, category, actor=actor, refuse=_category_in_use)


@transaction.atomic
def criterion_create(
    *,
    award: Award,
    actor: User | None,
    name_de: str,
    name_en: str,
    description_de: str = "",
    description_en: str = "",
    weight: Decimal = Decimal("1"),
    scale_min: int = 1,
    scale_max: int = 10,
    position: int = 0,
    score_control: str = ScoreControl.BUTTONS,
    levels: Sequence[LevelInput] = (),
) -> Criterion:
    """Add a criterion to ``award`` while it is draft or open (see
    STRUCTURE_EDITABLE_STATUSES), with its score ``levels`` (what a range of scores means).

    Raises StructureLockedError when the status forbids it and ValidationError (by field)
    for a weight not above 0, a lowest score not below the highest or a name already used,
    and by ``level_error_key`` for levels outside the scale, overlapping or without a German
    text (``rubric_level_errors``). Side effects: the criterion and its levels are saved and
    a ``criterion.created`` audit entry written (the levels under ``score_levels``).
    """
    values = {
        "name_de": name_de,
        "name_en": name_en,
        "description_de": description_de,
        "description_en": description_en,
        "weight": weight,
        "scale_min": scale_min,
        "scale_max": scale_max,
        "position": position,
        "score_control": score_control,
    }
    return _part_create(
        _CRITERION, award=award, actor=actor, values=values, related=_Levels(levels)
    )


@transaction.atomic
def criterion_update(
    *,
    criterion: Criterion,
    actor: User | None,
    levels: Sequence[LevelInput] | None = None,
    **fields: Any,
) -> Criterion:
    """Change the fields in CRITERION_FIELDS of ``criterion`` while its award is draft or
    open; from "closed" on, scores may exist and must stay comparable, so nothing changes.
    ``levels`` replaces the score levels (``None`` keeps them).

    Raises as ``criterion_create``; a new scale that leaves stored levels outside it is
    refused at the scale, naming them (the levels are not adjusted silently). Side effects:
    when anything changed, the criterion (and its levels) are saved and a
    ``criterion.updated`` audit entry records each changed field (the levels under
    ``score_levels``, before and after).
    """
    return _part_update(_CRITERION, criterion, actor=actor, fields=fields, related=_Levels(levels))


@transaction.atomic
def criterion_delete(*, criterion: Criterion, actor: User | None) -> None:
    """Delete ``criterion`` while its award is draft or open.

    Raises StructureLockedError otherwise. Side effects: a ``criterion.deleted`` audit entry
    keeps the deleted values, then the row is deleted.
    """
    _part_delete(_CRITERION, criterion, actor=actor)


@transaction.atomic
def round_create(
    *,
    award: Award,
    actor: User | None,
    number: int,
    name_de: str,
    name_en: str,
    kind: str = RoundKind.SCORING,
    shortlist_size: int | None = None,
    method: str = RoundMethod.SCORES,
    deadline_at: dt.datetime | None = None,
) -> Round:
    """Add a round to ``award`` until it is decided (see STRUCTURE_EDITABLE_STATUSES).

    Raises StructureLockedError when the status forbids it and ValidationError (by field)
    for invalid values or a round number the award already has. Side effects: the round is
    saved and a ``round.created`` audit entry written.
    """
    values = {
        "number": number,
        "name_de": name_de,
        "name_en": name_en,
        "kind": kind,
        "shortlist_size": shortlist_size,
        "method": method,
        "deadline_at": deadline_at,
    }
    return _part_create(_ROUND, award=award, actor=actor, values=values)


@transaction.atomic
def round_update(*, round: Round, actor: User | None, **fields: Any) -> Round:
    """Change the fields in ROUND_FIELDS of ``round`` until its award is decided.

    Raises as ``round_create``. Side effects: when anything changed, the round is saved and
    a ``round.updated`` audit entry records each changed field.
    """
    return _part_update(_ROUND, round, actor=actor, fields=fields)


@transaction.atomic
def round_delete(*, round: Round, actor: User | None) -> None:
    """Delete ``round`` until its award is decided.

    Raises StructureLockedError otherwise. Side effects: a ``round.deleted`` audit entry
    keeps the deleted values, then the row is deleted.
    """
    _part_delete(_ROUND, round, actor=actor)
