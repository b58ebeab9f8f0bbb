"""The juror's conflicts page: each entry of the juror's categories with the conflict that
applies to it now, including suggestions not recorded yet (a GET writes nothing; the
juror's declaration records them)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from submissions.models import Membership, Organisation, Submission

from ..conflicts import deciding_conflict, suggestion_reason
from ..enums import ConflictScope, ConflictSource, ConflictStatus
from ..models import Conflict, Juror, JurorCategory
from .jurors import JURY_VISIBLE_STATUSES


@dataclass(frozen=True)
class Suggestion:
    """A conflict the juror's email domain or affiliation points to, not recorded yet."""

    juror_id: int
    organisation_id: int
    reason: str


@dataclass
class ConflictRow:
    submission: Submission
    conflict: Conflict | None = None  # the one that decides the row's scope, if any
    scope: str = ConflictScope.NONE
    fixed: bool = False  # recorded by the organisers: not the juror's to change
    suggested: bool = False
    reason: str = ""
    fields: list = field(default_factory=list)


def conflict_rows(
    juror: Juror, entries: list[Submission], suggestions: Sequence[Suggestion] = ()
) -> list[ConflictRow]:
    """Each entry with the conflict that applies to it now (1 query for all entries). An
    entry of an organisation in ``suggestions`` (``conflict_suggestions``: not recorded yet)
    shows as suggested with the whole organisation, like a recorded suggestion."""
    pending = {s.organisation_id: s for s in suggestions if s.juror_id == juror.pk}
    conflicts = list(juror.conflicts.all())
    by_organisation: dict[int, list[Conflict]] = defaultdict(list)
    by_submission: dict[int, list[Conflict]] = defaultdict(list)
    for conflict in conflicts:
        if conflict.organisation_id is not None:
            by_organisation[conflict.organisation_id].append(conflict)
        else:
            by_submission[conflict.submission_id].append(conflict)
    rows = []
    for entry in entries:
        row = ConflictRow(submission=entry)
        mine = by_organisation[entry.organisation_id] + by_submission[entry.pk]
        deciding = deciding_conflict(entry, mine)
        if deciding is not None:
            row.scope, row.conflict = deciding
            row.fixed = row.conflict.source == ConflictSource.ORGANISER
            row.suggested = row.conflict.status == ConflictStatus.SUGGESTED
            row.reason = row.conflict.reason
        else:
            suggestion = pending.get(entry.organisation_id)
            if suggestion is not None:
                row.scope, row.suggested = ConflictScope.ORGANISATION, True
                row.reason = suggestion.reason
        rows.append(row)
    return rows


def conflict_suggestions(jurors: Sequence[Juror]) -> list[Suggestion]:
    """For each juror, the organisations with entries in the juror's categories that the
    juror's email domain or affiliation points to and of which no conflict is recorded yet
    (a dismissed suggestion is not suggested again). Four queries, whatever the number of
    jurors; the jurors come with their user (``select_related("user")``)."""
    jurors = sorted(jurors, key=lambda j: j.pk)
    categories: dict[int, set[int]] = defaultdict(set)
    for juror_id, category_id in JurorCategory.objects.filter(juror__in=jurors).values_list(
        "juror_id", "category_id"
    ):
        categories[juror_id].add(category_id)
    organisations: dict[int, dict[int, Organisation]] = defaultdict(dict)
    for submission in Submission.objects.filter(
        award_id__in={j.award_id for j in jurors},
        category_id__in=set().union(*categories.values()),
        status__in=JURY_VISIBLE_STATUSES,
    ).select_related("organisation"):
        organisations[submission.category_id][submission.organisation_id] = submission.organisation
    every_organisation = {pk for by_pk in organisations.values() for pk in by_pk}
    if not every_organisation:
        return []
    recorded = set(
        Conflict.objects.filter(
            juror__in=jurors, organisation_id__in=every_organisation
        ).values_list("juror_id", "organisation_id")
    )
    emails: dict[int, list[str]] = defaultdict(list)
    for organisation_id, email in Membership.objects.filter(
        organisation_id__in=every_organisation
    ).values_list("organisation_id", "user__email"):
        emails[organisation_id].append(email)
    found = []
    for juror in jurors:
        candidates: dict[int, Organisation] = {}
        for category_id in categories[juror.pk]:
            candidates.update(organisations.get(category_id, {}))
        for organisation_id, organisation in sorted(candidates.items()):
            if (juror.pk, organisation_id) in recorded:
                continue
            reason = suggestion_reason(juror, organisation, emails[organisation_id])
            if reason:
                found.append(Suggestion(juror.pk, organisation_id, reason[:200]))
    return found
