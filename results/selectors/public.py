"""Reads for the published results: the public page, an entry's page, the winners' images,
the earlier editions, the archive of every edition, the press kit. Fixed numbers of queries.

What the public sees of a decision: a winner always, a second or third place or a special
mention only where the organiser left it public (``Decision.public``); of the entry only what
its company agreed to publish (``consent_publication``: name, title, summary, image)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from awards.enums import PUBLIC_STATUSES, AwardStatus
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


# A winner is always public; a place or mention only if the organiser left it public.
VISIBLE = Q(public=True) | Q(kind=DecisionKind.PLACE, place=1)


def visible_decisions(award: Award) -> QuerySet[Decision]:
    """The decisions of ``award`` the public may see (names still subject to consent)."""
    return Decision.objects.filter(award=award).filter(VISIBLE)


def _statement(decision: Decision) -> None:
    """The jury's statement in the reader's language, else in the other one; with the
    language it is written in (``statement_lang``, for the ``lang`` attribute)."""
    first, second = ("en", "de") if (get_language() or "de").startswith("en") else ("de", "en")
    for language in (first, second):
        text = getattr(decision, f"statement_{language}")
        if text:
            decision.statement, decision.statement_lang = text, language
            return
    decision.statement, decision.statement_lang = "", ""


def public_results(award: Award) -> list[PublicCategory]:
    """Every category with its public places and mentions, each with its image (where the
    company agreed) and the jury's statement (3 queries)."""
    rows = {c.pk: PublicCategory(category=c) for c in award.categories.all()}
    for decision in decisions_of(award).filter(VISIBLE):
        target = rows[decision.category_id]
        images = list(decision.submission.attachments.all())
        decision.image = images[0] if images and decision.submission.consent_publication else None
        _statement(decision)
        if decision.kind == DecisionKind.MENTION:
            target.mentions.append(decision)
        else:
            target.winners.append(decision)
    return list(rows.values())


def public_image(award: Award, decision_pk: int) -> Attachment | None:
    decision = visible_decisions(award).filter(pk=decision_pk).select_related("submission").first()
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


def public_entry(award: Award, reference: str) -> Decision | None:
    """The public decision on the entry numbered ``reference`` whose company agreed to
    publication, with its image and statement; None otherwise (2 queries)."""
    if not reference:
        return None
    decision = (
        decisions_of(award)
        .filter(VISIBLE, submission__reference=reference, submission__consent_publication=True)
        .first()
    )
    if decision is None:
        return None
    images = list(decision.submission.attachments.all())
    decision.image = images[0] if images else None
    _statement(decision)
    return decision


def shareable_decision(award: Award, reference: str) -> Decision | None:
    """The decision whose share image the public may see (the same rule as the entry page),
    without images (1 query)."""
    if not reference:
        return None
    return (
        visible_decisions(award)
        .filter(submission__reference=reference, submission__consent_publication=True)
        .select_related("category", "submission__organisation")
        .first()
    )


def shareable_decisions(award: Award) -> QuerySet[Decision]:
    """Every decision of ``award`` that gets a share image: public and consented."""
    return (
        visible_decisions(award)
        .filter(submission__consent_publication=True)
        .select_related("category", "submission__organisation")
        .order_by("category__position", "category_id", "kind", "place", "pk")
    )


# --- Editions and the archive ------------------------------------------------------------


@dataclass
class EditionWinners:
    """An edition as the editions page and the archive list it: whether its results are
    public and, if so, each category with its winner (None: no winner the public may name)."""

    award: Award
    results_public: bool
    categories: list[tuple[Category, Decision | None]] = field(default_factory=list)


def _with_winners(awards: list[Award]) -> list[EditionWinners]:
    """Each of ``awards`` with its category winners where its results are public (2 queries
    whatever the number of awards)."""
    now = timezone.now()
    rows = [EditionWinners(award=a, results_public=a.results_are_public(now)) for a in awards]
    public = {row.award.pk: row for row in rows if row.results_public}
    if not public:
        return rows
    winners = {
        d.category_id: d
        for d in Decision.objects.filter(
            award_id__in=public, kind=DecisionKind.PLACE, place=1
        ).select_related("submission__organisation")
    }
    categories = Category.objects.filter(award_id__in=public).order_by(
        "award_id", "position", "code"
    )
    for category in categories:
        public[category.award_id].categories.append((category, winners.get(category.pk)))
    return rows


def edition_rows(award: Award) -> list[EditionWinners]:
    """Every edition of the award ``award`` belongs to (the same name) that the public may
    see, newest first, each with its winners once its results are public (3 queries)."""
    editions = list(
        Award.objects.filter(name=award.name, status__in=PUBLIC_STATUSES).order_by("-edition")
    )
    return _with_winners(editions)


ARCHIVE_PAGE_SIZE = 20


def archive_queryset(now=None) -> QuerySet[Award]:
    """Every edition whose results are public (``Award.results_are_public`` as a query)."""
    return Award.objects.filter(
        status__in=(AwardStatus.DECIDED, AwardStatus.PUBLISHED),
        results_publish_at__isnull=False,
        results_publish_at__lte=now or timezone.now(),
    ).order_by("-edition", "-results_publish_at", "name", "pk")


def archive_page(number: str | int | None) -> tuple[Page, list[EditionWinners]]:
    """One page of the archive: 20 editions with public results, newest first, each with
    its category winners (4 queries: count, page, categories, winners)."""
    page = Paginator(archive_queryset(), ARCHIVE_PAGE_SIZE).get_page(number)
    return page, _with_winners(list(page.object_list))


# --- The press kit ----------------------------------------------------------------------


def press_decisions(award: Award) -> list[Decision]:
    """The distinctions the press may name: those shown publicly (``VISIBLE``) of entries
    whose company agreed to publication (name, title, summary and image)."""
    decisions = [d for d in decisions_of(award).filter(VISIBLE) if d.submission.consent_publication]
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
    """One distinction the press may name (shown publicly, its company agreed to
    publication), or None."""
    decision = (
        Decision.objects.filter(VISIBLE, award=award, pk=pk)
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
