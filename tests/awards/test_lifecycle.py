import datetime as dt

import pytest
from django.utils import timezone, translation

from awards import services
from awards.enums import AWARD_TRANSITIONS, AwardStatus
from awards.models import AuditEntry
from tests.factories import (
    AwardFactory,
    CategoryFactory,
    CriterionFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _complete_award(**kwargs):
    award = AwardFactory(**kwargs)
    CategoryFactory(award=award)
    CriterionFactory(award=award)
    RoundFactory(award=award, number=1)
    return award


def test_results_cannot_be_published_by_hand_before_their_scheduled_moment():
    award = _complete_award()
    award.status = "decided"
    award.results_publish_at = timezone.now() + dt.timedelta(hours=1)
    award.save()

    with translation.override("en"), pytest.raises(services.AwardTransitionError) as caught:
        services.award_transition(award=award, to_status="published", actor=None)

    assert "Schedule the publication of the results on the results page." in str(caught.value)
    award.refresh_from_db()
    assert award.status == "decided"


def test_award_walks_the_whole_lifecycle_and_logs_each_step():
    organiser = UserFactory()
    award = _complete_award()
    path = ["open", "closed", "judging", "decided", "published"]

    for status in path:
        if status == "published":
            # The results' moment has come (normally the publication task does this step).
            award.results_publish_at = timezone.now() - dt.timedelta(seconds=1)
            award.save(update_fields=["results_publish_at"])
        award = services.award_transition(award=award, to_status=status, actor=organiser)
        assert award.status == status

    award.refresh_from_db()
    assert award.status == "published"
    entries = list(AuditEntry.objects.filter(award=award, action="award.status_changed"))
    assert [(e.data["from"], e.data["to"]) for e in entries] == list(
        zip(["draft", *path[:-1]], path, strict=True)
    )
    assert {e.actor for e in entries} == {organiser}


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (start, target)
        for start in AwardStatus.values
        for target in AwardStatus.values
        if target not in AWARD_TRANSITIONS[start]
    ],
)
def test_every_transition_outside_the_lifecycle_is_refused(start, target):
    award = _complete_award(status=start)

    with translation.override("en"), pytest.raises(services.AwardTransitionError) as error:
        services.award_transition(award=award, to_status=target, actor=None)

    with translation.override("en"):
        labels = AwardStatus(start).label, AwardStatus(target).label
        expected = "An award cannot go from “{}” to “{}”.".format(*labels)
    assert error.value.messages == [expected]
    award.refresh_from_db()
    assert award.status == start
    assert not AuditEntry.objects.filter(award=award).exists()


def test_published_is_final():
    assert AWARD_TRANSITIONS[AwardStatus.PUBLISHED] == frozenset()


def test_opening_needs_a_timeline_categories_and_criteria():
    award = AwardFactory(
        submissions_open_at=None,
        submissions_close_at=None,
        jury_deadline_at=None,
        announcement_at=None,
    )

    with translation.override("en"), pytest.raises(services.AwardTransitionError) as error:
        services.award_transition(award=award, to_status="open", actor=None)

    assert error.value.messages == [
        "“Open for submissions” is not possible yet.",
        "Set when submissions open and close.",
        "Add at least one category.",
        "Add at least one criterion.",
    ]
    award.refresh_from_db()
    assert award.status == "draft"


def test_judging_needs_a_round():
    award = AwardFactory(status="closed")

    with translation.override("en"), pytest.raises(services.AwardTransitionError) as error:
        services.award_transition(award=award, to_status="judging", actor=None)

    assert error.value.messages == ["“Judging” is not possible yet.", "Add at least one round."]


def test_unknown_status_is_refused_with_its_name():
    award = AwardFactory()
    with translation.override("en"), pytest.raises(services.AwardTransitionError) as error:
        services.award_transition(award=award, to_status="archived", actor=None)
    assert error.value.messages == ["Unknown status “archived”."]


def test_refusal_is_translated_to_german():
    award = AwardFactory(status="published")
    with translation.override("de"), pytest.raises(services.AwardTransitionError) as error:
        services.award_transition(award=award, to_status="draft", actor=None)
    assert error.value.messages == [
        "Ein Preis kann nicht von „Ergebnisse veröffentlicht“ zu „Entwurf“ wechseln."
    ]


def test_audit_chain_verifies_and_detects_tampering():
    award = _complete_award()
    for status in ["open", "closed", "open"]:
        services.award_transition(award=award, to_status=status, actor=None)
    assert services.audit_verify(award=award) == []

    first, second, third = AuditEntry.objects.filter(award=award).order_by("pk")
    assert second.previous_hash == first.entry_hash
    assert third.previous_hash == second.entry_hash

    AuditEntry.objects.filter(pk=second.pk).update(data={"from": "open", "to": "published"})
    assert services.audit_verify(award=award) == [second]


def test_audit_chain_detects_a_deleted_entry():
    award = _complete_award()
    for status in ["open", "closed", "open"]:
        services.award_transition(award=award, to_status=status, actor=None)
    _first, second, third = AuditEntry.objects.filter(award=award).order_by("pk")

    second.delete()

    assert services.audit_verify(award=award) == [third]


def test_audit_chains_of_two_awards_are_independent():
    one, two = _complete_award(), _complete_award()
    services.award_transition(award=one, to_status="open", actor=None)
    services.award_transition(award=two, to_status="open", actor=None)
    assert AuditEntry.objects.get(award=one).previous_hash == services.GENESIS_HASH
    assert AuditEntry.objects.get(award=two).previous_hash == services.GENESIS_HASH


def test_granting_a_role_twice_keeps_one_role_and_one_log_entry():
    award, user = AwardFactory(), UserFactory()
    services.award_role_grant(award=award, user=user, role="organiser", actor=None)
    services.award_role_grant(award=award, user=user, role="organiser", actor=None)
    assert award.roles.filter(user=user, role="organiser").count() == 1
    assert AuditEntry.objects.filter(award=award, action="award.role_granted").count() == 1


def test_audit_verify_command_reports_an_intact_and_a_broken_chain():
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    award = _complete_award(slug="lia-check")
    for status in ["open", "closed"]:
        services.award_transition(award=award, to_status=status, actor=None)
    out = StringIO()
    call_command("audit_verify", "lia-check", stdout=out)
    assert out.getvalue() == "lia-check: 2 entries, intact\n"

    AuditEntry.objects.filter(award=award).order_by("pk").first().delete()
    err = StringIO()
    with pytest.raises(CommandError, match=r"1 change-log entries were altered or removed\."):
        call_command("audit_verify", "lia-check", stdout=StringIO(), stderr=err)
    assert "does not match the chain" in err.getvalue()
