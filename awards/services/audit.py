"""The award's change log: append-only and hash-chained, so tampering is detectable; and a
person's values erasable from it without breaking the chain (GDPR art. 17).

Each entry's hash covers the previous entry's hash and the entry's content. The content's
``data`` (which may name people: an invited address, an account, a justification) is not
hashed as it is: every value in it gets a random salt, and the hash covers the salted
commitment ``sha256(salt, path, value)`` (scheme 2). Erasing a value removes the value and
its salt; the commitment stays, so the chain still verifies, and without the salt nobody can
test a guess ("was it anna@example.org?") against it. A value that is changed, added or
removed without its salt going too breaks the entry. Entries written before this existed
(scheme 1) hash their data directly; the migration that introduced scheme 2 converted every
chain that verified.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from accounts.models import User

from ..models import AuditEntry, Award

GENESIS_HASH = "0" * 64
ERASED = None  # what an erased value reads as


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False)


def _entry_hash(*, previous_hash: str, payload: dict[str, Any]) -> str:
    return hashlib.sha256(f"{previous_hash}\n{_canonical(payload)}".encode()).hexdigest()


def leaves(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every value of ``data`` with its path (``"categories.0"``); an empty dict or list is
    a value of its own."""
    if isinstance(data, dict) and data:
        for key, value in data.items():
            yield from leaves(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, list) and data:
        for index, value in enumerate(data):
            yield from leaves(value, f"{prefix}.{index}" if prefix else str(index))
    else:
        yield prefix, data


def _commitment(salt: str, path: str, value: Any) -> str:
    return hashlib.sha256(f"{salt}\n{path}\n{_canonical(value)}".encode()).hexdigest()


def _audit_payload(entry: AuditEntry) -> dict[str, Any]:
    payload = {
        "award": entry.award_id,
        "actor": entry.actor_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "created_at": entry.created_at.isoformat(),
    }
    if entry.scheme == 1:
        payload["data"] = entry.data
    else:
        payload["commitments"] = entry.commitments
    return payload


def _commit(entry: AuditEntry) -> None:
    entry.scheme = 2
    entry.salts = {}
    entry.commitments = {}
    for path, value in leaves(entry.data):
        salt = secrets.token_hex(16)
        entry.salts[path] = salt
        entry.commitments[path] = _commitment(salt, path, value)


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
    _commit(entry)
    entry.entry_hash = _entry_hash(previous_hash=entry.previous_hash, payload=_audit_payload(entry))
    entry.save()
    return entry


def _data_matches(entry: AuditEntry) -> bool:
    """Whether the data is what the entry committed to: every value with a salt matches its
    commitment, every erased value reads as erased, and nothing was added."""
    if entry.scheme == 1:
        return True  # hashed directly
    seen = set()
    for path, value in leaves(entry.data):
        seen.add(path)
        if path not in entry.commitments:
            return False
        salt = entry.salts.get(path)
        if salt is None:
            if value is not ERASED:
                return False
        elif _commitment(salt, path, value) != entry.commitments[path]:
            return False
    return seen == set(entry.commitments)


def audit_verify(*, award: Award) -> list[AuditEntry]:
    """The entries whose hash, link or data does not match; empty when the chain is intact."""
    broken: list[AuditEntry] = []
    previous_hash = GENESIS_HASH
    for entry in AuditEntry.objects.filter(award=award).order_by("pk").iterator():
        expected = _entry_hash(previous_hash=previous_hash, payload=_audit_payload(entry))
        if (
            entry.previous_hash != previous_hash
            or entry.entry_hash != expected
            or not _data_matches(entry)
        ):
            broken.append(entry)
        previous_hash = entry.entry_hash
    return broken


def _set_leaf(data: Any, path: str, value: Any) -> Any:
    """``data`` with the value at ``path`` replaced."""
    if not path:
        return value
    head, _dot, rest = path.partition(".")
    if isinstance(data, list):
        index = int(head)
        data[index] = _set_leaf(data[index], rest, value)
    else:
        data[head] = _set_leaf(data[head], rest, value)
    return data


@transaction.atomic
def audit_erase_values(*, entries: Iterator[AuditEntry], names: Callable[[Any], bool]) -> int:
    """Erase every value of ``entries``' data for which ``names(value)`` is true (it names the
    person being erased): value and salt go, the commitment stays. Returns how many values
    were erased. Scheme-1 entries are left as they are (the caller reports them)."""
    erased = 0
    for entry in entries:
        if entry.scheme != 2:
            continue
        changed = False
        for path, value in list(leaves(entry.data)):
            if value is not ERASED and path in entry.salts and names(value):
                entry.data = _set_leaf(entry.data, path, ERASED)
                del entry.salts[path]
                changed = True
                erased += 1
        if changed:
            entry.save(update_fields=["data", "salts"])
    return erased
