"""Erasing a person (GDPR art. 17): what is only about them goes, what the awards need stays
under a pseudonym, and the change log still verifies.

What an award needs to stay trustworthy (reviews and scores, decisions, entries of
companies, the change log) is kept, pointing at the person's account row, which stays as a
pseudonym: no name, an address that reaches nobody, no password, no login. Everything else
that names them is removed:

- deleted: second factors, sessions, security events, consents, data exports, memberships of
  companies, organiser roles, company invitations to their address, the login throttle's
  records of their address;
- made anonymous: jury seats (affiliation, expertise; the seat is ended, open assignments
  removed), jury invitations to their address, mails to them (address and text);
- the change log: every value naming them is erased (``awards.services.audit_erase_values``:
  the value and its salt go, the commitment the chain hashed stays);
- every other text column of Laurel's tables that still contains their address or full name
  has it replaced (entries' answers naming them, a decision's justification, discussion
  posts, …), so that a search for them finds nothing.

Refused while the person is the only organiser of an award whose results are not published
yet: someone must be left to run it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from awards.enums import AwardRoleKind, AwardStatus
from awards.models import AuditEntry, Award, AwardRole
from awards.services import audit_erase_values

logger = logging.getLogger(__name__)

ERASED_TEXT = "[…]"
# Laurel's own apps: their text columns are searched for what is left of the person.
LAUREL_APPS = ("accounts", "awards", "submissions", "jury", "notifications", "results", "privacy")
# A full name shorter than this is not searched for in other people's texts: "Li" would
# blank half the database. The address always is.
MIN_NAME_LENGTH = 5


class ErasureRefused(ValidationError):
    def __init__(self, message: str):
        super().__init__(message, code="erasure")


@dataclass(frozen=True)
class ErasureReport:
    """What an erasure did, for the log and the tests (counts only, no personal data)."""

    deleted: dict[str, int]
    texts_replaced: int
    audit_values_erased: int


def erasure_blockers(user: User) -> list[Award]:
    """The awards still running (results not published) of which ``user`` is the only
    organiser."""
    mine = AwardRole.objects.filter(user=user, role=AwardRoleKind.ORGANISER).values("award_id")
    return [
        award
        for award in Award.objects.filter(pk__in=mine).exclude(status=AwardStatus.PUBLISHED)
        if not AwardRole.objects.filter(award=award, role=AwardRoleKind.ORGANISER)
        .exclude(user=user)
        .exists()
    ]


def pseudonym_email(user: User) -> str:
    return f"erased-{user.pk}@erased.invalid"


def _names_person(email: str, name: str) -> Any:
    """A test of a value: does it contain the address or the full name (case ignored)?"""
    needles = [email.lower()]
    if len(name.strip()) >= MIN_NAME_LENGTH:
        needles.append(name.strip().lower())

    def names(value: Any) -> bool:
        return isinstance(value, str) and any(needle in value.lower() for needle in needles)

    return names


def _replace(value: Any, patterns: list[tuple[re.Pattern, str]]) -> Any:
    if isinstance(value, str):
        for pattern, replacement in patterns:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, list):
        return [_replace(item, patterns) for item in value]
    if isinstance(value, dict):
        return {key: _replace(item, patterns) for key, item in value.items()}
    return value


def _text_columns(model: type[models.Model]) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
        and not field.primary_key
        and not field.is_relation
    ]


def _replace_everywhere(*, email: str, name: str, replacement_email: str) -> int:
    """Replace the address and the full name in every text column of Laurel's tables
    (but the user table and the change log, which have their own way). Returns the number
    of values changed. Rows are updated without save(): no signal, no timestamp changes."""
    patterns = [(re.compile(re.escape(email), re.IGNORECASE), replacement_email)]
    needles = [email]
    if len(name.strip()) >= MIN_NAME_LENGTH:
        patterns.append((re.compile(re.escape(name.strip()), re.IGNORECASE), ERASED_TEXT))
        needles.append(name.strip())
    changed = 0
    for label in LAUREL_APPS:
        for model in apps.get_app_config(label).get_models():
            if model in (User, AuditEntry):
                continue
            for field in _text_columns(model):
                column = field.name
                if isinstance(field, models.JSONField):
                    text = Cast(column, TextField())
                    query = Q()
                    for needle in needles:
                        query |= Q(_as_text__icontains=needle)
                    rows = model._default_manager.annotate(_as_text=text).filter(query)
                else:
                    query = Q()
                    for needle in needles:
                        query |= Q(**{f"{column}__icontains": needle})
                    rows = model._default_manager.filter(query)
                for pk, value in rows.values_list("pk", column):
                    new = _replace(value, patterns)
                    if new != value:
                        model._default_manager.filter(pk=pk).update(**{column: new})
                        changed += 1
    return changed


def _delete(queryset: models.QuerySet) -> int:
    return queryset.delete()[0]


@transaction.atomic
def account_erase(*, user: User, request: HttpRequest | None = None) -> ErasureReport:
    """Erase ``user`` as the module says. Side effects: the person is logged out everywhere;
    audit entry ``account.erased`` (no personal data: the pseudonym's id) in every award
    they took part in; the cache is cleared (pages kept for visitors may name them)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import (
        Passkey,
        PrivacyConsent,
        RecoveryCode,
        SecurityEvent,
    )
    from accounts.sessions import sessions_end_others
    from api.models import ApiToken
    from awards.services import audit_log
    from jury.models import Juror, JuryInvitation
    from jury.services import juror_remove
    from notifications.models import Message
    from submissions.models import Membership, OrganisationInvitation

    from .models import DataExport

    user = User.objects.select_for_update().get(pk=user.pk)
    if user.erased_at is not None:
        raise ErasureRefused(_("This account has been erased already."))
    blockers = erasure_blockers(user)
    if blockers:
        raise ErasureRefused(
            _(
                "You are the only organiser of %(awards)s, whose results are not published "
                "yet. Please add another organiser first."
            )
            % {"awards": ", ".join(str(award) for award in blockers)}
        )
    email, name = user.email, user.full_name
    replacement = pseudonym_email(user)
    awards_involved = set(
        AwardRole.objects.filter(user=user).values_list("award_id", flat=True)
    ) | set(Juror.objects.filter(user=user).values_list("award_id", flat=True))

    # The seat is ended as an organiser would end it (open assignments go, reviews stay).
    for juror in Juror.objects.filter(user=user, is_active=True):
        juror_remove(juror=juror, actor=None)
    Juror.objects.filter(user=user).update(affiliation="", expertise_note="")
    JuryInvitation.objects.filter(email__iexact=email).update(email=replacement, name="")
    Message.objects.filter(Q(recipient=user) | Q(recipient_email__iexact=email)).update(
        recipient_email=replacement, subject="", body_text="", body_html="", context={}
    )

    for export in DataExport.objects.filter(user=user):
        if export.file:
            export.file.delete(save=False)
    deleted = {
        "sessions": sessions_end_others(user=user, keep_session_key=None, request=None),
        "second_factors": _delete(TOTPDevice.objects.filter(user=user))
        + _delete(Passkey.objects.filter(user=user))
        + _delete(RecoveryCode.objects.filter(user=user)),
        "security_events": _delete(SecurityEvent.objects.filter(user=user)),
        "consents": _delete(PrivacyConsent.objects.filter(user=user)),
        "exports": _delete(DataExport.objects.filter(user=user)),
        "api_tokens": _delete(ApiToken.objects.filter(user=user)),
        "memberships": _delete(Membership.objects.filter(user=user)),
        "organiser_roles": _delete(AwardRole.objects.filter(user=user)),
        "company_invitations": _delete(OrganisationInvitation.objects.filter(email__iexact=email)),
        "login_records": _delete(AccessAttempt.objects.filter(username__iexact=email))
        + _delete(AccessLog.objects.filter(username__iexact=email))
        + _delete(AccessFailureLog.objects.filter(username__iexact=email)),
    }

    names = _names_person(email, name)
    mentioned = Q(_as_text__icontains=email)
    if len(name.strip()) >= MIN_NAME_LENGTH:
        mentioned |= Q(_as_text__icontains=name.strip())
    audit_entries = AuditEntry.objects.annotate(_as_text=Cast("data", TextField())).filter(
        mentioned
    )
    audit_values = audit_erase_values(entries=audit_entries.iterator(), names=names)
    texts = _replace_everywhere(email=email, name=name, replacement_email=replacement)

    with translation.override(settings.LANGUAGE_CODE):
        user.full_name = _("Deleted person")
    user.email = replacement
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.email_verified_at = None
    user.remembered = {}
    user.erased_at = timezone.now()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()

    for award in Award.objects.filter(pk__in=awards_involved):
        audit_log(
            award=award, actor=None, action="account.erased", target=user, data={"user": user.pk}
        )
    transaction.on_commit(cache.clear)
    logger.info("account %s erased: %s", user.pk, deleted)
    return ErasureReport(deleted=deleted, texts_replaced=texts, audit_values_erased=audit_values)
