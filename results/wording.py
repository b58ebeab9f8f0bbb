"""The results in plain words: how a ranking comes about, why an entry ranks where it does,
what the jury's agreement means, and the names of distinctions. Every sentence is
translated; numbers come formatted for the reader's language."""

from __future__ import annotations

from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from awards.enums import RoundMethod
from awards.models import Award, Round
from results.engine import Explanation, Neighbour

from .enums import DecisionKind
from .models import Decision


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


def distinction(decision: Decision) -> str:
    if decision.kind == DecisionKind.MENTION:
        return _("Special mention")
    return {1: _("Winner"), 2: _("Second place"), 3: _("Third place")}[decision.place]


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
