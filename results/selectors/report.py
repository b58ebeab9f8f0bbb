"""The figures of the organisers' edition report: what a funding body or board asks for after
an edition, read through the same selectors the organisers' pages use, so that the report
and the pages never disagree.

* entries per category and status: ``submissions.manage_selectors.submission_counts`` (the
  entry list's counts), and per category and company size (``Organisation.size_class``, the
  list's size filter) one aggregate query of the same entries;
* the jury: ``jury.selectors.progress.round_progress`` for every scoring round (the progress
  page: members, assigned and submitted reviews), ``round_close_summary`` for a ranking
  round (the ballots);
* the jury's agreement per category: ``feed_quality`` of the last scoring round that is not
  planned, as the jury quality page shows it, with ``wording.alpha_reading``;
* the ranking method in words: ``wording.method_sentences`` (the calibrated method's
  one-sentence reason among them);
* the decisions with their justifications: ``decisions_of``; the publication moment:
  ``Award.results_published_at``; the mails: ``notifications.selectors.message_status_counts``
  (the outbox's counts).

Sentences and labels are made in the active language: build the figures inside
``translation.override``. Queries: a fixed number whatever the number of entries, jurors,
reviews and mails — 7, plus 5 per scoring round and 3 per ranking round, plus 3 for the
version of the jury quality's figures (and its reading of the reviews when they are not in
the cache yet): 15 for an edition with one scoring round.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from awards.enums import RoundMethod, RoundStatus
from awards.models import Award, Category, Round
from jury.selectors.progress import Progress, round_close_summary, round_progress
from notifications.enums import MessageStatus
from notifications.selectors import message_status_counts
from submissions.enums import APPLIED_STATUSES, OrganisationSize, SubmissionStatus
from submissions.manage_selectors import SubmissionCounts, submission_counts
from submissions.models import Submission

from .. import wording
from ..models import Decision, EditionReport
from .figures import RoundFeed, feed_quality
from .public import decisions_of

REPORTS_SHOWN = 50


@dataclass
class CategoryEntries:
    """One category's entries: by status, the applications (submitted, eligible or not
    eligible) and the applications by company size."""

    category: Category
    by_status: dict[str, int] = field(default_factory=dict)
    applied: int = 0
    by_size: dict[str, int] = field(default_factory=dict)

    def status(self, status: str) -> int:
        return self.by_status.get(status, 0)


@dataclass
class JurorLine:
    name: str
    role: str
    assigned: int = 0
    submitted: int = 0


@dataclass
class RoundLine:
    round: Round
    progress: Progress

    @property
    def is_ranking(self) -> bool:
        return self.round.method == RoundMethod.RANKING


@dataclass
class AgreementLine:
    category: Category
    alpha: float | None
    alpha_raw: float | None
    entries: int
    reviews: int
    reading: str


@dataclass
class EditionFigures:
    award: Award
    generated_at: dt.datetime
    counts: SubmissionCounts
    categories: list[CategoryEntries]
    # The company sizes as (value, label), in the choices' order; "" for a profile without one.
    sizes: list[tuple[str, str]]
    rounds: list[RoundLine]
    jurors: list[JurorLine]
    quality_round: Round | None
    agreement: list[AgreementLine]
    method: list[str]
    decisions: list[Decision]
    published_at: dt.datetime | None
    mails: dict[str, int]

    @property
    def applied(self) -> int:
        return sum(line.applied for line in self.categories)

    def status_total(self, status: str) -> int:
        return self.counts.by_status.get(status, 0)

    @property
    def reviews_submitted(self) -> int:
        return sum(line.submitted for line in self.jurors)

    @property
    def mails_sent(self) -> int:
        return self.mails.get(MessageStatus.SENT, 0)

    @property
    def mails_failed(self) -> int:
        return self.mails.get(MessageStatus.FAILED, 0)

    @property
    def mails_queued(self) -> int:
        return self.mails.get(MessageStatus.PENDING, 0) + self.mails.get(MessageStatus.SENDING, 0)


def _entries_by_category(award: Award, categories: list[Category]) -> list[CategoryEntries]:
    """Per category: entries by status and applications by company size (one query)."""
    lines = {c.pk: CategoryEntries(category=c) for c in categories}
    rows = (
        Submission.objects.filter(award=award)
        .order_by()
        .values_list("category_id", "organisation__size_class", "status")
        .annotate(n=Count("pk"))
    )
    for category_id, size, status, n in rows:
        line = lines.get(category_id)
        if line is None:
            continue
        line.by_status[status] = line.by_status.get(status, 0) + n
        if status in APPLIED_STATUSES:
            line.applied += n
            line.by_size[size or ""] = line.by_size.get(size or "", 0) + n
    return list(lines.values())


def _jury(award: Award, rounds: list[Round]) -> tuple[list[RoundLine], list[JurorLine]]:
    """The rounds' progress as the jury pages show it, and each active juror's reviews over
    every scoring round (a ranking round's ballots are counted per category only)."""
    lines: list[RoundLine] = []
    jurors: dict[int, JurorLine] = {}
    scoring = [r for r in rounds if r.method != RoundMethod.RANKING]
    for round_ in rounds:
        if round_.method == RoundMethod.RANKING:
            lines.append(RoundLine(round=round_, progress=round_close_summary(award, round_)))
        else:
            lines.append(RoundLine(round=round_, progress=round_progress(award, round_)))
    progresses = [line.progress for line in lines if not line.is_ranking]
    if not scoring:
        # No scoring round yet: the jury's members all the same (2 queries).
        progresses = [round_progress(award, None)]
    for progress in progresses:
        for row in progress.jurors:
            juror = row.juror
            line = jurors.setdefault(
                juror.pk, JurorLine(name=row.label, role=str(juror.get_role_display()))
            )
            line.assigned += row.assigned
            line.submitted += row.submitted
    return lines, list(jurors.values())


def _agreement(
    award: Award, rounds: list[Round], categories: list[Category]
) -> tuple[Round | None, list[AgreementLine]]:
    """The jury's agreement per category in the last scoring round that is not planned (the
    one the jury quality page opens on)."""
    scoring = [r for r in rounds if r.method == RoundMethod.SCORES]
    if not scoring:
        return None, []
    round_ = scoring[-1]
    round_.award = award
    quality = feed_quality(RoundFeed(round_))
    lines = []
    for category in categories:
        figures = quality.get(category.pk)
        if figures is None:
            continue
        lines.append(
            AgreementLine(
                category=category,
                alpha=figures.alpha_ranked,
                alpha_raw=figures.alpha,
                entries=figures.entries,
                reviews=figures.reviews,
                reading=wording.alpha_reading(figures.alpha_ranked),
            )
        )
    return round_, lines


def edition_figures(award: Award, *, now: dt.datetime | None = None) -> EditionFigures:
    """Everything the edition report shows of ``award`` (see the module for the sources and
    the number of queries). Read the award with ``select_related("tie_break_criterion")``
    to save the method's query."""
    categories = list(award.categories.order_by("position", "code", "pk"))
    counts = submission_counts(award)
    entries = _entries_by_category(award, categories)
    rounds = list(
        Round.objects.filter(award=award).exclude(status=RoundStatus.PLANNED).order_by("number")
    )
    for round_ in rounds:
        round_.award = award
    round_lines, jurors = _jury(award, rounds)
    quality_round, agreement = _agreement(award, rounds, categories)
    method = wording.method_sentences(award, quality_round)
    if any(r.method == RoundMethod.RANKING for r in rounds):
        final = next(r for r in reversed(rounds) if r.method == RoundMethod.RANKING)
        method = [*method, *wording.method_sentences(award, final)]
    sizes = [(value, str(label)) for value, label in OrganisationSize.choices]
    if any("" in line.by_size for line in entries):
        sizes.append(("", "–"))
    return EditionFigures(
        award=award,
        generated_at=now or timezone.now(),
        counts=counts,
        categories=entries,
        sizes=sizes,
        rounds=round_lines,
        jurors=jurors,
        quality_round=quality_round,
        agreement=agreement,
        method=method,
        decisions=list(decisions_of(award)),
        published_at=award.results_published_at,
        mails=message_status_counts(award),
    )


def edition_reports_of(award: Award) -> list[EditionReport]:
    """The award's reports, newest first, with who asked (one query)."""
    return list(
        EditionReport.objects.filter(award=award)
        .select_related("requested_by")
        .order_by("-requested_at", "-pk")[:REPORTS_SHOWN]
    )


def edition_report_of(award: Award, pk: int) -> EditionReport | None:
    """One report of ``award`` (None for another award's)."""
    return EditionReport.objects.filter(award=award, pk=pk).first()


# The statuses of an entry in the order the report lists them.
STATUS_ORDER = (
    SubmissionStatus.ELIGIBLE,
    SubmissionStatus.INELIGIBLE,
    SubmissionStatus.SUBMITTED,
    SubmissionStatus.WITHDRAWN,
    SubmissionStatus.DRAFT,
)

__all__ = [
    "REPORTS_SHOWN",
    "STATUS_ORDER",
    "AgreementLine",
    "CategoryEntries",
    "EditionFigures",
    "JurorLine",
    "RoundLine",
    "edition_figures",
    "edition_report_of",
    "edition_reports_of",
]
