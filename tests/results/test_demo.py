"""The demo commands: the published 2023 results once, and none without DEBUG or --force."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from results.models import Decision

pytestmark = pytest.mark.django_db


def run(*args):
    call_command(*args, stdout=io.StringIO())


@pytest.mark.parametrize("command", ["seed_demo", "seed_jury_demo", "seed_results_demo"])
def test_demo_commands_refuse_without_debug(settings, command):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="needs --force"):
        run(command)


def test_the_2023_winners_are_created_once(settings):
    settings.DEBUG = True
    run("seed_demo")
    run("seed_results_demo")
    run("seed_results_demo")

    winners = Decision.objects.filter(award__edition=2023, place=1)
    assert winners.count() == 4
    assert sorted(d.submission.organisation.name for d in winners) == [
        "BETTERGUARDS Technology GmbH",
        "Red Arrow technologies UG",
        "Studio Sven Pfeiffer",
        "soulproducts GmbH",
    ]
    assert all(d.award.results_are_public() for d in winners)


def test_the_scored_demo_flags_exactly_its_two_planted_severe_jurors(settings):
    settings.DEBUG = True
    run("seed_demo")
    run("seed_results_demo")
    run("seed_results_demo")  # once: nothing is duplicated

    from awards.models import Award
    from results.demo import SCORED_SLUG
    from results.engine import jury_quality
    from results.selectors import review_data_for_round

    award = Award.objects.get(slug=SCORED_SLUG)
    assert award.ranking_normalisation == "calibrated"
    round_ = award.rounds.get(number=1)
    assert round_.status == "closed"
    criteria, reviews = review_data_for_round(round_)
    assert len(reviews) == 4 * 12 * 4
    quality = jury_quality(reviews, criteria, normalisation=award.ranking_normalisation)
    names = {j.pk: j.user.full_name for j in award.jurors.select_related("user")}
    for figures in quality.values():
        flagged = {names[j.juror_id]: j.severity for j in figures.jurors if j.outlier}
        assert set(flagged) == {"Stefan Streng", "Mila Milde"}
        assert flagged["Stefan Streng"] < -10 < 10 < flagged["Mila Milde"]
        # What is ranked agrees far better than the raw totals: the offsets are corrected.
        assert figures.alpha_ranked > figures.alpha + 0.2
