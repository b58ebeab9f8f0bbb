"""The organisers' ranking page: every category with the ranking of its decisive round,
the robustness of its leader and what has been decided. A fixed number of queries per
category and round, whatever the number of entries and reviews (the robustness figures
are computed in memory)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from awards.enums import AwardStatus, RoundMethod, RoundStatus
from awards.models import Award, Category, Round
from jury.models import Juror
from results.engine import CategoryRanking, RankedEntry, Robustness, robustness
from submissions.models import Submission

from .. import wording
from ..enums import DecisionKind
from ..models import Decision
from .feed import review_data_for_round
from .rankings import decisive_rankings, tie_breakers_of

ROBUSTNESS_RESAMPLES = 1000


ROBUSTNESS_SEED = 0


@dataclass
class RankRow:
    entry: RankedEntry
    submission: Submission

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
    for round_ in rounds.values():
        if round_.method != RoundMethod.SCORES:
            continue
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
        .select_related("submission__organisation", "decided_by", "snapshot")
        .order_by("category_id", "kind", "place", "pk")
    ):
        decisions.setdefault(decision.category_id, []).append(decision)
    names = juror_names(award) if figures else {}
    for block in blocks:
        block.method = wording.method_sentences(award, block.round)
        if block.ranking is not None:
            for entry in block.ranking.rows:
                row = RankRow(entry=entry, submission=by_pk[entry.submission_id])
                (block.ranked if entry.place is not None else block.unranked).append(row)
        block.robustness = figures.get(block.category.pk)
        if block.robustness is not None:
            block.changed_by = [names.get(pk, f"#{pk}") for pk in block.robustness.changed_by]
        for decision in decisions.get(block.category.pk, []):
            if decision.kind == DecisionKind.MENTION:
                block.mentions.append(decision)
            else:
                block.places.append(decision)
        block.places.sort(key=lambda d: d.place)
        block.blocked = _blocked_reason(award, block)
    return blocks


def _blocked_reason(award: Award, block: CategoryBlock) -> str:
    """Why no decision can be taken on the category now ("" when it can)."""
    if block.decided:
        return ""
    if block.round is None:
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
