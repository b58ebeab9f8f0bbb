"""A reference number names one entry across the whole platform.

Until now a number was unique within its award only, and two awards with the same prefix and
edition (the demo's jury and scoring editions, for one) both had a LIA-2026-MOB-0001. Before
the constraint on the whole table can hold, the numbers that repeat are made unique:

1. Every award that shares its prefix and edition with an earlier award (the earlier one by
   id keeps it) gets the smallest free prefix with a digit appended: LIA → LIA2, LIA3, …
   New entries of that award are numbered with it.
2. Every number held by more than one entry stays with the entry of the earliest award; each
   other entry is renumbered: its award's new prefix in place of the old one
   (LIA-2026-MOB-0001 → LIA2-2026-MOB-0001), or, should that be taken too, the next free
   number of its category. Numbers that do not repeat are left alone, even in a renamed
   award, since they were printed and mailed.
3. The old number stays visible: in the entry's ``former_reference`` (shown on the entry's
   pages and found by the organisers' search) and in the award's change log (a
   ``submission.renumbered`` entry for each entry, ``award.reference_prefix_changed`` for
   each award), chained like every other entry.

Safe to run on a database with data; running it on one without repeats changes nothing.
Reversing it drops the constraint and the column; the new numbers and prefixes stay.
"""

import hashlib
import json
from collections import defaultdict

from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models
from django.db.models import Count
from django.utils import timezone

GENESIS_HASH = "0" * 64
PREFIX_MAX = 8


def _audit(apps, *, award_id, action, object_type, object_id, data, now):
    """An entry of the award's change log, hashed and chained as awards.services.audit_log
    does (a frozen copy: a migration must not change with the code)."""
    AuditEntry = apps.get_model("awards", "AuditEntry")
    previous = (
        AuditEntry.objects.filter(award_id=award_id)
        .order_by("-pk")
        .values_list("entry_hash", flat=True)
        .first()
    ) or GENESIS_HASH
    data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    payload = {
        "award": award_id,
        "actor": None,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "data": data,
        "created_at": now.isoformat(),
    }
    canonical = json.dumps(payload, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False)
    # Hashed the old way (data in the hash): when awards 0007 ran before this migration,
    # the entry must say so (scheme 1), or it would be read as one with commitments.
    scheme = {"scheme": 1} if any(f.name == "scheme" for f in AuditEntry._meta.fields) else {}
    AuditEntry.objects.create(
        **scheme,
        award_id=award_id,
        actor=None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        data=data,
        created_at=now,
        previous_hash=previous,
        entry_hash=hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest(),
    )


def _free_prefix(prefix, edition, taken):
    number = 2
    while True:
        suffix = str(number)
        candidate = prefix[: PREFIX_MAX - len(suffix)] + suffix
        if (candidate, edition) not in taken:
            return candidate
        number += 1


def make_references_unique(apps, schema_editor):
    Award = apps.get_model("awards", "Award")
    Submission = apps.get_model("submissions", "Submission")
    SubmissionSequence = apps.get_model("submissions", "SubmissionSequence")
    now = timezone.now()

    # 1. One prefix per edition.
    awards = list(Award.objects.order_by("pk").values_list("pk", "reference_prefix", "edition"))
    taken = {(prefix, edition) for _pk, prefix, edition in awards}
    holders = defaultdict(list)
    for pk, prefix, edition in awards:
        holders[(prefix, edition)].append(pk)
    renamed = {}  # award id → (old prefix, new prefix)
    for (prefix, edition), pks in holders.items():
        for pk in pks[1:]:
            new = _free_prefix(prefix, edition, taken)
            taken.add((new, edition))
            Award.objects.filter(pk=pk).update(reference_prefix=new)
            renamed[pk] = (prefix, new)
            _audit(
                apps,
                award_id=pk,
                action="award.reference_prefix_changed",
                object_type="awards.award",
                object_id=pk,
                data={
                    "changes": {"reference_prefix": {"before": prefix, "after": new}},
                    "reason": "reference numbers unique across awards",
                },
                now=now,
            )

    # 2. One entry per number.
    numbered = Submission.objects.filter(reference__isnull=False).exclude(reference="")
    references = set(numbered.values_list("reference", flat=True))
    repeated = (
        numbered.values("reference").annotate(n=Count("pk")).filter(n__gt=1).values("reference")
    )
    entries = (
        numbered.filter(reference__in=repeated)
        .select_related("award", "category")
        .order_by("reference", "award_id", "pk")
    )
    keeper = None
    for entry in entries:
        if keeper is None or keeper.reference != entry.reference:
            keeper = entry  # the earliest award's entry keeps the number
            continue
        old, award = entry.reference, entry.award
        new = None
        if entry.award_id in renamed:
            before, after = renamed[entry.award_id]
            if old.startswith(f"{before}-"):
                candidate = after + old[len(before) :]
                if candidate not in references:
                    new = candidate
        if new is None:
            sequence, _created = SubmissionSequence.objects.get_or_create(
                category_id=entry.category_id
            )
            while new is None or new in references:
                sequence.last_number += 1
                new = (
                    f"{award.reference_prefix}-{award.edition}-{entry.category.code}-"
                    f"{sequence.last_number:04d}"
                )
            sequence.save(update_fields=["last_number"])
        references.add(new)
        Submission.objects.filter(pk=entry.pk).update(reference=new, former_reference=old)
        _audit(
            apps,
            award_id=entry.award_id,
            action="submission.renumbered",
            object_type="submissions.submission",
            object_id=entry.pk,
            data={"from": old, "to": new},
            now=now,
        )


class Migration(migrations.Migration):
    dependencies = [
        # Not a later one: tests/architecture/test_migrations.py takes awards back to 0003
        # with today's entries (this column included) in place.
        ("awards", "0002_applicant_journey"),
        ("submissions", "0005_reference_unique_per_award"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="former_reference",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                max_length=40,
                verbose_name="former reference number",
            ),
        ),
        migrations.RunPython(make_references_unique, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="submission",
            name="submission_reference_unique_per_award",
        ),
        migrations.AddConstraint(
            model_name="submission",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("reference__isnull", False), models.Q(("reference", ""), _negated=True)
                ),
                fields=("reference",),
                name="submission_reference_unique",
                violation_error_message="This reference number is taken by another entry.",
            ),
        ),
    ]
