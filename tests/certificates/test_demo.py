"""The demo's certificate design: every participant of the scored edition gets one."""

import io

import pytest
from django.core.management import CommandError, call_command

from certificates.models import CertificateDesign
from jury.models import Review

pytestmark = pytest.mark.django_db


def run(*args):
    call_command(*args, stdout=io.StringIO())


def test_the_demo_design_needs_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="needs --force"):
        run("seed_certificates_demo")


def test_the_scored_demo_edition_gets_feedback_and_a_design_for_every_participant_once(settings):
    settings.DEBUG = True
    run("seed_demo")
    run("seed_certificates_demo")  # before the edition exists: nothing, no error
    assert not CertificateDesign.objects.exists()
    run("seed_results_demo")
    run("seed_certificates_demo")
    run("seed_certificates_demo")

    design = CertificateDesign.objects.get()
    assert design.award.slug == "lightweight-innovation-award-results-demo"
    assert (design.issue_participants, design.issue_finalists) == (True, True)
    # Its jurors wrote feedback to the applicants, which the organisers can review.
    assert design.award.applicant_feedback is True
    reviews = Review.objects.filter(assignment__round__award=design.award)
    assert reviews.exclude(applicant_feedback="").count() == reviews.count() > 0
