"""Conflicts of interest: suggestions, the juror's declaration, the organisers' records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from awards.services import audit_log
from submissions.models import Submission

from ..conflicts import blocked_q
from ..enums import (
    BLOCKING_CONFLICT_STATUSES,
    ConflictScope,
    ConflictSource,
    ConflictStatus,
    Preference,
)
from ..models import Assignment, Ballot, Bid, Conflict, Juror
from ..selectors import conflict_suggestions, submissions_in_juror_categories
from .calibration import calibration_assignments_ensure


@dataclass(frozen=True)
class Declaration:
    submission_id: int
    scope: str = ConflictScope.NONE
    note: str = ""
    preference: int = Preference.NEUTRAL


def conflicts_suggest(*, juror: Juror) -> list[Conflict]:
    """Record a suggested conflict for each organisation with entries in the juror's
    categories that the juror's email domain or affiliation points to, unless one is
    recorded already (a dismissed suggestion is not suggested again). Idempotent."""
    return conflicts_suggest_many(jurors=[juror])


def conflicts_suggest_many(*, jurors: Sequence[Juror]) -> list[Conflict]:
    """``conflicts_suggest`` for several jurors at once, reading in four queries whatever
    their number (``selectors.conflict_suggestions``). The jurors come with their user
    (``select_related("user")``)."""
    created = []
    for suggestion in conflict_suggestions(jurors):
        conflict, was_created = Conflict.objects.get_or_create(
            juror_id=suggestion.juror_id,
            organisation_id=suggestion.organisation_id,
            defaults={
                "status": ConflictStatus.SUGGESTED,
                "source": ConflictSource.AUTOMATIC,
                "reason": suggestion.reason,
            },
        )
        if was_created:
            created.append(conflict)
    return created


def _drop_blocked_assignments(juror: Juror, actor: User | None) -> int:
    """A new conflict ends the juror's work on the entries it blocks, in every round: the
    assignments and any review of them are removed, so a conflicted score never counts."""
    conflicts = Conflict.objects.filter(juror=juror, status__in=BLOCKING_CONFLICT_STATUSES)
    blocked = Assignment.objects.filter(juror=juror).filter(
        Q(submission_id__in=conflicts.values("submission_id"))
        | Q(submission__organisation_id__in=conflicts.values("organisation_id"))
    )
    dropped = list(blocked.values_list("submission_id", "round_id", "review__status"))
    if dropped:
        blocked.delete()
        audit_log(
            award=juror.award,
            actor=actor,
            action="jury.assignments_dropped_for_conflict",
            target=juror,
            data={
                "assignments": [
                    {"submission": s, "round": r, "review": status or "not_started"}
                    for s, r, status in dropped
                ]
            },
        )
    _drop_blocked_ranks(juror, actor)
    return len(dropped)


def _drop_blocked_ranks(juror: Juror, actor: User | None) -> None:
    """Likewise in ranking rounds: blocked entries leave the juror's ballots (submitted ones
    too), so a conflicted preference never counts; the other ranks keep their order."""
    blocked = {
        str(pk)
        for pk in Submission.objects.filter(award_id=juror.award_id)
        .filter(blocked_q(juror))
        .values_list("pk", flat=True)
    }
    if not blocked:
        return
    ballots = (
        Ballot.objects.select_for_update(of=("self",)).filter(juror=juror).select_related("round")
    )
    for ballot in ballots:
        removed = sorted(int(k) for k in ballot.ranking if k in blocked)
        if not removed:
            continue
        ballot.ranking = {k: v for k, v in ballot.ranking.items() if k not in blocked}
        ballot.version += 1
        ballot.save(update_fields=["ranking", "version", "updated_at"])
        audit_log(
            award=juror.award,
            actor=actor,
            action="jury.ballot_entries_dropped_for_conflict",
            target=ballot,
            data={"round": ballot.round.number, "submissions": removed},
        )


@transaction.atomic
def conflicts_declare(*, juror: Juror, declarations: Iterable[Declaration], actor: User) -> Juror:
    """The juror's declaration over the entries of their categories, and their preferences.

    For each entry: no conflict (a suggestion is dismissed, an own earlier declaration
    withdrawn), a conflict with the entry, or with its whole organisation; conflicts the
    organisers recorded cannot be withdrawn here. The suggestions the juror was shown are
    recorded first, so that answering "no conflict" dismisses them. Side effects: conflict
    rows, bids, the moment of declaration, assignments on newly blocked entries dropped (and
    those entries taken off the juror's ballots), one audit entry listing every change; the
    calibration assignments a withdrawn conflict allows again (``calibration_assignments_ensure``).
    """
    juror = Juror.objects.select_for_update().select_related("award", "user").get(pk=juror.pk)
    conflicts_suggest_many(jurors=[juror])
    declarations = list(declarations)
    visible = {
        s.pk: s
        for s in submissions_in_juror_categories(juror).filter(
            pk__in=[d.submission_id for d in declarations]
        )
    }
    if len(visible) != len({d.submission_id for d in declarations}):
        raise ValidationError(_("One of the entries is not in your categories."))
    existing_s = {c.submission_id: c for c in juror.conflicts.filter(submission__isnull=False)}
    existing_o = {c.organisation_id: c for c in juror.conflicts.filter(organisation__isnull=False)}
    wanted_orgs: dict[int, str] = {}
    unwanted_orgs: set[int] = set()
    changes: list[dict] = []
    for declaration in declarations:
        if declaration.scope not in ConflictScope.CHOICES:
            raise ValidationError(_("Unknown kind of conflict."))
        if declaration.preference not in Preference.values:
            raise ValidationError(_("Unknown preference."))
        submission = visible[declaration.submission_id]
        note = declaration.note.strip()[:2000]
        own = existing_s.get(submission.pk)
        if declaration.scope == ConflictScope.SUBMISSION:
            if own is None:
                existing_s[submission.pk] = Conflict.objects.create(
                    juror=juror, submission=submission, note=note
                )
                changes.append({"submission": submission.pk, "conflict": "declared"})
            elif own.source != ConflictSource.ORGANISER and (
                own.status != ConflictStatus.CONFIRMED or own.note != note
            ):
                # The organisers' record (and its note) is theirs; the juror's form leaves it.
                own.status, own.note = ConflictStatus.CONFIRMED, note
                own.save(update_fields=["status", "note", "updated_at"])
                changes.append({"submission": submission.pk, "conflict": "confirmed"})
        elif (
            own is not None
            and own.source != ConflictSource.ORGANISER
            and own.status != ConflictStatus.DISMISSED
        ):
            own.status = ConflictStatus.DISMISSED
            own.save(update_fields=["status", "updated_at"])
            changes.append({"submission": submission.pk, "conflict": "withdrawn"})
        if declaration.scope == ConflictScope.ORGANISATION:
            wanted_orgs[submission.organisation_id] = note
        else:
            unwanted_orgs.add(submission.organisation_id)
        Bid.objects.update_or_create(
            juror=juror,
            submission=submission,
            defaults={"preference": declaration.preference},
        )
    for organisation_id, note in wanted_orgs.items():
        conflict = existing_o.get(organisation_id)
        if conflict is None:
            Conflict.objects.create(juror=juror, organisation_id=organisation_id, note=note)
            changes.append({"organisation": organisation_id, "conflict": "declared"})
        elif conflict.source != ConflictSource.ORGANISER and (
            conflict.status != ConflictStatus.CONFIRMED or (note and conflict.note != note)
        ):
            conflict.status = ConflictStatus.CONFIRMED
            conflict.note = note or conflict.note
            conflict.save(update_fields=["status", "note", "updated_at"])
            changes.append({"organisation": organisation_id, "conflict": "confirmed"})
    for organisation_id in unwanted_orgs - set(wanted_orgs):
        conflict = existing_o.get(organisation_id)
        if (
            conflict is not None
            and conflict.source != ConflictSource.ORGANISER
            and conflict.status != ConflictStatus.DISMISSED
        ):
            conflict.status = ConflictStatus.DISMISSED
            conflict.save(update_fields=["status", "updated_at"])
            changes.append({"organisation": organisation_id, "conflict": "dismissed"})
    first = juror.conflicts_declared_at is None
    juror.conflicts_declared_at = timezone.now()
    juror.save(update_fields=["conflicts_declared_at"])
    if changes or first:
        audit_log(
            award=juror.award,
            actor=actor,
            action="jury.conflicts_declared",
            target=juror,
            data={"changes": changes, "entries_seen": len(visible)},
        )
    _drop_blocked_assignments(juror, actor)
    # A withdrawn conflict with a calibration entry gives its review back.
    calibration_assignments_ensure(award=juror.award, actor=actor, jurors=[juror])
    return juror


@transaction.atomic
def conflict_record(
    *, juror: Juror, submission: Submission, whole_organisation: bool, note: str, actor: User
) -> Conflict:
    """The organisers record a conflict they know of; the juror cannot withdraw it."""
    if submission.award_id != juror.award_id:
        raise ValidationError(_("This entry belongs to another award."))
    lookup = (
        {"organisation_id": submission.organisation_id}
        if whole_organisation
        else {"submission": submission}
    )
    conflict, _created = Conflict.objects.update_or_create(
        juror=juror,
        **lookup,
        defaults={
            "status": ConflictStatus.CONFIRMED,
            "source": ConflictSource.ORGANISER,
            "note": note.strip(),
        },
    )
    audit_log(
        award=juror.award,
        actor=actor,
        action="jury.conflict_recorded",
        target=conflict,
        data={
            "juror": juror.user.email,
            **{k: str(v.pk if hasattr(v, "pk") else v) for k, v in lookup.items()},
        },
    )
    _drop_blocked_assignments(juror, actor)
    return conflict
