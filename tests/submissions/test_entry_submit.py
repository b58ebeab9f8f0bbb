"""Submitting an entry, withdrawing and reopening it: who may, the reference number and the
mail to the members, everything missing listed at once, the deadline, a stale version and the
entry limit."""

import re

import pytest
from django.urls import reverse

from awards.models import AuditEntry
from notifications.models import Message
from submissions import services
from submissions.models import Submission
from tests.factories import SubmissionFactory
from tests.helpers import login, login_url
from tests.submissions.helpers import EDITORS, ROLES, close_award, closed_text, make_complete

pytestmark = pytest.mark.django_db

# --- Submit, withdraw, reopen ---------------------------------------------------------------


def submit(client, entry, version=None):
    return client.post(
        reverse("submissions:submit", kwargs={"pk": entry.pk}),
        {"version": entry.version if version is None else version},
    )


@pytest.mark.parametrize("role", ROLES)
def test_submit_by_role(client, people, entry, role):
    entry = make_complete(entry)
    login(client, people[role])
    url = reverse("submissions:submit", kwargs={"pk": entry.pk})

    response = submit(client, entry)

    entry.refresh_from_db()
    if role == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_url(url))
    elif role in EDITORS:
        assert response.status_code == 302
    else:
        assert response.status_code == 404
    assert entry.status == ("submitted" if role in EDITORS else "draft")


def test_submitting_shows_the_reference_number_and_mails_the_members(client, people, entry):
    entry = make_complete(entry)
    login(client, people["member"])

    response = submit(client, entry)
    page = client.get(response["Location"]).content.decode()

    entry.refresh_from_db()
    assert entry.reference == "LIA-2040-MOB-0001"
    assert "Submitted. Your reference number is LIA-2040-MOB-0001." in page
    assert '<strong data-testid="reference">LIA-2040-MOB-0001</strong>' in page
    assert 'data-action="withdraw"' in page
    assert sorted(
        m.recipient_id for m in Message.objects.filter(template_key="submission.received")
    ) == (sorted([people["member"].pk, people["colleague"].pk]))


def test_submitting_an_incomplete_entry_lists_everything_missing_at_once(client, people, entry):
    entry.summary = "Only a summary"
    entry.save()
    login(client, people["member"])

    response = submit(client, entry)

    html = response.content.decode()
    assert response.status_code == 200
    box = re.search(r'data-testid="submit-errors">(.*?)</div>', html, re.S).group(1)
    assert re.findall(r"<li[^>]*><a [^>]*>(.*?)</a></li>", box) == [
        "Answer “Description of the innovation”.",
        "Answer “What makes it lightweight”.",
        "Answer “Degree of innovation”.",
        "Answer “Future potential for people and the region”.",
        "Answer “Market readiness”.",
        "Answer “Team”.",
        "Add a file to “Images of the innovation”.",
        "Accept the conditions of participation.",
        "Agree to the processing of your data.",
    ]
    team = entry.award.questions.get(key="team")
    assert f'<a href="/submissions/{entry.pk}/edit/#id_{team.field_name}">Answer “Team”.</a>' in box
    entry.refresh_from_db()
    assert entry.status == "draft"


def test_submitting_after_the_deadline_shows_the_deadline(client, people, entry, award):
    entry = make_complete(entry)
    close_award(award)
    login(client, people["member"])

    response = submit(client, entry)

    page = client.get(response["Location"]).content.decode()
    assert closed_text(award) in page
    entry.refresh_from_db()
    assert entry.status == "draft"


def test_submitting_a_stale_version_asks_to_check_again(client, people, entry):
    entry = make_complete(entry)
    loaded = entry.version
    services.submission_update(
        submission=entry, actor=people["colleague"], expected_version=loaded, summary="Seven"
    )
    login(client, people["member"])

    response = submit(client, entry, version=loaded)

    page = client.get(response["Location"]).content.decode()
    assert (
        "Someone else saved this entry in the meantime. Please check it below and submit again."
    ) in page
    entry.refresh_from_db()
    assert entry.status == "draft"


def test_the_entry_limit_is_explained(client, people, entry, award, category, organisation):
    make_complete(
        SubmissionFactory(
            award=award, category=category, organisation=organisation, created_by=people["member"]
        )
    )
    first = Submission.objects.exclude(pk=entry.pk).get()
    services.submission_submit(
        submission=first, actor=people["member"], expected_version=first.version
    )
    entry = make_complete(entry)
    login(client, people["member"])

    response = submit(client, entry)

    page = client.get(response["Location"]).content.decode()
    assert (
        "An organisation may submit at most 1 entry in “Mobility”, and yours already has."
    ) in page
    entry.refresh_from_db()
    assert entry.status == "draft"


def test_withdraw_and_reopen(client, people, entry):
    entry = make_complete(entry)
    entry = services.submission_submit(
        submission=entry, actor=people["member"], expected_version=entry.version
    )
    login(client, people["colleague"])

    withdrawn = client.post(
        reverse("submissions:withdraw", kwargs={"pk": entry.pk}), {"confirm": "on"}, follow=True
    )
    entry.refresh_from_db()
    status_after_withdraw = entry.status
    reopened = client.post(reverse("submissions:reopen", kwargs={"pk": entry.pk}), follow=True)
    entry.refresh_from_db()

    assert status_after_withdraw == "withdrawn"
    assert "The entry has been withdrawn." in withdrawn.content.decode()
    assert 'data-action="reopen"' in withdrawn.content.decode()
    assert entry.status == "draft"
    assert "The entry is a draft again." in reopened.content.decode()
    assert list(
        AuditEntry.objects.filter(action__startswith="submission.").values_list("action", flat=True)
    )[-2:] == ["submission.withdrawn", "submission.reopened"]


@pytest.mark.parametrize("action", ["withdraw", "reopen"])
@pytest.mark.parametrize("role", ROLES)
def test_withdraw_and_reopen_by_role(client, people, entry, role, action):
    entry.status = "submitted" if action == "withdraw" else "withdrawn"
    entry.save()
    login(client, people[role])
    url = reverse(f"submissions:{action}", kwargs={"pk": entry.pk})

    response = client.post(url, {"confirm": "on"})  # withdrawing asks first (confirmation)

    entry.refresh_from_db()
    if role == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_url(url))
    else:
        assert response.status_code == (302 if role in EDITORS else 404)
    changed = {"withdraw": "withdrawn", "reopen": "draft"}[action]
    unchanged = {"withdraw": "submitted", "reopen": "withdrawn"}[action]
    assert entry.status == (changed if role in EDITORS else unchanged)


def test_withdrawing_a_draft_is_explained(client, people, entry):
    login(client, people["member"])

    response = client.post(reverse("submissions:withdraw", kwargs={"pk": entry.pk}), follow=True)

    assert "An entry cannot go from “Draft” to “Withdrawn”." in response.content.decode()
