"""Reads for the organisers' pages of one award's entries: the filtered list, the counts, one
entry with its files, and the files of a category for the ZIP.

Every function takes the award (or its category) and never looks beyond it, so a view that
got the award through ``award_get_for`` cannot show another award's entries. Each returns one
query whatever the number of rows: the list page runs a fixed number of queries.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F, Prefetch, Q, QuerySet

from awards.models import AuditEntry, Award, Category

from .enums import APPLIED_STATUSES, CONDITION_KINDS, SubmissionStatus
from .models import Attachment, Question, Submission
from .selectors import answers_filter


@dataclass(frozen=True)
class SubmissionFilters:
    """What the organiser narrowed the list to; empty values mean "all"."""

    category_id: int | None = None
    status: str = ""
    size_class: str = ""
    search: str = ""
    # (question, value) pairs: the entry's answer to the choice or yes/no question is (or,
    # for multiple choice, includes) the value.
    answers: tuple[tuple[Question, str], ...] = ()


def submissions_of_award(award: Award, filters: SubmissionFilters | None = None) -> QuerySet:
    """The award's entries with category and organisation, filtered and searched.

    The search looks for the text (case-insensitive) in the title, the reference number (the
    former one too, see submissions 0006), the organisation's name and the text answers
    (``answers_text``). Each answer filter narrows to the entries that gave that answer
    (``selectors.answers_filter``: JSON containment on PostgreSQL, answered by the GIN
    index). Order: category, then reference number (entries without one, i.e. drafts never
    submitted, last), then creation.
    """
    filters = filters or SubmissionFilters()
    queryset = Submission.objects.filter(award=award).select_related("category", "organisation")
    if filters.category_id:
        queryset = queryset.filter(category_id=filters.category_id)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.size_class:
        queryset = queryset.filter(organisation__size_class=filters.size_class)
    search = filters.search.strip()
    if search:
        queryset = queryset.filter(
            Q(title__icontains=search)
            | Q(reference__icontains=search)
            | Q(former_reference__icontains=search)
            | Q(organisation__name__icontains=search)
            | Q(answers_text__contains=search.casefold())
        )
    for question, value in filters.answers:
        queryset = queryset.filter(answers_filter(question, value, vendor=connection.vendor))
    return queryset.order_by(
        "category__position", "category_id", F("reference").asc(nulls_last=True), "pk"
    )


# The long texts an entry has (its answers among them); the list does not show them, so it
# does not load them.
LONG_TEXT_FIELDS = ("summary", "answers", "answers_text", "choice_answers")


def submission_list(award: Award, filters: SubmissionFilters | None = None) -> QuerySet:
    """``submissions_of_award`` without the long texts: what the list page shows."""
    return submissions_of_award(award, filters).defer(*LONG_TEXT_FIELDS)


def submissions_for_export(award: Award, filters: SubmissionFilters | None = None) -> QuerySet:
    """``submissions_of_award`` with the names of the files in each file slot, prefetched (one
    query per chunk the export reads), for the exports' file slot columns."""
    return submissions_of_award(award, filters).prefetch_related(
        Prefetch(
            "attachments",
            queryset=Attachment.objects.filter(question__isnull=False)
            .only("pk", "submission_id", "question_id", "original_name")
            .order_by("created_at", "pk"),
        )
    )


@dataclass
class SubmissionCounts:
    """Entries of an award by category and by status (all of them, whatever the filter)."""

    total: int = 0
    by_category: dict[int, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    # Per category, the entries that count as applications (submitted or checked).
    applied_by_category: dict[int, int] = field(default_factory=dict)


def filter_questions(award: Award) -> list[Question]:
    """The award's questions an organiser can filter the list by (single and multiple
    choice, yes/no; hidden ones too, their answers stay), in the form's order: one query."""
    return list(
        Question.objects.filter(award=award, kind__in=CONDITION_KINDS).order_by("position", "pk")
    )


def submission_counts(award: Award) -> SubmissionCounts:
    """One aggregate query grouped by category and status; the sums are done here."""
    rows = (
        Submission.objects.filter(award=award)
        .order_by()
        .values_list("category_id", "status")
        .annotate(n=Count("pk"))
    )
    by_category: Counter[int] = Counter()
    by_status: Counter[str] = Counter(dict.fromkeys(SubmissionStatus.values, 0))
    applied: Counter[int] = Counter()
    for category_id, status, n in rows:
        by_category[category_id] += n
        by_status[status] += n
        if status in APPLIED_STATUSES:
            applied[category_id] += n
    return SubmissionCounts(
        total=sum(by_category.values()),
        by_category=dict(by_category),
        by_status=dict(by_status),
        applied_by_category=dict(applied),
    )


def submission_of_award(award: Award, pk: int) -> Submission | None:
    """One entry of the award with its organisation, category and files (None if the id
    names no entry of this award)."""
    return (
        Submission.objects.filter(award=award, pk=pk)
        .select_related("award", "category", "organisation", "created_by", "updated_by")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "pk"))
        )
        .first()
    )


def category_of_award(award: Award, category_id: int) -> Category | None:
    return award.categories.filter(pk=category_id).first()


def category_documents(category: Category) -> QuerySet[Attachment]:
    """Every file of the category's applications (submitted, eligible or not eligible), by
    reference number, with the file slot each was uploaded to: what the jury will read.
    Drafts and withdrawn entries are left out."""
    return (
        Attachment.objects.filter(
            submission__category=category, submission__status__in=APPLIED_STATUSES
        )
        .select_related("submission", "question")
        .defer(*(f"submission__{name}" for name in LONG_TEXT_FIELDS))
        .order_by("submission__reference", "submission_id", "created_at", "pk")
    )


def submission_history(submission: Submission, limit: int = 50) -> QuerySet[AuditEntry]:
    """The entry's lines of the award's change log (status changes, extensions), newest
    first, with who made them."""
    return (
        AuditEntry.objects.filter(
            award_id=submission.award_id,
            object_type=Submission._meta.label_lower,
            object_id=str(submission.pk),
        )
        .select_related("actor")
        .order_by("-pk")[:limit]
    )
