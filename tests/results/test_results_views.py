"""The organisers' results pages (/manage/<slug>/results/…): who may open them, the ranking
with ties, robustness and the method, the decision with its justification and reopening, the
explanation of an entry, the jury's quality, the publication in the award's time zone and
the press kit; the ranking and explanation pages run a fixed number of queries."""

import csv
import datetime as dt
import io
import re
import statistics

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from openpyxl import load_workbook
from PIL import Image

from awards.models import AuditEntry, Award
from jury import services
from jury.models import Assignment, RoundEntry
from results import services as results_services
from results.models import Decision, RankingSnapshot
from submissions.models import Membership, Submission
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    JurorFactory,
    RoundFactory,
    SubmissionFactory,
    UserFactory,
    judging_setup,
)

pytestmark = pytest.mark.django_db

# Each juror's score (on both criteria, scale 1–10) per entry: a clear order e0 > e1 > e2.
CLEAR = ((9, 6, 3), (8, 5, 2), (9, 7, 4))


# --- Helpers -----------------------------------------------------------------------------


def english(user):
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    return user


def url(award, name: str, **kwargs) -> str:
    return reverse(f"results_manage:{name}", kwargs={"slug": award.slug, **kwargs})


def text(response) -> str:
    return response.content.decode()


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
    english(s.organiser)
    for index, submission in enumerate(s.submissions, start=1):
        submission.reference = f"LIA-2031-{s.category.code}-{index:04d}"
        submission.save(update_fields=["reference"])
    for juror, row in zip(s.jurors, values, strict=True):
        for submission, value in zip(s.submissions, row, strict=False):
            review(s, juror, submission, value)
    s.chair = JurorFactory(award=s.award, role="jury_chair", categories=[s.category])
    english(s.chair.user)
    if close:
        services.round_close(round=s.round, actor=s.organiser)
    s.award.refresh_from_db()
    return s


def total(value: int) -> float:
    return (value - 1) / 9 * 100


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


def confirm(client, s, *places, justification="", mentions=()):
    prefix = f"c{s.category.pk}"
    data = {f"{prefix}-justification": justification}
    for index, submission in enumerate(places, start=1):
        data[f"{prefix}-place_{index}"] = str(submission.pk)
    if mentions:
        data[f"{prefix}-mentions"] = [str(m.pk) for m in mentions]
    return client.post(url(s.award, "decision_confirm", category=s.category.pk), data)


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


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def s():
    return scored()


@pytest.fixture
def organiser(client, s):
    client.force_login(s.organiser)
    return client


# --- Who may open the pages --------------------------------------------------------------

VISITORS = ("anonymous", "applicant", "juror", "chair", "organiser_other", "organiser")
CHAIR_PAGES = {"chair": 200, "organiser": 200}
ORGANISER_PAGES = {"organiser": 200}
# An empty form: a 400 with the errors for whoever may decide, 404 for everyone else.
CHAIR_FORMS = {"chair": 400, "organiser": 400}


@pytest.fixture
def matrix_world():
    s = scored()
    decide(s)
    other = judging_setup(entries=1, jurors=1)
    s.users = {
        "anonymous": None,
        "applicant": Membership.objects.filter(organisation=s.submissions[0].organisation)
        .first()
        .user,
        "juror": s.jurors[0].user,
        "chair": s.chair.user,
        "organiser_other": other.organiser,
        "organiser": s.organiser,
    }
    s.decision = Decision.objects.get(award=s.award, place=1)
    Submission.objects.filter(pk=s.decision.submission_id).update(consent_publication=True)
    return s


PAGES = [
    ("ranking", "get", lambda s: url(s.award, "overview"), CHAIR_PAGES),
    (
        "explanation",
        "get",
        lambda s: url(s.award, "explanation", pk=s.submissions[1].pk),
        CHAIR_PAGES,
    ),
    (
        "decision",
        "post",
        lambda s: url(s.award, "decision_confirm", category=s.category.pk),
        CHAIR_FORMS,
    ),
    (
        "reopening",
        "post",
        lambda s: url(s.award, "decision_reopen", category=s.category.pk),
        CHAIR_FORMS,
    ),
    ("quality", "get", lambda s: url(s.award, "quality"), ORGANISER_PAGES),
    ("publication", "get", lambda s: url(s.award, "publication"), ORGANISER_PAGES),
    ("press CSV", "get", lambda s: url(s.award, "press_csv"), ORGANISER_PAGES),
    ("press XLSX", "get", lambda s: url(s.award, "press_xlsx"), ORGANISER_PAGES),
    (
        "share image",
        "get",
        lambda s: url(s.award, "press_image", pk=s.decision.pk),
        ORGANISER_PAGES,
    ),
    (
        "audit log",
        "get",
        lambda s: reverse("awards:audit", kwargs={"slug": s.award.slug}),
        ORGANISER_PAGES,
    ),
]


@pytest.mark.parametrize(
    ("page", "method", "build", "allowed", "visitor"),
    [
        pytest.param(page, method, build, allowed, visitor, id=f"{page} × {visitor}")
        for page, method, build, allowed in PAGES
        for visitor in VISITORS
    ],
)
def test_results_page_answers_each_visitor(
    client, matrix_world, page, method, build, allowed, visitor
):
    user = matrix_world.users[visitor]
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(build(matrix_world))
    if visitor == "anonymous":
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse(settings.LOGIN_URL)), page
    else:
        assert response.status_code == allowed.get(visitor, 404), page
    # Nothing changed behind a refusal.
    assert Decision.objects.filter(award=matrix_world.award).count() == 1


def test_objects_of_another_award_are_404(organiser, s):
    other = scored()
    decide(other)
    decide(s)
    decision = Decision.objects.get(award=other.award)
    assert organiser.get(url(s.award, "explanation", pk=other.submissions[0].pk)).status_code == (
        404
    )
    assert organiser.get(url(s.award, "press_image", pk=decision.pk)).status_code == 404
    response = organiser.post(
        url(s.award, "decision_reopen", category=other.category.pk), {"reason": "x"}
    )
    assert response.status_code == 404
    assert Decision.objects.filter(award=other.award).count() == 1


# --- The ranking -------------------------------------------------------------------------


def test_ranking_lists_places_scores_and_entries_without_review_last(organiser):
    s = scored(extra_entries=1)
    organiser.force_login(s.organiser)
    response = organiser.get(url(s.award, "overview"))
    assert response.status_code == 200
    e0, e1, e2, e3 = s.submissions
    assert rows(text(response)) == [
        {
            "place": str(place),
            "reference": entry.reference,
            "title": entry.title,
            "company": entry.organisation.name,
            "score": f"{score:.1f}",
            "raw_mean": f"{score:.1f}",
            "reviews": "3",
        }
        for place, entry, score in (
            (1, e0, (total(9) + total(8) + total(9)) / 3),
            (2, e1, (total(6) + total(5) + total(7)) / 3),
            (3, e2, (total(3) + total(2) + total(4)) / 3),
        )
    ] + [
        {
            "place": "–",
            "reference": e3.reference,
            "title": f"{e3.title} no complete review",
            "company": e3.organisation.name,
            "reviews": "0",
        }
    ]
    html = text(response)
    assert "85.2" in html  # (88.9 + 77.8 + 88.9) / 3
    assert url(s.award, "explanation", pk=e0.pk) in html
    assert "Normalisation: none." in html
    assert "Combining an entry&#x27;s reviews: the average." in html
    assert "Equal scores share the place; the jury chair decides between them." in html
    assert reverse("awards:settings", kwargs={"slug": s.award.slug}) in html


def test_tied_entries_share_the_place_with_a_tie_badge(organiser):
    s = scored(((9, 9, 3), (8, 8, 2), (9, 9, 4)))
    organiser.force_login(s.organiser)
    html = text(organiser.get(url(s.award, "overview")))
    assert [(r["place"], r["title"]) for r in rows(html)] == [
        ("=1", f"{s.submissions[0].title} tie"),
        ("=1", f"{s.submissions[1].title} tie"),
        ("3", s.submissions[2].title),
    ]
    # With first place tied there is no single leader to call robust.
    assert "First place is tied: there is no single leader." in html


def test_method_names_the_normalisation_and_the_tie_breaker(organiser, s):
    Award.objects.filter(pk=s.award.pk).update(
        ranking_normalisation="zscore",
        ranking_aggregation="median",
        tie_break_criterion=s.criteria[1],
    )
    html = text(organiser.get(url(s.award, "overview")))
    assert "Normalisation: per-juror z-scores." in html
    assert "the median, so that one extreme review cannot pull the score" in html
    assert escape(f"Equal scores: the higher average on “{s.criteria[1].name}” ranks first") in (
        html
    )


def test_a_clear_leader_is_robust_with_the_figures(organiser, s):
    response = organiser.get(url(s.award, "overview"))
    block = response.context["blocks"][0]
    assert block.robustness.verdict == "robust"
    assert block.robustness.bootstrap_share == 1.0
    html = text(response)
    assert 'data-testid="verdict">robust<' in html
    assert "stays first on its own in 100.0 % of 1000 simulated juries" in html
    assert "It stays first whichever single juror is left out." in html


def test_a_leader_carried_by_two_jurors_is_a_close_call(organiser):
    # e0: 100, 100, 44.4 (mean 81.5) against e1: 77.8 three times; without juror 1 or 2
    # the second entry leads.
    s = scored(((10, 8, 1), (10, 8, 1), (5, 8, 1)))
    organiser.force_login(s.organiser)
    html = text(organiser.get(url(s.award, "overview")))
    assert 'data-testid="verdict">close call<' in html
    names = ", ".join(escape(j.user.full_name) for j in s.jurors[:2])
    assert f"Leaving out one of these jurors changes who is first: {names}</li>" in html


def _add_reviewed_entries(s, count: int) -> None:
    for _ in range(count):
        entry = SubmissionFactory(award=s.award, category=s.category, status="eligible")
        RoundEntry.objects.create(round=s.round, submission=entry)
        for juror, value in zip(s.jurors[:2], (7, 4), strict=True):
            review(s, juror, entry, value)


@pytest.mark.parametrize("page", ["overview", "explanation"])
def test_ranking_and_explanation_run_a_fixed_number_of_queries(
    client, django_assert_num_queries, page
):
    s = scored(close=False)
    client.force_login(s.organiser)
    _add_reviewed_entries(s, 3)  # 6 entries
    kwargs = {"pk": s.submissions[1].pk} if page == "explanation" else {}
    address = url(s.award, page, **kwargs)
    client.get(address)
    with CaptureQueriesContext(connection) as small:
        assert client.get(address).status_code == 200

    _add_reviewed_entries(s, 54)
    assert RoundEntry.objects.filter(round=s.round).count() == 60

    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(address)
    assert response.status_code == 200
    if page == "overview":
        assert text(response).count('data-testid="rank-row"') == 60
    else:
        assert text(response).count('data-testid="juror-line"') == 3


# --- Decisions ---------------------------------------------------------------------------


def test_confirming_the_ranking_needs_no_justification_and_decides_the_award(organiser, s):
    response = confirm(organiser, s, s.submissions[0])
    assert response.status_code == 302
    assert response["Location"] == url(s.award, "overview") + f"#category-{s.category.pk}"
    decision = Decision.objects.get(award=s.award)
    assert (decision.submission_id, decision.place, decision.justification) == (
        s.submissions[0].pk,
        1,
        "",
    )
    assert Award.objects.get(pk=s.award.pk).status == "decided"
    page = organiser.get(response["Location"])
    html = text(page)
    assert 'data-testid="decision-state">decided<' in html
    assert "The decision follows the ranking." in html
    assert f"Frozen ranking: {decision.snapshot.digest[:12]}" in html
    assert f"Confirmed by {escape(s.organiser.full_name)} on" in html
    assert 'data-testid="reopen-form"' in html
    assert 'data-testid="decision-form"' not in html


def test_the_form_is_prefilled_with_the_ranking(organiser, s):
    response = organiser.get(url(s.award, "overview"))
    form = response.context["blocks"][0].form
    assert form.initial == {"place_1": str(s.submissions[0].pk)}


def test_departing_without_justification_is_refused_at_the_field(organiser, s):
    response = confirm(organiser, s, s.submissions[1])
    assert response.status_code == 400
    form = response.context["blocks"][0].form
    assert form.errors["justification"] == [
        "The choice departs from the ranking (place 1): please give the jury's reasons."
    ]
    html = text(response)
    assert escape("please give the jury's reasons.") in html
    # The input is kept: the second entry stays selected.
    assert re.search(rf'<option value="{s.submissions[1].pk}" selected>', html)
    assert Decision.objects.count() == 0
    assert RankingSnapshot.objects.count() == 0
    assert Award.objects.get(pk=s.award.pk).status == "judging"


def test_departing_with_justification_is_saved_and_logged(organiser, s):
    reason = "The runner-up's series production is already running."
    response = confirm(organiser, s, s.submissions[1], justification=reason)
    assert response.status_code == 302
    decision = Decision.objects.get(award=s.award)
    assert (decision.submission_id, decision.justification) == (s.submissions[1].pk, reason)
    entry = AuditEntry.objects.filter(award=s.award, action="decision.confirmed").get()
    assert entry.data["departures"] == [1]
    assert entry.data["after"] == {"places": [s.submissions[1].pk], "mentions": []}
    assert entry.data["justification"] == reason
    html = text(organiser.get(url(s.award, "overview")))
    assert escape(reason) in html
    audit = text(organiser.get(reverse("awards:audit", kwargs={"slug": s.award.slug})))
    assert "Decision confirmed" in audit
    assert re.search(r"<dt[^>]*>departures</dt>\s*<dd[^>]*>1</dd>", audit)


def test_places_and_mentions_where_the_award_gives_them(organiser, s):
    Award.objects.filter(pk=s.award.pk).update(places_per_category=2, special_mentions=True)
    e0, e1, e2 = s.submissions
    page = organiser.get(url(s.award, "overview"))
    form = page.context["blocks"][0].form
    assert form.initial == {"place_1": str(e0.pk), "place_2": str(e1.pk)}
    assert set(form.fields) == {"place_1", "place_2", "mentions", "justification"}
    response = confirm(organiser, s, e0, e1, mentions=[e2])
    assert response.status_code == 302
    assert sorted(
        Decision.objects.filter(award=s.award).values_list("submission_id", "kind", "place")
    ) == sorted([(e0.pk, "place", 1), (e1.pk, "place", 2), (e2.pk, "mention", None)])


def test_a_place_left_empty_before_a_filled_one_is_refused(organiser, s):
    Award.objects.filter(pk=s.award.pk).update(places_per_category=2)
    prefix = f"c{s.category.pk}"
    response = organiser.post(
        url(s.award, "decision_confirm", category=s.category.pk),
        {f"{prefix}-place_1": "", f"{prefix}-place_2": str(s.submissions[0].pk)},
    )
    assert response.status_code == 400
    assert response.context["blocks"][0].form.errors["place_1"] == ["Choose the winner."]
    assert Decision.objects.count() == 0


def test_no_decision_while_the_round_is_open(organiser):
    s = scored(close=False)
    organiser.force_login(s.organiser)
    html = text(organiser.get(url(s.award, "overview")))
    assert escape(f"Close the round “{s.round.name}” before deciding on it.") in html
    assert 'data-testid="decision-form"' not in html
    response = confirm(organiser, s, s.submissions[0])
    assert response.status_code == 400
    assert escape(f"Close the round “{s.round.name}” before deciding on it.") in text(response)
    assert Decision.objects.count() == 0


def test_the_chair_confirms_and_reopens(client, s):
    client.force_login(s.chair.user)
    assert confirm(client, s, s.submissions[0]).status_code == 302
    assert Decision.objects.get(award=s.award).decided_by == s.chair.user
    response = client.post(
        url(s.award, "decision_reopen", category=s.category.pk),
        {f"c{s.category.pk}-reason": "A conflict of interest came to light."},
    )
    assert response.status_code == 302
    assert Decision.objects.count() == 0


def test_reopening_needs_a_reason(organiser, s):
    decide(s)
    address = url(s.award, "decision_reopen", category=s.category.pk)
    response = organiser.post(address, {f"c{s.category.pk}-reason": "  "})
    assert response.status_code == 400
    assert response.context["blocks"][0].reopen_form.errors["reason"] == [
        "Say why the decision is reopened."
    ]
    assert Decision.objects.filter(award=s.award).count() == 1
    assert Award.objects.get(pk=s.award.pk).status == "decided"

    reason = "The winner withdrew."
    response = organiser.post(address, {f"c{s.category.pk}-reason": reason})
    assert response.status_code == 302
    assert Decision.objects.filter(award=s.award).count() == 0
    assert Award.objects.get(pk=s.award.pk).status == "judging"
    entry = AuditEntry.objects.filter(award=s.award, action="decision.reopened").get()
    assert entry.data["reason"] == reason
    page = organiser.get(url(s.award, "overview"))
    assert 'data-testid="decision-form"' in text(page)


# --- The explanation ---------------------------------------------------------------------


def test_explanation_shows_each_jurors_scores_and_why(organiser, s):
    e0, e1, e2 = s.submissions
    response = organiser.get(url(s.award, "explanation", pk=e1.pk))
    assert response.status_code == 200
    html = text(response)
    lines = re.findall(r'<tr data-testid="juror-line".*?</tr>', html, re.S)
    assert len(lines) == 3
    for juror, line in zip(s.jurors, lines, strict=True):
        value = CLEAR[s.jurors.index(juror)][1]
        assert escape(juror.user.full_name) in line
        assert line.count(f'data-col="score">{value}<') == 2
        assert f'data-col="total">{total(value):.1f}<' in line
        assert "±0" in line  # raw scores: normalisation changes nothing
    mean = (total(6) + total(5) + total(7)) / 3
    assert re.search(r'data-testid="place">2 of 3<', html)
    assert f'data-testid="score">{mean:.1f}<' in html
    above = (total(9) + total(8) + total(9)) / 3 - mean
    below = mean - (total(3) + total(2) + total(4)) / 3
    assert (
        f"It ranks 2 of 3, {above:.1f} points behind {e0.reference} · {e0.title}."
        in (response.context["why"][0])
    )
    assert (
        response.context["why"][1]
        == f"It is {below:.1f} points ahead of {e2.reference} · {e2.title}."
    )


def test_explanation_of_the_leader_and_of_normalised_scores(organiser, s):
    Award.objects.filter(pk=s.award.pk).update(ranking_normalisation="zscore")
    response = organiser.get(url(s.award, "explanation", pk=s.submissions[0].pk))
    why = response.context["why"]
    assert why[0].startswith("It ranks first, ")
    raw = (total(9) + total(8) + total(9)) / 3
    assert why[1].startswith(f"The plain average of its review totals is {raw:.1f};")
    # Per-juror z-score, mapped back with the mean and spread of all nine totals.
    totals = [total(v) for row in CLEAR for v in row]
    pooled_mean, pooled_sd = statistics.fmean(totals), statistics.pstdev(totals)
    expected = []
    for row in CLEAR:
        own = [total(v) for v in row]
        z = (own[0] - statistics.fmean(own)) / statistics.pstdev(own)
        expected.append(pooled_mean + z * pooled_sd)
    lines = response.context["lines"]
    assert [line["line"].normalised for line in lines] == pytest.approx(expected)
    assert [line["line"].effect for line in lines] == pytest.approx(
        [value - total(row[0]) for value, row in zip(expected, CLEAR, strict=True)]
    )
    html = text(response)
    first = re.search(r'<tr data-testid="juror-line".*?</tr>', html, re.S).group(0)
    effect = expected[0] - total(9)
    assert f'data-col="normalised">{expected[0]:.1f}<' in first
    sign = "+" if effect > 0 else "−"
    assert f"{sign}{abs(effect):.1f}</span>" in first


def test_explanation_of_an_entry_without_review(organiser):
    s = scored(extra_entries=1)
    organiser.force_login(s.organiser)
    response = organiser.get(url(s.award, "explanation", pk=s.submissions[3].pk))
    assert response.status_code == 200
    assert "No juror has submitted a review of this entry in this round." in text(response)


# --- Jury quality ------------------------------------------------------------------------


def test_quality_flags_a_juror_who_orders_entries_the_other_way(organiser):
    s = scored(((9, 6, 3), (8, 5, 2), (3, 6, 9)))
    organiser.force_login(s.organiser)
    s.jurors[2].user.full_name = "<b>Eve</b> Contrary"
    s.jurors[2].user.save(update_fields=["full_name"])
    response = organiser.get(url(s.award, "quality"))
    assert response.status_code == 200
    html = text(response)
    flagged = re.findall(
        r'<tr data-testid="juror-quality" data-juror="(\d+)"[^>]*data-outlier', html
    )
    assert flagged == [str(s.jurors[2].pk)]
    assert "orders entries unlike the others" in html
    # Krippendorff's alpha by hand (in scale points minus one; alpha ignores the unit):
    # entries (8, 7, 2), (5, 4, 5), (2, 1, 8); D_e = 2·56/8 = 14, D_o = 2·75/9.
    assert 'data-testid="alpha">-0.19<' in html
    assert "The jurors disagree systematically: what one rates high, another rates low." in html
    # One chart for the category, one per juror, inline and with the name escaped.
    assert html.count("<svg") == 4
    assert "&lt;b&gt;Eve&lt;/b&gt; Contrary" in html
    assert "<b>Eve</b>" not in html


def test_quality_of_an_agreeing_jury(organiser, s):
    response = organiser.get(url(s.award, "quality"))
    html = text(response)
    # Entries (8, 7, 8), (5, 4, 6), (2, 1, 3): D_e = 2·52.89/8, D_o = 2·7/9 → 0.88.
    assert 'data-testid="alpha">0.88<' in html
    assert "Good agreement: the jurors largely agree on which entries are better." in html
    assert 'data-outlier="1"' not in html
    assert organiser.get(url(s.award, "quality") + "?round=9").status_code == 404


# --- Publication -------------------------------------------------------------------------


def test_publication_is_scheduled_in_the_awards_time_zone(organiser, s):
    decide(s)
    page = organiser.get(url(s.award, "publication"))
    assert "Decided, not scheduled yet." in text(page)
    response = organiser.post(
        url(s.award, "publication"), {"action": "schedule", "at": "2031-05-24T18:00"}
    )
    assert response.status_code == 302
    award = Award.objects.get(pk=s.award.pk)
    assert award.results_publish_at == dt.datetime(2031, 5, 24, 16, 0, tzinfo=dt.UTC)
    page = organiser.get(url(s.award, "publication"))
    assert "Scheduled for 24 May 2031, 6:00 p.m. (Europe/Berlin)." in text(page)
    assert 'value="2031-05-24T18:00"' in text(page)
    assert messages_of(page) == [
        "The results will be published on 24 May 2031, 6:00 p.m. (Europe/Berlin)."
    ]
    entry = AuditEntry.objects.filter(award=s.award, action="results.scheduled").get()
    assert parse_datetime(entry.data["after"]) == award.results_publish_at

    response = organiser.post(url(s.award, "publication"), {"action": "cancel"})
    assert response.status_code == 302
    assert Award.objects.get(pk=s.award.pk).results_publish_at is None


def test_publication_is_refused_while_not_decided(organiser, s):
    page = organiser.get(url(s.award, "publication"))
    assert "Not decided yet." in text(page)
    assert s.category.name in text(page)
    response = organiser.post(
        url(s.award, "publication"), {"action": "schedule", "at": "2031-05-24T18:00"}
    )
    assert response.status_code == 400
    assert messages_of(response) == ["Results can be scheduled once the award is “Decided”."]
    response = organiser.post(url(s.award, "publication"), {"action": "now"})
    assert response.status_code == 400
    assert Award.objects.get(pk=s.award.pk).results_publish_at is None


def test_publication_errors_are_shown_at_the_field(organiser, s):
    decide(s)
    for value, message in (
        ("", "Enter the date and time of publication."),
        ("2020-01-01T12:00", "This moment has passed. To publish at once, use “Publish now”."),
        ("2031-03-30T02:30", None),  # the clocks go forward in Berlin: no such time
    ):
        response = organiser.post(url(s.award, "publication"), {"action": "schedule", "at": value})
        assert response.status_code == 400, value
        errors = response.context["form"].errors["at"]
        if message:
            assert errors == [message]
        else:
            assert "does not exist in the time zone Europe/Berlin" in errors[0]
    assert Award.objects.get(pk=s.award.pk).results_publish_at is None


def test_publish_now_makes_the_results_public(client, organiser, s):
    decide(s)
    before = timezone.now()
    response = organiser.post(url(s.award, "publication"), {"action": "now"})
    assert response.status_code == 302
    award = Award.objects.get(pk=s.award.pk)
    assert before <= award.results_publish_at <= timezone.now()
    assert award.results_are_public()
    page = organiser.get(url(s.award, "publication"))
    assert "Public since" in text(page)
    assert reverse("results:public", kwargs={"slug": s.award.slug}) in text(page)
    # Public now: the decision can no longer be reopened.
    overview = text(organiser.get(url(s.award, "overview")))
    assert 'data-testid="reopen-form"' not in overview
    assert "The results are public; the decision can no longer change." in overview


# --- Press kit ---------------------------------------------------------------------------


def test_press_kit_is_404_before_the_award_is_decided(organiser, s):
    assert organiser.get(url(s.award, "press_csv")).status_code == 404
    assert organiser.get(url(s.award, "press_xlsx")).status_code == 404


def _press_world():
    s = scored()
    Award.objects.filter(pk=s.award.pk).update(places_per_category=2)
    e0, e1, _e2 = s.submissions
    # Both companies agreed to the publication of their names (the press kit names no one
    # else; see the test below).
    Submission.objects.filter(pk__in=[e0.pk, e1.pk]).update(consent_publication=True)
    Submission.objects.filter(pk=e0.pk).update(
        title='=HYPERLINK("http://evil.example")', summary="Flax frame, 40 % lighter."
    )
    e0.organisation.city = "Dresden"
    e0.organisation.save(update_fields=["city"])
    results_services.decision_confirm(
        award=s.award,
        category=s.category,
        choice=results_services.Choice(places=[e0.pk, e1.pk]),
        justification="",
        actor=s.organiser,
    )
    s.award.refresh_from_db()
    return s


def test_press_csv_lists_one_row_per_winner(client):
    s = _press_world()
    client.force_login(s.organiser)
    response = client.get(url(s.award, "press_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{s.award.slug}-winners.csv"'
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    e0, e1, _e2 = s.submissions
    e1.refresh_from_db()
    assert table == [
        ["Award", "Category", "Distinction", "Reference", "Project", "Company", "City", "Prize",
         "Summary"],
        [str(s.award), s.category.name, "Winner", e0.reference,
         "'=HYPERLINK(\"http://evil.example\")", e0.organisation.name, "Dresden", "€10,000",
         "Flax frame, 40 % lighter."],
        [str(s.award), s.category.name, "Second place", e1.reference, e1.title,
         e1.organisation.name, e1.organisation.city, "", e1.summary],
    ]  # fmt: skip


def test_press_kit_names_no_entry_whose_company_withheld_consent(client):
    s = _press_world()
    _e0, e1, _e2 = s.submissions
    Submission.objects.filter(pk=e1.pk).update(consent_publication=False)
    client.force_login(s.organiser)

    table = list(
        csv.reader(io.StringIO(client.get(url(s.award, "press_csv")).content.decode("utf-8-sig")))
    )
    second = Decision.objects.get(award=s.award, place=2)
    image = client.get(url(s.award, "press_image", pk=second.pk))

    assert [row[2] for row in table[1:]] == ["Winner"]
    assert e1.title not in str(table)
    assert image.status_code == 404


def test_press_xlsx_opens_with_the_same_rows(client):
    s = _press_world()
    client.force_login(s.organiser)
    response = client.get(url(s.award, "press_xlsx"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="{s.award.slug}-winners.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][:3] == ["Award", "Category", "Distinction"]
    assert [row[2] for row in values[1:]] == ["Winner", "Second place"]
    assert values[1][4] == '\'=HYPERLINK("http://evil.example")'


def test_share_image_is_a_1200_by_630_png(client):
    s = _press_world()
    client.force_login(s.organiser)
    decision = Decision.objects.get(award=s.award, place=1)
    response = client.get(url(s.award, "press_image", pk=decision.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("PNG", (1200, 630))
    page = text(client.get(url(s.award, "publication")))
    assert url(s.award, "press_image", pk=decision.pk) in page
    assert client.get(url(s.award, "press_image", pk=decision.pk + 1000)).status_code == 404


def test_the_manage_page_links_to_the_results_pages(organiser, s):
    html = text(organiser.get(reverse("awards:manage", kwargs={"slug": s.award.slug})))
    for address in (
        url(s.award, "overview"),
        url(s.award, "quality"),
        url(s.award, "publication"),
        reverse("awards:audit", kwargs={"slug": s.award.slug}),
    ):
        assert address in html


def test_a_second_organiser_of_the_award_may_decide(client, s):
    second = english(UserFactory())
    AwardRoleFactory(award=s.award, user=second, role="organiser")
    client.force_login(second)
    assert confirm(client, s, s.submissions[0]).status_code == 302


def test_a_final_round_of_ranked_ballots_decides_the_category(organiser, s):
    e0, e1, _e2 = s.submissions
    final = RoundFactory(award=s.award, number=2, kind="final", method="ranking")
    results_services.shortlist_take(round=s.round, actor=s.organiser, size=2)
    final = services.round_open(round=final, actor=s.organiser)
    for juror in s.jurors:
        services.ballot_save(
            round=final,
            juror=juror,
            category_id=s.category.pk,
            ranking={e1.pk: 1, e0.pk: 2},
            version=0,
            submit=True,
            finalists=[e0.pk, e1.pk],
        )
    services.round_close(round=final, actor=s.organiser)
    response = organiser.get(url(s.award, "overview"))
    html = text(response)
    assert [(r["place"], r["title"], r["score"], r["reviews"]) for r in rows(html)] == [
        ("1", e1.title, "–", "3"),
        ("2", e0.title, "–", "3"),
    ]
    assert "the Schulze method combines the ballots" in html
    assert 'data-testid="robustness-' not in html
    assert response.context["blocks"][0].form.initial == {"place_1": str(e1.pk)}
    assert confirm(organiser, s, e1).status_code == 302
    assert Decision.objects.get(award=s.award).snapshot.round == final
    explanation = text(organiser.get(url(s.award, "explanation", pk=e1.pk)))
    assert "Place 1 by the Schulze method, on 3 ballots." in explanation
    # The entry left out of the final is explained by the round that left it out.
    third = organiser.get(url(s.award, "explanation", pk=_e2.pk))
    assert third.context["round"] == s.round
    assert third.context["explanation"].place == 3


def test_the_chair_sees_the_jurors_names_and_tied_entries_are_explained(client):
    s = scored(((9, 9, 3), (8, 8, 2), (9, 9, 4)))
    client.force_login(s.chair.user)
    response = client.get(url(s.award, "explanation", pk=s.submissions[1].pk))
    html = text(response)
    for juror in s.jurors:
        assert escape(juror.user.full_name) in html
    e0 = s.submissions[0]
    assert response.context["why"][0] == (
        f"It shares place 1 with {e0.reference} · {e0.title}: their scores are equal and no "
        "tie-breaker separates them, so the jury chair decides."
    )
    assert 'data-testid="place">=1 of 3<' in html


def test_jurors_get_404_even_where_the_award_lets_them_see_the_ranking(client, s):
    Award.objects.filter(pk=s.award.pk).update(jurors_see_ranking=True)
    client.force_login(s.jurors[0].user)
    for address in (
        url(s.award, "overview"),
        url(s.award, "explanation", pk=s.submissions[0].pk),
        url(s.award, "quality"),
    ):
        assert client.get(address).status_code == 404, address


def test_pages_of_an_award_without_rounds(client):
    award = AwardFactory(status="open")
    organiser = english(AwardRoleFactory(award=award, role="organiser").user)
    CategoryFactory(award=award, name_en="Mobility")
    client.force_login(organiser)
    overview = text(client.get(url(award, "overview")))
    assert overview.count("No round has judged this category yet.") == 1
    assert 'data-testid="decision-form"' not in overview
    assert "No scoring round has started yet." in text(client.get(url(award, "quality")))
    publication = client.get(url(award, "publication"))
    assert 'data-state="undecided"' in text(publication)
    assert "Mobility" in text(publication)


def test_a_jury_chair_in_conflict_sees_nothing_of_that_category(client):
    """The chair is a juror: an entry they are in conflict with, its ranking row, its
    explanation and its category's decision are not theirs to see or take."""
    from jury.enums import ConflictSource, ConflictStatus
    from jury.models import Conflict
    from tests.factories import JurorFactory, judging_setup

    setup = judging_setup(entries=2, jurors=2, k=1)
    chair = JurorFactory(award=setup.award, role="jury_chair", categories=[setup.category])
    entry = setup.submissions[0]
    Conflict.objects.create(
        juror=chair,
        organisation=entry.organisation,
        status=ConflictStatus.CONFIRMED,
        source=ConflictSource.JUROR,
    )
    client.force_login(chair.user)
    slug = setup.award.slug

    overview = client.get(reverse("results_manage:overview", kwargs={"slug": slug}))
    explanation = client.get(
        reverse("results_manage:explanation", kwargs={"slug": slug, "pk": entry.pk})
    )
    decision = client.post(
        reverse(
            "results_manage:decision_confirm",
            kwargs={"slug": slug, "category": setup.category.pk},
        ),
        {},
    )

    assert overview.status_code == 200
    assert entry.title not in overview.content.decode()
    assert f'data-testid="category-{setup.category.code}"' not in overview.content.decode()
    assert 'data-testid="recused"' in overview.content.decode()
    assert explanation.status_code == 404
    assert decision.status_code == 404
