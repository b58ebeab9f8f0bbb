"""The jury on the organisers' overview of an edition (``awards.cockpit``): the jury and its
invitations, conflicts to confirm, progress per round and category, late jurors; and the
names of jurors, reviews, ballots, invitations and conflicts in the change log
(``awards.activity``).

``register`` is called from ``JuryConfig.ready``. The panel runs a fixed number of aggregate
queries (five, two more when the award has a ranking round) whatever the number of entries,
assignments or reviews; each log resolver one query per page of the log. Assignments a
conflict blocks and inactive jurors do not count, as on the progress page.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from awards import activity, cockpit
from awards.enums import AwardStatus, RoundMethod, RoundStatus
from awards.models import AuditEntry, Award, Round

from .conflicts import assignment_blocked
from .enums import ConflictStatus, InvitationStatus, JuryRole, ReviewStatus
from .models import (
    Assignment,
    Ballot,
    Conflict,
    Juror,
    JurorCategory,
    JuryInvitation,
    Review,
    RoundEntry,
)


@dataclass
class Work:
    """Reviews (or, in a ranking round, ballots) expected, submitted and in draft."""

    label: str = ""
    expected: int = 0
    submitted: int = 0
    drafts: int = 0

    @property
    def missing(self) -> int:
        return max(self.expected - self.submitted, 0)

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.expected) if self.expected else 0


@dataclass
class LateJuror:
    pk: int
    name: str
    open: int
    deadline: dt.datetime | None


@dataclass
class RoundProgress:
    round: Round
    deadline: dt.datetime | None
    ranking: bool
    entries: int = 0
    categories: list[Work] = field(default_factory=list)
    total: Work = field(default_factory=Work)
    late: list[LateJuror] = field(default_factory=list)
    countdown: str = ""
    url: str = ""
    progress_url: str = ""


def _url(award: Award, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"slug": award.slug, **kwargs})


def _juror_deadline(deadline: dt.datetime | None, extension: dt.datetime | None):
    """As ``Juror.deadline_in``: the round's deadline, or the juror's later extension."""
    if deadline is None:
        return extension
    return max(deadline, extension) if extension else deadline


def _round_progress(
    award: Award, rounds: list[Round], jurors: dict[int, dict], now: dt.datetime
) -> tuple[list[RoundProgress], dict[int, int]]:
    """Progress of every round that is not planned, per category and in total, with the late
    jurors of the open one; and the number of entries of every round. Two queries (two more
    with a ranking round)."""
    categories = list(award.categories.all())
    started = [r for r in rounds if r.status != RoundStatus.PLANNED]
    entries: dict[tuple[int, int], int] = {
        (row["round_id"], row["submission__category_id"]): row["n"]
        for row in RoundEntry.objects.filter(round__award=award)
        .order_by()
        .values("round_id", "submission__category_id")
        .annotate(n=Count("pk"))
    }
    # (round, juror, category) → Work: one grouped query over the assignments.
    work: dict[tuple[int, int, int], Work] = defaultdict(Work)
    rows = (
        Assignment.objects.filter(round__award=award, juror__is_active=True)
        .exclude(assignment_blocked())
        .order_by()
        .values("round_id", "juror_id", "submission__category_id", "review__status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        cell = work[(row["round_id"], row["juror_id"], row["submission__category_id"])]
        cell.expected += row["n"]
        if row["review__status"] == ReviewStatus.SUBMITTED:
            cell.submitted += row["n"]
        elif row["review__status"] == ReviewStatus.DRAFT:
            cell.drafts += row["n"]
    if any(r.method == RoundMethod.RANKING for r in rounds):
        # A ranking round expects a ballot from every active juror of each category with
        # finalists.
        pools = list(
            JurorCategory.objects.filter(juror__award=award, juror__is_active=True).values_list(
                "juror_id", "category_id"
            )
        )
        ballots = {
            (round_id, juror_id, category_id): status
            for round_id, juror_id, category_id, status in Ballot.objects.filter(
                round__award=award, juror__is_active=True
            ).values_list("round_id", "juror_id", "category_id", "status")
        }
        for round_ in rounds:
            if round_.method != RoundMethod.RANKING:
                continue
            for juror_id, category_id in pools:
                if not entries.get((round_.pk, category_id)):
                    continue
                cell = work[(round_.pk, juror_id, category_id)]
                cell.expected = 1
                status = ballots.get((round_.pk, juror_id, category_id))
                cell.submitted = int(status == ReviewStatus.SUBMITTED)
                cell.drafts = int(status == ReviewStatus.DRAFT)
    result = []
    for round_ in started:
        deadline = round_.deadline_at or award.jury_deadline_at
        progress = RoundProgress(
            round=round_,
            deadline=deadline,
            ranking=round_.method == RoundMethod.RANKING,
            entries=sum(n for (round_id, _c), n in entries.items() if round_id == round_.pk),
            url=_url(award, "results_manage:round", number=round_.number),
            progress_url=_url(award, "jury_manage:progress", number=round_.number),
            countdown=cockpit.countdown(deadline, now) if deadline else "",
        )
        by_category = {c.pk: Work(label=c.name) for c in categories}
        by_juror: dict[int, int] = defaultdict(int)
        for (round_id, juror_id, category_id), cell in work.items():
            if round_id != round_.pk:
                continue
            for target in (by_category.get(category_id), progress.total):
                if target is not None:
                    target.expected += cell.expected
                    target.submitted += cell.submitted
                    target.drafts += cell.drafts
            by_juror[juror_id] += cell.missing
        progress.categories = [
            row
            for category_id, row in by_category.items()
            if row.expected or entries.get((round_.pk, category_id))
        ]
        if round_.status == RoundStatus.OPEN:
            for juror_id, missing in by_juror.items():
                juror = jurors.get(juror_id)
                if not missing or juror is None:
                    continue
                own = _juror_deadline(deadline, juror["deadline_extended_until"])
                if own is not None and own < now:
                    progress.late.append(LateJuror(juror_id, juror["name"], missing, own))
            progress.late.sort(key=lambda late: (late.name.casefold(), late.pk))
        result.append(progress)
    per_round: dict[int, int] = defaultdict(int)
    for (round_id, _category_id), n in entries.items():
        per_round[round_id] += n
    return result, dict(per_round)


def _round_steps(award: Award, progress: RoundProgress, now) -> list[cockpit.Step]:
    round_ = progress.round
    number = round_.number
    if round_.status != RoundStatus.OPEN:
        return []
    missing, late = progress.total.missing, len(progress.late)
    if not progress.ranking and progress.entries and not progress.total.expected:
        return [
            cockpit.Step(
                f"assign-{number}",
                _("Round %(number)d is open, but nobody has been assigned an entry yet.")
                % {"number": number},
                _url(award, "jury_manage:assignments", number=number),
                _("Assignments"),
                cockpit.Urgency.NOW,
            )
        ]
    if progress.total.expected and not missing:
        return [
            cockpit.Step(
                f"close-{number}",
                (
                    _("Every ballot of round %(number)d is in: close the round.")
                    if progress.ranking
                    else _("Every review of round %(number)d is in: close the round.")
                )
                % {"number": number},
                progress.url,
                _("Go to the round"),
            )
        ]
    deadline = progress.deadline
    if not missing or deadline is None:
        return []
    params = {"number": number, "count": missing, "when": progress.countdown}
    if deadline <= now:
        text = (
            ngettext(
                "The deadline of round %(number)d passed %(when)s; %(count)d ballot is "
                "still missing.",
                "The deadline of round %(number)d passed %(when)s; %(count)d ballots are "
                "still missing.",
                missing,
            )
            if progress.ranking
            else ngettext(
                "The deadline of round %(number)d passed %(when)s; %(count)d review is "
                "still missing.",
                "The deadline of round %(number)d passed %(when)s; %(count)d reviews are "
                "still missing.",
                missing,
            )
        ) % params
        urgency = cockpit.Urgency.NOW
    elif deadline <= now + cockpit.SOON:
        text = (
            ngettext(
                "Round %(number)d ends %(when)s; %(count)d ballot is still missing.",
                "Round %(number)d ends %(when)s; %(count)d ballots are still missing.",
                missing,
            )
            if progress.ranking
            else ngettext(
                "Round %(number)d ends %(when)s; %(count)d review is still missing.",
                "Round %(number)d ends %(when)s; %(count)d reviews are still missing.",
                missing,
            )
        ) % params
        urgency = cockpit.Urgency.SOON
    else:
        return []
    if late:
        text += " " + (
            ngettext(
                "%(count)d juror is late.",
                "%(count)d jurors are late.",
                late,
            )
            % {"count": late}
        )
    return [
        cockpit.Step(
            f"round-{number}-missing",
            text,
            progress.progress_url,
            _("Progress and reminders"),
            urgency,
        )
    ]


def jury_panel(award: Award, *, now: dt.datetime) -> cockpit.Panel:
    """The jury, its invitations and conflicts, and the progress of every round that has
    started (per category, with the late jurors of the open round)."""
    jurors = {
        row["pk"]: {
            "name": row["user__full_name"] or row["user__email"],
            "active": row["is_active"],
            "ready": row["confidentiality_confirmed_at"] is not None
            and row["conflicts_declared_at"] is not None,
            "deadline_extended_until": row["deadline_extended_until"],
        }
        for row in Juror.objects.filter(award=award).values(
            "pk",
            "is_active",
            "confidentiality_confirmed_at",
            "conflicts_declared_at",
            "deadline_extended_until",
            "user__full_name",
            "user__email",
        )
    }
    active = [juror for juror in jurors.values() if juror["active"]]
    not_ready = sum(1 for juror in active if not juror["ready"])
    invitations = JuryInvitation.objects.filter(
        award=award, status=InvitationStatus.PENDING, expires_at__gt=now
    ).count()
    suggested = Conflict.objects.filter(
        juror__award=award, juror__is_active=True, status=ConflictStatus.SUGGESTED
    ).count()
    rounds = list(award.rounds.all())
    progress, entries_per_round = _round_progress(award, rounds, jurors, now)
    current = next((p for p in progress if p.round.status == RoundStatus.OPEN), None) or (
        progress[-1] if progress else None
    )
    late = sum(len(p.late) for p in progress)
    jurors_url = _url(award, "jury_manage:jurors")
    conflicts_url = _url(award, "jury_manage:conflicts")

    figures = [
        cockpit.Figure(
            key="jurors",
            label=_("Jurors"),
            value=str(len(active)),
            note=ngettext(
                "%(count)d invitation not answered yet",
                "%(count)d invitations not answered yet",
                invitations,
            )
            % {"count": invitations},
            url=jurors_url,
        ),
        cockpit.Figure(
            key="not-ready",
            label=_("Jurors not ready"),
            value=str(not_ready),
            note=_("confidentiality or conflicts of interest still open"),
            url=jurors_url,
            tone="warning" if not_ready else "",
        ),
        cockpit.Figure(
            key="conflicts",
            label=_("Conflicts to confirm"),
            value=str(suggested),
            note=_("suggested by the platform, not yet confirmed"),
            url=conflicts_url,
            tone="warning" if suggested else "",
        ),
    ]
    if current is not None:
        figures.append(
            cockpit.Figure(
                key="reviews",
                label=(
                    _("Ballots in round %(number)d")
                    if current.ranking
                    else _("Reviews in round %(number)d")
                )
                % {"number": current.round.number},
                value=f"{current.total.submitted} / {current.total.expected}",
                note=_("%(percent)d %% submitted") % {"percent": current.total.percent},
                url=current.progress_url,
                tone="success" if current.total.expected and not current.total.missing else "",
            )
        )
        figures.append(
            cockpit.Figure(
                key="late",
                label=_("Late jurors"),
                value=str(late),
                note=_("past their deadline with work still open"),
                url=current.progress_url,
                tone="danger" if late else "",
            )
        )

    steps: list[cockpit.Step] = []
    for each in progress:
        steps.extend(_round_steps(award, each, now))
    judging = award.status == AwardStatus.JUDGING
    if not active and award.status in (AwardStatus.OPEN, AwardStatus.CLOSED, AwardStatus.JUDGING):
        steps.append(
            cockpit.Step(
                "invite",
                _("Nobody is on the jury yet: invite the jurors."),
                jurors_url,
                _("Jurors and invitations"),
                cockpit.Urgency.LATER if award.status == AwardStatus.OPEN else cockpit.Urgency.NEXT,
            )
        )
    if not_ready:
        steps.append(
            cockpit.Step(
                "not-ready",
                ngettext(
                    "%(count)d juror has not yet confirmed confidentiality and declared "
                    "conflicts of interest.",
                    "%(count)d jurors have not yet confirmed confidentiality and declared "
                    "conflicts of interest.",
                    not_ready,
                )
                % {"count": not_ready},
                jurors_url,
                _("Jurors and invitations"),
                cockpit.Urgency.NEXT if judging else cockpit.Urgency.LATER,
            )
        )
    if suggested:
        steps.append(
            cockpit.Step(
                "conflicts",
                ngettext(
                    "%(count)d suggested conflict of interest awaits confirmation.",
                    "%(count)d suggested conflicts of interest await confirmation.",
                    suggested,
                )
                % {"count": suggested},
                conflicts_url,
                _("Conflicts of interest"),
                cockpit.Urgency.NEXT if judging else cockpit.Urgency.LATER,
            )
        )
    if invitations:
        steps.append(
            cockpit.Step(
                "invitations",
                ngettext(
                    "%(count)d jury invitation has not been answered yet.",
                    "%(count)d jury invitations have not been answered yet.",
                    invitations,
                )
                % {"count": invitations},
                jurors_url,
                _("Jurors and invitations"),
                cockpit.Urgency.LATER,
            )
        )
    to_open = _round_to_open(rounds, entries_per_round)
    if judging and to_open is not None:
        steps.append(
            cockpit.Step(
                f"open-{to_open.number}",
                _("Open round %(number)d (%(name)s) for the jury.")
                % {"number": to_open.number, "name": to_open.name},
                _url(award, "results_manage:round", number=to_open.number),
                _("Go to the round"),
            )
        )
    return cockpit.Panel(
        key="jury",
        title=_("Jury"),
        template="jury/manage/_cockpit.html",
        figures=figures,
        steps=steps,
        context={
            "rounds": progress,
            "jurors_url": jurors_url,
            "conflicts_url": conflicts_url,
            "all_rounds": rounds,
        },
    )


def _round_to_open(rounds: list[Round], entries: dict[int, int]) -> Round | None:
    """The next round to open: none while a round is open; the first planned round if every
    round before it is closed and it has its entries (round 1 takes the eligible entries
    when it opens; a later round gets them from the shortlist, which the results panel
    asks for)."""
    if any(r.status == RoundStatus.OPEN for r in rounds):
        return None
    planned = [r for r in rounds if r.status == RoundStatus.PLANNED]
    if not planned:
        return None
    first = min(planned, key=lambda r: r.number)
    if any(r.number < first.number and r.status != RoundStatus.CLOSED for r in rounds):
        return None
    earlier = [r for r in rounds if r.number < first.number]
    if earlier and not entries.get(first.pk):
        return None
    return first


# --- The change log ----------------------------------------------------------------------


def _ids(entries: list[AuditEntry]) -> set[int]:
    return {int(entry.object_id) for entry in entries if entry.object_id.isdigit()}


def juror_targets(award: Award, entries: list[AuditEntry]) -> dict[str, activity.Target]:
    return {
        str(pk): activity.Target(name or email, _url(award, "jury_manage:juror_edit", pk=pk))
        for pk, name, email in Juror.objects.filter(award=award, pk__in=_ids(entries)).values_list(
            "pk", "user__full_name", "user__email"
        )
    }


def review_targets(award: Award, entries: list[AuditEntry]) -> dict[str, activity.Target]:
    rows = Review.objects.filter(assignment__round__award=award, pk__in=_ids(entries)).values_list(
        "pk",
        "assignment__juror__user__full_name",
        "assignment__submission__reference",
        "assignment__submission__title",
    )
    return {
        str(pk): activity.Target(
            _("%(entry)s by %(juror)s") % {"entry": reference or title, "juror": name},
            _url(award, "jury_manage:review_detail", pk=pk),
        )
        for pk, name, reference, title in rows
    }


def assignment_targets(award: Award, entries: list[AuditEntry]) -> dict[str, activity.Target]:
    """An assignment by entry and juror (a removed one by what its log entry recorded),
    linked to the assignments of its round."""
    rows = Assignment.objects.filter(round__award=award, pk__in=_ids(entries)).values_list(
        "pk",
        "round__number",
        "juror__user__full_name",
        "submission__reference",
        "submission__title",
    )
    return {
        str(pk): activity.Target(
            _("%(entry)s to %(juror)s") % {"entry": reference or title, "juror": name},
            _url(award, "jury_manage:assignments", number=number),
        )
        for pk, number, name, reference, title in rows
    }


def ballot_targets(award: Award, entries: list[AuditEntry]) -> dict[str, activity.Target]:
    categories = {category.pk: category.name for category in award.categories.all()}
    rows = Ballot.objects.filter(round__award=award, pk__in=_ids(entries)).values_list(
        "pk", "round__number", "juror__user__full_name", "category_id"
    )
    return {
        str(pk): activity.Target(
            _("%(juror)s, %(category)s, round %(number)d")
            % {"juror": name, "category": categories.get(category_id, ""), "number": number},
            _url(award, "results_manage:round", number=number),
        )
        for pk, number, name, category_id in rows
    }


def invitation_targets(award: Award, entries: list[AuditEntry]) -> dict[str, activity.Target]:
    url = _url(award, "jury_manage:jurors")
    return {
        str(pk): activity.Target(email, url)
        for pk, email in JuryInvitation.objects.filter(
            award=award, pk__in=_ids(entries)
        ).values_list("pk", "email")
    }


def conflict_targets(award: Award, entries: list[AuditEntry]) -> dict[str, activity.Target]:
    rows = Conflict.objects.filter(juror__award=award, pk__in=_ids(entries)).values_list(
        "pk", "juror__user__full_name", "submission__reference", "organisation__name"
    )
    url = _url(award, "jury_manage:conflicts")
    return {
        str(pk): activity.Target(f"{name} – {reference or organisation or ''}".strip(" –"), url)
        for pk, name, reference, organisation in rows
    }


def register() -> None:
    cockpit.panel_register("jury", jury_panel, order=20)
    activity.target_register(Juror._meta.label_lower, juror_targets)
    activity.target_register(Review._meta.label_lower, review_targets)
    activity.target_register(Assignment._meta.label_lower, assignment_targets)
    activity.target_register(Ballot._meta.label_lower, ballot_targets)
    activity.target_register(JuryInvitation._meta.label_lower, invitation_targets)
    activity.target_register(Conflict._meta.label_lower, conflict_targets)
    activity.value_labels_register("jury.", "role", JuryRole.choices)
    activity.value_labels_register("jury.", "review", ReviewStatus.choices)
