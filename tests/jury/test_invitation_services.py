"""Jury invitations: a signed, expiring, single-use link through the outbox; accepting,
declining, withdrawing; and what inviting refuses."""

import datetime as dt
import time

import pytest
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone

from awards.models import AuditEntry, AwardRole
from jury import selectors, services
from jury.models import Juror, JuryInvitation
from jury.services.invitations import TOKEN_SALT
from notifications.models import Message
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    JurorFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def award():
    return AwardFactory(status="judging")


@pytest.fixture
def organiser(award):
    return AwardRoleFactory(award=award, role="organiser", user__full_name="Olga Organiser").user


@pytest.fixture
def categories(award):
    return [
        CategoryFactory(award=award, code="MOB", name_en="Mobility"),
        CategoryFactory(award=award, code="BLD", name_en="Building"),
    ]


def invite(award, organiser, categories, email="anna@leichtbau-institut.de", **kwargs):
    return services.juror_invite(
        award=award, email=email, categories=categories, actor=organiser, **kwargs
    )


def audit_actions(award):
    return list(AuditEntry.objects.filter(award=award).values_list("action", flat=True))


def old_token(invitation, days):
    """A correctly signed link for ``invitation``, made ``days`` ago."""

    class Then(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - days * 86400)

    return Then(key=settings.SECRET_KEY, salt=TOKEN_SALT).sign_object(
        {"i": invitation.pk, "n": invitation.nonce}
    )


def refusal(callable_, **kwargs):
    with pytest.raises(services.InvitationInvalid) as caught:
        callable_(**kwargs)
    return caught.value.status, caught.value.messages


# --- Inviting ----------------------------------------------------------------------------


def test_invite_writes_the_invitation_mail_with_the_link_to_the_outbox(
    award, organiser, categories
):
    invitation = invite(award, organiser, categories, email=" Anna@Leichtbau-Institut.DE ")

    assert invitation.email == "anna@leichtbau-institut.de"
    assert invitation.status == "pending"
    assert set(invitation.categories.all()) == set(categories)
    message = Message.objects.get()
    assert message.template_key == "juror.invited"
    assert message.recipient is None
    assert message.recipient_email == "anna@leichtbau-institut.de"
    assert message.language == "de"
    link = services.invitation_url(invitation)
    assert link.startswith(settings.SITE_URL + "/jury/")
    assert link in message.body_text
    assert "Olga Organiser" in message.body_text


def test_invite_of_someone_with_an_account_writes_to_them_in_their_language(
    award, organiser, categories
):
    user = UserFactory(email="ben@leichtbau-institut.de", preferred_language="en")

    invitation = invite(award, organiser, categories, email="BEN@leichtbau-institut.de")

    message = Message.objects.get()
    assert message.recipient == user
    assert message.recipient_email == "ben@leichtbau-institut.de"
    assert message.language == "en"
    assert message.subject == f"Invitation to the jury of the {award}"
    assert services.invitation_url(invitation) in message.body_text


def test_invite_is_audit_logged(award, organiser, categories):
    invitation = invite(award, organiser, categories, role="jury_chair")

    entry = AuditEntry.objects.get(action="jury.invited")
    assert entry.actor == organiser
    assert entry.object_id == str(invitation.pk)
    assert entry.data == {
        "email": "anna@leichtbau-institut.de",
        "role": "jury_chair",
        "categories": ["BLD", "MOB"],
    }


def test_inviting_again_renews_the_link_and_the_old_link_stops_working(
    award, organiser, categories
):
    first = invite(award, organiser, categories)
    old_link_token = services.invitation_token(first)
    old_nonce = first.nonce
    first.expires_at = timezone.now() + dt.timedelta(days=1)
    first.save()

    again = invite(award, organiser, categories[:1])

    assert again.pk == first.pk
    assert again.nonce != old_nonce
    assert again.expires_at > timezone.now() + dt.timedelta(days=20)
    assert list(again.categories.all()) == categories[:1]
    assert JuryInvitation.objects.count() == 1
    assert Message.objects.filter(template_key="juror.invited").count() == 2
    assert refusal(services.invitation_from_token, token=old_link_token) == (
        400,
        ["This invitation link has been replaced by a newer one. Please use the latest mail."],
    )
    assert services.invitation_from_token(services.invitation_token(again)) == again


def test_inviting_someone_on_the_jury_already_is_refused(award, organiser, categories):
    juror = JurorFactory(award=award, categories=categories, user__email="carla@tu-example.de")

    with pytest.raises(ValidationError) as caught:
        invite(award, organiser, categories, email="Carla@TU-example.de")

    assert caught.value.message_dict == {"email": ["carla@tu-example.de is on the jury already."]}
    assert not JuryInvitation.objects.exists()
    assert not Message.objects.exists()
    assert juror.is_active


def test_inviting_a_former_juror_again_is_allowed(award, organiser, categories):
    JurorFactory(award=award, user__email="carla@tu-example.de", is_active=False)

    invitation = invite(award, organiser, categories, email="carla@tu-example.de")

    assert invitation.status == "pending"


def test_inviting_for_a_category_of_another_award_is_refused(award, organiser, categories):
    foreign = CategoryFactory(award=AwardFactory())

    with pytest.raises(ValidationError) as caught:
        invite(award, organiser, [categories[0], foreign])

    assert caught.value.message_dict == {"categories": ["A category of another award was chosen."]}
    assert not JuryInvitation.objects.exists()


def test_inviting_without_a_category_is_refused(award, organiser):
    with pytest.raises(ValidationError) as caught:
        invite(award, organiser, [])

    assert caught.value.message_dict == {"categories": ["Choose at least one category."]}


@pytest.mark.parametrize("email", ["anna", "anna@", "anna@leichtbau", "", "a b@example.de"])
def test_inviting_an_invalid_address_is_refused(award, organiser, categories, email):
    with pytest.raises(ValidationError) as caught:
        invite(award, organiser, categories, email=email)

    assert caught.value.messages == ["Enter a valid email address."]
    assert not JuryInvitation.objects.exists()
    assert not Message.objects.exists()


def test_inviting_with_an_unknown_role_is_refused(award, organiser, categories):
    with pytest.raises(ValidationError) as caught:
        invite(award, organiser, categories, role="organiser")

    assert caught.value.message_dict == {"role": ["Unknown role."]}


# --- Accepting ---------------------------------------------------------------------------


def test_accepting_creates_the_juror_with_the_categories_and_role_of_the_invitation(
    award, organiser, categories
):
    invitation = invite(award, organiser, categories, role="jury_chair")
    user = UserFactory(email="anna@leichtbau-institut.de")

    juror = services.invitation_accept(token=services.invitation_token(invitation), user=user)

    assert juror.award == award
    assert juror.user == user
    assert juror.role == "jury_chair"
    assert juror.is_active
    assert set(juror.categories.all()) == set(categories)
    # The seat is the chair's one role store: it is what the chair predicate reads.
    assert not AwardRole.objects.filter(award=award, user=user).exists()
    assert user.has_perm("jury.chair", award)
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert invitation.juror == juror
    assert invitation.responded_at is not None
    entry = AuditEntry.objects.get(action="jury.invitation_accepted")
    assert entry.actor == user
    assert entry.object_id == str(invitation.pk)
    assert entry.data == {
        "email": "anna@leichtbau-institut.de",
        "account": "anna@leichtbau-institut.de",
        "confirmed_by": "account",
    }


def test_accepting_as_juror_gives_a_seat_and_no_award_role(award, organiser, categories):
    invitation = invite(award, organiser, categories[:1])
    user = UserFactory(email="Anna@Leichtbau-Institut.de")

    juror = services.invitation_accept(token=services.invitation_token(invitation), user=user)

    assert juror.role == "juror"
    assert list(juror.categories.all()) == categories[:1]
    # The seat is the one store of the jury role: it opens the jury pages and names the
    # user in the navigation; no award role mirrors it.
    assert not AwardRole.objects.filter(award=award, user=user).exists()
    assert list(selectors.awards_judged_by(user)) == [award]
    assert user.has_perm("jury.chair", award) is False
    assert "jury.invitation_accepted" in audit_actions(award)


def test_a_second_accept_with_the_same_link_fails(award, organiser, categories):
    invitation = invite(award, organiser, categories)
    token = services.invitation_token(invitation)
    services.invitation_accept(token=token, user=UserFactory(email="anna@leichtbau-institut.de"))

    assert refusal(services.invitation_accept, token=token, user=UserFactory()) == (
        400,
        ["This invitation has been accepted already."],
    )
    assert Juror.objects.count() == 1


def test_an_expired_invitation_cannot_be_accepted(award, organiser, categories):
    invitation = invite(award, organiser, categories)
    invitation.expires_at = timezone.now() - dt.timedelta(minutes=1)
    invitation.save()

    assert refusal(
        services.invitation_accept,
        token=services.invitation_token(invitation),
        user=UserFactory(),
    ) == (400, ["This invitation has expired. Please ask the organisers for a new one."])
    assert not Juror.objects.exists()


def test_a_link_signed_longer_ago_than_an_invitation_lasts_has_expired(
    award, organiser, categories
):
    invitation = invite(award, organiser, categories)
    fresh = old_token(invitation, days=services.INVITATION_DAYS - 1)
    stale = old_token(invitation, days=services.INVITATION_DAYS + 1)

    assert services.invitation_from_token(fresh) == invitation
    assert refusal(services.invitation_from_token, token=stale) == (
        400,
        ["This invitation has expired. Please ask the organisers for a new one."],
    )


def test_a_tampered_link_names_nothing(award, organiser, categories):
    invitation = invite(award, organiser, categories)
    token = services.invitation_token(invitation)
    last = token[-1]
    forged = token[:-1] + ("A" if last != "A" else "B")
    # The payload of another invitation, with this one's signature.
    other = invite(award, organiser, categories, email="ben@leichtbau-institut.de")
    swapped = services.invitation_token(other).split(":")[0] + ":" + token.split(":", 1)[1]

    not_valid = (
        404,
        [
            "This invitation link is not valid. Please check that you copied the whole link "
            "from the mail."
        ],
    )
    assert refusal(services.invitation_from_token, token=forged) == not_valid
    assert refusal(services.invitation_from_token, token=swapped) == not_valid
    assert refusal(services.invitation_from_token, token="nonsense") == not_valid
    assert refusal(services.invitation_accept, token=forged, user=UserFactory()) == not_valid
    assert not Juror.objects.exists()


def test_a_link_of_a_deleted_invitation_names_nothing(award, organiser, categories):
    invitation = invite(award, organiser, categories)
    token = services.invitation_token(invitation)
    invitation.delete()

    assert refusal(services.invitation_from_token, token=token) == (
        404,
        ["This invitation link is not valid."],
    )


# --- Declining and withdrawing -----------------------------------------------------------


def test_declining_records_it_and_the_link_stops_working(award, organiser, categories):
    invitation = invite(award, organiser, categories)
    token = services.invitation_token(invitation)

    declined = services.invitation_decline(token=token)

    assert declined.status == "declined"
    assert declined.responded_at is not None
    assert AuditEntry.objects.get(action="jury.invitation_declined").data == {
        "email": "anna@leichtbau-institut.de"
    }
    assert refusal(services.invitation_accept, token=token, user=UserFactory()) == (
        400,
        ["This invitation has been declined."],
    )
    assert not Juror.objects.exists()


def test_withdrawing_an_open_invitation_makes_its_link_fail(award, organiser, categories):
    invitation = invite(award, organiser, categories)

    services.invitation_revoke(invitation=invitation, actor=organiser)

    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    entry = AuditEntry.objects.get(action="jury.invitation_revoked")
    assert entry.actor == organiser
    assert refusal(
        services.invitation_accept,
        token=services.invitation_token(invitation),
        user=UserFactory(),
    ) == (400, ["The organisers have withdrawn this invitation."])


@pytest.mark.parametrize("status", ["accepted", "declined", "revoked"])
def test_only_an_open_invitation_can_be_withdrawn(award, organiser, categories, status):
    invitation = invite(award, organiser, categories)
    JuryInvitation.objects.filter(pk=invitation.pk).update(status=status)

    with pytest.raises(ValidationError) as caught:
        services.invitation_revoke(invitation=invitation, actor=organiser)

    assert caught.value.messages == ["Only an open invitation can be withdrawn."]
    invitation.refresh_from_db()
    assert invitation.status == status
    assert "jury.invitation_revoked" not in audit_actions(award)


def test_inviting_after_a_decline_sends_a_new_invitation(award, organiser, categories):
    first = invite(award, organiser, categories)
    services.invitation_decline(token=services.invitation_token(first))

    second = invite(award, organiser, categories)

    assert second.pk != first.pk
    assert second.status == "pending"
    assert Message.objects.filter(template_key="juror.invited").count() == 2
