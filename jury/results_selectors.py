"""Reads for the results: the public page, the press kit. Fixed numbers of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch

from awards.models import Award, Category, Round
from awards.results import CategoryRanking
from submissions.enums import AttachmentKind
from submissions.models import Attachment

from .enums import DecisionKind
from .models import Decision


@dataclass
class PublicCategory:
    category: Category
    winners: list[Decision] = field(default_factory=list)  # places in order
    mentions: list[Decision] = field(default_factory=list)


@dataclass
class DecisiveRanking:
    """A category, the round it is decided on (None before any round judged it) and that
    round's ranking of it (None when the round has no entry of it)."""

    category: Category
    round: Round | None
    ranking: CategoryRanking | None


def decisive_rankings(award: Award, categories: Iterable[Category]) -> list[DecisiveRanking]:
    """The ranking of each category by its decisive round; each round is ranked once,
    however many categories it decides."""
    from . import services

    rankings: dict[int, dict[int, CategoryRanking]] = {}
    rows = []
    for category in categories:
        round_ = services.decisive_round(award, category)
        ranking = None
        if round_ is not None:
            if round_.pk not in rankings:
                rankings[round_.pk] = services.round_rankings(round_)
            ranking = rankings[round_.pk].get(category.pk)
        rows.append(DecisiveRanking(category=category, round=round_, ranking=ranking))
    return rows


def decisions_of(award: Award):
    images = Attachment.objects.filter(kind=AttachmentKind.IMAGE).exclude(thumbnail="")
    return (
        Decision.objects.filter(award=award)
        .select_related("category", "submission__organisation")
        .prefetch_related(Prefetch("submission__attachments", queryset=images.order_by("pk")))
        .order_by("category__position", "category_id", "kind", "place", "pk")
    )


def public_results(award: Award) -> list[PublicCategory]:
    """Every category with its places and mentions (3 queries)."""
    rows = {c.pk: PublicCategory(category=c) for c in award.categories.all()}
    for decision in decisions_of(award):
        target = rows[decision.category_id]
        images = list(decision.submission.attachments.all())
        decision.image = images[0] if images and decision.submission.consent_publication else None
        if decision.kind == DecisionKind.MENTION:
            target.mentions.append(decision)
        else:
            target.winners.append(decision)
    return list(rows.values())


def public_image(award: Award, decision_pk: int) -> Attachment | None:
    decision = (
        Decision.objects.filter(award=award, pk=decision_pk).select_related("submission").first()
    )
    if decision is None or not decision.submission.consent_publication:
        return None
    return (
        decision.submission.attachments.filter(kind=AttachmentKind.IMAGE)
        .exclude(thumbnail="")
        .order_by("pk")
        .first()
    )


def published_editions(award: Award) -> list[Award]:
    """The other editions of the same award whose results are public, newest first."""
    candidates = Award.objects.filter(name=award.name).exclude(pk=award.pk).order_by("-edition")
    return [a for a in candidates if a.results_are_public()]
