"""Withdrawing an entry asks first: the page says what withdrawing does, only the confirmed
POST withdraws, a second one does not withdraw again, and nobody else may ask."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from awards.models import AuditEntry
from tests.helpers import html_lang, login, login_url, text
from tests.submissions.helpers import CLOSE_TEXT, EDITORS, ROLES, close_award

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(entry):
    entry.status = "submitted"
    entry.reference = "LIA-2040-MOB-0001"
    entry.save()
    return entry


def withdraw_url(entry) -> str:
    return reverse("submissions:withdraw", kwargs={"pk": entry.pk})


def withdrawals() -> int:
    return AuditEntry.objects.filter(action="submission.withdrawn").count()


def status(entry) -> str:
    entry.refresh_from_db()
    return entry.status


def test_the_overview_links_to_the_question_instead_of_withdrawing(client, people, submitted):
    login(client, people["member"])

    html = text(client.get(reverse("submissions:detail", kwargs={"pk": submitted.pk})))

    link = re.search(r'<a [^>]*data-action="withdraw"[^>]*>', html).group(0)
    assert f'href="{withdraw_url(submitted)}"' in link
    assert f'action="{withdraw_url(submitted)}"' not in html


def test_the_question_says_what_withdrawing_does(client, people, submitted):
    login(client, people["member"])

    response = client.get(withdraw_url(submitted))

    html = text(response)
    assert response.status_code == 200
    assert "Withdraw the entry?" in html
    assert '<dd class="col-sm-8" data-testid="reference">LIA-2040-MOB-0001</dd>' in html
    consequences = re.search(r'data-testid="withdraw-consequences">(.*?)</section>', html, re.S)
    sentences = " ".join(re.sub(r"<[^>]+>", " ", consequences.group(1)).split())
    assert "it is not checked for eligibility and the jury does not see it" in sentences
    assert (
        f"Until the deadline, {CLOSE_TEXT}, you can reopen it as a draft and submit it again."
    ) in sentences
    # The company has two members (the member and the colleague).
    assert "All 2 members of Red Arrow Composites see it as withdrawn; no mail is sent." in (
        sentences
    )
    form = re.search(r'<form [^>]*data-testid="withdraw-form"[^>]*>', html).group(0)
    assert f'action="{withdraw_url(submitted)}"' in form and "data-once" in form
    assert '<input type="hidden" name="confirm" value="on">' in html
    assert (status(submitted), withdrawals()) == ("submitted", 0)


def test_a_post_without_confirm_changes_nothing(client, people, submitted):
    login(client, people["member"])

    response = client.post(withdraw_url(submitted))

    assert response.status_code == 200
    assert 'data-testid="withdraw-form"' in text(response)
    assert (status(submitted), withdrawals()) == ("submitted", 0)


def test_the_confirmed_post_withdraws_once(client, people, submitted):
    login(client, people["member"])

    first = client.post(withdraw_url(submitted), {"confirm": "on"}, follow=True)
    second = client.post(withdraw_url(submitted), {"confirm": "on"}, follow=True)

    assert "The entry has been withdrawn." in text(first)
    assert [str(m) for m in second.context["messages"]] == ["The entry has been withdrawn already."]
    assert (status(submitted), withdrawals()) == ("withdrawn", 1)


def test_a_draft_or_an_entry_past_the_deadline_is_not_asked_about(client, people, entry, award):
    login(client, people["member"])

    draft = client.get(withdraw_url(entry), follow=True)

    assert draft.redirect_chain == [(reverse("submissions:detail", kwargs={"pk": entry.pk}), 302)]
    assert "An entry cannot go from “Draft” to “Withdrawn”." in text(draft)
    entry.status = "submitted"
    entry.save()
    close_award(award)
    late = client.get(withdraw_url(entry), follow=True)
    assert "entries can no longer be changed" in text(late)
    assert 'data-testid="withdraw-form"' not in text(late)
    assert (status(entry), withdrawals()) == ("submitted", 0)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("role", ROLES)
def test_only_the_companys_members_are_asked(client, people, submitted, role, method):
    login(client, people[role])
    url = withdraw_url(submitted)

    response = getattr(client, method)(url, {"confirm": "on"} if method == "post" else {})

    if role == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_url(url))
    elif role in EDITORS:
        assert response.status_code == (200 if method == "get" else 302)
    else:
        assert response.status_code == 404
    withdrawn = role in EDITORS and method == "post"
    assert status(submitted) == ("withdrawn" if withdrawn else "submitted")


def test_the_question_in_german(client, people, submitted):
    member = people["member"]
    member.preferred_language = "de"
    member.save(update_fields=["preferred_language"])
    login(client, member)

    response = client.get(withdraw_url(submitted))

    html = text(response)
    assert html_lang(response) == "de"
    with translation.override("de"):
        assert gettext("Withdraw the entry?") in html
        assert gettext("Yes, withdraw the entry") in html
    assert "31. März 2040, 18:00 Uhr (Europe/Berlin)" in html
    assert "Mobilität" in html
