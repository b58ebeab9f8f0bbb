"""The results in plain words: how a ranking comes about, why an entry ranks where it does,
what the jury's agreement means, and the names of distinctions. Every sentence is
translated; numbers come formatted for the reader's language."""

from __future__ import annotations

from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from awards.enums import RoundMethod
from awards.models import Award, Round
from results.engine import INCOMPLETE, ROBUST, Explanation, Neighbour
from results.engine.robustness import BOOTSTRAP, LEAVE_ONE_OUT, WITHIN_ERROR

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
        "calibrated": _(
            "Normalisation: calibrated per juror. From the entries jurors share, Laurel "
            "estimates how many points milder or harsher each juror scores (their offset) "
            "and subtracts it from their totals; a juror with few reviews is corrected only "
            "in part, one with many fully. The result stays on the 0–100 scale."
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
    sentences = [normalisation, aggregation, ties]
    if award.ranking_normalisation == "calibrated":
        sentences.append(default_reason())
    elif award.ranking_normalisation == "zscore":
        sentences.append(
            _(
                "A juror with a single review in the category, or who gave all entries the "
                "same total, tells nothing about their scale: their reviews count as the "
                "category's average total."
            )
        )
    return sentences


def default_reason() -> str:
    """Why the calibrated method is the default, in one sentence (from bench/fairness.py)."""
    return _(
        "Why this is Laurel's default: on simulated juries with known true quality it found "
        "the best entry almost as often as a correction with the jurors' true offsets "
        "(97–99 % as often), and more often than z-scores, also when guest jurors score only "
        "one or two entries (bench/fairness.py)."
    )


def scale_note(award: Award, ranking) -> str:
    """The scale the scores of ``ranking`` are on, in one sentence, where it is not plainly
    the review totals' 0–100 (z-scores can leave it)."""
    if award.ranking_normalisation == "zscore":
        scores = [row.score for row in ranking.ranked]
        outside = any(score < 0 or score > 100 for score in scores)
        sentence = _(
            "Scores are z-scores shown in points: the category's average total plus the "
            "number of spreads an entry lies above or below it, times the spread of all "
            "totals. They are not review totals and can lie outside 0–100."
        )
        if outside:
            sentence += " " + _("Here some do.")
        return sentence
    if award.ranking_normalisation == "borda":
        return _("Scores are Borda points from 0 to 100, not review totals.")
    if award.ranking_normalisation == "calibrated":
        return _(
            "Scores are corrected review totals on 0–100; ± is the standard error: how far "
            "a score may be off given the scatter of its reviews and what is known about "
            "its jurors."
        )
    return ""


def verdict_sentences(robustness, changed_by: list[str]) -> list[str]:
    """Why the verdict on first place is what it is: every reason, in words, so that the
    verdict and its figures never seem to contradict each other."""
    if robustness.leader is None:
        return [_("First place is tied: there is no single leader.")]
    sentences = []
    if robustness.verdict == INCOMPLETE:
        sentences.append(
            _(
                "The leader is incomplete: it has %(reviews)d of the %(required)d reviews "
                "the round requires, so nothing can be said about how firm its place is."
            )
            % {"reviews": robustness.leader_reviews, "required": robustness.required}
        )
    if LEAVE_ONE_OUT in robustness.reasons:
        sentences.append(
            _("Leaving out one of these jurors changes who is first: %(jurors)s.")
            % {"jurors": ", ".join(changed_by)}
        )
    if BOOTSTRAP in robustness.reasons:
        sentences.append(
            _("The share of simulated juries in which the leader is first is below 95 %.")
        )
    if WITHIN_ERROR in robustness.reasons:
        sentences.append(
            _(
                "Its lead of %(lead)s points is smaller than the uncertainty of the two "
                "scores (1.96 × %(error)s)."
            )
            % {"lead": _number(robustness.lead), "error": _number(robustness.lead_error)}
        )
    if robustness.verdict == ROBUST:
        sentences.append(
            _(
                "It stays first whichever single juror is left out, in at least 95 % of the "
                "simulated juries, and every entry's reviews are complete enough to tell."
            )
        )
    if robustness.incomplete and robustness.verdict != INCOMPLETE:
        sentences.append(
            ngettext(
                "%(count)d entry of the category is incomplete; with its missing reviews "
                "the order could still change.",
                "%(count)d entries of the category are incomplete; with their missing "
                "reviews the order could still change.",
                len(robustness.incomplete),
            )
            % {"count": len(robustness.incomplete)}
        )
    return sentences


def gap_sentences(missing: int, progress, incomplete_rows) -> list[str]:
    """What is missing before a decision, in sentences (empty: nothing is)."""
    sentences = []
    if missing:
        sentences.append(
            ngettext(
                "%(missing)d of %(assigned)d assigned reviews in this category was not submitted.",
                "%(missing)d of %(assigned)d assigned reviews in this category were not submitted.",
                missing,
            )
            % {"missing": missing, "assigned": progress.assigned}
        )
    if incomplete_rows:
        sentences.append(
            _("Incomplete entries (fewer reviews than required): %(entries)s.")
            % {
                "entries": ", ".join(
                    f"{row.submission.reference or '–'} ({row.entry.reviews}/{row.required})"
                    for row in incomplete_rows
                )
            }
        )
    return sentences


def severity_sentence(severity: float | None, compared: int) -> str:
    """A juror's severity in words: milder or harsher than the others on the same entries,
    never a bare signed number."""
    if severity is None:
        return _("not compared: nobody else reviewed the same entries")
    points = _number(abs(severity))
    if abs(severity) < 0.05:
        return ngettext(
            "scores like the other jurors on the same entry",
            "scores like the other jurors on the same %(count)d entries",
            compared,
        ) % {"count": compared}
    if severity > 0:
        return ngettext(
            "scores %(points)s points milder than the other jurors on the same entry",
            "scores %(points)s points milder than the other jurors on the same %(count)d entries",
            compared,
        ) % {"points": points, "count": compared}
    return ngettext(
        "scores %(points)s points harsher than the other jurors on the same entry",
        "scores %(points)s points harsher than the other jurors on the same %(count)d entries",
        compared,
    ) % {"points": points, "count": compared}


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
        if below is not None and below.decided_by_tie_breaker:
            sentences.append(
                _(
                    "Its score equals that of %(other)s, and the tie-breaker (the higher "
                    "average on “%(criterion)s”) puts it ahead."
                )
                % {"other": name(below), "criterion": tie_breaker or "–"}
            )
        elif below is not None and below.place != explanation.place:
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


def line_note(explanation: Explanation, line) -> str:
    """The rule that applies to one juror's review, where a special one does."""
    if line.total is None or line.juror_mean is None:
        return ""
    if explanation.normalisation == "zscore":
        if line.juror_reviews == 1:
            return _(
                "This juror reviewed only this entry of the category: one review tells "
                "nothing about their scale, so it counts as the category's average total."
            )
        if (line.juror_spread or 0) <= 1e-9:
            return _(
                "This juror gave every entry of the category the same total: that tells "
                "nothing about which is better, so their reviews count as the category's "
                "average total."
            )
    if explanation.normalisation == "calibrated" and line.juror_reviews <= 2:
        return ngettext(
            "This juror reviewed only %(count)d entry of the category: their offset is "
            "estimated from little, so it is corrected only in part (shrunk towards no "
            "offset).",
            "This juror reviewed only %(count)d entries of the category: their offset is "
            "estimated from little, so it is corrected only in part (shrunk towards no "
            "offset).",
            line.juror_reviews,
        ) % {"count": line.juror_reviews}
    return ""


def recompute_sentences(explanation: Explanation) -> list[str]:
    """How to recompute the entry's score from the table, for the method in use."""
    if explanation.normalisation == "calibrated":
        sentences = [
            _(
                "To recompute: each review counts with its total minus the juror's offset "
                "(kept within 0–100); the score combines these values. The offset is what "
                "the model estimates from all entries the juror shares with others."
            )
        ]
        if (explanation.groups or 1) > 1:
            sentences.append(
                _(
                    "The jurors of this category form %(groups)d groups that share no "
                    "entry: within a group jurors are compared with each other; between "
                    "groups Laurel can only assume that each group's jurors are on average "
                    "fair."
                )
                % {"groups": explanation.groups}
            )
        return sentences
    if explanation.normalisation == "zscore" and explanation.average is not None:
        return [
            _(
                "To recompute: (total − juror's average) ÷ juror's spread gives the z-score; "
                "the value it counts with is %(average)s + z-score × %(spread)s (the "
                "average and the spread of all totals of the category)."
            )
            % {"average": _number(explanation.average), "spread": _number(explanation.spread)}
        ]
    return []


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
            "Weak agreement: the jurors differ a lot on the same entries; read the ranking "
            "with care and look at the jurors' severity below."
        )
    return _("The jurors disagree systematically: what one rates high, another rates low.")


REASON_LABELS = {
    "severity": gettext_lazy(
        "scores clearly milder or harsher than the others (not chance, at least 10 points)"
    ),
    "consistency": gettext_lazy("orders entries unlike the others"),
}


def raw_alpha_note(raw: float | None, ranked: float | None, normalisation: str) -> str:
    """How the agreement of the raw totals relates to the agreement of what is ranked."""
    if normalisation == "raw" or raw is None or ranked is None:
        return ""
    return _(
        "On the raw totals, before the correction of each juror's scale, the agreement is "
        "%(raw)s: most of the difference between the two figures is how mild or harsh the "
        "jurors score, which the ranking corrects."
    ) % {"raw": floatformat(raw, 2)}


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
