"""The scenes the submissions tests share.

Both the applicant's entry pages (test_entry_*.py, with test_file_views.py) and the organisers'
entry pages (test_manage_*.py) take place in ``award`` (open until 31 March 2040, 6 pm in
Berlin) with ``organisation``, a start-up. Modules that need another award or company define
their own, which then stand in for these.

- The applicant's pages: ``category``, ``people`` (one user per role towards ``entry``,
  ``None`` for the anonymous visitor) and ``entry``, a draft of ``people["member"]``.
- The organisers' pages: two categories (``mobility``, ``construction``), the ``applicant``
  and a ``colleague`` of the company, the award's ``organiser``, ``submitted_entry`` (which
  those modules call ``entry``) and an ``other_award`` with its ``other_entry``.

test_organisation_views.py has its own ``people``: one user per role towards a company.
"""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    JurorFactory,
    MembershipFactory,
    OrganisationFactory,
    SubmissionFactory,
    UserFactory,
    complete_entry_fields,
)
from tests.helpers import en_user
from tests.submissions.helpers import CLOSE


@pytest.fixture
def award():
    return AwardFactory(
        name="Lightweight Innovation Award",
        edition=2040,
        slug="lia-2040",
        status="open",
        timezone="Europe/Berlin",
        submissions_open_at=timezone.now() - dt.timedelta(days=10),
        submissions_close_at=CLOSE,
        jury_deadline_at=CLOSE + dt.timedelta(days=30),
        announcement_at=CLOSE + dt.timedelta(days=60),
    )


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Red Arrow Composites", size_class="startup")


# --- The applicant's entry pages ----------------------------------------------------------


@pytest.fixture
def category(award):
    return CategoryFactory(
        award=award,
        code="MOB",
        name_en="Mobility",
        name_de="Mobilität",
        prize_amount=10000,
        position=1,
    )


@pytest.fixture
def people(award, organisation):
    """One user per role towards ``entry`` (English readers; ``None`` for the anonymous
    visitor): its company's ``member`` (owner) and ``colleague``, a member of another company,
    the award's organiser, another award's organiser, a juror and a stranger."""
    member = en_user(full_name="Rita Roth")
    colleague = en_user(full_name="Max Mayer")
    MembershipFactory(organisation=organisation, user=member, role="owner")
    MembershipFactory(organisation=organisation, user=colleague, role="member")
    other_member = en_user()
    MembershipFactory(organisation=OrganisationFactory(name="Blue Fibre"), user=other_member)
    organiser = en_user()
    AwardRoleFactory(award=award, user=organiser, role="organiser")
    other_organiser = en_user()
    AwardRoleFactory(award=AwardFactory(status="open"), user=other_organiser, role="organiser")
    juror = en_user()
    JurorFactory(award=award, user=juror)
    return {
        "anonymous": None,
        "stranger": en_user(),
        "member": member,
        "colleague": colleague,
        "other_member": other_member,
        "organiser": organiser,
        "other_organiser": other_organiser,
        "juror": juror,
    }


@pytest.fixture
def entry(award, category, organisation, people):
    return SubmissionFactory(
        award=award,
        category=category,
        organisation=organisation,
        created_by=people["member"],
        title="Flax bicycle frame",
    )


# --- The organisers' entry pages ----------------------------------------------------------


@pytest.fixture
def mobility(award):
    return CategoryFactory(
        award=award, code="MOB", name_en="Mobility", name_de="Mobilität", position=1
    )


@pytest.fixture
def construction(award):
    return CategoryFactory(
        award=award, code="CON", name_en="Construction", name_de="Bauen", position=0
    )


@pytest.fixture
def applicant(organisation):
    user = en_user(full_name="Olivia Owner")
    MembershipFactory(organisation=organisation, user=user, role="owner")
    return user


@pytest.fixture
def colleague(organisation):
    user = UserFactory(full_name="Max Mitglied", preferred_language="de")
    MembershipFactory(organisation=organisation, user=user, role="member")
    return user


@pytest.fixture
def organiser(award):
    return AwardRoleFactory(award=award, user=en_user(full_name="Oda Organiser")).user


@pytest.fixture
def submitted_entry(award, mobility, organisation, applicant):
    """A submitted entry (status and reference set as submit would)."""
    return SubmissionFactory(
        award=award,
        category=mobility,
        organisation=organisation,
        created_by=applicant,
        title="Flax bicycle frame",
        status="submitted",
        reference="LIA-2040-MOB-0007",
        submitted_at=dt.datetime(2040, 3, 30, 10, 15, tzinfo=dt.UTC),
        **complete_entry_fields(),
    )


@pytest.fixture
def other_award():
    return AwardFactory(name="Design Award", edition=2041, slug="design-2041", status="open")


@pytest.fixture
def other_entry(other_award):
    category = CategoryFactory(award=other_award, code="DES")
    return SubmissionFactory(
        award=other_award,
        category=category,
        title="Secret chair",
        status="submitted",
        reference="LIA-2041-DES-0001",
    )
