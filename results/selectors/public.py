"""Reads for the published results: the public page, the winners' images, the earlier
editions, the press kit. Fixed numbers of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from awards.models import Award, Category
from awards.templatetags.laurel import money
from submissions.enums import AttachmentKind
from submissions.models import Attachment

from .. import presskit, wording
from ..enums import DecisionKind
from ..models import Decision


@dataclass
class PublicCategory:
    category: Category
    winners: list[Decision] = field(default_factory=list)  # places in order
    mentions: list[Decision] = field(default_factory=list)


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


# --- The press kit ----------------------------------------------------------------------


def press_decisions(award: Award) -> list[Decision]:
    """The distinctions the press may name: only entries whose company agreed to
    publication (name, title, summary and image)."""
    decisions = [d for d in decisions_of(award) if d.submission.consent_publication]
    decisions.sort(
        key=lambda d: (
            d.category.position,
            d.category_id,
            d.kind == DecisionKind.MENTION,
            d.place or 0,
            d.pk,
        )
    )
    return decisions


def prize_of(decision: Decision, award: Award) -> str:
    if decision.kind == DecisionKind.PLACE and decision.place == 1:
        return money(decision.category.prize_amount, award.currency)
    return ""


def winner_rows(award: Award) -> list[presskit.WinnerRow]:
    return [
        presskit.WinnerRow(
            award=str(award),
            category=decision.category.name,
            distinction=wording.distinction(decision),
            reference=decision.submission.reference or "",
            title=decision.submission.title,
            company=decision.submission.organisation.name,
            city=decision.submission.organisation.city,
            prize=prize_of(decision, award),
            summary=decision.submission.summary,
        )
        for decision in press_decisions(award)
    ]


def press_decision(award: Award, pk: int) -> Decision | None:
    """One distinction the press may name (its company agreed to publication), or None."""
    decision = (
        Decision.objects.filter(award=award, pk=pk)
        .select_related("category", "submission__organisation")
        .first()
    )
    if decision is None or not decision.submission.consent_publication:
        return None
    return decision


def undecided_categories(award: Award) -> list[Category]:
    """The categories of ``award`` that have no winner yet."""
    return list(
        award.categories.exclude(
            pk__in=Decision.objects.filter(award=award, kind=DecisionKind.PLACE, place=1).values(
                "category_id"
            )
        ).order_by("position", "code")
    )
