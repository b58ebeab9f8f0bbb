"""Who receives which certificate, issuing again after a correction, revoking, the design's
wording rules, and the task path: issue on publication, draw in chunks, the sweeper."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from awards.models import AuditEntry
from certificates import drawing, services, tasks
from certificates.models import Certificate, CertificateDesign
from results.models import Decision
from tests.certificates.helpers import (
    file_bytes,
    issued,
    kinds,
    pdf_text,
    published_scene,
    valid_by_entry,
)
from tests.results.test_publication import decided_award

pytestmark = pytest.mark.django_db


def test_winners_places_mentions_and_finalists_get_certificates_by_default():
    scene = published_scene()
    issued(scene)
    assert kinds(scene.award) == {
        "Timber shell pavilion": ("winner", 1),
        "Hollow core slab": ("place", 2),
        "Basalt rebar": ("place", 3),
        "Resin bridge deck": ("mention", None),
        "Carbon facade panel": ("finalist", None),
        "Folding cargo bike": ("winner", 1),
    }


def test_every_participant_when_the_design_says_so_but_never_drafts_withdrawn_or_ineligible():
    scene = published_scene(participants=True, finalists=False)
    issued(scene)
    got = kinds(scene.award)
    assert got["Carbon facade panel"] == ("participant", None)
    assert got["Flax seat shell"] == ("participant", None)
    assert got["Timber shell pavilion"] == ("winner", 1)
    assert {"Hemp door", "Cork floor", "Glass fibre wheel"}.isdisjoint(got)
    assert len(got) == 7


def test_nothing_is_issued_before_the_results_are_public():
    scene = decided_award()
    with translation.override("en"), pytest.raises(ValidationError, match="once the results"):
        services.certificates_issue(award=scene.award, actor=scene.organiser)
    assert not Certificate.objects.exists()


def test_issuing_twice_changes_nothing_and_draws_nothing_again():
    scene = published_scene()
    first = issued(scene)
    files = {pk: c.file.name for pk, c in first.items()}
    plan = services.certificates_issue(award=scene.award, actor=scene.organiser)
    assert plan.counts == {"created": 0, "changed": 0, "revoked": 0, "unchanged": 6, "withheld": 0}
    assert services.certificates_draw(award_id=scene.award.pk).drawn == 0
    again = valid_by_entry(scene.award)
    assert {pk: c.file.name for pk, c in again.items()} == files
    assert {c.public_id for c in again.values()} == {c.public_id for c in first.values()}


def test_a_corrected_place_draws_the_same_certificate_again_and_a_lost_one_is_revoked():
    scene = published_scene()
    before = issued(scene)
    slab, rebar, deck = scene.e.slab, scene.e.rebar, scene.e.deck
    # The organisers correct the results: slab and rebar swap places, the mention is dropped.
    Decision.objects.filter(submission=slab).update(place=None, kind="mention")
    Decision.objects.filter(submission=rebar).update(place=2)
    Decision.objects.filter(submission=deck).delete()
    plan = services.certificates_issue(award=scene.award, actor=scene.organiser)
    assert plan.counts["changed"] == 2 and plan.counts["revoked"] == 1
    issued(scene)
    after = valid_by_entry(scene.award)
    assert (after[rebar.pk].kind, after[rebar.pk].place) == ("place", 2)
    assert after[rebar.pk].public_id == before[rebar.pk].public_id
    assert after[rebar.pk].file.name != before[rebar.pk].file.name
    assert after[slab.pk].kind == "mention"
    lost = Certificate.objects.get(pk=before[deck.pk].pk)
    assert lost.revoked_at is not None and lost.revoked_by is None
    assert "no longer entitled" in lost.revocation_reason or "nicht mehr" in lost.revocation_reason
    assert not lost.file
    # Unchanged certificates kept their PDF.
    pavilion = scene.e.pavilion.pk
    assert after[pavilion].file.name == before[pavilion].file.name
    logged = AuditEntry.objects.filter(award=scene.award, action="certificates.issued")
    correction = logged.order_by("pk")[1]
    assert correction.actor == scene.organiser
    assert (correction.data["changed"], correction.data["revoked"]) == (2, 1)


def test_revoke_needs_a_reason_is_logged_and_the_entry_gets_no_new_one():
    scene = published_scene()
    certificate = issued(scene)[scene.e.cargo.pk]
    name = certificate.file.name
    storage = certificate.file.storage
    with pytest.raises(ValidationError):
        services.certificate_revoke(certificate=certificate, actor=scene.organiser, reason="  ")
    with pytest.raises(ValidationError):  # the same again, now for real, then twice
        services.certificate_revoke(certificate=certificate, actor=scene.organiser, reason="")
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.certificate_revoke(
            certificate=certificate, actor=scene.organiser, reason="Plagiarism found."
        )
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revoked_by == scene.organiser
    assert not certificate.file and not storage.exists(name)
    entry = AuditEntry.objects.get(award=scene.award, action="certificate.revoked")
    assert entry.data["reason"] == "Plagiarism found."
    with translation.override("en"), pytest.raises(ValidationError, match="revoked already"):
        services.certificate_revoke(certificate=certificate, actor=scene.organiser, reason="x")
    plan = services.certificates_issue(award=scene.award, actor=scene.organiser)
    assert plan.counts["withheld"] == 1 and plan.counts["created"] == 0
    assert scene.e.cargo.pk not in valid_by_entry(scene.award)


def _values(**overrides):
    values = {name: getattr(CertificateDesign(), name) for name in services.DESIGN_FIELDS}
    return {**values, **overrides}


@pytest.mark.parametrize(
    "wording",
    [
        "Für {{ company.name }}",
        "Für {{ password }}",
        "Für {% if x %}{{ company }}{% endif %}",
        "Für {{ company }",
    ],
)
def test_the_wording_follows_the_mail_rules(wording):
    scene = decided_award()
    with pytest.raises(ValidationError) as raised:
        services.certificate_design_save(
            award=scene.award, actor=scene.organiser, values=_values(wording_de=wording)
        )
    assert "wording_de" in raised.value.message_dict
    assert not CertificateDesign.objects.filter(award=scene.award).exists()


def test_an_unknown_placeholder_is_refused_in_english_too(english):
    scene = decided_award()
    with pytest.raises(ValidationError) as raised:
        services.certificate_design_save(
            award=scene.award, actor=scene.organiser, values=_values(wording_en="{{ secret }}")
        )
    assert raised.value.message_dict["wording_en"] == [
        "Unknown placeholder {{ secret }}. Allowed: award_name, category, company, date, "
        "distinction, organiser_name, reference, submission_title."
    ]


def test_a_new_wording_draws_every_issued_certificate_again():
    scene = published_scene()
    before = issued(scene)
    services.certificate_design_save(
        award=scene.award,
        actor=scene.organiser,
        values=_values(wording_de="Urkunde für {{ company }}.", issue_finalists=True),
    )
    assert Certificate.objects.filter(award=scene.award, generated_at__isnull=True).count() == 6
    after = issued(scene)
    assert all(after[pk].file.name != c.file.name for pk, c in before.items())
    assert AuditEntry.objects.filter(action="certificates.design_saved").exists()


def test_a_design_saved_while_a_batch_draws_is_what_every_certificate_prints(monkeypatch):
    """The organiser saves new wording while the worker is half-way through a batch: no
    certificate keeps the old wording (the batch notices, the sweep catches the rest)."""
    scene = published_scene(languages="en", wording_en="OLD WORDING {{ company }}")
    issued(scene, draw=False)
    real = drawing.certificate_pdf
    calls = {"n": 0}

    def pdf(pages, kit):
        calls["n"] += 1
        if calls["n"] == 1:
            services.certificate_design_save(
                award=scene.award,
                actor=scene.organiser,
                values=_values(languages="en", wording_en="NEW WORDING {{ company }}"),
            )
        return real(pages, kit)

    monkeypatch.setattr(drawing, "certificate_pdf", pdf)
    while services.certificates_draw(award_id=scene.award.pk).remaining:
        pass
    monkeypatch.setattr(drawing, "certificate_pdf", real)
    services.certificates_sweep()  # what a batch could not notice, the sweep marks again
    while services.certificates_draw(award_id=scene.award.pk).remaining:
        pass

    valid = Certificate.objects.filter(award=scene.award, revoked_at__isnull=True)
    texts = [" ".join(pdf_text(file_bytes(c))) for c in valid]
    assert texts and all("NEW WORDING" in t and "OLD WORDING" not in t for t in texts)


def test_publication_issues_by_task_and_the_draw_task_finishes_in_chunks(monkeypatch):
    scene = published_scene(participants=True)
    sent = []
    monkeypatch.setattr("core.queue.enqueue", lambda task, *args, **kw: sent.append(task.name))
    monkeypatch.setattr(services, "DRAW_CHUNK", 3)
    assert tasks.issue_certificates(scene.award.pk) == 7
    assert Certificate.objects.filter(generated_at__isnull=True).count() == 7
    # The draw task draws a chunk and hands the rest to the next task.
    assert tasks.draw_certificates(scene.award.pk) == 3
    assert sent == ["certificates.draw"]
    while Certificate.objects.filter(generated_at__isnull=True).exists():
        tasks.draw_certificates(scene.award.pk)
    assert all(c.file for c in Certificate.objects.all())
    # Running again (a duplicate task, a second worker) does nothing.
    assert tasks.draw_certificates(scene.award.pk) == 0
    assert tasks.issue_certificates(scene.award.pk) == 0


def test_the_results_published_signal_enqueues_the_issue(
    monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        "core.queue.enqueue", lambda task, *args, **kw: sent.append((task.name, args))
    )
    scene = decided_award()
    from results import services as results_services

    results_services.publication_schedule(
        award=scene.award, at=timezone.now(), actor=scene.organiser
    )
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert results_services.results_publish(award_id=scene.award.pk)
    assert ("certificates.issue", (scene.award.pk,)) in sent


def test_the_sweeper_issues_what_a_lost_task_left_and_draws_the_undrawn(monkeypatch):
    sent = []
    monkeypatch.setattr(
        "core.queue.enqueue", lambda task, *args, **kw: sent.append((task.name, args))
    )
    scene = published_scene()
    assert services.certificates_sweep() == {"issue": 1, "draw": 0}
    assert sent == [("certificates.issue", (scene.award.pk,))]
    sent.clear()
    services.certificates_issue(award=scene.award, actor=None)
    assert services.certificates_sweep() == {"issue": 0, "draw": 1}
    assert sent == [("certificates.draw", (scene.award.pk,))]
    while services.certificates_draw(award_id=scene.award.pk).remaining:
        pass
    sent.clear()
    assert services.certificates_sweep() == {"issue": 0, "draw": 0}


def test_a_revoked_certificate_is_never_drawn_again():
    scene = published_scene()
    services.certificates_issue(award=scene.award, actor=scene.organiser)
    certificate = Certificate.objects.filter(award=scene.award).first()
    services.certificate_revoke(certificate=certificate, actor=scene.organiser, reason="Error.")
    result = services.certificates_draw(award_id=scene.award.pk)
    assert result.drawn == 5 and not result.remaining
    certificate.refresh_from_db()
    assert not certificate.file and certificate.generated_at is None
