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

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from awards.access import award_get_for
from awards.enums import AwardStatus, RoundMethod, RoundStatus
from awards.models import Award, Category, Criterion, Round
from awards.results import (
    CategoryRanking,
    Explanation,
    Neighbour,
    RankedEntry,
    Robustness,
    explain,
    histogram_svg,
    jury_quality,
    robustness,
)
from awards.templatetags.laurel import money
from submissions.models import Submission

from .. import presskit, results_selectors, services
from ..conflicts import blocked_q
from ..enums import DecisionKind
from ..models import Decision, Juror
from ..results_data import review_data_for_round
from ..results_forms import DecisionForm, PublicationForm, ReopenForm
from ..selectors import juror_for

ROBUSTNESS_RESAMPLES = 1000
ROBUSTNESS_SEED = 0
DIGEST_SHOWN = 12


def _add_service_errors(form: BaseForm, error: ValidationError) -> None:
    """A service's ValidationError next to the field it names, else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class _ResultsView(LoginRequiredMixin, View):
    """Login first, then the award through the permission-aware getter (404 for anyone
    without ``permission``)."""

    permission = "jury.chair"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.award = award_get_for(
            request.user,
            kwargs["slug"],
            self.permission,
            queryset=Award.objects.select_related("tie_break_criterion"),
        )
        self.can_manage = request.user.has_perm("jury.manage", self.award)
        self.recused = self.recused_categories()
        self.check_award()
        return super().dispatch(request, *args, **kwargs)

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
            f"jury/results/{template}",
            {"award": self.award, "can_manage": self.can_manage, **context},
            status=status,
        )

    def get_category(self, pk: int) -> Category:
        category = Category.objects.filter(award=self.award, pk=pk).first()
        if category is None or category.pk in self.recused:
            raise Http404
        return category


# --- The method in plain words -----------------------------------------------------------


def method_sentences(award: Award, round: Round | None) -> list[str]:
    """How the ranking of ``round`` comes about, for the organisers and the chair."""
    if round is not None and round.method == RoundMethod.RANKING:
        return [
            _(
                "This round is decided by ranked ballots: each juror orders the finalists, "
                "and the Schulze method combines the ballots by comparing every pair of "
                "entries. An entry ranks first when a majority prefers it to every other "
                "entry, directly or through a chain of preferences."
            )
        ]
    normalisation = {
        "raw": _(
            "Normalisation: none. Each review counts with the total the juror gave "
            "(the weighted mean of the criterion scores, on 0–100)."
        ),
        "zscore": _(
            "Normalisation: per-juror z-scores. Each juror's totals are measured against "
            "that juror's own average and spread in the category, then mapped back to the "
            "0–100 scale; a strict juror's 60 can count as much as a lenient juror's 80."
        ),
        "borda": _(
            "Normalisation: per-juror ranks (Borda). Only each juror's order counts: their "
            "best entry gets 100, their last 0, the others evenly in between."
        ),
    }[award.ranking_normalisation]
    aggregation = {
        "mean": _("Combining an entry's reviews: the average."),
        "median": _(
            "Combining an entry's reviews: the median, so that one extreme review cannot "
            "pull the score."
        ),
        "trimmed_mean": _(
            "Combining an entry's reviews: the trimmed mean (with four or more reviews the "
            "most extreme ones at both ends are left out)."
        ),
    }[award.ranking_aggregation]
    if award.tie_break_criterion is not None:
        ties = _(
            "Equal scores: the higher average on “%(criterion)s” ranks first; entries still "
            "equal share the place and the jury chair decides."
        ) % {"criterion": award.tie_break_criterion.name}
    else:
        ties = _("Equal scores share the place; the jury chair decides between them.")
    return [normalisation, aggregation, ties]


# --- The ranking page --------------------------------------------------------------------


@dataclass
class RankRow:
    entry: RankedEntry
    submission: Submission

    @property
    def place_label(self) -> str:
        if self.entry.place is None:
            return ""
        return f"={self.entry.place}" if self.entry.tied else str(self.entry.place)


@dataclass
class CategoryBlock:
    category: Category
    round: Round | None
    ranking: CategoryRanking | None = None
    ranked: list[RankRow] = field(default_factory=list)
    unranked: list[RankRow] = field(default_factory=list)
    robustness: Robustness | None = None
    changed_by: list[str] = field(default_factory=list)
    places: list[Decision] = field(default_factory=list)
    mentions: list[Decision] = field(default_factory=list)
    blocked: str = ""
    form: DecisionForm | None = None
    reopen_form: ReopenForm | None = None
    method: list[str] = field(default_factory=list)

    @property
    def decided(self) -> bool:
        return bool(self.places)

    @property
    def first_decision(self) -> Decision | None:
        return (self.places or self.mentions or [None])[0]

    @property
    def bootstrap_percent(self) -> float | None:
        share = getattr(self.robustness, "bootstrap_share", None)
        return None if share is None else 100 * share

    @property
    def entries(self) -> list[tuple[int, str]]:
        return [(row.submission.pk, _entry_label(row.submission)) for row in self.rows]

    @property
    def rows(self) -> list[RankRow]:
        return [*self.ranked, *self.unranked]


def _entry_label(submission: Submission) -> str:
    return f"{submission.reference or '–'} · {submission.title} ({submission.organisation.name})"


def _juror_names(award: Award) -> dict[int, str]:
    return {
        juror.pk: juror.user.full_name or juror.user.email
        for juror in Juror.objects.filter(award=award).select_related("user")
    }


def category_blocks(award: Award) -> list[CategoryBlock]:
    """Every category of ``award`` with the ranking of its decisive round, the robustness of
    its leader and what has been decided. A fixed number of queries per category and round,
    whatever the number of entries and reviews."""
    categories = list(award.categories.order_by("position", "code", "pk"))
    blocks = [
        CategoryBlock(category=row.category, round=row.round, ranking=row.ranking)
        for row in results_selectors.decisive_rankings(award, categories)
    ]
    rounds = {b.round.pk: b.round for b in blocks if b.round is not None}
    figures: dict[int, Robustness] = {}
    for round_ in rounds.values():
        if round_.method != RoundMethod.SCORES:
            continue
        criteria, reviews = review_data_for_round(round_)
        figures.update(
            robustness(
                reviews,
                criteria,
                normalisation=award.ranking_normalisation,
                aggregation=award.ranking_aggregation,
                tie_breakers=services.tie_breakers_of(award),
                resamples=ROBUSTNESS_RESAMPLES,
                seed=ROBUSTNESS_SEED,
                categories=[b.category.pk for b in blocks if b.round and b.round.pk == round_.pk],
            )
        )
    submission_ids = {row.submission_id for b in blocks if b.ranking for row in b.ranking.rows}
    submissions = Submission.objects.filter(award=award, pk__in=submission_ids).select_related(
        "organisation"
    )
    by_pk = {s.pk: s for s in submissions}
    decisions: dict[int, list[Decision]] = {}
    for decision in (
        Decision.objects.filter(award=award)
        .select_related("submission__organisation", "decided_by", "snapshot")
        .order_by("category_id", "kind", "place", "pk")
    ):
        decisions.setdefault(decision.category_id, []).append(decision)
    names = _juror_names(award) if figures else {}
    for block in blocks:
        block.method = method_sentences(award, block.round)
        if block.ranking is not None:
            for entry in block.ranking.rows:
                row = RankRow(entry=entry, submission=by_pk[entry.submission_id])
                (block.ranked if entry.place is not None else block.unranked).append(row)
        block.robustness = figures.get(block.category.pk)
        if block.robustness is not None:
            block.changed_by = [names.get(pk, f"#{pk}") for pk in block.robustness.changed_by]
        for decision in decisions.get(block.category.pk, []):
            if decision.kind == DecisionKind.MENTION:
                block.mentions.append(decision)
            else:
                block.places.append(decision)
        block.places.sort(key=lambda d: d.place)
        block.blocked = _blocked_reason(award, block)
    return blocks


def _blocked_reason(award: Award, block: CategoryBlock) -> str:
    """Why no decision can be taken on the category now ("" when it can)."""
    if block.decided:
        return ""
    if block.round is None:
        return _("No round has judged this category yet.")
    if award.status != AwardStatus.JUDGING:
        return _("Decisions are taken while the award is “%(status)s”.") % {
            "status": AwardStatus.JUDGING.label
        }
    if block.round.status != RoundStatus.CLOSED:
        return _("Close the round “%(round)s” before deciding on it.") % {"round": block.round.name}
    if not block.rows:
        return _("The round has no entries of this category.")
    return ""


class _OverviewView(_ResultsView):
    def render_overview(
        self, *, bound: tuple[int, BaseForm] | None = None, status: int = 200
    ) -> HttpResponse:
        """The ranking page; ``bound`` = (category id, form) shows a submitted form with its
        errors in place of the category's empty one."""
        blocks = [
            block for block in category_blocks(self.award) if block.category.pk not in self.recused
        ]
        public = self.award.results_are_public()
        for block in blocks:
            prefix = f"c{block.category.pk}"
            if block.decided:
                if not public:
                    block.reopen_form = ReopenForm(prefix=prefix)
            elif not block.blocked:
                block.form = DecisionForm(
                    award=self.award,
                    entries=block.entries,
                    initial_places=[row.submission.pk for row in block.ranked],
                    prefix=prefix,
                )
            if bound is not None and bound[0] == block.category.pk:
                form = bound[1]
                shown = block.reopen_form if isinstance(form, ReopenForm) else block.form
                if shown is None:
                    # The form is not on the page (decided meanwhile, or not decidable):
                    # its errors become messages.
                    for message in form.non_field_errors():
                        messages.error(self.request, message)
                elif isinstance(form, ReopenForm):
                    block.reopen_form = form
                else:
                    block.form = form
        return self.page(
            "manage_overview.html",
            {
                "blocks": blocks,
                "results_public": public,
                "resamples": ROBUSTNESS_RESAMPLES,
                "recused": bool(self.recused),
            },
            status=status,
        )


class OverviewView(_OverviewView):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return self.render_overview()


class DecisionConfirmView(_OverviewView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str, category: int) -> HttpResponse:
        category_ = self.get_category(category)
        round_ = services.decisive_round(self.award, category_)
        entries = []
        if round_ is not None:
            ranking = services.round_rankings(round_).get(category_.pk)
            ids = [row.submission_id for row in ranking.rows] if ranking else []
            labels = {
                s.pk: _entry_label(s)
                for s in Submission.objects.filter(pk__in=ids).select_related("organisation")
            }
            entries = [(pk, labels[pk]) for pk in ids]
        form = DecisionForm(
            request.POST, award=self.award, entries=entries, prefix=f"c{category_.pk}"
        )
        if form.is_valid():
            try:
                services.decision_confirm(
                    award=self.award,
                    category=category_,
                    choice=services.Choice(places=form.places, mentions=form.mentions),
                    justification=form.cleaned_data["justification"],
                    actor=request.user,
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The decision on “%(category)s” has been recorded.")
                    % {"category": category_.name},
                )
                return redirect(self.url("overview") + f"#category-{category_.pk}")
        return self.render_overview(bound=(category_.pk, form), status=400)


class DecisionReopenView(_OverviewView):
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
                    _add_service_errors(form, error)
                else:
                    for message in error.messages:
                        messages.error(request, message)
            else:
                messages.success(
                    request,
                    _("The decision on “%(category)s” is open again.")
                    % {"category": category_.name},
                )
                return redirect(self.url("overview") + f"#category-{category_.pk}")
        return self.render_overview(bound=(category_.pk, form), status=400)


# --- The explanation ---------------------------------------------------------------------


def _number(value: float | None) -> str:
    # floatformat rounds (number_format would cut off: 85.19 → "85.1").
    return "–" if value is None else floatformat(value, 1)


def why_sentences(
    explanation: Explanation, names: dict[int, str], tie_breaker: str | None
) -> list[str]:
    """Why the entry ranks where it does, in a sentence or two."""
    if explanation.place is None:
        return [_("It has no complete review yet, so it has no score and no place.")]
    sentences = []
    above, below = explanation.above, explanation.below

    def name(neighbour: Neighbour) -> str:
        return names.get(neighbour.submission_id, f"#{neighbour.submission_id}")

    tied_with = [n for n in (above, below) if n is not None and n.place == explanation.place]
    if tied_with:
        sentences.append(
            _(
                "It shares place %(place)d with %(other)s: their scores are equal and no "
                "tie-breaker separates them, so the jury chair decides."
            )
            % {"place": explanation.place, "other": name(tied_with[0])}
        )
    elif explanation.place == 1:
        if below is None:
            sentences.append(_("It is the only ranked entry of its category."))
        elif below.decided_by_tie_breaker:
            sentences.append(
                _(
                    "It ranks first: its score equals that of %(other)s, and the "
                    "tie-breaker (the higher average on “%(criterion)s”) puts it ahead."
                )
                % {"other": name(below), "criterion": tie_breaker or "–"}
            )
        else:
            sentences.append(
                _("It ranks first, %(gap)s points ahead of %(other)s.")
                % {"gap": _number(below.gap), "other": name(below)}
            )
    else:
        if above is not None and above.decided_by_tie_breaker:
            sentences.append(
                _(
                    "It ranks %(place)d of %(count)d: its score equals that of %(other)s, "
                    "and the tie-breaker (the higher average on “%(criterion)s”) puts "
                    "%(other)s ahead."
                )
                % {
                    "place": explanation.place,
                    "count": explanation.ranked_entries,
                    "other": name(above),
                    "criterion": tie_breaker or "–",
                }
            )
        elif above is not None:
            sentences.append(
                _("It ranks %(place)d of %(count)d, %(gap)s points behind %(other)s.")
                % {
                    "place": explanation.place,
                    "count": explanation.ranked_entries,
                    "gap": _number(above.gap),
                    "other": name(above),
                }
            )
        if below is not None and below.place != explanation.place:
            sentences.append(
                _("It is %(gap)s points ahead of %(other)s.")
                % {"gap": _number(below.gap), "other": name(below)}
            )
    if explanation.normalisation != "raw" and explanation.raw_mean is not None:
        sentences.append(
            _(
                "The plain average of its review totals is %(raw)s; after normalising each "
                "juror's scores and combining them, its score is %(score)s."
            )
            % {"raw": _number(explanation.raw_mean), "score": _number(explanation.score)}
        )
    return sentences


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
            "method": method_sentences(self.award, round_),
        }
        if round_.method == RoundMethod.RANKING:
            ranking = services.round_rankings(round_).get(submission.category_id)
            context["ballot_row"] = ranking.entry(submission.pk) if ranking else None
            return self.page("manage_explanation.html", context)
        criteria, reviews = review_data_for_round(round_, category=submission.category_id)
        explanation = explain(
            reviews,
            criteria,
            submission.pk,
            normalisation=self.award.ranking_normalisation,
            aggregation=self.award.ranking_aggregation,
            tie_breakers=services.tie_breakers_of(self.award),
        )
        context["explanation"] = explanation
        if explanation is not None:
            named = {c.pk: c.name for c in Criterion.objects.filter(award=self.award)}
            jurors = _juror_names(self.award)
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
                        }
                        for line in explanation.lines
                    ],
                    "criterion_means": [
                        explanation.criterion_means.get(pk) for pk in explanation.criteria
                    ],
                    "above": explanation.above and others.get(explanation.above.submission_id),
                    "below": explanation.below and others.get(explanation.below.submission_id),
                    "why": why_sentences(explanation, labels, tie_breaker),
                    "tie_breaker": tie_breaker,
                }
            )
        return self.page("manage_explanation.html", context)


# --- Jury quality ------------------------------------------------------------------------


def alpha_reading(alpha: float | None) -> str:
    """Krippendorff's alpha in plain words (rule of thumb: 0.667 usable, 0.8 good)."""
    if alpha is None:
        return _(
            "Cannot be computed: no entry has two complete reviews, or every total is the same."
        )
    if alpha >= 0.8:
        return _("Good agreement: the jurors largely agree on which entries are better.")
    if alpha >= 0.667:
        return _("Usable agreement: the jurors broadly agree, with some differences.")
    if alpha >= 0:
        return _(
            "Weak agreement: the jurors' totals differ a lot for the same entries; read the "
            "ranking with care and look at the jurors flagged below."
        )
    return _("The jurors disagree systematically: what one rates high, another rates low.")


REASON_LABELS = {
    "severity": gettext_lazy("much stricter or more lenient than the others"),
    "consistency": gettext_lazy("orders entries unlike the others"),
}


class QualityView(_ResultsView):
    permission = "jury.manage"

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
            criteria, reviews = review_data_for_round(selected)
            quality = jury_quality(reviews, criteria)
            names = _juror_names(self.award)
            x_label, y_label = _("Review total (0–100)"), _("Number of reviews")
            tooltip = _("{low}–{high}: {count} reviews")
            for category in self.award.categories.order_by("position", "code", "pk"):
                figures = quality.get(category.pk)
                entry = {"category": category, "quality": figures, "jurors": []}
                if figures is not None:
                    entry["reading"] = alpha_reading(figures.alpha)
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
                                "reasons": [REASON_LABELS[r] for r in juror.reasons],
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
    permission = "jury.manage"

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
                _add_service_errors(form, error)
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
            undecided = list(
                award.categories.exclude(
                    pk__in=Decision.objects.filter(
                        award=award, kind=DecisionKind.PLACE, place=1
                    ).values("category_id")
                ).order_by("position", "code")
            )
        return render(
            self.request,
            "jury/results/manage_publication.html",
            {
                "award": award,
                "can_manage": self.can_manage,
                "state": state,
                "form": form,
                "undecided": undecided,
                "decisions": _press_decisions(award) if state != "undecided" else [],
                "public_url": reverse("results:public", kwargs={"slug": award.slug}),
            },
            status=status,
        )


# --- Press kit ---------------------------------------------------------------------------


def distinction(decision: Decision) -> str:
    if decision.kind == DecisionKind.MENTION:
        return _("Special mention")
    return {1: _("Winner"), 2: _("Second place"), 3: _("Third place")}[decision.place]


def _press_decisions(award: Award) -> list[Decision]:
    """The distinctions the press may name: only entries whose company agreed to
    publication (name, title, summary and image)."""
    decisions = [
        d for d in results_selectors.decisions_of(award) if d.submission.consent_publication
    ]
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


def _prize(decision: Decision, award: Award) -> str:
    if decision.kind == DecisionKind.PLACE and decision.place == 1:
        return money(decision.category.prize_amount, award.currency)
    return ""


def winner_rows(award: Award) -> list[presskit.WinnerRow]:
    return [
        presskit.WinnerRow(
            award=str(award),
            category=decision.category.name,
            distinction=distinction(decision),
            reference=decision.submission.reference or "",
            title=decision.submission.title,
            company=decision.submission.organisation.name,
            city=decision.submission.organisation.city,
            prize=_prize(decision, award),
            summary=decision.submission.summary,
        )
        for decision in _press_decisions(award)
    ]


def press_header() -> list[str]:
    return [
        _("Award"),
        _("Category"),
        _("Distinction"),
        _("Reference"),
        _("Project"),
        _("Company"),
        _("City"),
        _("Prize"),
        _("Summary"),
    ]


class _PressView(_ResultsView):
    """The press kit exists once the award is decided (before that there is nothing to
    announce, so the addresses answer 404)."""

    permission = "jury.manage"

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
        content = presskit.winners_csv(winner_rows(self.award), header=press_header())
        return self.attachment(content, "text/csv; charset=utf-8", "csv")


class PressXlsxView(_PressView):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        content = presskit.winners_xlsx(winner_rows(self.award), header=press_header())
        return self.attachment(
            content,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )


class PressImageView(_PressView):
    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        decision = (
            Decision.objects.filter(award=self.award, pk=pk)
            .select_related("category", "submission__organisation")
            .first()
        )
        if decision is None or not decision.submission.consent_publication:
            raise Http404
        content = presskit.share_image(
            award=str(self.award),
            category=decision.category.name,
            distinction=distinction(decision),
            title=decision.submission.title,
            company=decision.submission.organisation.name,
            prize=_prize(decision, self.award),
        )
        response = HttpResponse(content, content_type="image/png")
        name = f"{self.award.slug}-{decision.category.code}-{decision.pk}.png".lower()
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response


urlpatterns: list = [
    path("", OverviewView.as_view(), name="overview"),
    path("entries/<int:pk>/", ExplanationView.as_view(), name="explanation"),
    path("quality/", QualityView.as_view(), name="quality"),
    path("decisions/<int:category>/", DecisionConfirmView.as_view(), name="decision_confirm"),
    path(
        "decisions/<int:category>/reopen/",
        DecisionReopenView.as_view(),
        name="decision_reopen",
    ),
    path("publication/", PublicationView.as_view(), name="publication"),
    path("press/winners.csv", PressCsvView.as_view(), name="press_csv"),
    path("press/winners.xlsx", PressXlsxView.as_view(), name="press_xlsx"),
    path("press/share/<int:pk>.png", PressImageView.as_view(), name="press_image"),
]
