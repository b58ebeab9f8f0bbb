"""submissions 0006 makes reference numbers unique across the platform on a database with
data: the later of two awards that share prefix and edition gets a free prefix, only the
numbers that repeat are rewritten (the entry of the earliest award keeps its number), the old
number stays on the entry and in the change log, whose chain still verifies, and the
constraint holds from then on. Runs on PostgreSQL in CI (and on SQLite on a laptop)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from awards.services import audit_log, audit_verify
from tests.factories import AwardFactory, CategoryFactory, OrganisationFactory, UserFactory

BEFORE = [("submissions", "0005_reference_unique_per_award")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    nodes = [(app, name) for app, name in targets if name is not None]
    return MigrationExecutor(connection).loader.project_state(nodes).apps


@pytest.mark.django_db(transaction=True)
def test_repeated_numbers_are_made_unique_and_the_old_ones_kept():
    old = migrate(BEFORE)
    try:
        OldSubmission = old.get_model("submissions", "Submission")
        OldSequence = old.get_model("submissions", "SubmissionSequence")
        owner, organisation = UserFactory(), OrganisationFactory()

        def award(name, prefix, slug):
            # No application form: its table comes with submissions 0008.
            return AwardFactory(
                name=name,
                edition=2026,
                reference_prefix=prefix,
                slug=slug,
                status="judging",
                form=False,
            )

        def entries(award, code, *references):
            category = CategoryFactory(award=award, code=code)
            numbered = [r for r in references if r]
            OldSequence.objects.create(category_id=category.pk, last_number=len(numbered))
            return [
                OldSubmission.objects.create(
                    award_id=award.pk,
                    category_id=category.pk,
                    organisation_id=organisation.pk,
                    created_by_id=owner.pk,
                    title=f"{award.slug} {code} {number}",
                    reference=reference,
                    status="submitted" if reference else "draft",
                ).pk
                for number, reference in enumerate(references, start=1)
            ]

        first = award("Lightweight Innovation Award", "LIA", "lia")
        jury_demo = award("Jury-Demo", "LIA", "jury-demo")
        other_prefix = award("Other prefix", "LIA2", "other-prefix")
        scoring_demo = award("Bewertungs-Demo", "LIA", "scoring-demo")
        renamed_long_ago = award("Renamed long ago", "OLD", "renamed")

        kept = entries(first, "MOB", "LIA-2026-MOB-0001", "LIA-2026-MOB-0002")
        kept += entries(first, "CON", "LIA-2026-CON-0001")
        [jury_mob, jury_draft] = entries(jury_demo, "MOB", "LIA-2026-MOB-0001", None)
        [jury_hea] = entries(jury_demo, "HEA", "LIA-2026-HEA-0001")
        [other] = entries(other_prefix, "MOB", "LIA2-2026-MOB-0001")
        scoring = entries(scoring_demo, "MOB", "LIA-2026-MOB-0001", "LIA-2026-MOB-0002")
        [renamed] = entries(renamed_long_ago, "CON", "LIA-2026-CON-0001")
        audit_log(award=jury_demo, actor=None, action="award.updated", target=jury_demo)
    finally:
        # Forward to the newest migrations whatever happened, for the tests after this one.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    from awards.models import AuditEntry, Award
    from submissions.models import Submission, SubmissionSequence
    from submissions.services.entries import _next_reference

    def numbers(*pks):
        rows = Submission.objects.in_bulk(list(pks))
        return [(rows[pk].reference, rows[pk].former_reference) for pk in pks]

    prefixes = dict(Award.objects.values_list("slug", "reference_prefix"))
    assert prefixes == {
        "lia": "LIA",
        "jury-demo": "LIA3",  # LIA2 is another award's
        "other-prefix": "LIA2",
        "scoring-demo": "LIA4",
        "renamed": "OLD",
    }
    # The earliest award keeps every number; numbers that do not repeat stay as they are.
    assert numbers(*kept) == [
        ("LIA-2026-MOB-0001", ""),
        ("LIA-2026-MOB-0002", ""),
        ("LIA-2026-CON-0001", ""),
    ]
    assert numbers(jury_hea, other) == [("LIA-2026-HEA-0001", ""), ("LIA2-2026-MOB-0001", "")]
    assert numbers(jury_draft) == [(None, "")]
    # Repeated numbers take the award's new prefix …
    assert numbers(jury_mob, *scoring) == [
        ("LIA3-2026-MOB-0001", "LIA-2026-MOB-0001"),
        ("LIA4-2026-MOB-0001", "LIA-2026-MOB-0001"),
        ("LIA4-2026-MOB-0002", "LIA-2026-MOB-0002"),
    ]
    # … or, in an award whose prefix was not the one of the number, the next free number.
    assert numbers(renamed) == [("OLD-2026-CON-0002", "LIA-2026-CON-0001")]
    assert SubmissionSequence.objects.get(category__award=renamed_long_ago).last_number == 2

    # In the change log, chained like every entry.
    logged = AuditEntry.objects.filter(award=jury_demo).order_by("pk")
    assert [(e.action, e.data) for e in logged] == [
        ("award.updated", {}),
        (
            "award.reference_prefix_changed",
            {
                "changes": {"reference_prefix": {"before": "LIA", "after": "LIA3"}},
                "reason": "reference numbers unique across awards",
            },
        ),
        ("submission.renumbered", {"from": "LIA-2026-MOB-0001", "to": "LIA3-2026-MOB-0001"}),
    ]
    assert not AuditEntry.objects.filter(award=first).exists()
    for each in Award.objects.all():
        assert audit_verify(award=each) == []

    # From now on: new numbers with the new prefix, and never one twice.
    jury_demo.refresh_from_db()
    fresh = Submission(award=jury_demo, category=jury_demo.categories.get(code="MOB"))
    with transaction.atomic():  # the sequence row is locked, as in submission_submit
        assert _next_reference(fresh) == "LIA3-2026-MOB-0002"
    duplicate = Submission.objects.get(pk=jury_hea)
    duplicate.pk, duplicate.reference = None, "LIA-2026-MOB-0001"
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
