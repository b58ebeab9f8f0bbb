"""Closing a round asks first: per category the reviews (or ballots) missing and the drafts
that will not count; only the confirmed POST closes, a second one does not close again, and
nobody but the organisers may ask."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from awards.enums import RoundStatus
from awards.models import AuditEntry, Round
from jury import services
from jury.models import Assignment, Ballot, RoundEntry
from tests.factories import CategoryFactory, JurorFactory, RoundFactory, SubmissionFactory
from tests.helpers import html_lang, text
from tests.jury.manage_helpers import assign, followed_messages, submit_review, url

pytestmark = pytest.mark.django_db


def row_cells(html: str, category: str) -> dict[str, str]:
    row = re.search(rf'<tr data-category="{category}">(.*?)</tr>', html, re.S)
    assert row, f"no row for {category!r}"
    return {k: v.strip() for k, v in re.findall(r'data-col="(\w+)"[^>]*>([^<]*)<', row.group(1))}


def closings() -> int:
    return AuditEntry.objects.filter(action="round.closed").count()


@pytest.fixture
def scene(s):
    """Round 1 of ``s`` with a second category. The first: 4 reviews assigned, 2 submitted,
    1 draft, 1 not started; the second: 1 assigned, not started. In all 5 assigned, 3
    missing, 1 draft."""
    assign_done = assign(s, 0, 0)
    submit_review(assign_done, 7)
    draft = assign(s, 1, 0)
    criterion = s.award.criteria.order_by("position").first()
    services.review_save(
        assignment=draft, actor=draft.juror.user, version=0, scores={criterion.pk: 5}
    )
    assign(s, 0, 1)
    submit_review(assign(s, 2, 2), 6)
    s.second = CategoryFactory(award=s.award, name_en="Healthcare", name_de="Gesundheit")
    juror = JurorFactory(award=s.award, categories=[s.second])
    entry = SubmissionFactory(award=s.award, category=s.second, status="eligible")
    RoundEntry.objects.create(round=s.round, submission=entry)
    Assignment.objects.create(round=s.round, juror=juror, submission=entry)
    return s


def test_the_round_page_links_to_the_question(organiser_client, scene):
    html = text(organiser_client.get(url(scene, "round", number=1)))

    link = re.search(r'<a [^>]*data-testid="round-close"[^>]*>', html).group(0)
    assert f'href="{url(scene, "round_close", number=1)}"' in link


def test_the_question_shows_per_category_what_closing_leaves_out(organiser_client, scene):
    response = organiser_client.get(url(scene, "round_close", number=1))

    html = text(response)
    assert response.status_code == 200
    assert row_cells(html, scene.category.code) == {
        "assigned": "4",
        "submitted": "2",
        "missing": "2",
        "drafts": "1",
    }
    assert row_cells(html, scene.second.code) == {
        "assigned": "1",
        "submitted": "0",
        "missing": "1",
        "drafts": "0",
    }
    assert row_cells(html, "total") == {
        "assigned": "5",
        "submitted": "2",
        "missing": "3",
        "drafts": "1",
    }
    alert = re.search(r'data-testid="close-missing">(.*?)</div>', html, re.S).group(1)
    assert " ".join(alert.split()) == (
        "3 of 5 reviews have not been submitted and will not count. "
        "Among them is 1 draft, begun but not submitted."
    )
    form = re.search(r'<form [^>]*data-testid="close-confirm-form"[^>]*>', html).group(0)
    assert "data-once" in form
    assert '<input type="hidden" name="confirm" value="on">' in html
    assert Round.objects.get(pk=scene.round.pk).status == RoundStatus.OPEN


def test_a_post_without_confirm_changes_nothing(organiser_client, scene):
    response = organiser_client.post(url(scene, "round_close", number=1))

    assert response.status_code == 200
    assert 'data-testid="close-confirm-form"' in text(response)
    assert Round.objects.get(pk=scene.round.pk).status == RoundStatus.OPEN
    assert closings() == 0


def test_the_confirmed_post_closes_once(organiser_client, scene):
    first = organiser_client.post(url(scene, "round_close", number=1), {"confirm": "on"})
    assert followed_messages(organiser_client, first) == [
        "The round is closed; nothing more can be scored or ranked in it."
    ]

    second = organiser_client.post(url(scene, "round_close", number=1), {"confirm": "on"})

    assert followed_messages(organiser_client, second) == ["Only an open round can be closed."]
    assert Round.objects.get(pk=scene.round.pk).status == RoundStatus.CLOSED
    assert closings() == 1
    assert AuditEntry.objects.get(action="round.closed").data == {
        "number": 1,
        "assignments": 5,
        "submitted": 2,
        "drafts": 1,
    }


def test_a_closed_round_is_not_asked_about(organiser_client, scene):
    services.round_close(round=scene.round, actor=scene.organiser)

    response = organiser_client.get(url(scene, "round_close", number=1))

    assert response["Location"] == url(scene, "round", number=1)
    assert followed_messages(organiser_client, response) == ["Only an open round can be closed."]


def test_a_ranking_round_counts_the_ballots(organiser_client, scene):
    services.round_close(round=scene.round, actor=scene.organiser)
    final = RoundFactory(award=scene.award, number=2, kind="final", method="ranking", status="open")
    for entry in scene.submissions[:2]:
        RoundEntry.objects.create(round=final, submission=entry)
    first, second, _third = scene.jurors
    Ballot.objects.create(round=final, juror=first, category=scene.category, status="submitted")
    Ballot.objects.create(round=final, juror=second, category=scene.category, status="draft")

    html = text(organiser_client.get(url(scene, "round_close", number=2)))

    # Three jurors judge the category with finalists; the second category has none.
    assert row_cells(html, scene.category.code) == {
        "assigned": "3",
        "submitted": "1",
        "missing": "2",
        "drafts": "1",
    }
    assert row_cells(html, scene.second.code)["assigned"] == "0"
    assert "2 of 3 ballots have not been submitted and will not count." in html


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_log_in(client, scene, method):
    page = url(scene, "round_close", number=1)

    response = getattr(client, method)(page, {"confirm": "on"} if method == "post" else {})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))
    assert Round.objects.get(pk=scene.round.pk).status == RoundStatus.OPEN


@pytest.mark.parametrize("who", ["applicant", "juror", "other_organiser"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_everyone_else_gets_404(client, scene, who, method):
    user = {
        "applicant": scene.applicant,
        "juror": scene.jurors[0].user,
        "other_organiser": scene.other.organiser,
    }[who]
    client.force_login(user)
    page = url(scene, "round_close", number=1)

    response = getattr(client, method)(page, {"confirm": "on"} if method == "post" else {})

    assert response.status_code == 404
    assert Round.objects.get(pk=scene.round.pk).status == RoundStatus.OPEN
    assert closings() == 0


def test_the_question_in_german(client, scene):
    scene.organiser.preferred_language = "de"
    scene.organiser.save(update_fields=["preferred_language"])
    client.force_login(scene.organiser)

    response = client.get(url(scene, "round_close", number=1))

    html = text(response)
    assert html_lang(response) == "de"
    with translation.override("de"):
        assert gettext("Close the round?") in html
        assert gettext("Yes, close the round") in html
        assert gettext("Cancel") in html
    assert "Gesundheit" in html
