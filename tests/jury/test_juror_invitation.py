"""The invitation to the jury (/jury/invitations/<token>/): what a visitor, the invited
person and someone signed in with another address see, accepting, declining, and links that
are used, expired or tampered with."""

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from jury import services
from jury.models import Juror, JuryInvitation
from tests.factories import UserFactory
from tests.helpers import login, login_url, text
from tests.jury.juror_helpers import url

pytestmark = pytest.mark.django_db

# --- The invitation -------------------------------------------------------------------------


@pytest.fixture
def invited(jury):
    """An open invitation to hanna@uni.example.net, and its link."""
    invitation = services.juror_invite(
        award=jury.award,
        email="hanna@uni.example.net",
        name="Hanna Holz",
        role="jury_chair",
        categories=[jury.category],
        language="en",
        actor=jury.organiser,
    )
    link = reverse("jury:invitation", kwargs={"token": services.invitation_token(invitation)})
    return invitation, link


def test_an_anonymous_visitor_sees_the_invitation_with_login_and_register_links(
    client, invited, jury
):
    _invitation, link = invited

    response = client.get(link, headers={"Accept-Language": "en"})

    assert response.status_code == 200
    page = text(response)
    assert str(jury.award) in page
    assert "Jury chair" in page
    assert jury.category.name_en in page
    assert jury.organiser.full_name in page
    assert f'href="{login_url(link)}"' in page
    register = f"{reverse('accounts:register')}?{urlencode({'next': link}, safe='/')}"
    assert f'href="{register}"' in page
    assert 'value="accept"' not in page


def test_the_invited_person_sees_accept_and_decline_without_a_warning(client, invited):
    _invitation, link = invited
    login(client, UserFactory(email="hanna@uni.example.net", preferred_language="en"))

    page = text(client.get(link))

    assert 'value="accept"' in page and 'value="decline"' in page
    assert 'data-testid="other-address"' not in page


def test_someone_signed_in_with_another_address_is_warned(client, invited):
    _invitation, link = invited
    login(client, UserFactory(email="other@else.example.net", preferred_language="en"))

    page = text(client.get(link))

    assert 'data-testid="other-address"' in page
    assert "You are logged in as other@else.example.net, not as hanna@uni.example.net." in page


def test_accepting_creates_the_juror_and_leads_to_confidentiality(client, invited, jury):
    invitation, link = invited
    user = login(client, UserFactory(email="hanna@uni.example.net", preferred_language="en"))

    response = client.post(link, {"action": "accept"})

    assert response.status_code == 302
    assert response["Location"] == url("confidentiality", jury)
    juror = Juror.objects.get(award=jury.award, user=user)
    assert (juror.role, list(juror.categories.all())) == ("jury_chair", [jury.category])
    assert juror.confidentiality_confirmed_at is None
    invitation.refresh_from_db()
    assert invitation.status == "accepted"


def test_accepting_needs_an_account(client, invited):
    _invitation, link = invited

    response = client.post(link, {"action": "accept"})

    assert (response.status_code, response["Location"]) == (302, login_url(link))
    assert not Juror.objects.filter(user__email="hanna@uni.example.net").exists()


def test_a_used_invitation_link_is_refused(client, invited):
    _invitation, link = invited
    login(client, UserFactory(email="hanna@uni.example.net", preferred_language="en"))
    client.post(link, {"action": "accept"})

    response = client.get(link)

    assert response.status_code == 400
    assert "This invitation has been accepted already." in text(response)
    assert client.post(link, {"action": "accept"}).status_code == 400


def test_an_expired_invitation_link_is_refused(client, invited):
    invitation, link = invited
    JuryInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    user = login(client, UserFactory(email="hanna@uni.example.net", preferred_language="en"))

    response = client.get(link)
    accepted = client.post(link, {"action": "accept"})

    assert response.status_code == 400
    assert "This invitation has expired. Please ask the organisers for a new one." in text(response)
    assert accepted.status_code == 400
    assert not Juror.objects.filter(user=user).exists()


def test_a_tampered_invitation_link_is_404(client, invited):
    _invitation, link = invited
    tampered = link.replace("/invitations/", "/invitations/x")
    login(client, UserFactory(email="hanna@uni.example.net", preferred_language="en"))

    response = client.get(tampered)

    assert response.status_code == 404
    assert "This invitation link is not valid." in text(response)
    assert client.post(tampered, {"action": "accept"}).status_code == 404
    assert not Juror.objects.filter(user__email="hanna@uni.example.net").exists()


@pytest.mark.parametrize("signed_in", [True, False])
def test_declining_thanks_and_closes_the_invitation(client, invited, signed_in):
    invitation, link = invited
    if signed_in:
        login(client, UserFactory(email="hanna@uni.example.net", preferred_language="en"))

    response = client.post(link, {"action": "decline"}, headers={"Accept-Language": "en"})

    assert response.status_code == 200
    assert 'data-testid="invitation-declined"' in text(response)
    invitation.refresh_from_db()
    assert invitation.status == "declined"
    assert not Juror.objects.filter(user__email="hanna@uni.example.net").exists()
    assert client.get(link).status_code == 400
