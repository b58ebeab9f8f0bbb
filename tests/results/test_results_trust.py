"""What an organiser reads around the numbers: the calibrated method as the default and its
explanation (offsets, standard errors, how to recompute), the scale the scores are on, a
tie-breaker explained on both entries' pages, a published edition without jury data in
Laurel, and the new sentences in German."""

import io
import types

import pytest
from django.core.management import call_command
from django.utils import translation

from awards.enums import Normalisation
from awards.models import Award, AwardRole
from jury import services
from jury.models import Assignment
from results import wording
from results.engine import CategoryRanking, RankedEntry
from tests.factories import judging_setup
from tests.helpers import prefer_english, text
from tests.results.manage_helpers import category_url, scored, url

pytestmark = pytest.mark.django_db


def test_new_awards_rank_with_the_calibrated_method_and_the_page_says_why(client):
    assert Award._meta.get_field("ranking_normalisation").default == Normalisation.CALIBRATED
    s = scored(normalisation="calibrated")
    client.force_login(s.organiser)
    html = text(client.get(category_url(s.award, s.category)))

    assert "Normalisation: calibrated per juror." in html
    assert "Why this is Laurel&#x27;s default: on simulated juries with known true quality" in html
    # Scores come with their standard error.
    assert 'data-col="standard_error">± ' in html
    assert "± is the standard error" in html


def test_the_explanation_shows_each_jurors_average_spread_and_offset(client):
    s = scored(((9, 6, 3), (8, 5, 2), (9, 7, 4)), normalisation="calibrated")
    client.force_login(s.organiser)
    response = client.get(url(s.award, "explanation", pk=s.submissions[0].pk))
    html = text(response)
    explanation = response.context["explanation"]

    assert 'data-col="offset"' in html
    assert "each review counts with its total minus the juror&#x27;s offset" in html
    for line in explanation.lines:
        # An organiser can recompute each value from the page: total − offset.
        assert line.normalised == pytest.approx(line.total - line.offset, abs=1e-6)
        assert line.juror_spread is not None
    assert explanation.score == pytest.approx(
        sum(line.normalised for line in explanation.lines) / 3
    )
    assert 'data-testid="standard-error"' in html


def test_a_zscore_ranking_states_its_scale_when_scores_leave_0_to_100():
    award = types.SimpleNamespace(ranking_normalisation="zscore")
    ranking = CategoryRanking(
        1,
        "zscore",
        "mean",
        (),
        (
            RankedEntry(1, 111.7, 1, False, 3, 90.0, ()),
            RankedEntry(2, 40.0, 2, False, 3, 50.0, ()),
        ),
    )
    with translation.override("en"):
        note = wording.scale_note(award, ranking)
    assert note[-67:] == "They are not review totals and can lie outside 0–100. Here some do."


def test_a_juror_with_a_single_review_is_explained_under_zscores(client):
    s = scored(normalisation="zscore", close=False)
    guest = s.chair  # the chair as a juror who reviewed one entry only
    assignment = Assignment.objects.create(round=s.round, juror=guest, submission=s.submissions[1])
    services.review_save(
        assignment=assignment,
        actor=guest.user,
        version=0,
        scores={c.pk: 10 for c in s.criteria},
        submit=True,
    )
    client.force_login(s.organiser)
    html = text(client.get(url(s.award, "explanation", pk=s.submissions[1].pk)))

    assert "This juror reviewed only this entry of the category" in html
    assert "it counts as the category&#x27;s average total" in html


@pytest.fixture
def tie_broken(client):
    """e0 and e1 have equal totals; the tie-breaker (criterion 0) puts e0 ahead."""
    s = judging_setup(entries=2, jurors=2, criteria=2, k=2)
    prefer_english(s.organiser)
    Award.objects.filter(pk=s.award.pk).update(
        ranking_normalisation="raw", tie_break_criterion=s.criteria[0]
    )
    values = {s.submissions[0]: (8, 6), s.submissions[1]: (6, 8)}
    for juror in s.jurors:
        for submission, (first, second) in values.items():
            assignment = Assignment.objects.create(
                round=s.round, juror=juror, submission=submission
            )
            services.review_save(
                assignment=assignment,
                actor=juror.user,
                version=0,
                scores={s.criteria[0].pk: first, s.criteria[1].pk: second},
                submit=True,
            )
    for index, submission in enumerate(s.submissions, start=1):
        submission.reference = f"LIA-2031-TIE-{index:04d}"
        submission.save(update_fields=["reference"])
    client.force_login(s.organiser)
    return s


def test_a_tie_breaker_is_explained_on_both_entries_pages(client, tie_broken):
    s = tie_broken
    criterion = s.criteria[0].name_en
    upper = text(client.get(url(s.award, "explanation", pk=s.submissions[0].pk)))
    lower = text(client.get(url(s.award, "explanation", pk=s.submissions[1].pk)))

    assert "points ahead" not in upper
    assert f"the tie-breaker (the higher average on “{criterion}”) puts it ahead" in upper
    assert f"the tie-breaker (the higher average on “{criterion}”) puts" in lower
    page = text(client.get(category_url(s.award, s.category)))
    assert page.count('data-testid="tie-broken"') == 2


def test_a_published_edition_without_jury_data_says_so(client, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_results_demo", stdout=io.StringIO())
    award = Award.objects.get(edition=2023)
    organiser = AwardRole.objects.filter(award=award, role="organiser").first()
    if organiser is None:
        pytest.skip("the demo's 2023 edition has no organiser role")
    user = prefer_english(organiser.user)
    client.force_login(user)
    html = text(client.get(url(award, "overview")))

    assert "its jury worked outside Laurel" in html
    assert "No round has judged this category yet." not in html
    # A category's own page says so too.
    category = award.categories.order_by("position", "pk").first()
    page = text(client.get(category_url(award, category)))
    assert "its jury worked outside Laurel" in page
    assert "No round has judged this category yet." not in page


def test_the_new_sentences_read_in_german(client):
    s = scored(((9, 6, 3), (8, 5, 2), (5, 2, 1)), normalisation="calibrated")
    s.organiser.preferred_language = "de"
    s.organiser.save(update_fields=["preferred_language"])
    client.force_login(s.organiser)
    page = text(client.get(category_url(s.award, s.category)))
    quality = text(client.get(url(s.award, "quality")))

    assert "Normalisierung: kalibriert je Jurymitglied." in page
    # The third juror scores far below the others: in words, harsher, never "+" or "−".
    assert "Punkte strenger als die anderen Jurymitglieder" in quality


def test_calibration_reviews_count_or_not_as_the_round_says(client):
    from jury.models import RoundEntry

    s = scored()
    RoundEntry.objects.filter(round=s.round, submission=s.submissions[0]).update(
        is_calibration=True
    )
    client.force_login(s.organiser)
    address = category_url(s.award, s.category)
    counted = client.get(address).context["category_block"]
    assert counted.ranked[0].submission.pk == s.submissions[0].pk

    type(s.round).objects.filter(pk=s.round.pk).update(calibration_counts=False)
    response = client.get(address)
    block = response.context["category_block"]
    assert [row.submission.pk for row in block.unranked] == [s.submissions[0].pk]
    assert block.unranked[0].calibration_uncounted
    assert "calibration entry: its reviews do not count in this round" in text(response)
    # The overview's leaders leave it out as well.
    leaders = client.get(url(s.award, "overview")).context["blocks"][0].ranked
    assert s.submissions[0] not in [row.submission for row in leaders]


def test_a_zscore_explanation_gives_every_figure_needed_to_recompute(client):
    s = scored(((9, 6, 3), (8, 5, 2), (9, 7, 4)), normalisation="zscore")
    client.force_login(s.organiser)
    response = client.get(url(s.award, "explanation", pk=s.submissions[0].pk))
    explanation = response.context["explanation"]

    for line in explanation.lines:
        z = (line.total - line.juror_mean) / line.juror_spread
        assert line.normalised == pytest.approx(explanation.average + z * explanation.spread)
    average = f"{explanation.average:.1f}"
    spread = f"{explanation.spread:.1f}"
    assert f"the value it counts with is {average} + z-score × {spread}" in text(response)
