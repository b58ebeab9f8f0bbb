"""Reads for the organisers' pages of one award's entries: the filtered list, the counts, one
entry with its files, and the files of a category for the ZIP.

Every function takes the award (or its category) and never looks beyond it, so a view that
got the award through ``award_get_for`` cannot show another award's entries. Each returns one
query whatever the number of rows: the list page runs a fixed number of queries.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery

from awards.models import AuditEntry, Award, Category

from .enums import APPLIED_STATUSES, CONDITION_KINDS, SubmissionStatus
from .models import Attachment, Organisation, Question, Submission
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


def _filters_condition(filters: SubmissionFilters) -> Q | None:
    """The condition ``filters`` put on an entry (None: no filter), read by the list's page
    and by its count (``submission_counts``) alike, so that the two never disagree."""
    condition = Q()
    if filters.category_id:
        condition &= Q(category_id=filters.category_id)
    if filters.status:
        condition &= Q(status=filters.status)
    if filters.size_class:
        condition &= Q(organisation__size_class=filters.size_class)
    search = filters.search.strip()
    if search:
        condition &= (
            Q(title__icontains=search)
            | Q(reference__icontains=search)
            | Q(former_reference__icontains=search)
            | Q(organisation__name__icontains=search)
            | Q(answers_text__contains=search.casefold())
        )
    for question, value in filters.answers:
        condition &= Q(answers_filter(question, value, vendor=connection.vendor))
    return condition or None


def _filtered(award: Award, filters: SubmissionFilters | None) -> QuerySet:
    queryset = Submission.objects.filter(award=award)
    condition = _filters_condition(filters or SubmissionFilters())
    return queryset if condition is None else queryset.filter(condition)


# Category, then reference number (drafts never submitted have none: last), then creation.
LIST_ORDER = ("category__position", "category_id", F("reference").asc(nulls_last=True), "pk")


def submissions_of_award(award: Award, filters: SubmissionFilters | None = None) -> QuerySet:
    """The award's entries with category and organisation, filtered and searched.

    The search looks for the text (case-insensitive) in the title, the reference number (the
    former one too, see submissions 0006), the organisation's name and the text answers
    (``answers_text``). Each answer filter narrows to the entries that gave that answer
    (``selectors.answers_filter``: JSON containment on PostgreSQL, answered by the GIN
    index). Order: ``LIST_ORDER``.
    """
    return (
        _filtered(award, filters).select_related("category", "organisation").order_by(*LIST_ORDER)
    )


# The long texts an entry has (its answers among them); the list does not show them, so it
# does not load them.
LONG_TEXT_FIELDS = ("summary", "answers", "answers_text", "choice_answers")

# What a row of the list shows, and nothing more: the category's code and name come from the
# award's categories, which the page reads anyway.
LIST_COLUMNS = (
    "pk",
    "reference",
    "title",
    "organisation_name",
    "category_id",
    "status",
    "submitted_at",
    "eligibility_reason",
)


def submission_list(award: Award, filters: SubmissionFilters | None = None) -> QuerySet:
    """``submissions_of_award`` as plain rows (dicts of ``LIST_COLUMNS``), in its order: what
    the list page shows, one query per page. Values, not entries: building 50 entries with
    their category and organisation cost more than the query, and the list reads none of
    the long texts (``LONG_TEXT_FIELDS``)."""
    return (
        _filtered(award, filters)
        # A subquery, not a join: PostgreSQL reads it after the sort and the LIMIT, for the
        # page's 50 rows, instead of joining every entry of the award to its organisation.
        .annotate(
            organisation_name=Subquery(
                Organisation.objects.filter(pk=OuterRef("organisation_id"))
                .order_by()
                .values("name")
            )
        )
        .order_by(*LIST_ORDER)
        .values(*LIST_COLUMNS)
    )


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
    # The entries the list's filter lets through (all of them without a filter).
    matching: int = 0


def filter_questions(award: Award) -> list[Question]:
    """The award's questions an organiser can filter the list by (single and multiple
    choice, yes/no; hidden ones too, their answers stay), in the form's order: one query."""
    return list(
        Question.objects.filter(award=award, kind__in=CONDITION_KINDS).order_by("position", "pk")
    )


def submission_counts(award: Award, filters: SubmissionFilters | None = None) -> SubmissionCounts:
    """One aggregate query grouped by category and status; the sums are done here. With
    ``filters``, the same query also counts the entries they let through (``matching``: the
    list's number of pages), so the list needs no count of its own."""
    condition = _filters_condition(filters or SubmissionFilters())
    rows = (
        Submission.objects.filter(award=award)
        .order_by()
        .values_list("category_id", "status")
        .annotate(
            n=Count("pk"),
            matching=Count("pk") if condition is None else Count("pk", filter=condition),
        )
    )
    by_category: Counter[int] = Counter()
    by_status: Counter[str] = Counter(dict.fromkeys(SubmissionStatus.values, 0))
    applied: Counter[int] = Counter()
    matching = 0
    for category_id, status, n, matched in rows:
        by_category[category_id] += n
        by_status[status] += n
        matching += matched
        if status in APPLIED_STATUSES:
            applied[category_id] += n
    return SubmissionCounts(
        total=sum(by_category.values()),
        by_category=dict(by_category),
        by_status=dict(by_status),
        applied_by_category=dict(applied),
        matching=matching,
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
