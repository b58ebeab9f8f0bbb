"""The organisers' ranking page: every category with the ranking of its decisive round,
the robustness of its leader and what has been decided. A fixed number of queries per
category and round, whatever the number of entries and reviews (the robustness figures
are computed in memory)."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from django.utils.translation import gettext as _

from awards.enums import AwardStatus, RoundMethod, RoundStatus
from awards.models import AuditEntry, Award, Category, Round
from jury.models import Juror, RoundEntry
from results.engine import CategoryRanking, RankedEntry, Robustness, robustness
from submissions.models import Submission

from .. import wording
from ..enums import DecisionKind
from ..models import Decision
from .feed import review_data_for_round
from .rankings import ReviewProgress, decisive_rankings, review_progress, tie_breakers_of

ROBUSTNESS_RESAMPLES = 1000


ROBUSTNESS_SEED = 0


@dataclass
class RankRow:
    entry: RankedEntry
    submission: Submission
    required: int = 0  # complete reviews an entry needs (0: not a scoring round)
    tie_broken: bool = False  # its score equals a neighbour's; the tie-breaker set the order
    calibration_uncounted: bool = False  # a calibration entry of a round that does not count them

    @property
    def incomplete(self) -> bool:
        """Fewer complete reviews than the round requires: its score rests on too little."""
        return self.entry.place is not None and self.entry.reviews < self.required

    @property
    def place_label(self) -> str:
        if self.entry.place is None:
            return ""
        return f"={self.entry.place}" if self.entry.tied else str(self.entry.place)


@dataclass
class CategoryBlock:
    category: Category
    round: Round | None
    ranking: CategoryRanking | None = None
    ranked: list[RankRow] = field(default_factory=list)
    unranked: list[RankRow] = field(default_factory=list)
    robustness: Robustness | None = None
    changed_by: list[str] = field(default_factory=list)
    places: list[Decision] = field(default_factory=list)
    mentions: list[Decision] = field(default_factory=list)
    blocked: str = ""
    form: Any = None  # the page's decision form for this category
    reopen_form: Any = None
    method: list[str] = field(default_factory=list)
    required: int = 0
    progress: ReviewProgress | None = None
    frozen: FrozenRanking | None = None
    no_jury_data: bool = False
    verdict: list[str] = field(default_factory=list)
    scale_note: str = ""

    @property
    def missing_reviews(self) -> int:
        return self.progress.missing if self.progress is not None else 0

    @property
    def incomplete_rows(self) -> list[RankRow]:
        return [row for row in self.ranked if row.incomplete]

    @property
    def decision_gaps(self) -> list[str]:
        """What the deciders should know before deciding (missing reviews, incomplete
        entries), in sentences; empty when there is nothing."""
        return wording.gap_sentences(self.missing_reviews, self.progress, self.incomplete_rows)

    @property
    def decided(self) -> bool:
        return bool(self.places)

    @property
    def first_decision(self) -> Decision | None:
        return (self.places or self.mentions or [None])[0]

    @property
    def bootstrap_percent(self) -> float | None:
        share = getattr(self.robustness, "bootstrap_share", None)
        return None if share is None else 100 * share

    @property
    def entries(self) -> list[tuple[int, str]]:
        return [(row.submission.pk, entry_label(row.submission)) for row in self.rows]

    @property
    def rows(self) -> list[RankRow]:
        return [*self.ranked, *self.unranked]


@dataclass(frozen=True)
class FrozenRanking:
    """The ranking a decision froze: when, by whom, and the audit entry that records its
    fingerprint (``audit_entry`` None when the entry cannot be found)."""

    created_at: Any
    created_by: str
    digest: str
    audit_entry: int | None


def entry_label(submission: Submission) -> str:
    return f"{submission.reference or '–'} · {submission.title} ({submission.organisation.name})"


def juror_names(award: Award) -> dict[int, str]:
    return {
        juror.pk: juror.user.full_name or juror.user.email
        for juror in Juror.objects.filter(award=award).select_related("user")
    }


def category_blocks(award: Award) -> list[CategoryBlock]:
    """Every category of ``award`` with the ranking of its decisive round, the robustness of
    its leader and what has been decided. A fixed number of queries per category and round,
    whatever the number of entries and reviews."""
    categories = list(award.categories.order_by("position", "code", "pk"))
    blocks = [
        CategoryBlock(category=row.category, round=row.round, ranking=row.ranking)
        for row in decisive_rankings(award, categories)
    ]
    rounds = {b.round.pk: b.round for b in blocks if b.round is not None}
    figures: dict[int, Robustness] = {}
    progress: dict[int, dict[int, ReviewProgress]] = {}
    uncounted: set[int] = set()
    for round_ in rounds.values():
        if round_.method != RoundMethod.SCORES:
            continue
        progress[round_.pk] = review_progress(round_)
        if not round_.calibration_counts:
            uncounted.update(
                RoundEntry.objects.filter(round=round_, is_calibration=True).values_list(
                    "submission_id", flat=True
                )
            )
        criteria, reviews = review_data_for_round(round_)
        figures.update(
            robustness(
                reviews,
                criteria,
                normalisation=award.ranking_normalisation,
                aggregation=award.ranking_aggregation,
                tie_breakers=tie_breakers_of(award),
                resamples=ROBUSTNESS_RESAMPLES,
                seed=ROBUSTNESS_SEED,
                categories=[b.category.pk for b in blocks if b.round and b.round.pk == round_.pk],
                required=award.reviews_per_submission,
            )
        )
    submission_ids = {row.submission_id for b in blocks if b.ranking for row in b.ranking.rows}
    submissions = Submission.objects.filter(award=award, pk__in=submission_ids).select_related(
        "organisation"
    )
    by_pk = {s.pk: s for s in submissions}
    decisions: dict[int, list[Decision]] = {}
    for decision in (
        Decision.objects.filter(award=award)
        .select_related("submission__organisation", "decided_by", "snapshot__created_by")
        .order_by("category_id", "kind", "place", "pk")
    ):
        decisions.setdefault(decision.category_id, []).append(decision)
    names = juror_names(award) if figures else {}
    frozen = _frozen_rankings(award, decisions)
    public = award.results_are_public()
    for block in blocks:
        block.method = wording.method_sentences(award, block.round)
        scoring = block.round is not None and block.round.method == RoundMethod.SCORES
        block.required = award.reviews_per_submission if scoring else 0
        if block.round is not None:
            block.progress = progress.get(block.round.pk, {}).get(block.category.pk)
        if block.ranking is not None:
            for entry in block.ranking.rows:
                row = RankRow(entry, by_pk[entry.submission_id], block.required)
                row.calibration_uncounted = entry.submission_id in uncounted
                (block.ranked if entry.place is not None else block.unranked).append(row)
            if scoring:
                block.scale_note = wording.scale_note(award, block.ranking)
                _mark_tie_breaks(block.ranked)
        block.robustness = figures.get(block.category.pk)
        if block.robustness is not None:
            block.changed_by = [names.get(pk, f"#{pk}") for pk in block.robustness.changed_by]
            block.verdict = wording.verdict_sentences(block.robustness, block.changed_by)
        block.no_jury_data = block.round is None and public
        for decision in decisions.get(block.category.pk, []):
            if decision.kind == DecisionKind.MENTION:
                block.mentions.append(decision)
            else:
                block.places.append(decision)
        block.places.sort(key=lambda d: d.place)
        first = block.first_decision
        if first is not None and first.snapshot_id is not None:
            block.frozen = frozen.get(first.snapshot_id)
        block.blocked = _blocked_reason(award, block)
    return blocks


def _mark_tie_breaks(rows: list[RankRow]) -> None:
    """Mark neighbours with equal scores on different places: a tie-breaker ordered them."""
    for upper, lower in pairwise(rows):
        same = round(upper.entry.score, 9) == round(lower.entry.score, 9)
        if same and upper.entry.place != lower.entry.place:
            upper.tie_broken = lower.tie_broken = True


def _frozen_rankings(
    award: Award, decisions: dict[int, list[Decision]]
) -> dict[int, FrozenRanking]:
    """Snapshot id → the frozen ranking with its audit entry (one query for the entries)."""
    snapshots = {
        d.snapshot_id: d.snapshot for ds in decisions.values() for d in ds if d.snapshot_id
    }
    if not snapshots:
        return {}
    entries = {
        entry["data"].get("snapshot"): entry["pk"]
        for entry in AuditEntry.objects.filter(award=award, action="decision.confirmed")
        .order_by("pk")
        .values("pk", "data")
    }
    return {
        pk: FrozenRanking(
            created_at=snapshot.created_at,
            created_by=str(snapshot.created_by or "–"),
            digest=snapshot.digest,
            audit_entry=entries.get(snapshot.digest),
        )
        for pk, snapshot in snapshots.items()
    }


def _blocked_reason(award: Award, block: CategoryBlock) -> str:
    """Why no decision can be taken on the category now ("" when it can)."""
    if block.decided:
        return ""
    if block.round is None:
        if block.no_jury_data:
            return _(
                "The results of this edition are published, but its jury worked outside "
                "Laurel: there is no ranking or jury data here to decide on."
            )
        return _("No round has judged this category yet.")
    if award.status != AwardStatus.JUDGING:
        return _("Decisions are taken while the award is “%(status)s”.") % {
            "status": AwardStatus.JUDGING.label
        }
    if block.round.status != RoundStatus.CLOSED:
        return _("Close the round “%(round)s” before deciding on it.") % {"round": block.round.name}
    if not block.rows:
        return _("The round has no entries of this category.")
    return ""
