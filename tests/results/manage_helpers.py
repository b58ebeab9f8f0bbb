"""What the tests of the organisers' results pages share: addresses, an award scored by
hand (``scored``; the ``s`` fixture in conftest.py), reading the ranking's rows, confirming
and deciding."""

import re

from django.urls import reverse

from awards.models import Award
from jury import services
from jury.models import Assignment
from results import services as results_services
from tests.factories import JurorFactory, judging_setup
from tests.helpers import prefer_english

# Each juror's score (on both criteria, scale 1–10) per entry: a clear order e0 > e1 > e2.
CLEAR = ((9, 6, 3), (8, 5, 2), (9, 7, 4))


def url(award, name: str, **kwargs) -> str:
    return reverse(f"results_manage:{name}", kwargs={"slug": award.slug, **kwargs})


def category_url(award, category) -> str:
    """A category's results page: its whole ranking, robustness and decision forms (the
    overview shows each category's leaders only)."""
    return url(award, "category", category=category.pk)


def review(s, juror, submission, value: int) -> None:
    assignment = Assignment.objects.create(round=s.round, juror=juror, submission=submission)
    services.review_save(
        assignment=assignment,
        actor=juror.user,
        version=0,
        scores={c.pk: value for c in s.criteria},
        submit=True,
    )


def scored(values=CLEAR, *, normalisation="raw", close=True, extra_entries=0):
    """An award (Europe/Berlin) in judging with one category; ``values[j][i]`` is juror j's
    score of entry i on every criterion (all submitted); ``extra_entries`` more entries in
    the round without any review. Raw scores unless said otherwise; round 1 closed."""
    entries = len(values[0])
    s = judging_setup(entries=entries + extra_entries, jurors=len(values), criteria=2, k=2)
    Award.objects.filter(pk=s.award.pk).update(ranking_normalisation=normalisation)
    s.award.refresh_from_db()
    prefer_english(s.organiser)
    for index, submission in enumerate(s.submissions, start=1):
        submission.reference = f"LIA-2031-{s.category.code}-{index:04d}"
        submission.save(update_fields=["reference"])
    for juror, row in zip(s.jurors, values, strict=True):
        for submission, value in zip(s.submissions, row, strict=False):
            review(s, juror, submission, value)
    s.chair = JurorFactory(award=s.award, role="jury_chair", categories=[s.category])
    prefer_english(s.chair.user)
    if close:
        services.round_close(round=s.round, actor=s.organiser)
    s.award.refresh_from_db()
    return s


def rows(html: str) -> list[dict[str, str]]:
    """The ranking's rows as {data-col: cell text}, in page order."""
    result = []
    for row in re.findall(r'<tr data-testid="(?:rank|unranked)-row"(.*?)</tr>', html, re.S):
        cells = {
            key: re.sub(r"<[^>]+>", "", value).strip()
            for key, value in re.findall(r'data-col="(\w+)"[^>]*>(.*?)</td>', row, re.S)
        }
        result.append(cells)
    return result


def decide(s):
    """Confirm the ranking's winner as the organiser (the award becomes decided)."""
    results_services.decision_confirm(
        award=s.award,
        category=s.category,
        choice=results_services.Choice(places=[s.submissions[0].pk]),
        justification="",
        actor=s.organiser,
    )
    s.award.refresh_from_db()
