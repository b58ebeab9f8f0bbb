"""Who sees what through the award endpoints: every endpoint × every role × both token
scopes, by the same rules as the pages. What a token's user may not see is a 404; only a
read-only token that tries to change something gets a 403; an expired or revoked token a
401. A token of one award sees nothing of another."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiToken
from api.tokens import token_digest, token_make, token_prefix
from jury.models import Assignment, Conflict, RoundEntry
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    CriterionFactory,
    JurorFactory,
    MembershipFactory,
    OrganisationFactory,
    RoundFactory,
    SubmissionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def make_token(user, award, scope: str = "read", **fields) -> str:
    """A token of ``user`` for ``award`` (what ``tests/api/conftest.py``'s ``token_for``
    does; kept here so that these tests stand alone)."""
    token = token_make()
    ApiToken.objects.create(
        user=user,
        award=award,
        name="test",
        scope=scope,
        prefix=token_prefix(token),
        digest=token_digest(token),
        expires_at=fields.pop("expires_at", timezone.now() + dt.timedelta(days=30)),
        **fields,
    )
    return token


def client_for(token: str | None) -> APIClient:
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def base(award) -> str:
    return f"/api/v1/awards/{award.slug}/"


def world(*, blind: bool = False) -> SimpleNamespace:
    """An award in judging with one open round: company A's entry and company B's entry,
    an organiser, an organiser of another award, a member of each company, a juror assigned
    to A's entry, a juror assigned to it but in conflict with company A, a juror with no
    assignment, and a user who has no role any more."""
    award = AwardFactory(status="judging", blind_review=blind)
    category = CategoryFactory(award=award, code="MOB")
    CriterionFactory(award=award, position=1)
    round_ = RoundFactory(award=award, number=1, status="open", opened_at=timezone.now())
    company_a = OrganisationFactory(name="Alpha Leichtbau GmbH")
    company_b = OrganisationFactory(name="Beta Composites AG")
    applicant_a = MembershipFactory(organisation=company_a).user
    applicant_b = MembershipFactory(organisation=company_b).user
    entry_a = SubmissionFactory(
        award=award,
        category=category,
        organisation=company_a,
        created_by=applicant_a,
        status="submitted",
        reference=f"LIA-{award.edition}-MOB-0001",
        title="Flax bicycle frame",
    )
    entry_b = SubmissionFactory(
        award=award,
        category=category,
        organisation=company_b,
        created_by=applicant_b,
        status="submitted",
        reference=f"LIA-{award.edition}-MOB-0002",
        title="Carbon door panel",
    )
    for entry in (entry_a, entry_b):
        RoundEntry.objects.create(round=round_, submission=entry)
    organiser = AwardRoleFactory(
        award=award, role="organiser", user=UserFactory(preferred_language="en")
    ).user
    other_award = AwardFactory(status="judging")
    other_organiser = AwardRoleFactory(award=other_award, role="organiser").user
    juror = JurorFactory(award=award, categories=[category])
    conflicted = JurorFactory(award=award, categories=[category])
    unassigned = JurorFactory(award=award, categories=[category])
    for seat in (juror, conflicted):
        Assignment.objects.create(round=round_, juror=seat, submission=entry_a)
    Conflict.objects.create(juror=conflicted, organisation=company_a, status="confirmed")
    stranger = UserFactory()
    return SimpleNamespace(
        award=award,
        category=category,
        round=round_,
        entry_a=entry_a,
        entry_b=entry_b,
        company_a=company_a,
        organiser=organiser,
        other_award=other_award,
        other_organiser=other_organiser,
        applicant_a=applicant_a,
        applicant_b=applicant_b,
        juror=juror,
        conflicted=conflicted,
        unassigned=unassigned,
        stranger=stranger,
    )


@pytest.fixture
def w():
    return world()


# Role → (user attribute, award attribute of the token)
ROLES = {
    "organiser": ("organiser", "award"),
    "other_organiser": ("other_organiser", "other_award"),
    "applicant_a": ("applicant_a", "award"),
    "applicant_b": ("applicant_b", "award"),
    "juror": ("juror", "award"),
    "conflicted": ("conflicted", "award"),
    "unassigned": ("unassigned", "award"),
    "stranger": ("stranger", "award"),
}


def token_of_role(w, role: str, scope: str) -> str:
    user_attr, award_attr = ROLES[role]
    user = getattr(w, user_attr)
    user = user.user if hasattr(user, "user") else user  # a juror's seat
    return make_token(user, getattr(w, award_attr), scope)


# Endpoint → the roles that get a 200 (everyone else: 404).
ALL_WITH_ROLE = {"organiser", "applicant_a", "applicant_b", "juror", "conflicted", "unassigned"}
JURY_AND_ORGANISERS = {"organiser", "juror", "conflicted", "unassigned"}
READS = {
    "": ALL_WITH_ROLE,
    "categories/": JURY_AND_ORGANISERS,
    "criteria/": JURY_AND_ORGANISERS,
    "rounds/": JURY_AND_ORGANISERS,
    "entries/": ALL_WITH_ROLE,
    "entries/{a}/": {"organiser", "applicant_a", "juror"},
    "entries/{b}/": {"organiser", "applicant_b"},
    "jurors/": {"organiser"},
    "assignments/": {"organiser"},
    "reviews/": JURY_AND_ORGANISERS,
    "rankings/1/": {"organiser"},
    "decisions/": {"organiser"},
    "outbox/": {"organiser"},
}


@pytest.mark.parametrize("scope", ["read", "write"])
@pytest.mark.parametrize("role", list(ROLES))
def test_it_answers_each_read_by_role_and_scope(w, role, scope):
    client = client_for(token_of_role(w, role, scope))
    for path, allowed in READS.items():
        url = base(w.award) + path.format(a=w.entry_a.pk, b=w.entry_b.pk)
        response = client.get(url)
        expected = 200 if role in allowed else 404
        assert response.status_code == expected, (role, scope, url, response.content[:200])


@pytest.mark.parametrize("role", list(ROLES))
def test_it_lets_only_an_organisers_read_write_token_decide_eligibility(w, role):
    url = base(w.award) + f"entries/{w.entry_a.pk}/eligibility/"
    body = {"eligible": True}
    read_only = client_for(token_of_role(w, role, "read")).post(url, body, format="json")
    # A read-only token may not write at all: 403 before anything else is looked at.
    assert read_only.status_code == 403
    response = client_for(token_of_role(w, role, "write")).post(url, body, format="json")
    assert response.status_code == (200 if role == "organiser" else 404), response.content
    w.entry_a.refresh_from_db()
    assert w.entry_a.status == ("eligible" if role == "organiser" else "submitted")


def entry_ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_it_lists_the_entries_each_role_may_see(w):
    def listed(role):
        return entry_ids(client_for(token_of_role(w, role, "read")).get(base(w.award) + "entries/"))

    assert listed("organiser") == {w.entry_a.pk, w.entry_b.pk}
    assert listed("applicant_a") == {w.entry_a.pk}
    assert listed("applicant_b") == {w.entry_b.pk}
    assert listed("juror") == {w.entry_a.pk}
    assert listed("conflicted") == set()
    assert listed("unassigned") == set()


def test_a_juror_sees_nothing_before_confirming_confidentiality(w):
    w.juror.confidentiality_confirmed_at = None
    w.juror.save()
    client = client_for(make_token(w.juror.user, w.award))
    assert entry_ids(client.get(base(w.award) + "entries/")) == set()
    assert client.get(base(w.award) + f"entries/{w.entry_a.pk}/").status_code == 404


def test_a_juror_sees_nothing_of_a_planned_round(w):
    w.round.status = "planned"
    w.round.save()
    client = client_for(make_token(w.juror.user, w.award))
    assert entry_ids(client.get(base(w.award) + "entries/")) == set()


def test_a_token_of_one_award_sees_nothing_of_another(w):
    client = client_for(make_token(w.organiser, w.award))
    assert client.get(base(w.other_award)).status_code == 404
    assert client.get(base(w.other_award) + "entries/").status_code == 404
    # Even when its user organises the other award too.
    AwardRoleFactory(award=w.other_award, user=w.organiser, role="organiser")
    assert client.get(base(w.other_award) + "entries/").status_code == 404


def test_a_user_who_lost_their_role_gets_404_everywhere(w):
    token = make_token(w.organiser, w.award)
    client = client_for(token)
    assert client.get(base(w.award) + "outbox/").status_code == 200
    w.award.roles.filter(user=w.organiser).delete()
    client = client_for(token)  # a new request: the role is read again
    for path in ("", "entries/", f"entries/{w.entry_a.pk}/", "outbox/"):
        assert client.get(base(w.award) + path).status_code == 404
    seat_token = make_token(w.juror.user, w.award)
    w.juror.is_active = False
    w.juror.save()
    assert client_for(seat_token).get(base(w.award) + "entries/").status_code == 404


def test_an_expired_or_revoked_token_gets_401(w):
    expired = make_token(w.organiser, w.award, expires_at=timezone.now() - dt.timedelta(seconds=1))
    revoked = make_token(w.organiser, w.award, revoked_at=timezone.now())
    for token in (expired, revoked, None):
        response = client_for(token).get(base(w.award) + "entries/")
        assert response.status_code == 401


def test_blind_review_hides_the_company_from_jurors_only():
    w = world(blind=True)
    juror = client_for(make_token(w.juror.user, w.award))
    rows = juror.get(base(w.award) + "entries/").json()["results"]
    assert [row["organisation"] for row in rows] == [None]
    detail = juror.get(base(w.award) + f"entries/{w.entry_a.pk}/").json()
    assert detail["organisation"] is None
    assert "Alpha" not in str(juror.get(base(w.award) + f"entries/{w.entry_a.pk}/").content)
    # The company's name does not find the entry for a blind jury either.
    assert entry_ids(juror.get(base(w.award) + "entries/", {"q": "Alpha"})) == set()
    organiser = client_for(make_token(w.organiser, w.award))
    rows = organiser.get(base(w.award) + "entries/").json()["results"]
    assert {row["organisation"]["name"] for row in rows} == {
        "Alpha Leichtbau GmbH",
        "Beta Composites AG",
    }


def test_without_blind_review_jurors_see_the_company(w):
    juror = client_for(make_token(w.juror.user, w.award))
    (row,) = juror.get(base(w.award) + "entries/").json()["results"]
    assert row["organisation"]["name"] == "Alpha Leichtbau GmbH"
    assert row["eligibility_reason"] is None


def test_not_found_is_said_in_the_users_language(w):
    german = UserFactory(preferred_language="de")
    english = UserFactory(preferred_language="en")
    assert (
        client_for(make_token(german, w.award)).get(base(w.award)).json()["detail"]
        == "Nicht gefunden."
    )
    assert (
        client_for(make_token(english, w.award)).get(base(w.award)).json()["detail"] == "Not found."
    )
