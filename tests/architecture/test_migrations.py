"""The migrations of the architecture change keep every row of a database that has data.

The database is taken back to the schema before the change (decisions and ranking snapshots
in the jury app, jury roles mirrored as award roles), filled, and migrated forward: the
decisions and snapshots are the results app's now with every value unchanged, the mirrored
award roles are gone (the seats stay), organiser roles stay, and the audit chain verifies.
The same for later changes, among them the application form (submissions 0008–0010: the
fixed entry fields become answers and come back when migrating backwards). Entries are
made through the old schema's model (``entry_in``). Runs on PostgreSQL in CI (and on SQLite
on a laptop)."""

import hashlib
import io
import json

import factory
import pytest
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    OrganisationFactory,
    UserFactory,
)

BEFORE = [
    ("results", None),
    ("jury", "0001_initial"),
    ("awards", "0003_jury_and_results"),
    # The last schema before the application form (which needs awards 0006).
    ("submissions", "0007_document_previews"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    nodes = [(app, name) for app, name in targets if name is not None]
    return MigrationExecutor(connection).loader.project_state(nodes).apps


def award_in(old, **fields):
    """An award made through the old schema's model (today's has columns added since), as an
    instance of today's model for the factories and the audit log, which need only its key."""
    from awards.models import Award

    values = factory.build(dict, FACTORY_CLASS=AwardFactory, **fields)
    row = old.get_model("awards", "Award").objects.create(**values)
    return Award(pk=row.pk, **values)


def audit_log_in(old, *, award, action, target, actor=None, data=None):
    """A change-log entry written as the code before awards 0007 wrote it (scheme 1: the
    data itself in the hash, chained to the award's last entry), through the old schema."""
    AuditEntry = old.get_model("awards", "AuditEntry")
    last = AuditEntry.objects.filter(award_id=award.pk).order_by("-pk").first()
    previous = last.entry_hash if last else "0" * 64
    created = timezone.now()
    payload = {
        "award": award.pk,
        "actor": actor.pk if actor else None,
        "action": action,
        "object_type": target._meta.label_lower,
        "object_id": str(target.pk),
        "data": data or {},
        "created_at": created.isoformat(),
    }
    canonical = json.dumps(payload, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False)
    return AuditEntry.objects.create(
        award_id=award.pk,
        actor_id=payload["actor"],
        action=action,
        object_type=payload["object_type"],
        object_id=payload["object_id"],
        data=payload["data"],
        created_at=created,
        previous_hash=previous,
        entry_hash=hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest(),
    )


def entry_in(old, award, category, **fields):
    """An entry made through the old schema's model (today's has the form's answers instead
    of the fixed fields since submissions 0010), by a member of a new organisation."""
    organisation = OrganisationFactory()
    return old.get_model("submissions", "Submission").objects.create(
        award_id=award.pk,
        category_id=category.pk,
        organisation_id=organisation.pk,
        created_by_id=UserFactory().pk,
        title="Flax frame",
        **fields,
    )


@pytest.mark.django_db(transaction=True)
def test_moving_decisions_to_results_and_dropping_mirrored_roles_keeps_the_data():
    old = migrate(BEFORE)
    try:
        award = award_in(old, status="judging")
        category = CategoryFactory(award=award)
        # The round as the old schema has it (today's model has columns added since).
        round_ = old.get_model("awards", "Round").objects.create(
            award_id=award.pk, number=1, name_de="Runde 1", name_en="Round 1"
        )
        entry = entry_in(old, award, category, status="eligible")
        organiser, juror = UserFactory(), UserFactory()
        AwardRoleFactory(award=award, user=organiser, role="organiser")
        AwardRoleFactory(award=award, user=juror, role="juror")
        old.get_model("jury", "Juror").objects.create(award_id=award.pk, user_id=juror.pk)
        snapshot = old.get_model("jury", "RankingSnapshot").objects.create(
            award_id=award.pk,
            category_id=category.pk,
            round_id=round_.pk,
            method={"method": "scores"},
            rows=[{"submission": entry.pk, "place": 1}],
            digest="d" * 64,
            created_by_id=organiser.pk,
        )
        decided_at = timezone.now()
        old.get_model("jury", "Decision").objects.create(
            award_id=award.pk,
            category_id=category.pk,
            submission_id=entry.pk,
            kind="place",
            place=1,
            justification="Die Jury war sich einig.",
            snapshot_id=snapshot.pk,
            decided_by_id=organiser.pk,
            decided_at=decided_at,
        )
        audit_log_in(
            old, award=award, actor=organiser, action="decision.confirmed", target=category
        )
    finally:
        # Forward to the newest migrations whatever happened, for the tests after this one.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    from awards.models import AwardRole
    from jury.models import Juror
    from results.models import Decision, RankingSnapshot

    decision = Decision.objects.select_related("snapshot").get()
    assert (decision.award_id, decision.category_id, decision.submission_id) == (
        award.pk,
        category.pk,
        entry.pk,
    )
    assert (decision.kind, decision.place, decision.justification) == (
        "place",
        1,
        "Die Jury war sich einig.",
    )
    assert decision.decided_at == decided_at
    assert decision.snapshot.pk == snapshot.pk
    assert (decision.snapshot.digest, decision.snapshot.rows) == (
        "d" * 64,
        [{"submission": entry.pk, "place": 1}],
    )
    assert RankingSnapshot.objects.count() == 1
    assert list(AwardRole.objects.values_list("user_id", "role")) == [(organiser.pk, "organiser")]
    assert Juror.objects.filter(user=juror, award=award, is_active=True).exists()
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert f"{award.slug}: 1 entries, intact" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_calibrated_default_leaves_existing_awards_their_method():
    """0005 makes the calibrated method the default of new awards and adds the calibration
    settings; an award and a round that exist keep what they had."""
    old = migrate(
        [
            ("awards", "0004_jury_seats_are_the_roles"),
            ("jury", "0002_results_app_owns_decisions"),
            ("submissions", "0007_document_previews"),
        ]
    )
    try:
        award = award_in(old, status="judging")
        old.get_model("awards", "Award").objects.filter(pk=award.pk).update(
            ranking_normalisation="zscore"
        )
        round_ = old.get_model("awards", "Round").objects.create(
            award_id=award.pk, number=1, name_de="Runde 1", name_en="Round 1"
        )
        entry = entry_in(old, award, CategoryFactory(award=award))
        old.get_model("jury", "RoundEntry").objects.create(
            round_id=round_.pk, submission_id=entry.pk
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    from awards.models import Award, Round
    from jury.models import RoundEntry

    assert Award.objects.get(pk=award.pk).ranking_normalisation == "zscore"
    assert Round.objects.get(pk=round_.pk).calibration_counts is True
    assert RoundEntry.objects.get(submission_id=entry.pk).is_calibration is False


@pytest.mark.django_db(transaction=True)
def test_the_showcase_migrations_keep_the_data_and_prepare_the_pages_of_existing_documents():
    """awards 0006, jury 0004, results 0002, submissions 0007 add score levels, the jury's
    feedback box, the public presentation of decisions and the document pages rendered after
    upload: an existing award gets comments per criterion (as before) and no feedback box,
    an existing criterion the row of buttons and no levels, an existing PDF is marked for
    the preview sweep (an image is not)."""
    old = migrate(
        [
            ("awards", "0005_calibrated_normalisation_and_calibration_round"),
            ("submissions", "0006_reference_numbers_unique_across_awards"),
            ("jury", "0003_calibration_entries"),
            ("results", "0001_initial"),
        ]
    )
    try:
        award = award_in(old, status="judging")
        category = CategoryFactory(award=award)
        criterion = old.get_model("awards", "Criterion").objects.create(
            award_id=award.pk, name_de="Innovation", name_en="Innovation"
        )
        entry = entry_in(old, award, category, status="eligible")
        Attachment = old.get_model("submissions", "Attachment")
        common = {"submission_id": entry.pk, "size": 10, "sha256": "a" * 64}
        pdf = Attachment.objects.create(
            kind="document", file="x.pdf", original_name="Plan.pdf",
            content_type="application/pdf", **common,
        )  # fmt: skip
        image = Attachment.objects.create(
            kind="image", file="x.jpg", original_name="Foto.jpg",
            content_type="image/jpeg", **common,
        )  # fmt: skip
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    from awards.models import Award, Criterion
    from submissions.models import Attachment

    migrated = Award.objects.get(pk=award.pk)
    assert (migrated.criterion_comments, migrated.applicant_feedback) == (True, False)
    assert (migrated.embed_origins, migrated.results_changed_at) == ("", None)
    assert Criterion.objects.get(pk=criterion.pk).score_control == "buttons"
    assert not Criterion.objects.get(pk=criterion.pk).levels.exists()
    assert Attachment.objects.get(pk=pdf.pk).preview_status == "pending"
    assert Attachment.objects.get(pk=image.pk).preview_status == "none"
    assert Attachment.objects.get(pk=pdf.pk).original_name == "Plan.pdf"


AWARDS_NOW = ("awards", "0007_mfa_retention_erasable_audit")
FORM_BEFORE = [AWARDS_NOW, ("submissions", "0007_document_previews")]
FORM_AFTER = [AWARDS_NOW, ("submissions", "0010_fixed_fields_removed")]
OLD_TEXTS = {
    "description": "Woven flax, pressed in one piece.",
    "lightweight": "1.1 kg instead of 1.8 kg.",
    "innovation": "The first series frame of natural fibre.",
    "future_potential": "Twenty jobs in Brandenburg.",
    "team": "Six engineers from Berlin.",
    "video_url": "https://video.example.net/flax",
}


def _gin_index_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'submission_choice_answers_gin'")
        return cursor.fetchone() is not None


@pytest.mark.django_db(transaction=True)
def test_the_fixed_entry_fields_become_the_standard_forms_answers_and_come_back():
    """submissions 0008–0010: an award of before the form builder gets the standard form with
    the labels the fixed form had; its entry's texts, market readiness and video link are
    its answers (version 1, searchable, the choice filterable through the GIN index on
    PostgreSQL), its image and document sit in the two file slots;
    migrating back to 0007 puts every value into the fields again."""
    from awards.models import Award
    from submissions.models import Attachment, Question, Submission
    from submissions.standard_form import STANDARD_QUESTIONS

    old = migrate(FORM_BEFORE)
    try:
        award = award_in(old, status="open")
        category = CategoryFactory(award=award)
        entry = entry_in(
            old,
            award,
            category,
            summary="A frame of flax fibre.",
            status="submitted",
            reference="LIA-2030-MOB-0001",
            market_readiness=7,
            **OLD_TEXTS,
        )
        OldAttachment = old.get_model("submissions", "Attachment")
        common = {"submission_id": entry.pk, "size": 10, "sha256": "a" * 64}
        image = OldAttachment.objects.create(
            kind="image", file="x.jpg", original_name="Foto.jpg",
            content_type="image/jpeg", **common,
        )  # fmt: skip
        document = OldAttachment.objects.create(
            kind="document", file="x.pdf", original_name="Plan.pdf",
            content_type="application/pdf", **common,
        )  # fmt: skip

        migrate([AWARDS_NOW, ("submissions", "0008_form_questions")])
        if connection.vendor == "postgresql":
            assert _gin_index_exists()
        migrate(FORM_AFTER)

        form = {q.key: q for q in Question.objects.filter(award_id=award.pk)}
        assert [(q.key, q.kind, q.label_de, q.label_en) for q in form.values()] == [
            (row["key"], row["kind"], row["label_de"], row["label_en"])
            for row in STANDARD_QUESTIONS
        ]
        migrated = Submission.objects.get(pk=entry.pk)
        expected = {key: {"value": value, "version": 1} for key, value in OLD_TEXTS.items()}
        expected["market_readiness"] = {"value": "7", "version": 1}
        assert {
            form_key: migrated.answers[str(form[form_key].pk)] for form_key in expected
        } == expected
        assert len(migrated.answers) == len(expected)
        for value in OLD_TEXTS.values():
            assert value.casefold() in migrated.answers_text  # searched without case
        assert migrated.choice_answers == {str(form["market_readiness"].pk): "7"}
        assert (migrated.title, migrated.summary) == ("Flax frame", "A frame of flax fibre.")
        assert Attachment.objects.get(pk=image.pk).question_id == form["images"].pk
        assert Attachment.objects.get(pk=document.pk).question_id == form["documents"].pk
        assert Award.objects.get(pk=award.pk).questions.count() == len(STANDARD_QUESTIONS)

        back = migrate(FORM_BEFORE)
        restored = back.get_model("submissions", "Submission").objects.get(pk=entry.pk)
        assert {name: getattr(restored, name) for name in OLD_TEXTS} == OLD_TEXTS
        assert restored.market_readiness == 7
        attachments = back.get_model("submissions", "Attachment").objects.filter(
            submission_id=entry.pk
        )
        assert sorted(a.original_name for a in attachments) == ["Foto.jpg", "Plan.pdf"]
        if connection.vendor == "postgresql":
            assert not _gin_index_exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
