"""The award's change log: append-only and hash-chained, so tampering is detectable."""

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from accounts.models import User

from ..models import AuditEntry, Award

GENESIS_HASH = "0" * 64


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
