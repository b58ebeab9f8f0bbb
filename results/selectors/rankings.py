"""Rankings of a round, read from the database and computed by ``results.engine`` with the
award's chosen methods (or the Schulze method for ranked ballots), and the decisive
ranking of each category. Every function runs a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from awards.enums import RoundMethod, RoundStatus
from awards.models import Award, Category, Round
from jury.enums import ReviewStatus
from jury.models import Assignment, Ballot, Juror, RoundEntry
from jury.selectors import ballots_of_round
from results.engine import CategoryRanking, RankedEntry, ranking_compute
from results.engine.schulze import SchulzeResult, schulze
from submissions.models import Submission

from .feed import review_data_for_round


def tie_breakers_of(award: Award) -> tuple[tuple[str, int], ...]:
    if award.tie_break_criterion_id is None:
        return ()
    return (("criterion", award.tie_break_criterion_id),)


def method_of(award: Award, round: Round) -> dict:
    """The method a ranking of ``round`` is computed with, as recorded in snapshots."""
    if round.method == RoundMethod.RANKING:
        return {"round": round.number, "method": "schulze"}
    return {
        "round": round.number,
        "method": "scores",
        "normalisation": award.ranking_normalisation,
        "aggregation": award.ranking_aggregation,
        "tie_breakers": [list(t) for t in tie_breakers_of(award)],
    }


@dataclass(frozen=True)
class ReviewProgress:
    """The reviews of one category in a round: assigned and submitted."""

    assigned: int
    submitted: int

    @property
    def missing(self) -> int:
        return self.assigned - self.submitted


def review_progress(round: Round) -> dict[int, ReviewProgress]:
    """Category id → how many reviews of the round are assigned and submitted. One query."""
    rows = (
        Assignment.objects.filter(round=round)
        .values("submission__category_id")
        .annotate(
            assigned=Count("pk"),
            submitted=Count("pk", filter=Q(review__status=ReviewStatus.SUBMITTED)),
        )
        .order_by()
    )
    return {
        row["submission__category_id"]: ReviewProgress(row["assigned"], row["submitted"])
        for row in rows
    }


def round_entries(round: Round) -> dict[int, int]:
    """Submission id → category id of the entries in ``round``."""
    return dict(
        RoundEntry.objects.filter(round=round).values_list(
            "submission_id", "submission__category_id"
        )
    )


@dataclass(frozen=True)
class BallotCount:
    """The Schulze count of one category in a ranking round: the submitted ballots (as
    submission id → rank) and the outcome over the round's entries of the category."""

    candidates: tuple[int, ...]
    ballots: tuple[dict[int, int], ...]
    outcome: SchulzeResult


def ballot_counts(entries: dict[int, int], ballots: Sequence[Ballot]) -> dict[int, BallotCount]:
    """Category id → its count, from the round's entries (submission id → category id) and
    its submitted ballots (``selectors.ballots_of_round``)."""
    by_category: dict[int, list[dict[int, int]]] = {}
    for ballot in ballots:
        by_category.setdefault(ballot.category_id, []).append(
            {int(k): v for k, v in ballot.ranking.items()}
        )
    candidates: dict[int, list[int]] = {}
    for submission_id, category_id in sorted(entries.items()):
        candidates.setdefault(category_id, []).append(submission_id)
    return {
        category_id: BallotCount(
            candidates=tuple(ids),
            ballots=tuple(by_category.get(category_id, [])),
            outcome=schulze(ids, by_category.get(category_id, [])),
        )
        for category_id, ids in candidates.items()
    }


def _schulze_rankings(round: Round, entries: dict[int, int]) -> dict[int, CategoryRanking]:
    result = {}
    for category_id, count in ballot_counts(entries, ballots_of_round(round)).items():
        # Without a ballot nobody is placed (Schulze would put everyone first).
        places = count.outcome.places if count.ballots else {}
        shared: dict[int, int] = {}
        for place in places.values():
            shared[place] = shared.get(place, 0) + 1
        rows = sorted(
            (
                RankedEntry(
                    submission_id=c,
                    score=None,
                    place=places.get(c),
                    tied=shared.get(places.get(c), 0) > 1,
                    reviews=sum(1 for b in count.ballots if c in b),
                    raw_mean=None,
                    tie_break_values=(),
                )
                for c in count.candidates
            ),
            key=lambda row: (row.place is None, row.place or 0, row.submission_id),
        )
        result[category_id] = CategoryRanking(
            category_id=category_id,
            normalisation="schulze",
            aggregation="schulze",
            tie_breakers=(),
            rows=tuple(rows),
        )
    return result


def round_rankings(round: Round) -> dict[int, CategoryRanking]:
    """Category id → the ranking of ``round``: by the award's methods from the submitted
    reviews, or by the Schulze method from the submitted ballots in a ranking round. Every
    entry of the round is listed (without a place while it has no complete review)."""
    award = round.award
    entries = round_entries(round)
    if round.method == RoundMethod.RANKING:
        return _schulze_rankings(round, entries)
    criteria, reviews = review_data_for_round(round)
    return ranking_compute(
        reviews,
        criteria,
        normalisation=award.ranking_normalisation,
        aggregation=award.ranking_aggregation,
        tie_breakers=tie_breakers_of(award),
        entries=entries,
    )


def decisive_round(award: Award, category: Category) -> Round | None:
    """The round a category is decided on: the latest opened round with entries of it."""
    round_ = decisive_rounds(award, [category]).get(category.pk)
    if round_ is not None:
        round_.award = award
    return round_


def decisive_rounds(award: Award, categories: Iterable[Category]) -> dict[int, Round]:
    """Category id → its decisive round (``decisive_round`` for many categories at once),
    in two queries however many categories; categories no round judged are left out."""
    rounds = {
        r.pk: r for r in Round.objects.filter(award=award).exclude(status=RoundStatus.PLANNED)
    }
    wanted = {c.pk for c in categories}
    result: dict[int, Round] = {}
    for round_id, category_id in (
        RoundEntry.objects.filter(round_id__in=rounds, submission__category_id__in=wanted)
        .values_list("round_id", "submission__category_id")
        .distinct()
    ):
        round_ = rounds[round_id]
        if category_id not in result or round_.number > result[category_id].number:
            result[category_id] = round_
    return result


def deviations(ranking: CategoryRanking, places: Sequence[int]) -> list[int]:
    """The places (1-based) where the choice departs from the ranking: the entry chosen for
    place i is unranked, or some entry ranked above it was not chosen for an earlier place.
    Choosing among entries tied on a place is no departure (ties are the chair's call)."""
    departures = []
    for index, submission_id in enumerate(places, start=1):
        row = ranking.entry(submission_id)
        if row is None or row.place is None:
            departures.append(index)
            continue
        better = {r.submission_id for r in ranking.ranked if r.place < row.place}
        if not better <= set(places[: index - 1]):
            departures.append(index)
    return departures


@dataclass
class DecisiveRanking:
    """A category, the round it is decided on (None before any round judged it) and that
    round's ranking of it (None when the round has no entry of it)."""

    category: Category
    round: Round | None
    ranking: CategoryRanking | None


def decisive_rankings(award: Award, categories: Iterable[Category]) -> list[DecisiveRanking]:
    """The ranking of each category by its decisive round; each round is ranked once,
    however many categories it decides, and a scores round's ranking comes from the cache
    by the version of its data (``figures.feed_ranking``)."""
    from .figures import RoundFeed, feed_ranking

    categories = list(categories)
    decisive = decisive_rounds(award, categories)
    rankings: dict[int, dict[int, CategoryRanking]] = {}
    rows = []
    for category in categories:
        round_ = decisive.get(category.pk)
        ranking = None
        if round_ is not None:
            if round_.pk not in rankings:
                round_.award = award
                rankings[round_.pk] = (
                    feed_ranking(RoundFeed(round_))
                    if round_.method == RoundMethod.SCORES
                    else round_rankings(round_)
                )
            ranking = rankings[round_.pk].get(category.pk)
        rows.append(DecisiveRanking(category=category, round=round_, ranking=ranking))
    return rows


def shortlist_proposal(round: Round, size: int) -> dict[int, list[tuple[int, float, int]]]:
    """Category id → the best ``size`` entries of ``round`` by the results engine with the
    award's methods (``round_rankings``): (submission id, score, reviews), best
    first. Entries tied at the cut all go through; entries without a complete review never
    do."""
    return {
        category_id: [
            (row.submission_id, row.score, row.reviews)
            for row in ranking.ranked
            if row.place <= size
        ]
        for category_id, ranking in round_rankings(round).items()
        if ranking.ranked
    }


def shortlist_rows(
    round: Round, entries: list[Submission], following: Round, size: int
) -> dict[str, Any]:
    """The shortlist panel of a closed round: per category its entries in ranking order
    (``size`` of them proposed), the unranked ones after them, and which are carried into
    ``following`` already."""
    # The whole ranking, so that the organisers can also pick entries below the top.
    ranking = shortlist_proposal(round, max(len(entries), 1))
    carried = set(following.entries.values_list("submission_id", flat=True))
    by_category: dict[int, list[Submission]] = defaultdict(list)
    for entry in entries:
        by_category[entry.category_id].append(entry)
    by_id = {entry.pk: entry for entry in entries}
    categories = []
    for category_id, category_entries in by_category.items():
        ranked = ranking.get(category_id, [])
        rows = [
            {
                "submission": by_id[submission_id],
                "mean": mean,
                "reviews": reviews,
                "proposed": position < size,
                "carried": submission_id in carried,
            }
            for position, (submission_id, mean, reviews) in enumerate(ranked)
            if submission_id in by_id
        ]
        ranked_ids = {row["submission"].pk for row in rows}
        rows += [
            {
                "submission": entry,
                "mean": None,
                "reviews": 0,
                "proposed": False,
                "carried": entry.pk in carried,
            }
            for entry in category_entries
            if entry.pk not in ranked_ids
        ]
        categories.append({"category": category_entries[0].category, "rows": rows})
    return {
        "size": size,
        "categories": categories,
        "carried": len(carried),
        "editable": following.status == RoundStatus.PLANNED,
    }


def schulze_rows(round: Round, entries: list[Submission]) -> list[dict[str, Any]]:
    """The Schulze count of a ranking round per category: ballots in and pending, places,
    and the matrix of strongest paths."""
    ballots = ballots_of_round(round)
    jurors = (
        Juror.objects.filter(award=round.award, is_active=True)
        .select_related("user")
        .prefetch_related("category_links")
        .order_by("user__full_name", "pk")
    )
    pools: dict[int, list[Juror]] = defaultdict(list)
    for juror in jurors:
        for link in juror.category_links.all():
            pools[link.category_id].append(juror)
    by_id = {entry.pk: entry for entry in entries}
    counts = ballot_counts({e.pk: e.category_id for e in entries}, ballots)
    results = []
    for category_id in dict.fromkeys(entry.category_id for entry in entries):
        count = counts[category_id]
        category_ballots = [b for b in ballots if b.category_id == category_id]
        voted = {b.juror_id for b in category_ballots}
        result = count.outcome
        order = sorted(
            count.candidates, key=lambda pk: (result.places[pk], by_id[pk].reference or "")
        )
        place_sizes: dict[int, int] = defaultdict(int)
        for place in result.places.values():
            place_sizes[place] += 1
        results.append(
            {
                "category": by_id[count.candidates[0]].category,
                "ballots": len(category_ballots),
                "voters": [b.juror for b in category_ballots],
                "pending": [j for j in pools.get(category_id, []) if j.pk not in voted],
                "places": [
                    {
                        "place": result.places[pk],
                        "submission": by_id[pk],
                        "tied": place_sizes[result.places[pk]] > 1,
                    }
                    for pk in order
                ],
                "candidates": [by_id[pk] for pk in order],
                "matrix": [
                    {
                        "submission": by_id[a],
                        "cells": [None if a == b else result.d[a][b] for b in order],
                    }
                    for a in order
                ],
            }
        )
    return results
