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
