"""Erasing an account (GDPR art. 17): an applicant, a juror and an organiser each leave no
value naming them in any of Laurel's tables, what the awards need stays under a pseudonym,
and every award's change log still verifies (``manage.py audit_verify``)."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.test import Client

from accounts.models import User
from api.models import ApiToken
from api.services import api_token_create
from awards.models import AuditEntry
from awards.services import audit_log, audit_verify
from jury import services as jury_services
from jury.models import Assignment, DiscussionPost, Review
from privacy.erasure import ErasureRefused, account_erase
from submissions import services as submission_services
from submissions.models import Membership
from tests.accounts.helpers import log_in
from tests.factories import (
    PASSWORD,
    AwardRoleFactory,
    MembershipFactory,
    UserFactory,
    judging_setup,
)

pytestmark = pytest.mark.django_db

NAME = "Henrike Quast-Wendland"
EMAIL = "henrike.quast@leicht.example"
LAUREL_APPS = ("accounts", "awards", "submissions", "jury", "notifications", "results", "privacy")


def values_naming(*needles: str) -> list[str]:
    """Every text value in Laurel's tables and the login throttle's that contains one of
    ``needles`` (case ignored): ``app.Model.field #pk``. Independent of how erasure works:
    it reads every Char, Text and JSON column of every model."""
    found = []
    labels = (*LAUREL_APPS, "axes", "otp_totp")
    for label in labels:
        for model in apps.get_app_config(label).get_models():
            fields = [
                f
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField | models.JSONField)
            ]
            for row in model._default_manager.values("pk", *(f.attname for f in fields)):
                for field in fields:
                    text = str(row[field.attname]).lower()
                    if any(needle.lower() in text for needle in needles):
                        found.append(f"{model._meta.label}.{field.name} #{row['pk']}")
    return found


@pytest.fixture
def scene():
    """An award in judging with another organiser, and the person about to be erased."""
    setup = judging_setup(entries=2, jurors=2)
    setup.person = UserFactory(email=EMAIL, full_name=NAME)
    return setup


def erase_and_check(scene):
    before = {award.pk for award in _awards()}
    report = account_erase(user=scene.person)
    person = User.objects.get(pk=scene.person.pk)
    assert values_naming(EMAIL, NAME) == []
    assert person.erased_at is not None and person.is_active is False
    assert person.has_usable_password() is False
    for award in _awards():
        assert audit_verify(award=award) == [], award
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "intact" in out.getvalue()
    assert before <= {award.pk for award in _awards()}
    return report


def _awards():
    from awards.models import Award

    return Award.objects.all()


def test_erasing_an_applicant(scene, client):
    entry = scene.submissions[0]
    MembershipFactory(organisation=entry.organisation, user=scene.person, role="member")
    organisation = entry.organisation
    organisation.contact_name = NAME
    organisation.contact_email = EMAIL
    organisation.save()
    entry.answers = {**(entry.answers or {}), "x": {"value": f"Team lead: {NAME} ({EMAIL})"}}
    entry.save()
    invitation = submission_services.organisation_invite(
        organisation=organisation, email="colleague@leicht.example", actor=scene.person
    )
    audit_log(
        award=scene.award,
        actor=scene.person,
        action="entry.updated",
        target=entry,
        data={"by": EMAIL, "note": f"edited by {NAME}", "fields": ["title"]},
    )

    report = erase_and_check(scene)

    assert not Membership.objects.filter(user=scene.person).exists()
    entry.refresh_from_db()
    assert entry.title  # the company's entry stays for the award
    assert "Team lead: […]" in str(entry.answers)
    invitation.refresh_from_db()  # the colleague's invitation stays (it is about them)
    assert report.audit_values_erased >= 2
    # The non-personal values of the entry are still there and still verified.
    mine = AuditEntry.objects.get(action="entry.updated")
    assert mine.data == {"by": None, "note": None, "fields": ["title"]}
    assert log_in(client, EMAIL, PASSWORD).status_code == 200  # the form again: refused


def test_erasing_a_juror_keeps_the_reviews_under_a_pseudonym(scene):
    jury_services.juror_invite(
        award=scene.award,
        email=EMAIL,
        name=NAME,
        categories=[scene.category],
        actor=scene.organiser,
    )
    juror = scene.jurors[0]
    juror.user.delete()
    juror.user = scene.person
    juror.affiliation = f"Institut of {NAME}"
    juror.save()
    done, open_ = scene.submissions
    submitted = Assignment.objects.create(round=scene.round, juror=juror, submission=done)
    Assignment.objects.create(round=scene.round, juror=juror, submission=open_)
    jury_services.review_save(
        assignment=submitted,
        actor=scene.person,
        version=0,
        scores={c.pk: 7 for c in scene.criteria},
        overall_comment="Convincing lightweight design.",
        submit=True,
    )
    DiscussionPost.objects.create(
        round=scene.round, submission=done, author=scene.person, body=f"I ({NAME}) agree."
    )
    _token, plain = api_token_create(
        user=scene.person, award=scene.award, name="Notes", scope="read", expires_in_days=30
    )

    erase_and_check(scene)

    # Their API tokens are gone: the one they had opens nothing any more.
    assert not ApiToken.objects.filter(user=scene.person).exists()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert api.get(f"/api/v1/awards/{scene.award.slug}/").status_code == 401

    review = Review.objects.get(assignment=submitted)
    assert review.status == "submitted"
    assert review.overall_comment == "Convincing lightweight design."
    assert [s.value for s in review.scores.all()] == [7] * len(scene.criteria)
    assert review.assignment.juror.user_id == scene.person.pk  # the pseudonym
    assert not Assignment.objects.filter(juror=juror, submission=open_).exists()
    assert DiscussionPost.objects.get(author=scene.person).body == "I ([…]) agree."


def test_erasing_an_organiser(scene):
    AwardRoleFactory(award=scene.award, user=scene.person, role="organiser")
    audit_log(
        award=scene.award,
        actor=scene.person,
        action="award.updated",
        target=scene.award,
        data={"changed": {"name": ["Old", "New"]}},
    )

    erase_and_check(scene)

    entry = AuditEntry.objects.get(action="award.updated")
    assert entry.actor_id == scene.person.pk  # the pseudonym acted
    assert entry.data == {"changed": {"name": ["Old", "New"]}}  # nothing personal: kept


def test_the_only_organiser_of_a_running_award_cannot_be_erased(scene):
    scene.organiser.delete()
    AwardRoleFactory(award=scene.award, user=scene.person, role="organiser")

    with pytest.raises(ErasureRefused):
        account_erase(user=scene.person)

    assert User.objects.get(pk=scene.person.pk).email == EMAIL


def test_a_changed_value_still_breaks_the_chain_after_an_erasure(scene):
    AwardRoleFactory(award=scene.award, user=scene.person, role="organiser")
    audit_log(
        award=scene.award,
        actor=scene.person,
        action="award.updated",
        target=scene.award,
        data={"by": EMAIL, "places": 3},
    )
    account_erase(user=scene.person)
    entry = AuditEntry.objects.get(action="award.updated")

    entry.data["places"] = 1
    entry.save()

    assert audit_verify(award=scene.award) == [entry]


def test_an_erased_value_cannot_be_put_back(scene):
    AwardRoleFactory(award=scene.award, user=scene.person, role="organiser")
    audit_log(
        award=scene.award,
        actor=scene.person,
        action="award.updated",
        target=scene.award,
        data={"by": EMAIL},
    )
    account_erase(user=scene.person)
    entry = AuditEntry.objects.get(action="award.updated")

    entry.data["by"] = "someone.else@example.org"
    entry.save()

    assert audit_verify(award=scene.award) == [entry]


# --- The page -----------------------------------------------------------------------------

DELETE = "/privacy/delete-account/"


def test_deleting_ones_account_needs_the_password_and_the_confirmation(client, scene):
    client.force_login(scene.person)

    no_box = client.post(DELETE, {"password": PASSWORD})
    wrong = client.post(DELETE, {"password": "not it", "understood": "on"})

    assert no_box.status_code == wrong.status_code == 400
    assert User.objects.get(pk=scene.person.pk).erased_at is None


def test_deleting_ones_account_logs_out_and_erases(client, scene):
    client.force_login(scene.person)

    response = client.post(DELETE, {"password": PASSWORD, "understood": "on"}, follow=True)

    assert response.redirect_chain[-1][0] == "/"
    assert User.objects.get(pk=scene.person.pk).erased_at is not None
    assert client.get("/accounts/profile/").status_code == 302  # logged out
    assert values_naming(EMAIL, NAME) == []


def test_the_only_organiser_is_told_what_to_do_first(client, scene):
    scene.organiser.delete()
    AwardRoleFactory(award=scene.award, user=scene.person, role="organiser")
    client.force_login(scene.person)

    page = client.get(DELETE)
    refused = client.post(DELETE, {"password": PASSWORD, "understood": "on"})

    assert 'data-testid="erasure-blockers"' in page.content.decode()
    assert str(scene.award) in page.content.decode()
    assert refused.status_code == 400
    assert User.objects.get(pk=scene.person.pk).erased_at is None


def test_the_page_needs_a_login_and_csrf(scene):
    from django.test import Client

    assert Client().get(DELETE).status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(scene.person)
    assert strict.post(DELETE, {"password": PASSWORD, "understood": "on"}).status_code == 403
    assert User.objects.get(pk=scene.person.pk).erased_at is None
