"""Company profiles, their members, and invitations of colleagues."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.address_codes import AddressClaim, address_code_offer, address_confirm
from accounts.models import User
from notifications.services import notify

from ..enums import MembershipRole
from ..models import Membership, Organisation, OrganisationInvitation

ORGANISATION_FIELDS = (
    "name",
    "legal_form",
    "street",
    "postal_code",
    "city",
    "country",
    "website",
    "size_class",
    "founded_year",
    "contact_name",
    "contact_email",
    "contact_phone",
)
INVITATION_DAYS = 14


@transaction.atomic
def organisation_create(*, owner: User, **fields: Any) -> Organisation:
    """A new company profile; ``owner`` becomes its owner (who may invite colleagues)."""
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"organisation_create() got {sorted(unknown)}")
    organisation = Organisation(**fields)
    organisation.full_clean()
    organisation.save()
    Membership.objects.create(organisation=organisation, user=owner, role=MembershipRole.OWNER)
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, actor: User, **fields: Any) -> Organisation:
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"organisation_update() got {sorted(unknown)}")
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def organisation_invite(
    *, organisation: Organisation, email: str, actor: User
) -> OrganisationInvitation:
    """Invite a colleague by email (through the outbox). A second invitation to the same
    address while one is open renews it; a current member cannot be invited."""
    email = User.objects.normalize_email(email).lower()
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": _("%(email)s is already a member.") % {"email": email}})
    expires = timezone.now() + dt.timedelta(days=INVITATION_DAYS)
    invitation = OrganisationInvitation.objects.filter(
        organisation=organisation, email__iexact=email, accepted_at__isnull=True
    ).first()
    if invitation is None:
        invitation = OrganisationInvitation(organisation=organisation, email=email)
    invitation.invited_by = actor
    invitation.expires_at = expires
    invitation.save()
    recipient = User.objects.filter(email__iexact=email, is_active=True).first()
    notify(
        key="organisation.invited",
        award=None,
        idempotency_key=f"organisation.invited:{invitation.pk}:{expires.isoformat()}",
        recipient=recipient,
        email=email,
        values={
            "organisation_name": organisation.name,
            "inviter_name": actor.full_name,
            "invitation_url": settings.SITE_URL
            + reverse("submissions:invitation_accept", kwargs={"token": invitation.token}),
            "expires_at": expires,
        },
    )
    return invitation


class InvitationInvalid(ValidationError):
    pass


def invited_address_is(invitation: OrganisationInvitation, user: User) -> bool:
    """Whether ``user``'s account is the invited address itself."""
    return _claim(invitation, user).is_own_address


def _open_invitation(token: str) -> OrganisationInvitation:
    invitation = (
        OrganisationInvitation.objects.select_for_update()
        .select_related("organisation")
        .filter(token=token)
        .first()
    )
    if invitation is None or invitation.accepted_at is not None:
        raise InvitationInvalid(_("This invitation is invalid or has been used already."))
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalid(_("This invitation has expired. Please ask for a new one."))
    return invitation


def _claim(invitation: OrganisationInvitation, user: User) -> AddressClaim:
    # A renewed invitation (new expiry) makes the codes of the old one worthless.
    return AddressClaim(
        purpose="organisation-invitation",
        subject=invitation.pk,
        nonce=f"{invitation.token}:{invitation.expires_at.isoformat()}",
        account=user,
        email=invitation.email,
    )


@transaction.atomic
def invitation_code_send(*, token: str, user: User) -> OrganisationInvitation:
    """Mail a code to the invited address, with which ``user`` (logged in with another
    address) can accept the invitation. The mail is in the language of the invited
    address's account, or in ``user``'s when it has none.

    Side effect: a mail ``accounts.address_code`` to the invited address. Raises
    InvitationInvalid, AddressCodeRefused after too many mails, ValidationError when the
    account is the invited address.
    """
    invitation = _open_invitation(token)
    invited = User.objects.filter(email__iexact=invitation.email).first()
    address_code_offer(
        claim=_claim(invitation, user),
        language=(invited or user).preferred_language,
        invitation_text=format_lazy(
            gettext_lazy("the invitation to the company profile of {organisation}"),
            organisation=invitation.organisation.name,
        ),
        recipient_name=invited.full_name if invited else "",
    )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User, code: str = "") -> Membership:
    """Join the organisation of a valid, open invitation; the link works once.

    The invitation belongs to the address it was sent to: an account of another address
    accepts only with the ``code`` mailed there (``invitation_code_send``). The invitation
    records the account that accepted it (``accepted_by``), which the company's owners see.
    """
    invitation = _open_invitation(token)
    address_confirm(claim=_claim(invitation, user), code=code)
    membership, _created = Membership.objects.get_or_create(
        organisation=invitation.organisation,
        user=user,
        defaults={"role": MembershipRole.MEMBER},
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership
