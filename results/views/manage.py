"""The organisers' results pages of one award (under /manage/<slug>/results/): the ranking of
each category with its robustness and the decision on it, an entry's explanation, the jury's
quality, the publication of the results and the press kit.

Organisers and the jury chair reach the ranking, the explanations and the decisions
(permission "jury.chair"); the quality figures, the publication and the press kit are the
organisers' ("jury.manage"). Everyone else, jurors included, gets a 404: the award comes
through ``awards.access.award_get_for`` and every category, entry and decision through that
award. The ranking and explanation pages run a fixed number of queries, however many
entries and reviews the award has (the robustness figures are computed in memory).
"""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from awards.enums import AwardStatus, RoundMethod, RoundStatus
from awards.models import Award, Category, Criterion, Round
from awards.views_base import OrganiserView
from core.forms import add_service_errors
from jury.conflicts import blocked_q
from jury.selectors import juror_for
from results.engine import explain, histogram_svg
from submissions.models import Submission

from .. import presskit, selectors, services, wording
from ..enums import DecisionKind
from ..forms import DecisionForm, DecisionPresentationForm, PublicationForm, ReopenForm
from ..models import Decision

DIGEST_SHOWN = 12


class _ResultsView(OrganiserView):
    """An organiser page of the results; the ranking pages are the jury chair's too
    (``jury.chair``), the others declare ``jury.manage``."""

    permission_required = "jury.chair"

    def award_queryset(self):
        return Award.objects.select_related("tie_break_criterion")

    def load(self, **kwargs) -> None:
        self.can_manage = self.request.user.has_perm("jury.manage", self.award)
        self.recused = self.recused_categories()
        self.check_award()

    def recused_categories(self) -> set[int]:
        """The categories a jury chair (who is not an organiser) has a conflict of interest
        in: their rankings, explanations and decisions are the organisers' alone, since
        they name the conflicted entry."""
        if self.can_manage:
            return set()
        juror = juror_for(self.request.user, self.award)
        if juror is None:
            return set()
        return set(
            Submission.objects.filter(award=self.award)
            .filter(blocked_q(juror))
            .values_list("category_id", flat=True)
        )

    def check_award(self) -> None:
        """Raise Http404 where the page does not exist for this award (yet)."""

    def url(self, name: str, **kwargs) -> str:
        return reverse(f"results_manage:{name}", kwargs={"slug": self.award.slug, **kwargs})

    def page(self, template: str, context: dict, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            f"results/{template}",
            {"award": self.award, **context},
            status=status,
        )

    @cached_property
    def categories(self) -> list[Category]:
        """The award's categories in their order (one query per request)."""
        return list(self.award.categories.order_by("position", "code", "pk"))

    def get_category(self, pk: int) -> Category:
        category = next((c for c in self.categories if c.pk == pk), None)
        if category is None or category.pk in self.recused:
            raise Http404
        return category


# --- The method in plain words -----------------------------------------------------------


# --- The ranking pages -------------------------------------------------------------------

LEADERS_SHOWN = 3


class OverviewView(_ResultsView):
    """Every category at a glance: its leaders, how firm first place is, the decision."""

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        blocks = [
            block
            for block in selectors.category_blocks(
                self.award, categories=self.categories, leaders=LEADERS_SHOWN
            )
            if block.category.pk not in self.recused
        ]
        return self.page(
            "manage_overview.html",
            {
                "blocks": blocks,
                "tabs": results_tabs(self, None),
                "results_public": self.award.results_are_public(),
                "recused": bool(self.recused),
            },
        )


def results_tabs(view: _ResultsView, current: Category | None) -> list[dict]:
    """The switcher above the ranking pages: the overview, then each category the user may
    see."""
    tabs = [{"label": _("Overview"), "url": view.url("overview"), "current": current is None}]
    for category in view.categories:
        if category.pk in view.recused:
            continue
        tabs.append(
            {
                "label": category.code,
                "title": category.name,
                "url": view.url("category", category=category.pk),
                "current": current is not None and current.pk == category.pk,
            }
        )
    return tabs


class _CategoryView(_ResultsView):
    def render_category(
        self, category: Category, *, bound: BaseForm | None = None, status: int = 200
    ) -> HttpResponse:
        """A category's page: its whole ranking, the robustness of first place and the
        decision; ``bound`` is a submitted form shown with its errors in place of the
        empty one."""
        (block,) = selectors.category_blocks(self.award, categories=self.categories, only=category)
        public = self.award.results_are_public()
        prefix = f"c{category.pk}"
        if block.decided:
            if not public:
                block.reopen_form = ReopenForm(prefix=prefix)
        elif not block.blocked:
            block.form = DecisionForm(
                award=self.award,
                entries=block.entries,
                initial_places=[row.submission.pk for row in block.ranked],
                confirm_gaps=bool(block.decision_gaps),
                prefix=prefix,
            )
        if bound is not None:
            shown = block.reopen_form if isinstance(bound, ReopenForm) else block.form
            if shown is None:
                # The form is not on the page (decided meanwhile, or not decidable): its
                # errors become messages.
                for message in bound.non_field_errors():
                    messages.error(self.request, message)
            elif isinstance(bound, ReopenForm):
                block.reopen_form = bound
            else:
                block.form = bound
        return self.page(
            "manage_category.html",
            {
                "category_block": block,
                "tabs": results_tabs(self, category),
                "results_public": public,
                "resamples": selectors.ROBUSTNESS_RESAMPLES,
            },
            status=status,
        )


class CategoryView(_CategoryView):
    def get(self, request: HttpRequest, slug: str, category: int) -> HttpResponse:
        return self.render_category(self.get_category(category))


class DecisionConfirmView(_CategoryView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str, category: int) -> HttpResponse:
        category_ = self.get_category(category)
        round_ = selectors.decisive_round(self.award, category_)
        entries = []
        if round_ is not None:
            ranking = selectors.round_rankings(round_).get(category_.pk)
            ids = [row.submission_id for row in ranking.rows] if ranking else []
            labels = {
                s.pk: selectors.entry_label(s)
                for s in Submission.objects.filter(pk__in=ids)
                .select_related("organisation")
                .only("pk", "reference", "title", "organisation__name")
            }
            entries = [(pk, labels[pk]) for pk in ids]
        form = DecisionForm(
            request.POST,
            award=self.award,
            entries=entries,
            # Always offered on a POST: the service decides whether it was needed.
            confirm_gaps=True,
            prefix=f"c{category_.pk}",
        )
        if form.is_valid():
            try:
                services.decision_confirm(
                    award=self.award,
                    category=category_,
                    choice=services.Choice(places=form.places, mentions=form.mentions),
                    justification=form.cleaned_data["justification"],
                    actor=request.user,
                    gaps_confirmed=form.gaps_confirmed,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The decision on “%(category)s” has been recorded.")
                    % {"category": category_.name},
                )
                return redirect(self.url("category", category=category_.pk))
        return self.render_category(category_, bound=form, status=400)


class DecisionReopenView(_CategoryView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str, category: int) -> HttpResponse:
        category_ = self.get_category(category)
        form = ReopenForm(request.POST, prefix=f"c{category_.pk}")
        if form.is_valid():
            try:
                services.decision_reopen(
                    award=self.award,
                    category=category_,
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    add_service_errors(form, error)
                else:
                    for message in error.messages:
                        messages.error(request, message)
            else:
                messages.success(
                    request,
                    _("The decision on “%(category)s” is open again.")
                    % {"category": category_.name},
                )
                return redirect(self.url("category", category=category_.pk))
        return self.render_category(category_, bound=form, status=400)


# --- The explanation ---------------------------------------------------------------------


class ExplanationView(_ResultsView):
    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        submission = (
            Submission.objects.filter(award=self.award, pk=pk)
            .select_related("category", "organisation")
            .first()
        )
        if submission is None or submission.category_id in self.recused:
            raise Http404
        # The round the entry was last judged in: the decisive round of its category, or,
        # for an entry that did not reach the final round, the round that left it out.
        round_ = (
            Round.objects.filter(award=self.award, entries__submission=submission)
            .exclude(status=RoundStatus.PLANNED)
            .order_by("-number")
            .first()
        )
        if round_ is None:
            raise Http404
        context = {
            "submission": submission,
            "round": round_,
            "method": wording.method_sentences(self.award, round_),
        }
        if round_.method == RoundMethod.RANKING:
            ranking = selectors.round_rankings(round_).get(submission.category_id)
            context["ballot_row"] = ranking.entry(submission.pk) if ranking else None
            return self.page("manage_explanation.html", context)
        criteria, reviews = selectors.review_data_for_round(round_, category=submission.category_id)
        explanation = explain(
            reviews,
            criteria,
            submission.pk,
            normalisation=self.award.ranking_normalisation,
            aggregation=self.award.ranking_aggregation,
            tie_breakers=selectors.tie_breakers_of(self.award),
        )
        context["explanation"] = explanation
        if explanation is not None:
            named = {c.pk: c.name for c in Criterion.objects.filter(award=self.award)}
            jurors = selectors.juror_names(self.award)
            neighbours = {
                n.submission_id for n in (explanation.above, explanation.below) if n is not None
            }
            others = {
                s.pk: s
                for s in Submission.objects.filter(
                    award=self.award, pk__in=neighbours
                ).select_related("organisation")
            }
            labels = {pk: f"{s.reference or '–'} · {s.title}" for pk, s in others.items()}
            tie_breaker = (
                self.award.tie_break_criterion.name if self.award.tie_break_criterion else None
            )
            context.update(
                {
                    "criteria": [(pk, named[pk]) for pk in explanation.criteria],
                    "lines": [
                        {
                            "line": line,
                            "juror": jurors.get(line.juror_id, f"#{line.juror_id}"),
                            "scores": [line.scores.get(pk) for pk in explanation.criteria],
                            "effect_abs": None if line.effect is None else abs(line.effect),
                            "note": wording.line_note(explanation, line),
                        }
                        for line in explanation.lines
                    ],
                    "recompute": wording.recompute_sentences(explanation),
                    "incomplete": explanation.place is not None
                    and explanation.complete_reviews < self.award.reviews_per_submission,
                    "criterion_means": [
                        explanation.criterion_means.get(pk) for pk in explanation.criteria
                    ],
                    "above": explanation.above and others.get(explanation.above.submission_id),
                    "below": explanation.below and others.get(explanation.below.submission_id),
                    "why": wording.why_sentences(explanation, labels, tie_breaker),
                    "tie_breaker": tie_breaker,
                }
            )
        return self.page("manage_explanation.html", context)


# --- Jury quality ------------------------------------------------------------------------


class QualityView(_ResultsView):
    permission_required = "jury.manage"

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        rounds = list(
            Round.objects.filter(award=self.award, method=RoundMethod.SCORES)
            .exclude(status=RoundStatus.PLANNED)
            .order_by("number")
        )
        selected = rounds[-1] if rounds else None
        wanted = request.GET.get("round", "")
        if wanted.isdigit():
            selected = next((r for r in rounds if r.number == int(wanted)), None)
            if selected is None:
                raise Http404
        categories = []
        if selected is not None:
            selected.award = self.award
            quality = selectors.feed_quality(selectors.RoundFeed(selected))
            names = selectors.juror_names(self.award)
            x_label, y_label = _("Review total (0–100)"), _("Number of reviews")
            tooltip = _("{low}–{high}: {count} reviews")
            for category in self.award.categories.order_by("position", "code", "pk"):
                figures = quality.get(category.pk)
                entry = {"category": category, "quality": figures, "jurors": []}
                if figures is not None:
                    # The reading is of what is ranked: the values after normalisation.
                    entry["reading"] = wording.alpha_reading(figures.alpha_ranked)
                    entry["raw_note"] = wording.raw_alpha_note(
                        figures.alpha, figures.alpha_ranked, figures.normalisation
                    )
                    entry["svg"] = histogram_svg(
                        figures.histogram,
                        title=_("All review totals in %(category)s") % {"category": category.name},
                        x_label=x_label,
                        y_label=y_label,
                        tooltip=tooltip,
                    )
                    for juror in figures.jurors:
                        name = names.get(juror.juror_id, f"#{juror.juror_id}")
                        entry["jurors"].append(
                            {
                                "juror": juror,
                                "name": name,
                                "reasons": [wording.REASON_LABELS[r] for r in juror.reasons],
                                "severity": wording.severity_sentence(
                                    juror.severity, juror.compared
                                ),
                                "svg": histogram_svg(
                                    juror.histogram,
                                    title=_("Totals by %(juror)s") % {"juror": name},
                                    x_label=x_label,
                                    y_label=y_label,
                                    tooltip=tooltip,
                                    width=300,
                                    height=170,
                                ),
                            }
                        )
                categories.append(entry)
        return self.page(
            "manage_quality.html",
            {"rounds": rounds, "selected": selected, "categories": categories},
        )


# --- Publication -------------------------------------------------------------------------


class PublicationView(_ResultsView):
    permission_required = "jury.manage"

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return self.render_page(PublicationForm(award=self.award))

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        action = request.POST.get("action", "schedule")
        form = PublicationForm(award=self.award)
        try:
            if action == "cancel":
                services.publication_cancel(award=self.award, actor=request.user)
                messages.success(request, _("The publication has been cancelled."))
                return redirect(self.url("publication"))
            if action == "now":
                at = timezone.now()
            else:
                form = PublicationForm(request.POST, award=self.award)
                if not form.is_valid():
                    return self.render_page(form, status=400)
                at = form.cleaned_data["at"]
            award = services.publication_schedule(award=self.award, at=at, actor=request.user)
        except ValidationError as error:
            if hasattr(error, "error_dict") and form.is_bound:
                add_service_errors(form, error)
            else:
                for message in error.messages:
                    messages.error(request, message)
            return self.render_page(form, status=400)
        if award.results_are_public():
            messages.success(request, _("The results are public now."))
        else:
            messages.success(
                request,
                _("The results will be published on %(moment)s (%(zone)s).")
                % {
                    "moment": formats.date_format(
                        award.results_publish_at.astimezone(award.tzinfo), "DATETIME_FORMAT"
                    ),
                    "zone": award.timezone,
                },
            )
        return redirect(self.url("publication"))

    def render_page(self, form: PublicationForm, status: int = 200) -> HttpResponse:
        award = Award.objects.get(pk=self.award.pk)
        public = award.results_are_public()
        if award.status not in (AwardStatus.DECIDED, AwardStatus.PUBLISHED):
            state = "undecided"
        elif public:
            state = "public"
        elif award.results_publish_at is not None:
            state = "scheduled"
        else:
            state = "unscheduled"
        undecided = []
        if state == "undecided":
            undecided = selectors.undecided_categories(award)
        return render(
            self.request,
            "results/manage_publication.html",
            {
                "award": award,
                "state": state,
                "form": form,
                "undecided": undecided,
                "decisions": selectors.press_decisions(award) if state != "undecided" else [],
                "distinctions": distinctions_of(award),
                "public_url": reverse("results:public", kwargs={"slug": award.slug}),
                "embed_snippet": self.embed_snippet(award),
                "embed_origins": award.embed_origin_list,
            },
            status=status,
        )

    def embed_snippet(self, award: Award) -> str:
        """The HTML an organiser copies into their website to show the winners there (""
        while the widget's address does not exist). Plain text: the page escapes it."""
        try:
            path_ = reverse("results:embed", args=[award.slug])
        except NoReverseMatch:
            return ""
        title = _("%(award)s: the winners") % {"award": award}
        return (
            f'<iframe src="{escape(self.request.build_absolute_uri(path_))}" '
            f'title="{escape(title)}" width="100%" height="600" style="border:0"></iframe>'
        )


def distinctions_of(award: Award) -> list[Decision]:
    """Every place and mention of ``award``, in the order of the categories, places first,
    with the entry and its company (one query)."""
    return list(
        Decision.objects.filter(award=award)
        .select_related("category", "submission__organisation")
        .order_by("category__position", "category_id", "kind", "place", "pk")
    )


# --- The jury statement and visibility of a distinction ----------------------------------


class DecisionStatementView(_ResultsView):
    """The jury's statement on one place or mention (German, English) and whether it is shown
    on the public results; while judging, once decided and after publication."""

    permission_required = "jury.manage"

    def load(self, **kwargs) -> None:
        super().load(**kwargs)
        self.decision = (
            Decision.objects.filter(award=self.award, pk=kwargs["pk"])
            .select_related("category", "submission__organisation")
            .first()
        )
        if self.decision is None:
            raise Http404

    @property
    def is_winner(self) -> bool:
        return self.decision.kind == DecisionKind.PLACE and self.decision.place == 1

    def make_form(self, data=None) -> DecisionPresentationForm:
        return DecisionPresentationForm(
            data,
            is_winner=self.is_winner,
            max_length=services.STATEMENT_MAX_LENGTH,
            initial={
                "statement_de": self.decision.statement_de,
                "statement_en": self.decision.statement_en,
                "public": self.decision.public or self.is_winner,
            },
        )

    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        return self.render_page(self.make_form())

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                services.decision_present(
                    decision=self.decision,
                    statement_de=form.cleaned_data["statement_de"],
                    statement_en=form.cleaned_data["statement_en"],
                    public=form.cleaned_data["public"],
                    actor=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The jury statement on “%(title)s” has been saved.")
                    % {"title": self.decision.submission.title},
                )
                return redirect(self.url("publication") + "#distinctions-title")
        return self.render_page(form, status=400)

    def render_page(self, form: DecisionPresentationForm, status: int = 200) -> HttpResponse:
        return self.page(
            "manage_decision_statement.html",
            {
                "decision": self.decision,
                "distinction": wording.distinction(self.decision),
                "form": form,
                "results_public": self.award.results_are_public(),
            },
            status=status,
        )


# --- Press kit ---------------------------------------------------------------------------


class _PressView(_ResultsView):
    """The press kit exists once the award is decided (before that there is nothing to
    announce, so the addresses answer 404)."""

    permission_required = "jury.manage"

    def check_award(self) -> None:
        if self.award.status not in (AwardStatus.DECIDED, AwardStatus.PUBLISHED):
            raise Http404

    def attachment(self, content: bytes, content_type: str, extension: str) -> HttpResponse:
        response = HttpResponse(content, content_type=content_type)
        name = f"{self.award.slug}-winners.{extension}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class PressCsvView(_PressView):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        content = presskit.winners_csv(
            selectors.winner_rows(self.award), header=wording.press_header()
        )
        return self.attachment(content, "text/csv; charset=utf-8", "csv")


class PressXlsxView(_PressView):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        content = presskit.winners_xlsx(
            selectors.winner_rows(self.award), header=wording.press_header()
        )
        return self.attachment(
            content,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )


class PressImageView(_PressView):
    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        decision = selectors.press_decision(self.award, pk)
        if decision is None:
            raise Http404
        content = presskit.share_image(
            award=str(self.award),
            category=decision.category.name,
            distinction=wording.distinction(decision),
            title=decision.submission.title,
            company=decision.submission.organisation.name,
            prize=selectors.prize_of(decision, self.award),
        )
        response = HttpResponse(content, content_type="image/png")
        name = f"{self.award.slug}-{decision.category.code}-{decision.pk}.png".lower()
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response


urlpatterns: list = [
    path("", OverviewView.as_view(), name="overview"),
    path("categories/<int:category>/", CategoryView.as_view(), name="category"),
    path("entries/<int:pk>/", ExplanationView.as_view(), name="explanation"),
    path("quality/", QualityView.as_view(), name="quality"),
    path("decisions/<int:category>/", DecisionConfirmView.as_view(), name="decision_confirm"),
    path(
        "decisions/<int:category>/reopen/",
        DecisionReopenView.as_view(),
        name="decision_reopen",
    ),
    path("publication/", PublicationView.as_view(), name="publication"),
    path(
        "decisions/statement/<int:pk>/",
        DecisionStatementView.as_view(),
        name="decision_statement",
    ),
    path("press/winners.csv", PressCsvView.as_view(), name="press_csv"),
    path("press/winners.xlsx", PressXlsxView.as_view(), name="press_xlsx"),
    path("press/share/<int:pk>.png", PressImageView.as_view(), name="press_image"),
]
