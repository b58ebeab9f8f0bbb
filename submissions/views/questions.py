"""The organisers' form builder (under /manage/<slug>/submissions/form/): the award's
application form in order with the number of entries that answered each question; adding,
changing, moving (buttons, the keyboard, drag and drop), hiding and deleting questions;
starting from the standard form or copying another edition's; and the applicant's form
previewed per category and language.

Every page reaches the award through ``OrganiserView`` with ``awards.manage_award`` and every
question through that award, so anyone else (and another award's question) gets a 404.
Every change is one call of ``services.questions``, which guards the answers already given.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from awards.models import Award, Category
from awards.views_base import OrganiserView
from core.forms import ConfirmForm, add_service_errors, error_message
from core.http import wants_json

from ..enums import QuestionKind
from ..forms.entries import EntryForm
from ..forms.questions import CopySourceForm, QuestionForm
from ..models import Question, Submission
from ..questions import FormQuestions, choice_options
from ..selectors import answer_counts, copy_sources, form_questions_of
from ..services import questions as services

LANGUAGES = ("de", "en")


def condition_words(question: Question) -> str:
    """ "shown if “Patent status” is “granted”" for a conditional question, else ""."""
    parent = question.show_if
    if parent is None:
        return ""
    labels = dict(choice_options(parent))
    values = [f"“{labels.get(str(v), str(v))}”" for v in question.show_if_values or []]
    joined = _(" or ").join(values)
    return _("shown if “%(question)s” is %(values)s") % {
        "question": parent.label,
        "values": joined,
    }


def _language(value: str | None) -> str:
    return value if value in LANGUAGES else (translation.get_language() or "de")[:2]


class _FormView(OrganiserView):
    """An organiser page of the award's application form (404 for anyone else)."""

    permission_required = "awards.manage_award"

    def form_url(self, question: Question | None = None) -> str:
        url = reverse("submissions_manage:form", kwargs={"slug": self.award.slug})
        return f"{url}#question-{question.pk}" if question is not None else url

    def get_question(self, pk: int) -> Question:
        return get_object_or_404(
            Question.objects.select_related("award", "show_if").filter(award=self.award), pk=pk
        )

    def questions(self) -> list[Question]:
        return form_questions_of(self.award.pk)


# --- The builder page ---------------------------------------------------------------------


class FormBuilderView(_FormView):
    """The form in order: each question with its kind, categories, condition, state and
    answers, and the actions. A fixed number of queries whatever the form's size."""

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        questions = self.questions()
        counts = answer_counts(self.award, questions)
        rows = [
            {
                "question": question,
                "kind": QuestionKind(question.kind).label,
                "categories": [c.name for c in question.categories.all()],
                "condition": condition_words(question),
                "answers": counts.get(question.pk, 0),
                "first": index == 0,
                "last": index == len(questions) - 1,
            }
            for index, question in enumerate(questions)
        ]
        answered = any(counts.values())
        return self.render(
            "submissions/form_builder.html",
            {
                "rows": rows,
                "answered": answered,
                "open_with_entries": answered and self.award.status == "open",
                "can_copy": bool(self.sources()),
                "order": ",".join(str(q.pk) for q in questions),
                "categories": list(self.award.categories.order_by("position", "pk")),
            },
        )

    def sources(self) -> list[Award]:
        return _managed_sources(self.request, self.award)


def _managed_sources(request: HttpRequest, award: Award) -> list[Award]:
    return [a for a in copy_sources(award) if request.user.has_perm("awards.manage_award", a)]


# --- Adding and changing a question -------------------------------------------------------


class _QuestionFormView(_FormView):
    def render_form(
        self,
        form: QuestionForm,
        *,
        question: Question | None = None,
        stale: str = "",
        typed: list | None = None,
        status: int = 200,
    ) -> HttpResponse:
        answers = 0
        if question is not None:
            answers = services.answer_count(question)
        return self.render(
            "submissions/form_question.html",
            {
                "form": form,
                "question": question,
                "answers": answers,
                "stale": stale,
                "typed": typed or [],
                "kind_fields": form.kind_fields(),
                "title": (
                    _("Change the question “%(question)s”") % {"question": question.label}
                    if question is not None
                    else _("Add a question")
                ),
            },
            status=status,
        )


class QuestionAddView(_QuestionFormView):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        form = QuestionForm(
            award=self.award,
            questions=self.questions(),
            initial={"kind": request.GET.get("kind") or QuestionKind.SHORT_TEXT},
        )
        return self.render_form(form)

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        form = QuestionForm(request.POST, award=self.award, questions=self.questions())
        if form.is_valid():
            try:
                question = services.question_create(
                    award=self.award,
                    actor=request.user,
                    categories=form.cleaned_data["categories"],
                    **form.service_values(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The question “%(question)s” has been added.") % {"question": question},
                )
                return redirect(self.form_url(question))
        return self.render_form(form, status=400 if form.errors else 200)


class QuestionEditView(_QuestionFormView):
    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        question = self.get_question(pk)
        form = QuestionForm(award=self.award, questions=self.questions(), question=question)
        return self.render_form(form, question=question)

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        question = self.get_question(pk)
        questions = self.questions()
        form = QuestionForm(request.POST, award=self.award, questions=questions, question=question)
        if form.is_valid():
            values = form.service_values()
            if not values["key"]:
                values.pop("key")  # keep the key exports know it by
            try:
                question = services.question_update(
                    question=question,
                    actor=request.user,
                    expected_version=form.cleaned_data["version"],
                    categories=form.cleaned_data["categories"],
                    **values,
                )
            except services.StaleQuestion as error:
                current = self.get_question(pk)
                fresh = QuestionForm(award=self.award, questions=questions, question=current)
                typed = [
                    (fresh.fields[name].label, request.POST.get(name, ""))
                    for name in ("label_de", "label_en", "help_de", "help_en")
                    if request.POST.get(name, "") != getattr(current, name)
                ]
                return self.render_form(
                    fresh,
                    question=current,
                    stale=error_message(error),
                    typed=typed,
                    status=409,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The question “%(question)s” has been saved.") % {"question": question},
                )
                return redirect(self.form_url(question))
        return self.render_form(form, question=question, status=400)


# --- Deleting, hiding ---------------------------------------------------------------------


class QuestionDeleteView(_FormView):
    """GET shows what deleting does, or why it cannot be deleted (with hiding offered);
    POST with ``confirm`` deletes."""

    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        question = self.get_question(pk)
        return self.render_confirm(question, services.delete_refusal(question))

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        question = self.get_question(pk)
        if not ConfirmForm.confirmed(request.POST):
            return self.render_confirm(question, services.delete_refusal(question))
        try:
            services.question_delete(question=question, actor=request.user)
        except ValidationError as error:
            return self.render_confirm(question, error_message(error), status=400)
        messages.success(
            request, _("The question “%(question)s” has been deleted.") % {"question": question}
        )
        return redirect(self.form_url())

    def render_confirm(self, question: Question, refusal: str | None, status: int = 200):
        return self.render(
            "submissions/form_question_delete.html",
            {"question": question, "refusal": refusal},
            status=status,
        )


class QuestionRetireView(_FormView):
    """POST ``retired=1`` hides the question for new entries, ``retired=0`` shows it again."""

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        question = self.get_question(pk)
        retired = request.POST.get("retired") == "1"
        question = services.question_retire(question=question, actor=request.user, retired=retired)
        if retired:
            text = _("“%(question)s” is hidden for new entries; the answers given stay visible.")
        else:
            text = _("“%(question)s” is asked again.")
        messages.success(request, text % {"question": question})
        return redirect(self.form_url(question))


# --- Order --------------------------------------------------------------------------------


class FormReorderView(_FormView):
    """The new order after a drag and drop: JSON ``{"order": [ids]}`` (answered with JSON)
    or the form field ``order`` ("3,1,2"; answered with the builder page)."""

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        is_json = request.content_type == "application/json"
        try:
            if is_json:
                raw = json.loads(request.body or b"{}").get("order")
            else:
                raw = request.POST.get("order", "").split(",")
            order = [int(pk) for pk in raw]
        except (ValueError, TypeError, AttributeError):
            order = None
        if order is None:
            message = _("The order could not be read. Please reload the page and try again.")
            return self._answer(request, is_json, ok=False, message=message, status=400)
        try:
            services.questions_reorder(award=self.award, actor=request.user, order=order)
        except ValidationError as error:
            status = 409 if error.code == "stale" else 400
            return self._answer(
                request, is_json, ok=False, message=error_message(error), status=status
            )
        return self._answer(request, is_json, ok=True, message=_("The new order has been saved."))

    def _answer(self, request, is_json: bool, *, ok: bool, message: str, status: int = 200):
        if is_json or wants_json(request):
            return JsonResponse({"ok": ok, "message": message}, status=status)
        (messages.success if ok else messages.error)(request, message)
        return redirect(self.form_url())


class QuestionMoveView(_FormView):
    """POST ``direction=up|down``: the question swaps places with its neighbour (the buttons
    that work without a script)."""

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        question = self.get_question(pk)
        order = list(self.award.questions.order_by("position", "pk").values_list("pk", flat=True))
        index = order.index(question.pk)
        step = -1 if request.POST.get("direction") == "up" else 1
        other = index + step
        if 0 <= other < len(order):
            order[index], order[other] = order[other], order[index]
            try:
                services.questions_reorder(award=self.award, actor=request.user, order=order)
            except ValidationError as error:
                messages.error(request, error_message(error))
            else:
                text = (
                    _("“%(question)s” has moved up.")
                    if step < 0
                    else _("“%(question)s” has moved down.")
                )
                messages.success(request, text % {"question": question})
        return redirect(self.form_url(question))


# --- Starting a form ----------------------------------------------------------------------


class FormStandardView(_FormView):
    """POST: the standard form for an empty form."""

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        try:
            created = services.form_standard_add(award=self.award, actor=request.user)
        except ValidationError as error:
            messages.error(request, error_message(error))
        else:
            messages.success(
                request,
                ngettext(
                    "The standard form has been added: %(count)d question.",
                    "The standard form has been added: %(count)d questions.",
                    len(created),
                )
                % {"count": len(created)},
            )
        return redirect(self.form_url())


class FormCopyView(_FormView):
    """GET: the editions to copy from; with ``source``, what copying adds, to confirm.
    POST ``source`` with ``confirm``: the copy. An edition the user may not manage is a 404."""

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        sources = _managed_sources(request, self.award)
        source = (
            self.source(request.GET.get("source"), sources) if "source" in request.GET else None
        )
        return self.render_page(CopySourceForm(sources=sources), sources, source)

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        sources = _managed_sources(request, self.award)
        source = self.source(request.POST.get("source"), sources)
        if not ConfirmForm.confirmed(request.POST):
            return self.render_page(CopySourceForm(sources=sources), sources, source)
        try:
            created = services.form_copy(award=self.award, source=source, actor=request.user)
        except ValidationError as error:
            messages.error(request, error_message(error))
            return redirect(self.form_url())
        messages.success(
            request,
            ngettext(
                "%(count)d question of “%(source)s” has been added to the form.",
                "%(count)d questions of “%(source)s” have been added to the form.",
                len(created),
            )
            % {"count": len(created), "source": source},
        )
        return redirect(self.form_url())

    def source(self, value: str | None, sources: list[Award]) -> Award:
        by_pk = {str(a.pk): a for a in sources}
        if value not in by_pk:
            raise Http404
        return by_pk[value]

    def render_page(self, form, sources: list[Award], source: Award | None) -> HttpResponse:
        context: dict[str, Any] = {"form": form, "sources": sources, "source": source}
        if source is not None:
            context["copy_count"] = source.questions.filter(retired=False).count()
            context["existing"] = self.award.questions.count()
        return self.render("submissions/form_copy.html", context)


# --- Preview ------------------------------------------------------------------------------


class FormPreviewView(_FormView):
    """The applicant's form for ``?category=<id>`` in ``?lang=de|en``, as an applicant sees
    it, with the conditions working and nothing to send."""

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        categories = list(self.award.categories.order_by("position", "pk"))
        category: Category | None = None
        if request.GET.get("category"):
            by_pk = {str(c.pk): c for c in categories}
            category = by_pk.get(request.GET["category"])
            if category is None:
                raise Http404
        elif categories:
            category = categories[0]
        language = _language(request.GET.get("lang"))
        form_questions = FormQuestions.of(
            form_questions_of(self.award.pk), category_id=category.pk if category else None
        )
        with translation.override(language):
            form = EntryForm(
                instance=Submission(award=self.award, category=category),
                form_questions=form_questions,
            )
        return self.render(
            "submissions/form_preview.html",
            {
                "form": form,
                "category": category,
                "categories": categories,
                "language": language,
                "languages": [(code, name) for code, name in _language_names()],
            },
        )


def _language_names() -> list[tuple[str, str]]:
    return [("de", "Deutsch"), ("en", "English")]


urlpatterns: list = [
    path("form/", FormBuilderView.as_view(), name="form"),
    path("form/add/", QuestionAddView.as_view(), name="form_question_add"),
    path("form/<int:pk>/", QuestionEditView.as_view(), name="form_question_edit"),
    path("form/<int:pk>/delete/", QuestionDeleteView.as_view(), name="form_question_delete"),
    path("form/<int:pk>/retire/", QuestionRetireView.as_view(), name="form_question_retire"),
    path("form/<int:pk>/move/", QuestionMoveView.as_view(), name="form_move"),
    path("form/reorder/", FormReorderView.as_view(), name="form_reorder"),
    path("form/standard/", FormStandardView.as_view(), name="form_standard"),
    path("form/copy/", FormCopyView.as_view(), name="form_copy"),
    path("form/preview/", FormPreviewView.as_view(), name="form_preview"),
]
