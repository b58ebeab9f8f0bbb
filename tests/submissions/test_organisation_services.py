"""Company profiles and invitations of colleagues, at the service level."""

import datetime as dt
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from notifications.models import Message
from submissions import services
from submissions.models import Membership, Organisation, OrganisationInvitation
from submissions.services.organisations import InvitationInvalid
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.helpers import mailed_code

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2031, 2, 1, 9, 0, tzinfo=dt.UTC)


def clock(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def owner():
    return UserFactory(full_name="Olivia Owner", email="olivia@red-arrow.example")


@pytest.fixture
def organisation(owner):
    return services.organisation_create(owner=owner, name="Red Arrow Composites")


# --- Create and update ---------------------------------------------------------------------


def test_the_creator_becomes_the_owner(owner):
    organisation = services.organisation_create(
        owner=owner,
        name="Red Arrow Composites",
        legal_form="GmbH",
        city="Dresden",
        website="https://red-arrow.example",
        size_class="startup",
        founded_year=2019,
    )

    assert list(organisation.memberships.values_list("user", "role")) == [(owner.pk, "owner")]
    stored = Organisation.objects.get()
    assert (stored.name, stored.legal_form, stored.size_class, stored.founded_year) == (
        "Red Arrow Composites",
        "GmbH",
        "startup",
        2019,
    )


def test_create_refuses_invalid_values_and_leaves_nothing(owner):
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            services.organisation_create(
                owner=owner,
                name="",
                website="javascript:alert(1)",
                size_class="giant",
                founded_year=1500,
            )

        assert error.value.message_dict == {
            "name": ["This field cannot be blank."],
            "website": ["Enter a valid URL."],
            "size_class": ["Value 'giant' is not a valid choice."],
            "founded_year": ["Ensure this value is greater than or equal to 1800."],
        }
    assert not Organisation.objects.exists()
    assert not Membership.objects.exists()


def test_services_refuse_fields_they_do_not_know(owner, organisation):
    with pytest.raises(TypeError):
        services.organisation_create(owner=owner, name="X", members=[owner])
    with pytest.raises(TypeError):
        services.organisation_update(organisation=organisation, actor=owner, id=99)


def test_update_changes_the_profile(owner, organisation):
    services.organisation_update(
        organisation=organisation, actor=owner, city="Berlin", contact_name="Rita Roth"
    )

    organisation.refresh_from_db()
    assert (organisation.city, organisation.contact_name) == ("Berlin", "Rita Roth")


# --- Invitations ----------------------------------------------------------------------------


def test_an_invitation_is_mailed_in_german_to_an_address_without_an_account(owner, organisation):
    with clock(T0):
        invitation = services.organisation_invite(
            organisation=organisation, email="Neu@Example.ORG", actor=owner
        )

    assert invitation.email == "neu@example.org"
    assert invitation.expires_at == T0 + dt.timedelta(days=14)
    assert invitation.invited_by == owner
    message = Message.objects.get(template_key="organisation.invited")
    link = f"{settings.SITE_URL}/invitations/{invitation.token}/"
    assert (message.recipient, message.recipient_email, message.language) == (
        None,
        "neu@example.org",
        "de",
    )
    assert message.subject == "Olivia Owner lädt Sie zu Red Arrow Composites ein"
    assert link in message.body_text
    assert "Der Link gilt bis 15. Februar 2031, 10:00 Uhr" in message.body_text


def test_an_invitation_to_a_user_is_in_their_language(owner, organisation):
    colleague = UserFactory(email="sam@example.org", preferred_language="en")

    invitation = services.organisation_invite(
        organisation=organisation, email="SAM@example.org", actor=owner
    )

    message = Message.objects.get(template_key="organisation.invited")
    assert (message.recipient, message.recipient_email, message.language) == (
        colleague,
        "sam@example.org",
        "en",
    )
    assert message.subject == "Olivia Owner invites you to Red Arrow Composites"
    assert f"/invitations/{invitation.token}/" in message.body_text


def test_a_member_cannot_be_invited(owner, organisation):
    MembershipFactory(
        organisation=organisation, user=UserFactory(email="max@example.org"), role="member"
    )

    for email in ("max@example.org", "MAX@Example.org", "olivia@red-arrow.example"):
        with translation.override("en"), pytest.raises(ValidationError) as error:
            services.organisation_invite(organisation=organisation, email=email, actor=owner)
        assert error.value.message_dict == {"email": [f"{email.lower()} is already a member."]}

    assert not OrganisationInvitation.objects.exists()
    assert not Message.objects.exists()


def test_inviting_again_renews_the_open_invitation(owner, organisation):
    with clock(T0):
        first = services.organisation_invite(
            organisation=organisation, email="neu@example.org", actor=owner
        )
    later = T0 + dt.timedelta(days=20)  # the first one has expired meanwhile
    with clock(later):
        second = services.organisation_invite(
            organisation=organisation, email="NEU@example.org", actor=owner
        )

    assert second.pk == first.pk
    assert second.token == first.token
    assert OrganisationInvitation.objects.count() == 1
    assert OrganisationInvitation.objects.get().expires_at == later + dt.timedelta(days=14)
    assert Message.objects.filter(template_key="organisation.invited").count() == 2


def test_the_same_address_may_be_invited_by_two_organisations(owner, organisation):
    other = OrganisationFactory()

    services.organisation_invite(organisation=organisation, email="neu@example.org", actor=owner)
    services.organisation_invite(organisation=other, email="neu@example.org", actor=owner)

    assert OrganisationInvitation.objects.count() == 2


# --- Accepting -------------------------------------------------------------------------------


@pytest.fixture
def invitation(owner, organisation):
    return services.organisation_invite(
        organisation=organisation, email="neu@example.org", actor=owner
    )


def test_accepting_joins_the_organisation_as_a_member(organisation, invitation):
    colleague = UserFactory(email="neu@example.org")

    membership = services.invitation_accept(token=invitation.token, user=colleague)

    assert (membership.organisation, membership.user, membership.role) == (
        organisation,
        colleague,
        "member",
    )
    invitation.refresh_from_db()
    assert invitation.accepted_by == colleague
    assert invitation.accepted_at is not None


def test_an_invitation_works_once(organisation, invitation):
    colleague, someone_else = UserFactory(email="neu@example.org"), UserFactory()
    services.invitation_accept(token=invitation.token, user=colleague)

    for user in (colleague, someone_else):
        with translation.override("en"), pytest.raises(InvitationInvalid) as error:
            services.invitation_accept(token=invitation.token, user=user)
        assert error.value.messages == ["This invitation is invalid or has been used already."]

    assert list(organisation.memberships.order_by("pk").values_list("user", "role")) == [
        (organisation.memberships.get(role="owner").user_id, "owner"),
        (colleague.pk, "member"),
    ]


def test_an_expired_invitation_is_refused(organisation, invitation):
    colleague = UserFactory()

    with (
        clock(invitation.expires_at),
        translation.override("en"),
        pytest.raises(InvitationInvalid) as error,
    ):
        services.invitation_accept(token=invitation.token, user=colleague)

    assert error.value.messages == ["This invitation has expired. Please ask for a new one."]
    assert not organisation.memberships.filter(user=colleague).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_an_invitation_is_valid_until_just_before_it_expires(organisation, invitation):
    colleague = UserFactory(email="Neu@Example.org")

    with clock(invitation.expires_at - dt.timedelta(seconds=1)):
        services.invitation_accept(token=invitation.token, user=colleague)

    assert organisation.memberships.filter(user=colleague, role="member").exists()


@pytest.mark.parametrize("token", ["no-such-token", "", "x" * 500])
def test_an_unknown_token_is_refused(invitation, token):
    with translation.override("en"), pytest.raises(InvitationInvalid) as error:
        services.invitation_accept(token=token, user=UserFactory())

    assert error.value.messages == ["This invitation is invalid or has been used already."]
    assert Membership.objects.count() == 1


def test_an_owner_who_accepts_an_invitation_stays_owner(owner, organisation):
    invitation = OrganisationInvitation.objects.create(
        organisation=organisation,
        email="olivia.private@example.org",
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    services.invitation_code_send(token=invitation.token, user=owner)

    membership = services.invitation_accept(
        token=invitation.token, user=owner, code=mailed_code("olivia.private@example.org")
    )

    assert membership.role == "owner"
    assert organisation.memberships.count() == 1


# --- the invitation belongs to its address -------------------------------------------------


def test_another_account_cannot_accept_without_the_code(organisation, invitation):
    # The probe: an applicant holding someone else's link joined the company.
    intruder = UserFactory(email="intruder@example.org")

    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.invitation_accept(token=invitation.token, user=intruder)

    assert error.value.messages == [
        "This invitation was sent to neu@example.org. To accept it with this account, ask for "
        "a code to be sent to that address and enter it here, or log in as neu@example.org."
    ]
    assert not organisation.memberships.filter(user=intruder).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_the_code_goes_to_the_invited_address_and_lets_another_account_accept(
    organisation, invitation
):
    private = UserFactory(email="neu.private@example.org")

    services.invitation_code_send(token=invitation.token, user=private)
    membership = services.invitation_accept(
        token=invitation.token, user=private, code=mailed_code("neu@example.org")
    )

    assert (membership.user, membership.role) == (private, "member")
    invitation.refresh_from_db()
    assert invitation.accepted_by == private  # the owners see which account accepted
    assert not Message.objects.filter(
        recipient_email="neu.private@example.org", template_key="accounts.address_code"
    ).exists()


def test_a_code_binds_the_account_that_asked_for_it(organisation, invitation):
    asked, other = UserFactory(email="asked@example.org"), UserFactory(email="x@example.org")
    services.invitation_code_send(token=invitation.token, user=asked)
    code = mailed_code("neu@example.org")

    with pytest.raises(ValidationError):
        services.invitation_accept(token=invitation.token, user=other, code=code)

    assert not organisation.memberships.filter(user=other).exists()


def test_wrong_codes_are_counted_and_then_even_the_right_one_is_refused(organisation, invitation):
    guesser = UserFactory(email="guess@example.org")
    services.invitation_code_send(token=invitation.token, user=guesser)
    right = mailed_code("neu@example.org")
    wrong = str((int(right) + 1) % 10**8).zfill(8)

    for _attempt in range(5):
        with pytest.raises(ValidationError):
            services.invitation_accept(token=invitation.token, user=guesser, code=wrong)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.invitation_accept(token=invitation.token, user=guesser, code=right)

    assert "Too many wrong codes" in error.value.messages[0]
    assert not organisation.memberships.filter(user=guesser).exists()
