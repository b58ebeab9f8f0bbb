"""Reads of the award endpoints (``/api/v1/awards/<slug>/…``): who the token's user is in
the award, and what each of them may see, by the same rules as the pages.

* an **organiser** (``awards.manage_award``) sees everything of the award;
* a **juror** (an active seat) sees the entries assigned to them in a round that has been
  opened, never one a conflict blocks (``jury.conflicts.blocked_q``), and none before they
  have confirmed confidentiality and declared their conflicts (as ``jury.access``); without
  the company when the award reviews blind;
* an **applicant** (a verified member of a company with an entry in the award) sees their
  companies' entries (``submissions.view_submission``);
* anyone else gets a 404 on everything of the award.

Every function runs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import User
from awards.enums import RoundMethod, RoundStatus
from awards.models import Award, Round
from jury.conflicts import blocked_q
from jury.enums import BLOCKING_CONFLICT_STATUSES
from jury.models import Assignment, Conflict, Juror, Review
from notifications.enums import MessageStatus
from notifications.models import Message
from results import selectors as results_selectors
from results.models import Decision
from submissions.manage_selectors import (
    LONG_TEXT_FIELDS,
    SubmissionFilters,
    submissions_of_award,
)
from submissions.models import Attachment, Membership, Submission


class Role:
    ORGANISER = "organiser"
    JUROR = "juror"
    APPLICANT = "applicant"


@dataclass(frozen=True)
class AwardRole:
    """What the token's user is in the award: ``kind`` (``Role``), the seat of a juror, the
    companies of an applicant."""

    kind: str
    juror: Juror | None = None
    organisation_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_organiser(self) -> bool:
        return self.kind == Role.ORGANISER

    def blind_for(self, award: Award) -> bool:
        """Whether the company and its people are hidden from this role."""
        return self.kind == Role.JUROR and award.blind_review


def award_role(user: User, award: Award) -> AwardRole:
    """The user's role in the award, or 404 (one query per role asked, at most three)."""
    if user.has_perm("awards.manage_award", award):
        return AwardRole(Role.ORGANISER)
    juror = (
        Juror.objects.filter(award=award, user=user, is_active=True)
        .select_related("user")
        .order_by()
        .first()
    )
    if juror is not None:
        juror.award = award
        return AwardRole(Role.JUROR, juror=juror)
    if user.email_verified_at is not None:
        organisation_ids = frozenset(
            Membership.objects.filter(user=user, organisation__submissions__award=award)
            .order_by()
            .values_list("organisation_id", flat=True)
            .distinct()
        )
        if organisation_ids:
            return AwardRole(Role.APPLICANT, organisation_ids=organisation_ids)
    raise Http404


def _juror_assigned(juror: Juror) -> Exists:
    """For a Submission queryset: assigned to ``juror`` in a round that has been opened."""
    return Exists(
        Assignment.objects.filter(juror=juror, submission=OuterRef("pk")).exclude(
            round__status=RoundStatus.PLANNED
        )
    )


def visible_condition(role: AwardRole) -> Q | None:
    """The condition on an award's entries for what ``role`` may see (None: all of them)."""
    if role.kind == Role.ORGANISER:
        return None
    if role.kind == Role.APPLICANT:
        return Q(organisation_id__in=role.organisation_ids)
    juror = role.juror
    if juror is None or not juror.is_ready:
        return Q(pk__in=[])
    return Q(_juror_assigned(juror)) & ~blocked_q(juror)


@dataclass(frozen=True)
class EntryFilters:
    """The entry list's query parameters: ``status``, ``category`` (its code), ``q``."""

    status: str = ""
    category: str = ""
    search: str = ""


def entries_visible(award: Award, role: AwardRole, filters: EntryFilters | None = None) -> QuerySet:
    """The award's entries ``role`` may see, filtered as the organisers' list filters them
    (``submissions.manage_selectors``), with category and company, without the long texts,
    by id (the cursor's key). One query per page.

    The text search looks in the title, the reference, the company's name (not for a blind
    jury: a match on the name would reveal the company) and the text answers."""
    filters = filters or EntryFilters()
    blind = role.blind_for(award)
    search = filters.search.strip()
    queryset = submissions_of_award(
        award, SubmissionFilters(status=filters.status, search="" if blind else search)
    )
    if blind and search:
        queryset = queryset.filter(
            Q(title__icontains=search)
            | Q(reference__icontains=search)
            | Q(former_reference__icontains=search)
            | Q(answers_text__contains=search.casefold())
        )
    if filters.category:
        queryset = queryset.filter(category__code=filters.category)
    condition = visible_condition(role)
    if condition is not None:
        queryset = queryset.filter(condition)
    return queryset.defer(*LONG_TEXT_FIELDS).order_by("pk")


def entry_visible(award: Award, role: AwardRole, pk: int) -> Submission:
    """One entry ``role`` may see, with its files, or 404 (two queries)."""
    queryset = Submission.objects.filter(award=award, pk=pk)
    condition = visible_condition(role)
    if condition is not None:
        queryset = queryset.filter(condition)
    submission = (
        queryset.select_related("category", "organisation")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "pk"))
        )
        .first()
    )
    if submission is None:
        raise Http404
    submission.award = award
    return submission


def attachment_visible(award: Award, role: AwardRole, pk: int) -> Attachment:
    """A file of an entry ``role`` may see, or 404 (one query)."""
    queryset = Attachment.objects.filter(pk=pk, submission__award=award)
    condition = visible_condition(role)
    if condition is not None:
        prefixed = Submission.objects.filter(award=award).filter(condition).values("pk")
        queryset = queryset.filter(submission_id__in=prefixed)
    attachment = queryset.first()
    if attachment is None:
        raise Http404
    return attachment


# --- The jury's work ---------------------------------------------------------------------


def jurors_of(award: Award) -> QuerySet[Juror]:
    """The award's jury seats with the person and the categories (two queries)."""
    return (
        Juror.objects.filter(award=award)
        .select_related("user")
        .prefetch_related("categories")
        .order_by("pk")
    )


def assignments_of(award: Award, *, round_number: int | None = None) -> QuerySet[Assignment]:
    """The award's assignments with their round and review, by id (one query per page)."""
    queryset = Assignment.objects.filter(round__award=award)
    if round_number is not None:
        queryset = queryset.filter(round__number=round_number)
    return queryset.select_related("round", "review").order_by("pk")


def reviews_visible(
    award: Award, role: AwardRole, *, round_number: int | None = None
) -> QuerySet[Review]:
    """The reviews ``role`` may read with their scores: for the organisers every submitted
    review of the award; for a juror their own reviews (drafts too) in rounds that have
    been opened, none a conflict blocks. Other jurors' reviews are not given to a juror
    through the API. Two queries per page."""
    queryset = Review.objects.filter(assignment__round__award=award)
    if role.kind == Role.ORGANISER:
        queryset = queryset.filter(status="submitted")
    elif role.kind == Role.JUROR and role.juror is not None:
        queryset = (
            queryset.filter(assignment__juror=role.juror)
            .exclude(assignment__round__status=RoundStatus.PLANNED)
            .alias(blocked=assignment_blocked_of_review())
            .exclude(blocked=True)
        )
    else:
        return Review.objects.none()
    if round_number is not None:
        queryset = queryset.filter(assignment__round__number=round_number)
    return queryset.select_related("assignment__round").prefetch_related("scores").order_by("pk")


def assignment_blocked_of_review() -> Exists:
    """``jury.conflicts.assignment_blocked`` for a Review queryset, through its assignment:
    whether a conflict blocks the review's juror from its entry."""
    return Exists(
        Conflict.objects.filter(
            juror=OuterRef("assignment__juror"), status__in=BLOCKING_CONFLICT_STATUSES
        ).filter(
            Q(submission=OuterRef("assignment__submission"))
            | Q(organisation=OuterRef("assignment__submission__organisation"))
        )
    )


# --- Results -------------------------------------------------------------------------------


@dataclass
class RankingBlock:
    category: object
    rows: list[dict]


def round_ranking(award: Award, round_: Round) -> list[RankingBlock]:
    """The round's ranking per category, as the organisers' round page reads it (the scores
    ranking from the cache by the version of its data, ``results.selectors.feed_ranking``;
    the Schulze count for a ranking round), each row with the entry's reference and title.
    A fixed number of queries."""
    if round_.method == RoundMethod.SCORES:
        rankings = results_selectors.feed_ranking(results_selectors.RoundFeed(round_))
    else:
        rankings = results_selectors.round_rankings(round_)
    categories = {c.pk: c for c in award.categories.order_by("position", "pk")}
    ids = {row.submission_id for ranking in rankings.values() for row in ranking.rows}
    entries = {
        s.pk: s
        for s in Submission.objects.filter(award=award, pk__in=ids).only("pk", "reference", "title")
    }
    blocks = []
    for category_id, category in categories.items():
        ranking = rankings.get(category_id)
        if ranking is None:
            continue
        rows = []
        for row in ranking.rows:
            entry = entries.get(row.submission_id)
            rows.append(
                {
                    "entry": row.submission_id,
                    "reference": entry.reference if entry else None,
                    "title": entry.title if entry else "",
                    "place": row.place,
                    "tied": row.tied,
                    "score": row.score,
                    "reviews": row.reviews,
                    "raw_mean": row.raw_mean,
                }
            )
        blocks.append(RankingBlock(category=category, rows=rows))
    return blocks


def decisions_of(award: Award) -> QuerySet[Decision]:
    """The award's decisions with category and entry (one query)."""
    return (
        Decision.objects.filter(award=award)
        .select_related("category", "submission")
        .defer(*(f"submission__{name}" for name in LONG_TEXT_FIELDS))
        .order_by("category__position", "category_id", "kind", "place", "pk")
    )


# --- The outbox ----------------------------------------------------------------------------


def outbox_counts(award: Award) -> dict[str, int]:
    """The award's messages by status, every status named (one query)."""
    counts = dict.fromkeys(MessageStatus.values, 0)
    rows = (
        Message.objects.filter(award=award).order_by().values_list("status").annotate(n=Count("pk"))
    )
    for status, n in rows:
        counts[status] = n
    return counts


def outbox_messages(award: Award, *, status: str = "") -> QuerySet[Message]:
    """The award's messages without their texts, newest first (one query per page)."""
    queryset = Message.objects.filter(award=award)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.only(
        "pk",
        "status",
        "template_key",
        "recipient_email",
        "language",
        "attempts",
        "created_at",
        "sent_at",
    ).order_by("-pk")
