"""awards 0007 writes every change log that verifies again with salted commitments (scheme
2), so that a person's values can later be erased from it; a log that was tampered with is
left as it is and still reported; existing awards keep their entries' files (retention 0)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.architecture.test_migrations import audit_log_in, award_in, migrate

BEFORE = [("awards", "0006_rubric_levels_and_public_settings")]


def _old_chain(old, award, datas):
    return [
        audit_log_in(old, award=award, action=f"step.{number}", target=award, data=data)
        for number, data in enumerate(datas)
    ]


@pytest.mark.django_db(transaction=True)
def test_intact_logs_are_rechained_with_commitments_and_tampered_ones_stay_reported():
    old = migrate(BEFORE)
    try:
        intact = award_in(old, status="judging", slug="intact", name="Intact log")
        tampered = award_in(old, status="judging", slug="tampered", name="Tampered log")
        _old_chain(old, intact, [{"email": "a@example.org"}, {"places": [1, 2]}, {}])
        rows = _old_chain(old, tampered, [{"n": 1}, {"n": 2}])
        old.get_model("awards", "AuditEntry").objects.filter(pk=rows[0].pk).update(data={"n": 99})
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    from awards.models import AuditEntry, Award
    from awards.services import audit_erase_values, audit_verify

    intact_award, tampered_award = (
        Award.objects.get(slug="intact"),
        Award.objects.get(slug="tampered"),
    )
    entries = list(AuditEntry.objects.filter(award=intact_award).order_by("pk"))
    assert [e.scheme for e in entries] == [2, 2, 2]
    assert entries[0].data == {"email": "a@example.org"}  # the data itself is unchanged
    assert audit_verify(award=intact_award) == []
    assert {e.scheme for e in AuditEntry.objects.filter(award=tampered_award)} == {1}
    assert [e.pk for e in audit_verify(award=tampered_award)] == [rows[0].pk]
    # Existing awards keep everything until an organiser chooses a retention period.
    assert intact_award.retention_months == 0
    # And the converted log now allows erasure with the chain intact.
    erased = audit_erase_values(
        entries=AuditEntry.objects.filter(award=intact_award).iterator(),
        names=lambda value: value == "a@example.org",
    )
    assert erased == 1
    assert audit_verify(award=intact_award) == []
