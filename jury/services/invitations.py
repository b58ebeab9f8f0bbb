"""Inviting jurors: a signed, expiring, single-use link through the outbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.address_codes import AddressClaim, address_code_offer, address_confirm
from accounts.models import User
from awards.models import Award, Category
from awards.services import audit_log
from notifications.services import notify

from ..enums import InvitationStatus, JuryRole
from ..models import Juror, JurorCategory, JuryInvitation
from .calibration import calibration_assignments_ensure

INVITATION_DAYS = 21
TOKEN_SALT = "laurel.jury.invitation"  # noqa: S105 - a namespace, not a secret


class InvitationInvalid(ValidationError):
    """The link is unknown, forged, expired, withdrawn or used. ``status`` is the HTTP status
    the page answers with (404 for a link that names nothing, 400 otherwise)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message, code="invitation")
        self.status = status


def invitation_token(invitation: JuryInvitation) -> str:
    """The secret in the mail's link: the invitation's id and nonce, signed and timestamped.
    A new nonce (on every re-send) makes all older links of the invitation worthless."""
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=TOKEN_SALT)


def invitation_url(invitation: JuryInvitation) -> str:
    return settings.SITE_URL + reverse(
        "jury:invitation", kwargs={"token": invitation_token(invitation)}
    )


def invitation_from_token(token: str, *, for_update: bool = False) -> JuryInvitation:
    """The open invitation ``token`` names, or InvitationInvalid saying what is wrong."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=dt.timedelta(days=INVITATION_DAYS))
    except signing.SignatureExpired as error:
        raise InvitationInvalid(
            _("This invitation has expired. Please ask the organisers for a new one.")
        ) from error
    except signing.BadSignature as error:
        raise InvitationInvalid(
            _(
                "This invitation link is not valid. Please check that you copied the whole "
                "link from the mail."
            ),
            status=404,
        ) from error
    queryset = JuryInvitation.objects.select_related("award")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.filter(pk=data.get("i")).first()
    if invitation is None or invitation.nonce != data.get("n"):
        raise InvitationInvalid(
            _("This invitation link has been replaced by a newer one. Please use the latest mail.")
            if invitation is not None
            else _("This invitation link is not valid."),
            status=404 if invitation is None else 400,
        )
    if invitation.status == InvitationStatus.ACCEPTED:
        raise InvitationInvalid(_("This invitation has been accepted already."))
    if invitation.status == InvitationStatus.DECLINED:
        raise InvitationInvalid(_("This invitation has been declined."))
    if invitation.status == InvitationStatus.REVOKED:
        raise InvitationInvalid(_("The organisers have withdrawn this invitation."))
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalid(
            _("This invitation has expired. Please ask the organisers for a new one.")
        )
    return invitation


@transaction.atomic
def juror_invite(
    *,
    award: Award,
    email: str,
    name: str = "",
    role: str = JuryRole.JUROR,
    categories: Iterable[Category],
    language: str = "de",
    actor: User | None,
) -> JuryInvitation:
    """Invite ``email`` to the jury of ``award`` for ``categories``.

    Inviting an address with an open invitation renews it (new link, new expiry; older links
    stop working). Side effects: audit entry ``jury.invited``; a ``juror.invited`` mail.
    Raises ValidationError for a bad address, a category of another award, or someone who is
    on the jury already.
    """
    email = email.strip().lower()
    validate_email(email)
    categories = list(categories)
    if not categories:
        raise ValidationError({"categories": _("Choose at least one category.")})
    if any(category.award_id != award.pk for category in categories):
        raise ValidationError({"categories": _("A category of another award was chosen.")})
    if role not in JuryRole.values:
        raise ValidationError({"role": _("Unknown role.")})
    if Juror.objects.filter(award=award, user__email__iexact=email, is_active=True).exists():
        raise ValidationError({"email": _("%(email)s is on the jury already.") % {"email": email}})
    now = timezone.now()
    invitation = (
        JuryInvitation.objects.select_for_update()
        .filter(award=award, email__iexact=email, status=InvitationStatus.PENDING)
        .first()
    )
    if invitation is None:
        invitation = JuryInvitation(award=award, email=email)
    else:
        invitation.nonce = JuryInvitation._meta.get_field("nonce").default()
    invitation.name = name.strip()
    invitation.role = role
    invitation.language = language if language in ("de", "en") else "de"
    invitation.invited_by = actor
    invitation.expires_at = now + dt.timedelta(days=INVITATION_DAYS)
    invitation.save()
    invitation.categories.set(categories)
    audit_log(
        award=award,
        actor=actor,
        action="jury.invited",
        target=invitation,
        data={
            "email": email,
            "role": role,
            "categories": sorted(c.code for c in categories),
        },
    )
    recipient = User.objects.filter(email__iexact=email).first()
    notify(
        key="juror.invited",
        award=award,
        idempotency_key=f"juror.invited:{invitation.pk}:{invitation.nonce}",
        recipient=recipient,
        email=None if recipient else email,
        language=None if recipient else invitation.language,
        # The name the organiser typed greets whoever has no account (or none with a name).
        recipient_name=invitation.name,
        values={
            "invitation_url": invitation_url(invitation),
            "expires_at": invitation.expires_at,
            "inviter_name": actor.full_name if actor else award.organiser_name,
        },
    )
    return invitation


def invited_address_is(invitation: JuryInvitation, user: User) -> bool:
    """Whether ``user``'s account is the invited address itself."""
    return _claim(invitation, user).is_own_address


def _claim(invitation: JuryInvitation, user: User) -> AddressClaim:
    return AddressClaim(
        purpose="jury-invitation",
        subject=invitation.pk,
        nonce=invitation.nonce,
        account=user,
        email=invitation.email,
    )


@transaction.atomic
def invitation_code_send(*, token: str, user: User) -> JuryInvitation:
    """Mail a code to the invited address, with which ``user`` (logged in with another
    address) can accept the invitation.

    Side effects: a mail ``accounts.address_code`` to the invited address, in the
    invitation's language; audit entry ``jury.invitation_code_sent`` naming the account.
    Raises InvitationInvalid for a link that is no longer valid, AddressCodeRefused after too
    many mails, ValidationError when the account is the invited address (no code needed).
    """
    invitation = invitation_from_token(token, for_update=True)
    address_code_offer(
        claim=_claim(invitation, user),
        language=invitation.language,
        invitation_text=format_lazy(
            gettext_lazy("the invitation to the jury of the award “{award}”"),
            award=str(invitation.award),
        ),
        recipient_name=invitation.name,
    )
    audit_log(
        award=invitation.award,
        actor=user,
        action="jury.invitation_code_sent",
        target=invitation,
        data={"email": invitation.email, "account": user.email},
    )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User, code: str = "") -> Juror:
    """Join the jury with a valid invitation; the link works once.

    The invitation belongs to the address it was sent to: an account with another address
    accepts it only with the ``code`` mailed there (``invitation_code_send``); without one,
    or with a wrong one, AddressCodeRefused says what to do.

    Side effects: the juror seat (re-activated if the person was on the jury before) with the
    invitation's role and categories (the seat is what opens the jury pages); audit entry
    ``jury.invitation_accepted`` naming the account and how the address was confirmed; the
    calibration entries of the juror's categories in the rounds not closed are assigned
    (``calibration_assignments_ensure``).
    """
    invitation = invitation_from_token(token, for_update=True)
    confirmed = address_confirm(claim=_claim(invitation, user), code=code)
    award = invitation.award
    juror, _created = Juror.objects.get_or_create(award=award, user=user)
    juror.role = invitation.role
    juror.is_active = True
    juror.save(update_fields=["role", "is_active"])
    for category in invitation.categories.all():
        JurorCategory.objects.get_or_create(juror=juror, category=category)
    invitation.status = InvitationStatus.ACCEPTED
    invitation.responded_at = timezone.now()
    invitation.juror = juror
    invitation.save(update_fields=["status", "responded_at", "juror"])
    audit_log(
        award=award,
        actor=user,
        action="jury.invitation_accepted",
        target=invitation,
        data={"email": invitation.email, "account": user.email, "confirmed_by": confirmed},
    )
    calibration_assignments_ensure(award=award, actor=user, jurors=[juror])
    return juror


@transaction.atomic
def invitation_decline(*, token: str, user: User | None = None) -> JuryInvitation:
    invitation = invitation_from_token(token, for_update=True)
    invitation.status = InvitationStatus.DECLINED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    audit_log(
        award=invitation.award,
        actor=user,
        action="jury.invitation_declined",
        target=invitation,
        data={"email": invitation.email},
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: JuryInvitation, actor: User | None) -> JuryInvitation:
    invitation = JuryInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != InvitationStatus.PENDING:
        raise ValidationError(_("Only an open invitation can be withdrawn."))
    invitation.status = InvitationStatus.REVOKED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    audit_log(
        award=invitation.award,
        actor=actor,
        action="jury.invitation_revoked",
        target=invitation,
        data={"email": invitation.email},
    )
    return invitation
