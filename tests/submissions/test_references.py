"""Reference numbers name one entry across the whole platform: the generator skips a number
that is taken, the database refuses a second entry with the same number, an award cannot
take a prefix another award of its edition uses, and the demo editions of a year each have
their own prefix."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import translation

from awards.models import Award
from submissions.models import Submission
from tests.factories import (
    AwardFactory,
    CategoryFactory,
    OrganisationFactory,
    SubmissionFactory,
    UserFactory,
)
from tests.submissions.test_entry_services import ready, submit

pytestmark = pytest.mark.django_db


def entry_in(award, code="MOB"):
    category = award.categories.filter(code=code).first() or CategoryFactory(award=award, code=code)
    return ready(SubmissionFactory(award=award, category=category))


# --- The generator --------------------------------------------------------------------------


def test_numbers_follow_the_category_and_stay_human_friendly():
    award = AwardFactory(status="open", reference_prefix="LIA", edition=2031)

    first, second = submit(entry_in(award)), submit(entry_in(award))

    assert (first.reference, second.reference) == ("LIA-2031-MOB-0001", "LIA-2031-MOB-0002")


def test_a_number_another_award_holds_is_skipped():
    """Two awards that share prefix and edition (made around the validation, e.g. in a
    shell) still never give one number twice."""
    one = AwardFactory(status="open", reference_prefix="LIA", edition=2031, name="One", slug="one")
    two = AwardFactory(status="open", reference_prefix="LIA", edition=2031, name="Two", slug="two")
    assert submit(entry_in(one)).reference == "LIA-2031-MOB-0001"

    assert submit(entry_in(two)).reference == "LIA-2031-MOB-0002"
    assert submit(entry_in(one)).reference == "LIA-2031-MOB-0003"


# --- The database ---------------------------------------------------------------------------


def test_the_database_refuses_a_number_twice_even_in_another_award():
    SubmissionFactory(reference="LIA-2031-MOB-0001")
    other = AwardFactory(status="open")

    with pytest.raises(IntegrityError), transaction.atomic():
        SubmissionFactory(award=other, reference="LIA-2031-MOB-0001")


def test_drafts_without_a_number_are_many():
    award = AwardFactory(status="open")
    SubmissionFactory(award=award, reference=None)
    SubmissionFactory(award=award, reference=None)
    SubmissionFactory(award=award, reference="")
    SubmissionFactory(award=award, reference="")

    assert Submission.objects.filter(award=award).count() == 4


def test_the_constraint_says_so_in_words():
    SubmissionFactory(reference="LIA-2031-MOB-0001")
    second = SubmissionFactory.build(
        award=AwardFactory(status="open"),
        category=CategoryFactory(),
        organisation=OrganisationFactory(),
        created_by=UserFactory(),
        reference="LIA-2031-MOB-0001",
    )

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        second.validate_constraints()

    assert refused.value.messages == ["This reference number is taken by another entry."]


# --- The award's prefix ---------------------------------------------------------------------


def new_award(**fields) -> Award:
    values = {
        "name": "Lightweight Innovation Award (Jury-Demo)",
        "edition": 2031,
        "slug": "lia-2031-jury",
        "reference_prefix": "LIA",
        "organiser_name": "Composites United e.V.",
        **fields,
    }
    return Award(**values)


def test_a_prefix_another_award_of_the_edition_uses_is_refused_with_a_free_one():
    AwardFactory(reference_prefix="LIA", edition=2031, name="Lightweight Innovation Award")
    AwardFactory(reference_prefix="LIA2", edition=2031, name="Scoring demo", slug="scoring")

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        new_award().full_clean()

    assert refused.value.message_dict == {
        "reference_prefix": [
            "Another award already uses the reference prefix “LIA” for 2031, so the reference "
            "numbers of the two would repeat. Choose another prefix, e.g. “LIA3”."
        ]
    }


def test_the_same_prefix_in_another_edition_or_another_prefix_is_fine():
    AwardFactory(reference_prefix="LIA", edition=2031)

    new_award(edition=2032).full_clean()
    new_award(reference_prefix="LIAJ").full_clean()


def test_an_award_keeps_its_own_prefix_when_saved_again():
    award = AwardFactory(reference_prefix="LIA", edition=2031)

    award.full_clean()


def test_a_long_prefix_gets_a_suggestion_of_at_most_eight_characters():
    AwardFactory(reference_prefix="LIGHTWGT", edition=2031)

    assert new_award(reference_prefix="LIGHTWGT").free_reference_prefix() == "LIGHTWG2"


def test_the_admin_form_shows_the_refusal_next_to_the_prefix(client):
    AwardFactory(reference_prefix="LIA", edition=2031)
    admin = UserFactory(is_staff=True, is_superuser=True, preferred_language="en")
    client.force_login(admin)

    response = client.post(
        "/admin/awards/award/add/",
        {
            "name": "Second award",
            "edition": "2031",
            "slug": "second-2031",
            "reference_prefix": "LIA",
            "organiser_name": "Someone",
            "currency": "EUR",
            "timezone": "Europe/Berlin",
            "max_pdf_mb": "20",
            "max_image_mb": "10",
            "max_attachments": "10",
            "reviews_per_submission": "3",
            "score_visibility": "after_own",
            "ranking_normalisation": "calibrated",
            "ranking_aggregation": "mean",
            "places_per_category": "1",
            "retention_months": "12",
            **{
                f"{prefix}-{key}": value
                for prefix in ("categories", "criteria", "rounds", "roles")
                for key, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
            },
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["reference_prefix"], errors
    assert not Award.objects.filter(slug="second-2031").exists()


# --- The former number (submissions 0006) ----------------------------------------------------


def test_a_former_number_is_shown_and_found(client):
    from tests.factories import AwardRoleFactory, MembershipFactory
    from tests.helpers import en_user

    award = AwardFactory(status="open", slug="lia-former")
    applicant = en_user()
    entry = SubmissionFactory(
        award=award,
        organisation=MembershipFactory(user=applicant).organisation,
        created_by=applicant,
        status="submitted",
        reference="LIA3-2031-MOB-0001",
        former_reference="LIA-2031-MOB-0001",
    )
    organiser = AwardRoleFactory(award=award, user=en_user()).user

    client.force_login(applicant)
    mine = client.get(f"/submissions/{entry.pk}/").content.decode()
    client.force_login(organiser)
    theirs = client.get(f"/manage/{award.slug}/submissions/{entry.pk}/").content.decode()
    found = client.get(f"/manage/{award.slug}/submissions/", {"q": "LIA-2031-MOB-0001"})

    former = '<span class="small text-body-secondary" data-testid="former-reference">'
    assert f"{former}(formerly LIA-2031-MOB-0001)</span>" in mine
    assert f"{former}(formerly LIA-2031-MOB-0001)</span>" in theirs
    assert [row["pk"] for row in found.context["rows"]] == [entry.pk]


# --- The demo -------------------------------------------------------------------------------


def test_the_demo_editions_of_a_year_have_their_own_prefixes(settings):
    settings.DEBUG = True
    for command in ("seed_demo", "seed_jury_demo", "seed_results_demo"):
        call_command(command, stdout=io.StringIO())

    pairs = list(Award.objects.values_list("reference_prefix", "edition"))
    assert len(pairs) == len(set(pairs))
    references = list(
        Submission.objects.exclude(reference__isnull=True).values_list("reference", flat=True)
    )
    assert len(references) == len(set(references)) > 0
    for award in Award.objects.all():
        award.full_clean()
        for reference in award.submissions.values_list("reference", flat=True):
            assert reference.startswith(f"{award.reference_prefix}-{award.edition}-")
