"""Company profiles, their members, and invitations of colleagues."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

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


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Join the organisation of a valid, open invitation; the link works once."""
    invitation = OrganisationInvitation.objects.select_for_update().filter(token=token).first()
    if invitation is None or invitation.accepted_at is not None:
        raise InvitationInvalid(_("This invitation is invalid or has been used already."))
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalid(_("This invitation has expired. Please ask for a new one."))
    membership, _created = Membership.objects.get_or_create(
        organisation=invitation.organisation,
        user=user,
        defaults={"role": MembershipRole.MEMBER},
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership
