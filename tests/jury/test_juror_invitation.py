"""The invitation to the jury (/jury/invitations/<token>/): what a visitor, the invited
person and someone signed in with another address see, accepting, declining, and links that
are used, expired or tampered with."""

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from awards.models import AuditEntry
from jury import services
from jury.models import Juror, JuryInvitation
from notifications.models import Message
from tests.factories import UserFactory
from tests.helpers import login, login_url, mailed_code, text
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


def test_someone_signed_in_with_another_address_is_offered_a_code_not_the_seat(client, invited):
    _invitation, link = invited
    login(client, UserFactory(email="other@else.example.net", preferred_language="en"))

    page = text(client.get(link))

    assert 'data-testid="other-address"' in page
    assert (
        "You are logged in as other@else.example.net, but the invitation was sent to "
        "hanna@uni.example.net." in page
    )
    assert "Send a code to hanna@uni.example.net" in page
    assert 'value="accept"' not in page


def test_another_account_holding_the_link_gets_no_jury_seat(client, invited, jury):
    # The probe: an applicant accepted an invitation addressed to someone else.
    invitation, link = invited
    applicant = login(client, UserFactory(email="applicant@firma.example", preferred_language="en"))

    response = client.post(link, {"action": "accept"})

    assert response.status_code == 400
    assert (
        "This invitation was sent to hanna@uni.example.net. To accept it with this account, "
        "ask for a code to be sent to that address and enter it here" in text(response)
    )
    assert not Juror.objects.filter(user=applicant).exists()
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_another_account_accepts_with_the_code_mailed_to_the_invited_address(client, invited, jury):
    _invitation, link = invited
    private = login(
        client, UserFactory(email="hanna.private@mail.example", preferred_language="en")
    )

    asked = client.post(link, {"action": "send_code"})
    code = mailed_code("hanna@uni.example.net")
    accepted = client.post(link, {"action": "accept", "code": f" {code[:4]} {code[4:]} "})

    assert asked.status_code == 200
    assert "We have sent a code to hanna@uni.example.net." in text(asked)
    mail = Message.objects.get(template_key="accounts.address_code")
    assert mail.recipient_email == "hanna@uni.example.net"
    assert mail.language == "en"  # the invitation's language
    assert "hanna.private@mail.example" in mail.body_text
    assert str(jury.award) in mail.body_text
    assert accepted.status_code == 302
    juror = Juror.objects.get(award=jury.award, user=private)
    assert juror.role == "jury_chair"
    entry = AuditEntry.objects.filter(action="jury.invitation_accepted").get()
    assert entry.data["account"] == "hanna.private@mail.example"
    assert entry.data["confirmed_by"] == "code"
    assert AuditEntry.objects.filter(action="jury.invitation_code_sent").count() == 1


def test_a_wrong_code_is_refused_with_the_form_kept(client, invited):
    _invitation, link = invited
    user = login(client, UserFactory(email="other@else.example.net", preferred_language="en"))
    client.post(link, {"action": "send_code"})

    response = client.post(link, {"action": "accept", "code": "12345678x"})

    assert response.status_code == 400
    page = text(response)
    assert "This code is not right or has expired." in page
    assert 'data-testid="code"' in page and 'value="accept"' in page
    assert not Juror.objects.filter(user=user).exists()


def test_a_resent_invitation_makes_the_old_code_worthless(client, invited, jury):
    _invitation, link = invited
    user = login(client, UserFactory(email="other@else.example.net", preferred_language="en"))
    client.post(link, {"action": "send_code"})
    old_code = mailed_code("hanna@uni.example.net")
    renewed = services.juror_invite(
        award=jury.award,
        email="hanna@uni.example.net",
        categories=[jury.category],
        actor=jury.organiser,
    )
    new_link = reverse("jury:invitation", kwargs={"token": services.invitation_token(renewed)})

    response = client.post(new_link, {"action": "accept", "code": old_code})

    assert response.status_code == 400
    assert not Juror.objects.filter(user=user).exists()


def test_codes_are_not_mailed_without_limit(client, invited):
    _invitation, link = invited
    login(client, UserFactory(email="other@else.example.net", preferred_language="en"))

    answers = [client.post(link, {"action": "send_code"}) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 400]
    assert "A code has been sent to this address several times already." in text(answers[-1])
    assert Message.objects.filter(template_key="accounts.address_code").count() == 3


def test_the_code_page_is_in_german(client, invited):
    _invitation, link = invited
    login(client, UserFactory(email="other@else.example.net", preferred_language="de"))

    page = text(client.post(link, {"action": "send_code"}))

    assert "Wir haben einen Code an hanna@uni.example.net geschickt." in page
    assert "Code aus der E-Mail" in page


def test_the_organisers_see_the_invited_address_of_a_juror_who_accepted_with_another(
    client, invited, jury
):
    _invitation, link = invited
    private = login(
        client, UserFactory(email="hanna.private@mail.example", preferred_language="en")
    )
    client.post(link, {"action": "send_code"})
    client.post(link, {"action": "accept", "code": mailed_code("hanna@uni.example.net")})
    login(client, jury.organiser)

    page = text(client.get(reverse("jury_manage:jurors", kwargs={"slug": jury.award.slug})))

    row = page[page.index(f'data-juror="{private.juror_seats.get().pk}"') :]
    row = row[: row.index("</tr>")]
    assert "hanna.private@mail.example" in row
    assert "Invited at hanna@uni.example.net" in row


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
