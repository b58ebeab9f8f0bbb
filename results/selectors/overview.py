"""The organisers' ranking pages: the overview (every category's leaders, the robustness of
first place and what has been decided) and a category's page (its whole ranking and the
decision on it). A fixed number of queries per category and round, whatever the number of
entries and reviews; the computed figures come from the cache (``figures``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from awards.enums import AwardStatus, RoundMethod, RoundStatus
from awards.models import AuditEntry, Award, Category, Round
from jury.models import Juror, RoundEntry
from results.engine import CategoryRanking, RankedEntry, Robustness
from submissions.models import Submission

from .. import wording
from ..enums import DecisionKind
from ..models import Decision
from .figures import RobustnessState, RoundFeed, feed_ranking, feed_robustness
from .rankings import ReviewProgress, decisive_rounds, review_progress, round_rankings


@dataclass(frozen=True, slots=True)
class EntryLine:
    """What a ranking row shows of its entry, read as plain values (a row per entry of a
    category: no model instances to build)."""

    pk: int
    reference: str
    title: str
    company: str

    @property
    def label(self) -> str:
        return f"{self.reference or '–'} · {self.title} ({self.company})"


@dataclass
class RankRow:
    entry: RankedEntry
    submission: EntryLine
    required: int = 0  # complete reviews an entry needs (0: not a scoring round)
    tie_broken: bool = False  # its score equals a neighbour's; the tie-breaker set the order
    calibration_uncounted: bool = False  # a calibration entry of a round that does not count them
    # Formatted by the selector (one decimal, the language's mark; "" for none) and the link
    # to the entry's explanation.
    score_text: str = ""
    error_text: str = ""
    raw_mean_text: str = ""
    url: str = ""

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
    # The robustness shown is of the current data, or the last computed while the task
    # computes the current (and when that was).
    robustness_fresh: bool = True
    robustness_at: Any = None
    # Ranked entries not shown (the overview shows the leaders only).
    more: int = 0

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
        return [(row.submission.pk, row.submission.label) for row in self.rows]

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
    return EntryLine(
        submission.pk, submission.reference, submission.title, submission.organisation.name
    ).label


def juror_names(award: Award) -> dict[int, str]:
    return {
        juror.pk: juror.user.full_name or juror.user.email
        for juror in Juror.objects.filter(award=award).select_related("user")
    }


def category_blocks(
    award: Award,
    *,
    categories: list[Category] | None = None,
    only: Category | None = None,
    leaders: int | None = None,
) -> list[CategoryBlock]:
    """Every category of ``award`` (or ``only`` that one: its page) with the ranking of its
    decisive round, the robustness of its leader and what has been decided; with
    ``leaders``, each category's first ``leaders`` ranked rows only (the overview).
    ``categories``: the award's categories in their order, when the caller has them.

    The rankings and the robustness come from the cache by the version of their data
    (``figures``); each round's reviews are read at most once, and only on a miss. A fixed
    number of queries per category and round, whatever the number of entries and reviews;
    only the entries shown are read, and only the columns shown."""
    if categories is None:
        categories = list(award.categories.order_by("position", "code", "pk"))
    if only is not None:
        categories = [c for c in categories if c.pk == only.pk]
    decisive = decisive_rounds(award, categories)
    rounds = {r.pk: r for r in decisive.values()}
    rankings: dict[int, dict[int, CategoryRanking]] = {}
    states: dict[int, RobustnessState] = {}
    uncounted: set[int] = set()
    for round_ in rounds.values():
        round_.award = award
        if round_.method != RoundMethod.SCORES:
            rankings[round_.pk] = round_rankings(round_)
            continue
        feed = RoundFeed(round_)
        rankings[round_.pk] = feed_ranking(feed)
        states[round_.pk] = feed_robustness(feed)
        if not round_.calibration_counts:
            uncounted.update(
                RoundEntry.objects.filter(round=round_, is_calibration=True).values_list(
                    "submission_id", flat=True
                )
            )
    blocks = []
    for category in categories:
        round_ = decisive.get(category.pk)
        ranking = rankings[round_.pk].get(category.pk) if round_ is not None else None
        block = CategoryBlock(category=category, round=round_, ranking=ranking)
        if round_ is not None and round_.pk in states:
            state = states[round_.pk]
            block.robustness = state.figures.get(category.pk)
            block.robustness_fresh = state.fresh
            block.robustness_at = state.computed_at
        blocks.append(block)
    shown = {
        row.submission_id
        for b in blocks
        if b.ranking
        for row in (b.ranking.rows if leaders is None else b.ranking.ranked[:leaders])
    }
    by_pk = {
        pk: EntryLine(pk, reference, title, company)
        for pk, reference, title, company in Submission.objects.filter(
            award=award, pk__in=shown
        ).values_list("pk", "reference", "title", "organisation__name")
    }
    decisions: dict[int, list[Decision]] = {}
    for decision in (
        Decision.objects.filter(award=award, category__in=categories)
        .select_related("submission__organisation", "decided_by", "snapshot__created_by")
        .order_by("category_id", "kind", "place", "pk")
    ):
        decisions.setdefault(decision.category_id, []).append(decision)
    with_figures = any(b.robustness is not None and b.robustness.changed_by for b in blocks)
    names = juror_names(award) if with_figures else {}
    frozen = _frozen_rankings(award, decisions)
    public = award.results_are_public()
    explanation_url = reverse(
        "results_manage:explanation", kwargs={"slug": award.slug, "pk": 0}
    ).removesuffix("0/")
    decimals = Decimals()
    for block in blocks:
        block.method = wording.method_sentences(award, block.round)
        scoring = block.round is not None and block.round.method == RoundMethod.SCORES
        block.required = award.reviews_per_submission if scoring else 0
        if block.ranking is not None:
            rows = block.ranking.rows if leaders is None else block.ranking.ranked[:leaders]
            for entry in rows:
                row = RankRow(entry, by_pk[entry.submission_id], block.required)
                row.calibration_uncounted = entry.submission_id in uncounted
                row.url = f"{explanation_url}{entry.submission_id}/"
                row.score_text = decimals.one(entry.score)
                row.error_text = decimals.one(entry.standard_error)
                row.raw_mean_text = decimals.one(entry.raw_mean)
                (block.ranked if entry.place is not None else block.unranked).append(row)
            block.more = len(block.ranking.ranked) - len(block.ranked)
            if scoring:
                block.scale_note = wording.scale_note(award, block.ranking)
                _mark_tie_breaks(block.ranked)
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
    # The reviews still missing matter to a decision about to be taken: read for the rounds
    # of the categories that can be decided now (one query per round).
    progress: dict[int, dict[int, ReviewProgress]] = {}
    for block in blocks:
        if block.round is None or block.decided or block.blocked or not block.required:
            continue
        if block.round.pk not in progress:
            progress[block.round.pk] = review_progress(block.round)
        block.progress = progress[block.round.pk].get(block.category.pk)
    return blocks


class Decimals:
    """Numbers with one decimal as ``floatformat:1`` writes them (rounded half up, the
    language's decimal mark), for rows formatted in the selector instead of a filter per
    cell: a few microseconds each instead of a template filter's tens."""

    TENTH = Decimal("0.1")

    def __init__(self) -> None:
        self.mark = formats.get_format("DECIMAL_SEPARATOR")

    def one(self, value: float | None) -> str:
        if value is None:
            return ""
        text = str(Decimal(repr(value)).quantize(self.TENTH, ROUND_HALF_UP))
        if text == "-0.0":
            text = "0.0"
        return text.replace(".", self.mark) if self.mark != "." else text


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
    if block.ranking is None or not block.ranking.rows:  # all rows, not only those shown
        return _("The round has no entries of this category.")
    return ""
