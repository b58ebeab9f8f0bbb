"""The jury's feedback to the applicants: what the organisers review, and what an applicant
reads once the edition's feedback is released.

Jurors stay anonymous to applicants: each entry's jurors are "Juror A", "B", "C" … in the
order they were first assigned to it (every round, whether or not they wrote feedback), so a
letter never changes when feedback is withheld or approved later.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from awards.enums import RoundMethod
from awards.models import Award, Criterion, Round
from jury.enums import ReviewStatus
from jury.models import Assignment, Review, RoundEntry, Score
from submissions.models import Submission

from ..enums import FeedbackDisclosure, FeedbackStatus
from ..models import FeedbackItem, FeedbackRelease
from .figures import RoundFeed, feed_ranking

ENTRIES_PER_PAGE = 25
# The bands an applicant may be told, by the share of ranked entries at or above them.
BANDS = (("top10", 0.10), ("top25", 0.25), ("top50", 0.5))
# Scored entries a category needs before its average per criterion is shown to applicants.
CATEGORY_AVERAGE_MIN_ENTRIES = 5


def text_digest(text: str) -> str:
    """What an approval remembers of the juror's text: a later change of it shows."""
    return hashlib.sha256(text.encode()).hexdigest()


def juror_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def juror_letters(submission_ids: Iterable[int]) -> dict[tuple[int, int], str]:
    """(entry id, juror id) → the juror's letter for that entry. One query."""
    letters: dict[tuple[int, int], str] = {}
    seen: dict[int, int] = defaultdict(int)
    for submission_id, juror_id in (
        Assignment.objects.filter(submission_id__in=list(submission_ids))
        .order_by("submission_id", "pk")
        .values_list("submission_id", "juror_id")
    ):
        if (submission_id, juror_id) not in letters:
            letters[submission_id, juror_id] = juror_letter(seen[submission_id])
            seen[submission_id] += 1
    return letters


def release_of(award: Award) -> FeedbackRelease:
    """The award's release settings (unsaved defaults when the organisers never set any)."""
    try:
        return award.feedback_release
    except FeedbackRelease.DoesNotExist:
        return FeedbackRelease(award=award)


def feedback_released(release: FeedbackRelease, now=None) -> bool:
    return release.released_at is not None and release.released_at <= (now or timezone.now())


# --- The organisers' review ---------------------------------------------------------------


def _feedback_reviews(award: Award) -> QuerySet[Review]:
    """The submitted reviews of ``award`` that carry feedback to the applicant."""
    return Review.objects.filter(
        assignment__round__award=award, status=ReviewStatus.SUBMITTED
    ).exclude(applicant_feedback="")


@dataclass(frozen=True)
class FeedbackCounts:
    texts: int
    pending: int
    approved: int
    withheld: int
    changed: int  # approved, and the juror changed the text afterwards


def feedback_counts(award: Award) -> FeedbackCounts:
    """How many feedback texts the organisers have reviewed, and how. Two queries."""
    counts = _feedback_reviews(award).aggregate(
        texts=Count("pk"),
        approved=Count("pk", filter=Q(feedback_item__status=FeedbackStatus.APPROVED)),
        withheld=Count("pk", filter=Q(feedback_item__status=FeedbackStatus.WITHHELD)),
    )
    changed = sum(
        1
        for text, digest, edited in FeedbackItem.objects.filter(
            review__assignment__round__award=award, status=FeedbackStatus.APPROVED
        ).values_list("review__applicant_feedback", "source_digest", "edited")
        if digest and digest != text_digest(text) and not edited
    )
    return FeedbackCounts(
        texts=counts["texts"],
        pending=counts["texts"] - counts["approved"] - counts["withheld"],
        approved=counts["approved"],
        withheld=counts["withheld"],
        changed=changed,
    )


@dataclass(frozen=True)
class FeedbackRow:
    """One juror's feedback to one entry, as the organisers review it."""

    review: Review
    letter: str
    juror_name: str
    round_number: int
    juror_text: str  # what the juror wrote, now
    status: str
    text: str  # what the applicant reads once approved
    edited: bool
    changed_since_approval: bool

    @property
    def pending(self) -> bool:
        return self.status == FeedbackStatus.PENDING


@dataclass(frozen=True)
class FeedbackEntry:
    submission: Submission
    rows: list[FeedbackRow]


def _rows(reviews: Sequence[Review], letters: dict[tuple[int, int], str]) -> list[FeedbackRow]:
    rows = []
    for review in reviews:
        assignment = review.assignment
        item = getattr(review, "feedback_item", None)
        status = item.status if item else FeedbackStatus.PENDING
        rows.append(
            FeedbackRow(
                review=review,
                letter=letters.get((assignment.submission_id, assignment.juror_id), "?"),
                juror_name=str(assignment.juror.user),
                round_number=assignment.round.number,
                juror_text=review.applicant_feedback,
                status=status,
                text=item.text if item and status == FeedbackStatus.APPROVED else "",
                edited=bool(item and item.edited),
                changed_since_approval=bool(
                    item
                    and status == FeedbackStatus.APPROVED
                    and not item.edited
                    and item.source_digest != text_digest(review.applicant_feedback)
                ),
            )
        )
    rows.sort(key=lambda row: (len(row.letter), row.letter, row.round_number))
    return rows


def _reviews_of(submission_ids: Iterable[int], award: Award) -> list[Review]:
    return list(
        _feedback_reviews(award)
        .filter(assignment__submission_id__in=list(submission_ids))
        .select_related("assignment__juror__user", "assignment__round", "feedback_item")
        .order_by("assignment__submission_id", "assignment_id")
    )


def feedback_page(
    award: Award,
    *,
    page: int | str = 1,
    status: str = "",
    category_id: int | None = None,
) -> tuple[Page, list[FeedbackEntry]]:
    """One page of the entries with feedback, each with its jurors' texts. ``status``
    narrows to entries with at least one text in that state. Four queries whatever the
    page (count, page of entries, their feedback, their letters)."""
    reviews = _feedback_reviews(award)
    if status == FeedbackStatus.PENDING:
        reviews = reviews.filter(
            Q(feedback_item__isnull=True) | Q(feedback_item__status=FeedbackStatus.PENDING)
        )
    elif status in (FeedbackStatus.APPROVED, FeedbackStatus.WITHHELD):
        reviews = reviews.filter(feedback_item__status=status)
    entries = (
        Submission.objects.filter(award=award)
        .filter(Exists(reviews.filter(assignment__submission_id=OuterRef("pk"))))
        .select_related("category", "organisation")
        .order_by("category__position", "category_id", "reference", "pk")
    )
    if category_id:
        entries = entries.filter(category_id=category_id)
    paginator = Paginator(entries, ENTRIES_PER_PAGE)
    page_obj = paginator.get_page(page)
    shown = list(page_obj.object_list)
    by_entry: dict[int, list[Review]] = defaultdict(list)
    ids = [entry.pk for entry in shown]
    for review in _reviews_of(ids, award) if ids else []:
        by_entry[review.assignment.submission_id].append(review)
    letters = juror_letters(ids) if ids else {}
    return page_obj, [FeedbackEntry(entry, _rows(by_entry[entry.pk], letters)) for entry in shown]


def feedback_entry(award: Award, submission: Submission) -> FeedbackEntry:
    """One entry's feedback texts for the organisers. Two queries."""
    reviews = _reviews_of([submission.pk], award)
    return FeedbackEntry(submission, _rows(reviews, juror_letters([submission.pk])))


# --- What an applicant reads ----------------------------------------------------------------


@dataclass(frozen=True)
class CriterionComparison:
    name: str
    entry: float
    category: float
    scale_min: int
    scale_max: int

    def percent(self, value: float) -> int:
        span = self.scale_max - self.scale_min
        return round(100 * (value - self.scale_min) / span) if span else 0

    @property
    def entry_percent(self) -> int:
        return self.percent(self.entry)

    @property
    def category_percent(self) -> int:
        return self.percent(self.category)


@dataclass(frozen=True)
class ApplicantFeedback:
    """What one entry's company reads after the release."""

    submission_id: int
    texts: list[tuple[str, str]]  # (letter, text), by letter
    disclosure: str
    criteria: list[CriterionComparison]
    band: str  # "finalist", "top10", "top25", "top50" or ""
    released_at: object

    @property
    def empty(self) -> bool:
        return not self.texts and not self.criteria and not self.band


def _first_scores_rounds(award_ids: Iterable[int]) -> dict[int, Round]:
    """Award id → its first scores round that was opened: the round every entry of a
    category was scored in, so an entry's figures compare with all of its category's."""
    first: dict[int, Round] = {}
    for round_ in (
        Round.objects.filter(award_id__in=list(award_ids), method=RoundMethod.SCORES)
        .exclude(status="planned")
        .select_related("award")
        .order_by("award_id", "number")
    ):
        first.setdefault(round_.award_id, round_)
    return first


def _criteria_comparisons(
    entries: Sequence[Submission], rounds: dict[int, Round]
) -> dict[int, list[CriterionComparison]]:
    """Entry id → its average per criterion beside its category's, in the first scores
    round. Three queries for any number of entries."""
    round_ids = [rounds[e.award_id].pk for e in entries if e.award_id in rounds]
    if not round_ids:
        return {}
    criteria = {
        c.pk: c
        for c in Criterion.objects.filter(award_id__in={e.award_id for e in entries}).order_by(
            "position", "pk"
        )
    }
    scores = Score.objects.filter(
        review__status=ReviewStatus.SUBMITTED,
        review__assignment__round_id__in=round_ids,
        value__isnull=False,
    )
    own = {
        (row["review__assignment__submission_id"], row["criterion_id"]): row["average"]
        for row in scores.filter(review__assignment__submission_id__in=[e.pk for e in entries])
        .values("review__assignment__submission_id", "criterion_id")
        .annotate(average=Avg("value"))
    }
    # A category's average is shown only over enough entries that it tells nothing about
    # one other entry (with two, the other's average would follow from it and one's own).
    categories = {
        (row["review__assignment__submission__category_id"], row["criterion_id"]): row["average"]
        for row in scores.filter(
            review__assignment__submission__category_id__in={e.category_id for e in entries}
        )
        .values("review__assignment__submission__category_id", "criterion_id")
        .annotate(
            average=Avg("value"),
            entries=Count("review__assignment__submission_id", distinct=True),
        )
        if row["entries"] >= CATEGORY_AVERAGE_MIN_ENTRIES
    }
    result: dict[int, list[CriterionComparison]] = {}
    for entry in entries:
        rows = []
        for criterion in criteria.values():
            if criterion.award_id != entry.award_id:
                continue
            mine = own.get((entry.pk, criterion.pk))
            theirs = categories.get((entry.category_id, criterion.pk))
            if mine is None or theirs is None:
                continue
            rows.append(
                CriterionComparison(
                    name=criterion.name,
                    entry=float(mine),
                    category=float(theirs),
                    scale_min=criterion.scale_min,
                    scale_max=criterion.scale_max,
                )
            )
        if rows:
            result[entry.pk] = rows
    return result


def _bands(entries: Sequence[Submission], rounds: dict[int, Round]) -> dict[int, str]:
    """Entry id → "finalist" when the entry reached a later round, else its band in the
    ranking of the first scores round (top 10 %, 25 %, half), or nothing below that."""
    if not entries:
        return {}
    finalists = set(
        RoundEntry.objects.filter(
            submission_id__in=[e.pk for e in entries],
            round__number__gt=1,
            is_calibration=False,
        ).values_list("submission_id", flat=True)
    )
    bands: dict[int, str] = {}
    rankings: dict[int, dict] = {}
    for entry in entries:
        if entry.pk in finalists:
            bands[entry.pk] = "finalist"
            continue
        round_ = rounds.get(entry.award_id)
        if round_ is None:
            continue
        if round_.pk not in rankings:
            rankings[round_.pk] = feed_ranking(RoundFeed(round_))
        ranking = rankings[round_.pk].get(entry.category_id)
        row = ranking.entry(entry.pk) if ranking else None
        ranked = len(ranking.ranked) if ranking else 0
        if row is None or row.place is None or not ranked:
            continue
        share = row.place / ranked
        bands[entry.pk] = (
            "top10"
            if share <= 0.10
            else "top25"
            if share <= 0.25
            else "top50"
            if share <= 0.5
            else ""
        )
    return bands


def applicant_feedback(
    entries: Sequence[Submission],
    now=None,
    *,
    releases: dict[int, FeedbackRelease] | None = None,
) -> dict[int, ApplicantFeedback]:
    """Entry id → what its company reads, for the entries whose edition's feedback is
    released (and whose award collects feedback). Never another entry's scores; only
    approved texts. A fixed number of queries for any number of entries of one award; the
    band costs a ranking's queries once per award that shows bands."""
    now = now or timezone.now()
    # ``releases`` given (award id → its settings): as if released, for who will be mailed.
    releases = (
        releases
        if releases is not None
        else {
            release.award_id: release
            for release in FeedbackRelease.objects.filter(
                award_id__in={e.award_id for e in entries},
                released_at__isnull=False,
                released_at__lte=now,
                award__applicant_feedback=True,
            )
        }
    )
    released = [e for e in entries if e.award_id in releases]
    if not released:
        return {}
    ids = [e.pk for e in released]
    items = list(
        FeedbackItem.objects.filter(
            submission_id__in=ids,
            status=FeedbackStatus.APPROVED,
            review__status=ReviewStatus.SUBMITTED,
        ).values_list("submission_id", "review__assignment__juror_id", "text")
    )
    letters = juror_letters(ids) if items else {}
    texts: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for submission_id, juror_id, text in items:
        if text.strip():
            texts[submission_id].append((letters.get((submission_id, juror_id), "?"), text))
    wanting = {
        disclosure: [e for e in released if releases[e.award_id].disclosure == disclosure]
        for disclosure in (FeedbackDisclosure.CRITERIA, FeedbackDisclosure.BAND)
    }
    rounds = (
        _first_scores_rounds({e.award_id for group in wanting.values() for e in group})
        if any(wanting.values())
        else {}
    )
    criteria = _criteria_comparisons(wanting[FeedbackDisclosure.CRITERIA], rounds)
    bands = (
        _bands(wanting[FeedbackDisclosure.BAND], rounds) if wanting[FeedbackDisclosure.BAND] else {}
    )
    result = {}
    for entry in released:
        release = releases[entry.award_id]
        result[entry.pk] = ApplicantFeedback(
            submission_id=entry.pk,
            texts=sorted(texts.get(entry.pk, []), key=lambda pair: (len(pair[0]), pair[0])),
            disclosure=release.disclosure,
            criteria=criteria.get(entry.pk, []),
            band=bands.get(entry.pk, ""),
            released_at=release.released_at,
        )
    return result


def feedback_recipients(award: Award, submission_ids: Iterable[int] | None = None) -> list[int]:
    """The entries of ``award`` whose company will have something to read once released:
    exactly those whose block ``applicant_feedback`` fills (approved texts, the criterion
    averages, or a band), so that nobody is mailed about an empty page."""
    if not award.applicant_feedback:
        return []
    entries = Submission.objects.filter(
        award=award, assignments__review__status=ReviewStatus.SUBMITTED
    ).distinct()
    if submission_ids is not None:
        entries = entries.filter(pk__in=list(submission_ids))
    found = applicant_feedback(list(entries), releases={award.pk: release_of(award)})
    return sorted(pk for pk, feedback in found.items() if not feedback.empty)
