"""Every write on awards. Each function validates, saves and logs in one transaction."""

import hashlib
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from .enums import AWARD_TRANSITIONS, AwardRoleKind, AwardStatus
from .models import AuditEntry, Award, AwardRole

GENESIS_HASH = "0" * 64


class AwardTransitionError(ValidationError):
    """A status change that the award's lifecycle does not allow, or not yet."""


def _entry_hash(*, previous_hash: str, payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False)
    return hashlib.sha256(f"{previous_hash}\n{canonical}".encode()).hexdigest()


def _audit_payload(entry: AuditEntry) -> dict[str, Any]:
    return {
        "award": entry.award_id,
        "actor": entry.actor_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "data": entry.data,
        "created_at": entry.created_at.isoformat(),
    }


@transaction.atomic
def audit_log(
    *, award: Award, actor: User | None, action: str, target: Any, data: dict | None = None
) -> AuditEntry:
    """Append an entry to ``award``'s change log, chained to the previous one.

    The award row is locked while appending so that concurrent writers cannot fork the chain.
    """
    Award.objects.select_for_update().only("pk").get(pk=award.pk)
    last = AuditEntry.objects.filter(award=award).order_by("-pk").only("entry_hash").first()
    entry = AuditEntry(
        award=award,
        actor=actor,
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        data=json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder)),
        created_at=timezone.now(),
        previous_hash=last.entry_hash if last else GENESIS_HASH,
    )
    entry.entry_hash = _entry_hash(previous_hash=entry.previous_hash, payload=_audit_payload(entry))
    entry.save()
    return entry


def audit_verify(*, award: Award) -> list[AuditEntry]:
    """The entries whose hash or link does not match; empty when the chain is intact."""
    broken: list[AuditEntry] = []
    previous_hash = GENESIS_HASH
    for entry in AuditEntry.objects.filter(award=award).order_by("pk").iterator():
        expected = _entry_hash(previous_hash=previous_hash, payload=_audit_payload(entry))
        if entry.previous_hash != previous_hash or entry.entry_hash != expected:
            broken.append(entry)
        previous_hash = entry.entry_hash
    return broken


def _transition_preconditions(award: Award, to_status: str) -> list[str]:
    problems: list[str] = []
    if to_status == AwardStatus.OPEN:
        if not award.submissions_open_at or not award.submissions_close_at:
            problems.append(_("Set when submissions open and close."))
        if not award.categories.exists():
            problems.append(_("Add at least one category."))
        if not award.criteria.exists():
            problems.append(_("Add at least one criterion."))
    if to_status == AwardStatus.JUDGING and not award.rounds.exists():
        problems.append(_("Add at least one round."))
    return problems


@transaction.atomic
def award_transition(*, award: Award, to_status: str, actor: User | None) -> Award:
    """Move ``award`` to ``to_status`` if its lifecycle allows it.

    Raises AwardTransitionError naming the two states (and what is missing) otherwise.
    Side effects: the status is saved and an ``award.status_changed`` audit entry written.
    """
    award = Award.objects.select_for_update().get(pk=award.pk)
    from_status = award.status
    if to_status not in AwardStatus.values:
        raise AwardTransitionError(_("Unknown status “%(status)s”.") % {"status": to_status})
    if to_status not in AWARD_TRANSITIONS[from_status]:
        raise AwardTransitionError(
            _("An award cannot go from “%(from)s” to “%(to)s”.")
            % {"from": AwardStatus(from_status).label, "to": AwardStatus(to_status).label}
        )
    problems = _transition_preconditions(award, to_status)
    if problems:
        raise AwardTransitionError(
            [_("“%(to)s” is not possible yet.") % {"to": AwardStatus(to_status).label}, *problems]
        )
    award.status = to_status
    award.save(update_fields=["status", "updated_at"])
    audit_log(
        award=award,
        actor=actor,
        action="award.status_changed",
        target=award,
        data={"from": from_status, "to": to_status},
    )
    return award


@transaction.atomic
def award_role_grant(*, award: Award, user: User, role: str, actor: User | None) -> AwardRole:
    """Give ``user`` a role in ``award`` (idempotent), logged."""
    if role not in AwardRoleKind.values:
        raise ValidationError(_("Unknown role “%(role)s”.") % {"role": role})
    award_role, created = AwardRole.objects.get_or_create(award=award, user=user, role=role)
    if created:
        audit_log(
            award=award,
            actor=actor,
            action="award.role_granted",
            target=award_role,
            data={"user": user.email, "role": role},
        )
    return award_role
