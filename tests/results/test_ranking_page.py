"""The ranking on the organisers' results page with ties, robustness and the method, the
explanation of an entry, the jury's quality, and what the jury chair sees; the ranking and
explanation pages run a fixed number of queries."""

import re
import statistics

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from awards.enums import RoundStatus
from awards.models import Award, Round
from jury.models import RoundEntry
from tests.factories import SubmissionFactory
from tests.helpers import text
from tests.results.manage_helpers import CLEAR, category_url, review, rows, scored, url

pytestmark = pytest.mark.django_db

# --- Helpers -----------------------------------------------------------------------------


def total(value: int) -> float:
    return (value - 1) / 9 * 100


# --- The ranking -------------------------------------------------------------------------


def test_ranking_lists_places_scores_and_entries_without_review_last(organiser):
    s = scored(extra_entries=1)
    organiser.force_login(s.organiser)
    response = organiser.get(category_url(s.award, s.category))
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
    # The overview shows the category's leaders only (here all three ranked entries, not
    # the one without review) and links to the category's page.
    overview = organiser.get(url(s.award, "overview"))
    block = overview.context["blocks"][0]
    assert [row.submission.pk for row in block.ranked] == [e0.pk, e1.pk, e2.pk]
    assert (block.unranked, block.more) == ([], 0)
    leaders = re.findall(r'data-testid="leader-row" data-submission="(\d+)"', text(overview))
    assert leaders == [str(e0.pk), str(e1.pk), str(e2.pk)]
    assert 'data-testid="rank-row"' not in text(overview)
    assert category_url(s.award, s.category) in text(overview)


def test_tied_entries_share_the_place_with_a_tie_badge(organiser):
    s = scored(((9, 9, 3), (8, 8, 2), (9, 9, 4)))
    organiser.force_login(s.organiser)
    html = text(organiser.get(category_url(s.award, s.category)))
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
    html = text(organiser.get(category_url(s.award, s.category)))
    assert "Normalisation: per-juror z-scores." in html
    assert "the median, so that one extreme review cannot pull the score" in html
    assert escape(f"Equal scores: the higher average on “{s.criteria[1].name}” ranks first") in (
        html
    )


def test_a_clear_leader_is_robust_with_the_figures(organiser, s):
    response = organiser.get(category_url(s.award, s.category))
    block = response.context["category_block"]
    assert block.robustness.verdict == "robust"
    assert block.robustness.bootstrap_share == 1.0
    html = text(response)
    assert 'data-testid="verdict">robust<' in html
    assert "the leader is first on its own in 100.0 % of 1000 simulated juries" in html
    assert "It stays first whichever single juror is left out, in at least 95 %" in html
    # The overview gives the verdict without the figures.
    overview = text(organiser.get(url(s.award, "overview")))
    assert 'data-testid="verdict">robust<' in overview


def test_a_leader_carried_by_two_jurors_is_a_close_call(organiser):
    # e0: 100, 100, 44.4 (mean 81.5) against e1: 77.8 three times; without juror 1 or 2
    # the second entry leads.
    s = scored(((10, 8, 1), (10, 8, 1), (5, 8, 1)))
    organiser.force_login(s.organiser)
    html = text(organiser.get(category_url(s.award, s.category)))
    assert 'data-testid="verdict">close call<' in html
    names = ", ".join(escape(j.user.full_name) for j in s.jurors[:2])
    assert f"Leaving out one of these jurors changes who is first: {names}.</li>" in html


def _add_reviewed_entries(s, count: int) -> None:
    for _ in range(count):
        entry = SubmissionFactory(award=s.award, category=s.category, status="eligible")
        RoundEntry.objects.create(round=s.round, submission=entry)
        for juror, value in zip(s.jurors[:2], (7, 4), strict=True):
            review(s, juror, entry, value)


@pytest.mark.parametrize("page", ["overview", "category", "explanation"])
def test_ranking_and_explanation_run_a_fixed_number_of_queries(
    client, django_assert_num_queries, page
):
    """The same number of queries with 7 entries as with 60, both for the first view after
    the reviews changed (the ranking computed afresh, the robustness queued) and for a
    repeat view (the figures from the cache: no review is read). Measured with the round
    closed, so that the category's page carries the decision form with every entry."""
    s = scored(close=False)
    client.force_login(s.organiser)
    _add_reviewed_entries(s, 3)  # 6 entries
    kwargs = {
        "overview": {},
        "category": {"category": s.category.pk},
        "explanation": {"pk": s.submissions[1].pk},
    }[page]
    address = url(s.award, page, **kwargs)
    # The first view ever computes the robustness in the request.
    assert client.get(address).status_code == 200

    def measure(entries: int) -> list[int]:
        """The queries of the first view after ``entries`` are reviewed, then of a repeat."""
        Round.objects.filter(pk=s.round.pk).update(status=RoundStatus.OPEN)
        _add_reviewed_entries(s, entries - RoundEntry.objects.filter(round=s.round).count())
        assert RoundEntry.objects.filter(round=s.round).count() == entries
        Round.objects.filter(pk=s.round.pk).update(status=RoundStatus.CLOSED)
        views = []
        for _view in ("changed", "repeat"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(address).status_code == 200
            views.append([q["sql"] for q in queries.captured_queries])
        changed, repeat = views
        assert any("jury_score" in sql for sql in changed)  # the scores are read afresh
        if page != "explanation":
            # The repeat view takes the ranking and its robustness from the cache.
            assert not any("jury_score" in sql for sql in repeat)
        return [len(changed), len(repeat)]

    small = measure(7)
    large = measure(60)
    assert large == small, {"7 entries": small, "60 entries": large}
    with django_assert_num_queries(small[1]):
        response = client.get(address)
    html = text(response)
    if page == "overview":
        # The leaders only, and how many more the category's page shows.
        assert html.count('data-testid="leader-row"') == 3
        assert 'data-testid="rank-row"' not in html
        assert response.context["blocks"][0].more == 57
    elif page == "category":
        assert html.count('data-testid="rank-row"') == 60
        assert 'data-testid="decision-form"' in html
        assert len(response.context["category_block"].entries) == 60
    else:
        assert html.count('data-testid="juror-line"') == 3


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
    # One juror scored every entry a scale point below the others: 14.8 points harsher on
    # all three shared entries, an interval clear of zero — flagged, in words, not a sign.
    assert html.count('data-outlier="1"') == 1
    assert "scores 14.8 points harsher than the other jurors on the same 3 entries" in html
    assert organiser.get(url(s.award, "quality") + "?round=9").status_code == 404


# --- What the jury chair sees ------------------------------------------------------------


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
    category_page = reverse(
        "results_manage:category", kwargs={"slug": slug, "category": setup.category.pk}
    )
    category = client.get(category_page)
    reopen = client.post(
        reverse(
            "results_manage:decision_reopen",
            kwargs={"slug": slug, "category": setup.category.pk},
        ),
        {},
    )
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
    # Not even a tab or a link to the category's page, which is a 404 for them.
    assert category_page not in overview.content.decode()
    assert category.status_code == 404
    assert reopen.status_code == 404
    assert explanation.status_code == 404
    assert decision.status_code == 404
