import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Func, IntegerField, Q, QuerySet, TextField, Value
from django.db.models.lookups import Exact, IContains
from django.utils.translation import gettext as _

from accounts.models import User
from awards.models import Award
from core import pagecache
from core.links import safe_link
from notifications.models import BulkSend

from .enums import APPLIED_STATUSES, AttachmentKind, QuestionKind
from .models import Attachment, Question, Submission
from .questions import YES, FormQuestions, files_by_slot


def applicants_of_award(bulk: BulkSend) -> QuerySet[User]:
    """Members of every organisation with an entry (submitted or checked) in the award."""
    return User.objects.filter(
        memberships__organisation__submissions__award=bulk.award,
        memberships__organisation__submissions__status__in=APPLIED_STATUSES,
    )


def applicants_of_category(bulk: BulkSend) -> QuerySet[User]:
    return User.objects.filter(
        memberships__organisation__submissions__category=bulk.category,
        memberships__organisation__submissions__status__in=APPLIED_STATUSES,
    )


def form_questions_of(award_id: int) -> list[Question]:
    """Every question of an award's form in order, with what ``questions.FormQuestions``
    needs (the award, the condition's question, the categories): two queries."""
    return form_questions_by_award([award_id]).get(award_id, [])


# An award's form as the pages read it stays in the cache this long at most; every change
# of a question, its categories, the award or a category renews it (``SubmissionsConfig``).
FORM_TTL_S = 3600


def form_scope(award_id: int) -> str:
    return f"form:{award_id}"


def form_questions_for_pages(award_id: int) -> list[Question]:
    """``form_questions_of`` from the cache: for pages that show the form or the answers
    (the review page, the entry pages). The services that clean and store answers read the
    database (``form_questions_of``): a form changed a moment ago is what they check."""
    return pagecache.cached_part(
        form_scope(award_id), "questions", lambda: (form_questions_of(award_id), FORM_TTL_S)
    )


def form_questions_by_award(award_ids: Iterable[int]) -> dict[int, list[Question]]:
    """``form_questions_of`` for several awards at once (the applicant's dashboard): two
    queries whatever the number of awards."""
    questions: dict[int, list[Question]] = {}
    for question in (
        Question.objects.filter(award_id__in=list(award_ids))
        .select_related("award", "show_if")
        .prefetch_related("categories")
        .order_by("award_id", "position", "pk")
    ):
        questions.setdefault(question.award_id, []).append(question)
    return questions


def copy_sources(award: Award) -> list[Award]:
    """The other awards ``award``'s organisers could copy a form from: those they organise
    too that have questions, newest first (the caller narrows to what the user may manage)."""
    return list(
        Award.objects.filter(questions__isnull=False)
        .exclude(pk=award.pk)
        .distinct()
        .order_by("-submissions_open_at", "-pk")
    )


def answers_filter(question: Question, value: str, *, vendor: str) -> Q | Exact | IContains:
    """Entries whose answer to a choice or yes/no ``question`` is (or, for multiple choice,
    includes) ``value``, in ``Submission.choice_answers``: JSON containment on PostgreSQL,
    which the GIN index ``submission_choice_answers_gin`` answers; elsewhere (SQLite) the
    answer read at the JSON path ``$."<id>"`` (Django's key lookups, ``choice_answers__12``,
    would take a key of digits for an array index there)."""
    key = str(question.pk)
    if question.kind == QuestionKind.YES_NO:
        wanted: Any = value == YES
    elif question.kind == QuestionKind.MULTIPLE:
        wanted = [value]
    else:
        wanted = value
    if vendor == "postgresql":
        return Q(choice_answers__contains={key: wanted})
    path = Value(f'$."{key}"')
    if question.kind == QuestionKind.YES_NO:
        answer = Func(
            F("choice_answers"), path, function="JSON_EXTRACT", output_field=IntegerField()
        )
        return Exact(answer, 1 if wanted else 0)
    answer = Func(F("choice_answers"), path, function="JSON_EXTRACT", output_field=TextField())
    if question.kind == QuestionKind.MULTIPLE:
        return IContains(answer, json.dumps(value))  # the list as JSON text: '["a", "b"]'
    return Exact(answer, value)


def answer_counts(award: Award, questions: list[Question]) -> dict[int, int]:
    """How many of the award's entries answered each question (a file slot: hold a file in
    it), in one query whatever the number of questions and entries (the same reading as
    ``services.questions.answer_count``)."""
    aggregates = {}
    for question in questions:
        if question.kind == QuestionKind.SECTION:
            continue
        if question.kind == QuestionKind.FILE:
            condition = Q(attachments__question_id=question.pk)
        else:
            condition = Q(answers__has_key=str(question.pk))
        aggregates[f"q{question.pk}"] = Count("pk", filter=condition, distinct=True)
    if not aggregates:
        return {}
    counts = Submission.objects.filter(award=award).aggregate(**aggregates)
    return {int(name[1:]): count or 0 for name, count in counts.items()}


@dataclass
class AnswerItem:
    """One row of an entry read back: a question with its answer in words (``text``, "" for
    none), ``link`` the web address when the answer is one that may be a link
    (``core.links.safe_link``; the template writes the ``<a>``), or a file slot with its
    ``files`` (``question`` None: the files of no shown slot)."""

    question: Question | None
    text: str = ""
    link: str | None = None
    files: list[Attachment] = field(default_factory=list)
    retired: bool = False

    @property
    def is_file_slot(self) -> bool:
        return self.question is None or self.question.kind == QuestionKind.FILE

    @property
    def images(self) -> list[Attachment]:
        return [a for a in self.files if a.kind == AttachmentKind.IMAGE]

    @property
    def documents(self) -> list[Attachment]:
        return [a for a in self.files if a.kind != AttachmentKind.IMAGE]


@dataclass
class AnswerSection:
    """A heading ("" for the form's start) and its items in the form's order."""

    heading: str
    items: list[AnswerItem]

    @property
    def groups(self) -> list[list[AnswerItem]]:
        """The items with consecutive answers in one list and each file slot on its own (the
        jury's page writes one ``<dl>`` per run of answers)."""
        groups: list[list[AnswerItem]] = []
        for item in self.items:
            if item.is_file_slot or not groups or groups[-1][0].is_file_slot:
                groups.append([item])
            else:
                groups[-1].append(item)
        return groups


def entry_answer_sections(
    submission: Submission, attachments: Sequence[Attachment], *, include_retired: bool
) -> list[AnswerSection]:
    """An entry's answers as the applicant, the organisers and the jury read them: in the order and
    sections of its category's form (from the cache, ``form_questions_for_pages``; two
    queries on a miss whatever the form's size; ``attachments`` are the entry's files, read
    by the caller), hidden questions left out. A question hidden for new entries (retired)
    appears only where the entry answered it or holds files in it; ``include_retired`` keeps
    retired section headings too (the organisers' and the jury's view). Files in no shown
    slot (uploaded before slots existed, another category's slot, a slot the answers hide)
    come last under "Further files", so nothing sent is lost from sight."""
    answers = submission.answers or {}
    by_slot = files_by_slot(attachments)
    form = FormQuestions.of(
        form_questions_for_pages(submission.award_id),
        category_id=submission.category_id,
        answers=answers,
        attachment_question_ids=[pk for pk in by_slot if pk is not None],
        include_retired=include_retired,
    )
    sections: list[AnswerSection] = []
    shown_slots: set[int] = set()
    for heading, rows in form.sections(answers):
        items: list[AnswerItem] = []
        for question, text in rows:
            if question.kind == QuestionKind.FILE:
                files = by_slot.get(question.pk, [])
                if files or not question.retired:
                    shown_slots.add(question.pk)
                    items.append(AnswerItem(question, files=files, retired=question.retired))
            elif text or not question.retired:
                link = safe_link(text) if question.kind == QuestionKind.URL else None
                items.append(AnswerItem(question, text=text, link=link, retired=question.retired))
        if items:
            sections.append(AnswerSection(heading, items))
    further = [a for a in attachments if a.question_id not in shown_slots]
    if further:
        sections.append(AnswerSection(_("Further files"), [AnswerItem(None, files=further)]))
    return sections
