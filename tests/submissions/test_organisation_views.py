"""Company profiles: create, view, edit, invite colleagues, accept an invitation."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Message
from submissions.models import Membership, Organisation, OrganisationInvitation
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    JurorFactory,
    MembershipFactory,
    OrganisationFactory,
    SubmissionFactory,
    UserFactory,
)
from tests.helpers import login, mailed_code
from tests.helpers import login_url as login_redirect

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "stranger", "member", "owner", "other_member", "organiser", "juror"]


@pytest.fixture
def organisation():
    return OrganisationFactory(
        name="Red Arrow Composites",
        legal_form="GmbH",
        street="Bahnhofstraße 1",
        postal_code="01069",
        city="Dresden",
        website="https://red-arrow.example",
        size_class="sme",
        founded_year=2011,
        contact_name="Rita Roth",
        contact_email="info@red-arrow.example",
        contact_phone="+49 351 123456",
    )


@pytest.fixture
def people(organisation):
    """One user per role towards ``organisation``; the award's organiser and juror see its
    entry there, but are not members of the company."""
    owner = UserFactory(full_name="Olivia Owner", email="owner@red-arrow.example")
    member = UserFactory(full_name="Max Member", email="max@red-arrow.example")
    MembershipFactory(organisation=organisation, user=owner, role="owner")
    MembershipFactory(organisation=organisation, user=member, role="member")
    other_member = MembershipFactory(organisation=OrganisationFactory(), role="owner").user
    award = AwardFactory(status="open")
    SubmissionFactory(
        award=award,
        category=CategoryFactory(award=award),
        organisation=organisation,
        created_by=owner,
    )
    organiser = AwardRoleFactory(award=award, role="organiser").user
    juror = JurorFactory(award=award).user
    users = {
        "anonymous": None,
        "stranger": UserFactory(),
        "member": member,
        "owner": owner,
        "other_member": other_member,
        "organiser": organiser,
        "juror": juror,
    }
    for user in users.values():
        if user is not None:
            user.preferred_language = "en"
            user.save(update_fields=["preferred_language"])
    return users


def profile_data(**overrides) -> dict:
    data = {
        "name": "Blue Fibre AG",
        "legal_form": "AG",
        "street": "Hafenweg 5",
        "postal_code": "20457",
        "city": "Hamburg",
        "country": "Deutschland",
        "website": "https://blue-fibre.example",
        "size_class": "startup",
        "founded_year": "2020",
        "contact_name": "Bea Blau",
        "contact_email": "bea@blue-fibre.example",
        "contact_phone": "+49 40 987654",
    }
    return {**data, **overrides}


def invite(organisation: Organisation, email: str) -> OrganisationInvitation:
    return OrganisationInvitation.objects.create(
        organisation=organisation,
        email=email,
        expires_at=timezone.now() + dt.timedelta(days=14),
    )


# --- who may do what ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_create_page(client, people, role):
    login(client, people[role])
    url = reverse("submissions:organisation_create")

    response = client.get(url)

    if role == "anonymous":
        assert (response.status_code, response.url) == (302, login_redirect(url))
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_create_post(client, people, role):
    user = login(client, people[role])
    url = reverse("submissions:organisation_create")

    response = client.post(url, profile_data())

    created = Organisation.objects.filter(name="Blue Fibre AG").first()
    if role == "anonymous":
        assert (response.status_code, response.url) == (302, login_redirect(url))
        assert created is None
    else:
        assert response.status_code == 302
        assert response.url == reverse("submissions:organisation_detail", args=[created.pk])
        assert list(created.memberships.values_list("user", "role")) == [(user.pk, "owner")]


DETAIL_STATUS = {
    "anonymous": 302,
    "stranger": 404,
    "member": 200,
    "owner": 200,
    "other_member": 404,
    "organiser": 404,
    "juror": 404,
}
OWNER_ONLY_STATUS = {**DETAIL_STATUS, "member": 404}


@pytest.mark.parametrize("role", ROLES)
def test_detail_page(client, people, organisation, role):
    login(client, people[role])
    url = reverse("submissions:organisation_detail", args=[organisation.pk])

    response = client.get(url)

    assert response.status_code == DETAIL_STATUS[role]
    if role == "anonymous":
        assert response.url == login_redirect(url)


@pytest.mark.parametrize("role", ROLES)
def test_edit_page(client, people, organisation, role):
    login(client, people[role])
    url = reverse("submissions:organisation_update", args=[organisation.pk])

    response = client.get(url)

    assert response.status_code == OWNER_ONLY_STATUS[role]
    if role == "anonymous":
        assert response.url == login_redirect(url)


@pytest.mark.parametrize("role", ROLES)
def test_edit_post(client, people, organisation, role):
    login(client, people[role])
    url = reverse("submissions:organisation_update", args=[organisation.pk])

    response = client.post(url, profile_data(name="Red Arrow Composites GmbH & Co. KG"))

    organisation.refresh_from_db()
    if role == "owner":
        assert response.status_code == 302
        assert response.url == reverse("submissions:organisation_detail", args=[organisation.pk])
        assert organisation.name == "Red Arrow Composites GmbH & Co. KG"
    else:
        assert response.status_code == OWNER_ONLY_STATUS[role]
        assert organisation.name == "Red Arrow Composites"


@pytest.mark.parametrize("role", ROLES)
def test_invite_post(client, people, organisation, role):
    login(client, people[role])
    url = reverse("submissions:organisation_invite", args=[organisation.pk])

    response = client.post(url, {"email": "new.colleague@example.org"})

    invitations = list(organisation.invitations.values_list("email", flat=True))
    if role == "owner":
        assert response.status_code == 302
        assert invitations == ["new.colleague@example.org"]
    else:
        assert response.status_code == OWNER_ONLY_STATUS[role]
        assert invitations == []
        if role == "anonymous":
            assert response.url == login_redirect(url)


def test_invite_page_does_not_answer_get(client, people, organisation):
    client.force_login(people["owner"])

    response = client.get(reverse("submissions:organisation_invite", args=[organisation.pk]))

    assert response.status_code == 405


def test_unknown_organisation_is_404_for_everyone_signed_in(client, people):
    client.force_login(people["owner"])

    for name in ("organisation_detail", "organisation_update"):
        assert client.get(reverse(f"submissions:{name}", args=[999_999])).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_invitation_page(client, people, organisation, role):
    login(client, people[role])
    invitation = invite(organisation, "new.colleague@example.org")

    response = client.get(reverse("submissions:invitation_accept", args=[invitation.token]))

    assert response.status_code == 200
    expected = {
        "anonymous": "submissions/invitation_login.html",
    }.get(role, "submissions/invitation_accept.html")
    assert expected in [t.name for t in response.templates]


@pytest.mark.parametrize("role", ROLES)
def test_invitation_post_by_an_account_of_another_address(client, people, organisation, role):
    # Holding the link is not enough: every account but the invited address's is refused
    # without the code mailed there, whatever its role.
    user = login(client, people[role])
    invitation = invite(organisation, "new.colleague@example.org")
    url = reverse("submissions:invitation_accept", args=[invitation.token])
    members_before = set(organisation.memberships.values_list("user_id", "role"))

    response = client.post(url, {"action": "accept"})

    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert set(organisation.memberships.values_list("user_id", "role")) == members_before
    if role == "anonymous":
        assert (response.status_code, response.url) == (302, login_redirect(url))
    elif role in ("member", "owner"):
        assert response.status_code == 400
        assert 'data-testid="already-member"' in response.content.decode()
    else:
        assert response.status_code == 400
        assert 'data-testid="code-error"' in response.content.decode()
        assert user.email in response.content.decode()


def test_invitation_post_by_the_invited_address(client, organisation):
    invited = UserFactory(email="new.colleague@example.org")
    client.force_login(invited)
    invitation = invite(organisation, "New.Colleague@example.org")

    response = client.post(
        reverse("submissions:invitation_accept", args=[invitation.token]), {"action": "accept"}
    )

    assert response.status_code == 302
    assert response.url == reverse("submissions:organisation_detail", args=[organisation.pk])
    assert Membership.objects.get(organisation=organisation, user=invited).role == "member"


# --- creating and editing a profile -------------------------------------------------------


def test_creating_a_profile_saves_every_field_and_says_so(client, people):
    client.force_login(people["stranger"])

    response = client.post(reverse("submissions:organisation_create"), profile_data(), follow=True)

    organisation = Organisation.objects.get(name="Blue Fibre AG")
    assert {
        field: getattr(organisation, field)
        for field in ("legal_form", "street", "postal_code", "city", "country", "website")
    } == {
        "legal_form": "AG",
        "street": "Hafenweg 5",
        "postal_code": "20457",
        "city": "Hamburg",
        "country": "Deutschland",
        "website": "https://blue-fibre.example",
    }
    assert (organisation.size_class, organisation.founded_year) == ("startup", 2020)
    assert (organisation.contact_name, organisation.contact_email, organisation.contact_phone) == (
        "Bea Blau",
        "bea@blue-fibre.example",
        "+49 40 987654",
    )
    assert [str(m) for m in response.context["messages"]] == [
        "The company profile of Blue Fibre AG has been created."
    ]


def test_javascript_website_is_refused_and_the_input_stays(client, people):
    client.force_login(people["stranger"])

    response = client.post(
        reverse("submissions:organisation_create"), profile_data(website="javascript:alert(1)")
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"website": ["Enter a valid URL."]}
    assert form["name"].value() == "Blue Fibre AG"
    assert 'value="Blue Fibre AG"' in response.content.decode()
    assert not Organisation.objects.filter(name="Blue Fibre AG").exists()


def test_website_without_scheme_gets_https(client, people):
    client.force_login(people["stranger"])

    client.post(reverse("submissions:organisation_create"), profile_data(website="blue.example"))

    assert Organisation.objects.get(name="Blue Fibre AG").website == "https://blue.example"


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("name", "", "This field is required."),
        ("founded_year", "1700", "Ensure this value is greater than or equal to 1800."),
        (
            "size_class",
            "giant",
            "Select a valid choice. giant is not one of the available choices.",
        ),
        ("contact_email", "not-an-address", "Enter a valid email address."),
        ("website", "ftp://blue.example", "Enter a valid URL."),
    ],
)
def test_bad_profile_input_is_refused_with_a_field_error(client, people, field, value, error):
    client.force_login(people["stranger"])

    response = client.post(
        reverse("submissions:organisation_create"), profile_data(**{field: value})
    )

    assert response.context["form"].errors == {field: [error]}
    assert Organisation.objects.count() == 2  # the fixtures' two


def test_refused_edit_keeps_the_saved_name_in_the_page_header(client, people, organisation):
    client.force_login(people["owner"])

    response = client.post(
        reverse("submissions:organisation_update", args=[organisation.pk]),
        profile_data(name="Renamed", website="javascript:alert(1)"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"website": ["Enter a valid URL."]}
    assert response.context["organisation"].name == "Red Arrow Composites"
    organisation.refresh_from_db()
    assert (organisation.name, organisation.website) == (
        "Red Arrow Composites",
        "https://red-arrow.example",
    )


# --- the profile page ---------------------------------------------------------------------


def test_member_sees_profile_and_colleagues_but_no_owner_tools(client, people, organisation):
    client.force_login(people["member"])

    response = client.get(reverse("submissions:organisation_detail", args=[organisation.pk]))

    html = response.content.decode()
    assert [
        (m.user.full_name, m.user.email, m.get_role_display()) for m in response.context["members"]
    ] == [
        ("Olivia Owner", "owner@red-arrow.example", "Owner"),
        ("Max Member", "max@red-arrow.example", "Member"),
    ]
    for text in ("Dresden", "GmbH", "Rita Roth", "+49 351 123456", "2011"):
        assert text in html
    assert '<a href="https://red-arrow.example" rel="noopener noreferrer nofollow"' in html
    assert 'data-testid="invite-form"' not in html
    assert reverse("submissions:organisation_update", args=[organisation.pk]) not in html


def test_owner_sees_invite_form_edit_link_and_open_invitations(client, people, organisation):
    invite(organisation, "waiting@example.org")
    expired = invite(organisation, "late@example.org")
    expired.expires_at = timezone.now() - dt.timedelta(minutes=1)
    expired.save()
    accepted = invite(organisation, "joined@example.org")
    accepted.accepted_at = timezone.now()
    accepted.save()
    client.force_login(people["owner"])

    response = client.get(reverse("submissions:organisation_detail", args=[organisation.pk]))

    html = response.content.decode()
    assert [i.email for i in response.context["invitations"]] == [
        "late@example.org",
        "waiting@example.org",
    ]
    assert html.count('data-testid="expired"') == 1
    assert 'data-testid="invite-form"' in html
    assert f'action="{reverse("submissions:organisation_invite", args=[organisation.pk])}"' in html
    assert f'href="{reverse("submissions:organisation_update", args=[organisation.pk])}"' in html


def test_html_in_the_organisation_name_is_escaped(client, people, organisation):
    organisation.name = "<script>alert(1)</script>"
    organisation.save()
    client.force_login(people["owner"])

    html = client.get(
        reverse("submissions:organisation_detail", args=[organisation.pk])
    ).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- inviting -----------------------------------------------------------------------------


def test_owner_invites_a_colleague_through_the_outbox(client, people, organisation):
    client.force_login(people["owner"])

    response = client.post(
        reverse("submissions:organisation_invite", args=[organisation.pk]),
        {"email": "New.Colleague@Example.org"},
        follow=True,
    )

    invitation = OrganisationInvitation.objects.get(organisation=organisation)
    assert invitation.email == "new.colleague@example.org"
    assert invitation.invited_by == people["owner"]
    assert [str(m) for m in response.context["messages"]] == [
        "We have sent an invitation to new.colleague@example.org."
    ]
    message = Message.objects.get(template_key="organisation.invited")
    assert message.recipient_email == "new.colleague@example.org"
    assert invitation.token in message.body_text
    assert [i.email for i in response.context["invitations"]] == ["new.colleague@example.org"]


def test_inviting_a_member_shows_an_error_and_keeps_the_input(client, people, organisation):
    client.force_login(people["owner"])

    response = client.post(
        reverse("submissions:organisation_invite", args=[organisation.pk]),
        {"email": "MAX@red-arrow.example"},
    )

    assert response.status_code == 200
    assert response.context["invite_form"].errors == {
        "email": ["max@red-arrow.example is already a member."]
    }
    assert "max@red-arrow.example is already a member." in response.content.decode()
    assert 'value="MAX@red-arrow.example"' in response.content.decode()
    assert not OrganisationInvitation.objects.exists()
    assert not Message.objects.exists()


def test_inviting_a_bad_address_shows_a_field_error(client, people, organisation):
    client.force_login(people["owner"])

    response = client.post(
        reverse("submissions:organisation_invite", args=[organisation.pk]), {"email": "max@"}
    )

    assert response.context["invite_form"].errors == {"email": ["Enter a valid email address."]}
    assert not OrganisationInvitation.objects.exists()


# --- accepting ----------------------------------------------------------------------------


def test_anonymous_visitor_is_told_to_log_in_or_register_with_the_invited_address(
    client, organisation
):
    invitation = invite(organisation, "new.colleague@example.org")
    url = reverse("submissions:invitation_accept", args=[invitation.token])

    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert "Please log in or register with <strong>new.colleague@example.org</strong>" in html
    assert "Invitation to Red Arrow Composites" in html
    assert f'href="{reverse("accounts:login")}?next={url}"' in html
    assert f'href="{reverse("accounts:register")}?next={url}"' in html


def test_signed_in_user_sees_the_organisation_and_the_invited_address(client, people, organisation):
    invitation = invite(organisation, "new.colleague@example.org")
    client.force_login(people["stranger"])

    response = client.get(reverse("submissions:invitation_accept", args=[invitation.token]))

    html = response.content.decode()
    assert "This invitation was sent to <strong>new.colleague@example.org</strong>." in html
    assert (
        f"You are logged in as {people['stranger'].email}, but the invitation was sent to "
        "new.colleague@example.org." in html
    )
    assert 'data-testid="accept-form"' in html
    assert "Send a code to new.colleague@example.org" in html
    assert 'value="accept"' not in html  # no accept button before a code was sent


def test_invited_address_signed_in_sees_no_other_account_warning(client, organisation):
    user = UserFactory(email="new.colleague@example.org", preferred_language="en")
    invitation = invite(organisation, "New.Colleague@example.org")
    client.force_login(user)

    html = client.get(
        reverse("submissions:invitation_accept", args=[invitation.token])
    ).content.decode()

    assert 'data-testid="other-address"' not in html
    assert 'data-testid="accept-form"' in html


def test_member_opening_an_invitation_is_told_they_are_one_already(client, people, organisation):
    invitation = invite(organisation, "new.colleague@example.org")
    client.force_login(people["member"])

    html = client.get(
        reverse("submissions:invitation_accept", args=[invitation.token])
    ).content.decode()

    assert "You are already a member of Red Arrow Composites." in html
    assert 'data-testid="accept-form"' not in html


def test_accepting_makes_a_member_and_says_so(client, organisation):
    invitation = invite(organisation, "new.colleague@example.org")
    invited = UserFactory(email="new.colleague@example.org", preferred_language="en")
    client.force_login(invited)

    response = client.post(
        reverse("submissions:invitation_accept", args=[invitation.token]),
        {"action": "accept"},
        follow=True,
    )

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "You are now a member of Red Arrow Composites."
    ]
    assert Membership.objects.get(organisation=organisation, user=invited).role == "member"
    assert invited.email in response.content.decode()  # listed among the members


def test_another_account_accepts_with_the_code_mailed_to_the_invited_address(
    client, people, organisation
):
    invitation = invite(organisation, "new.colleague@example.org")
    stranger = people["stranger"]
    client.force_login(stranger)
    url = reverse("submissions:invitation_accept", args=[invitation.token])

    asked = client.post(url, {"action": "send_code"})
    wrong = client.post(url, {"action": "accept", "code": "00000000"})
    accepted = client.post(
        url, {"action": "accept", "code": mailed_code("new.colleague@example.org")}
    )

    assert asked.status_code == 200
    assert 'data-testid="code-sent"' in asked.content.decode()
    assert wrong.status_code == 400
    assert "This code is not right or has expired." in wrong.content.decode()
    assert accepted.status_code == 302
    assert Membership.objects.get(organisation=organisation, user=stranger).role == "member"
    invitation.refresh_from_db()
    assert invitation.accepted_by == stranger


def test_accepting_twice_is_refused_the_second_time(client, people, organisation):
    invitation = invite(organisation, "new.colleague@example.org")
    url = reverse("submissions:invitation_accept", args=[invitation.token])
    client.force_login(UserFactory(email="new.colleague@example.org"))
    assert client.post(url, {"action": "accept"}).status_code == 302
    client.force_login(people["other_member"])

    response = client.post(url, {"action": "accept"})

    assert response.status_code == 400
    assert "This invitation has been used already." in response.content.decode()
    assert not Membership.objects.filter(
        organisation=organisation, user=people["other_member"]
    ).exists()
    assert client.get(url).status_code == 400


@pytest.mark.parametrize("method", ["get", "post"])
def test_expired_invitation_is_refused(client, people, organisation, method):
    invitation = invite(organisation, "new.colleague@example.org")
    invitation.expires_at = timezone.now() - dt.timedelta(seconds=1)
    invitation.save()
    client.force_login(people["stranger"])

    response = getattr(client, method)(
        reverse("submissions:invitation_accept", args=[invitation.token])
    )

    assert response.status_code == 400
    assert response.context["message"] == "This invitation has expired. Please ask for a new one."
    assert not Membership.objects.filter(user=people["stranger"]).exists()


@pytest.mark.parametrize("role", ["anonymous", "stranger"])
def test_used_invitation_says_so_even_before_login(client, people, organisation, role):
    invitation = invite(organisation, "new.colleague@example.org")
    invitation.accepted_at = timezone.now()
    invitation.save()
    login(client, people[role])

    response = client.get(
        reverse("submissions:invitation_accept", args=[invitation.token]),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.context["message"] == "This invitation has been used already."


def test_unknown_token_is_404_with_a_clear_page(client, people):
    client.force_login(people["stranger"])

    response = client.get(reverse("submissions:invitation_accept", args=["no-such-token"]))

    assert response.status_code == 404
    assert response.context["message"] == (
        "This invitation link is not valid. Please check that you copied the whole link "
        "from the mail."
    )
    assert "This invitation cannot be used" in response.content.decode()


def test_creating_a_company_returns_to_the_page_that_asked_for_it_but_never_off_site(client):
    from tests.factories import UserFactory as _User

    client.force_login(_User(preferred_language="en"))
    data = {"name": "Nordlicht Composites", "size_class": "startup", "country": "Deutschland"}

    back = client.post("/organisations/new/?next=/awards/lia-2030/enter/", data)
    away = client.post("/organisations/new/?next=https://evil.example/", data)

    assert back["Location"] == "/awards/lia-2030/enter/"
    assert away["Location"].startswith("/organisations/")
