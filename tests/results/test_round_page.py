"""The round page and its shortlist (results_manage:round, results_manage:shortlist, in the
organisers' jury area): status, deadline and links, the proposed shortlist with means, taking
it by size or by hand, and the Schulze result of a ranking round."""

import datetime as dt
import re

import pytest
from django.utils.html import escape

from awards.enums import RoundStatus
from jury import services
from jury.models import Assignment, RoundEntry
from tests.factories import RoundFactory, SubmissionFactory, judging_setup
from tests.helpers import prefer_english, text
from tests.jury.manage_helpers import followed_messages, judging_world, submit_review, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def s():
    """The jury's world (tests/jury/manage_helpers.py), not the results pages' ``s``."""
    return judging_world()


@pytest.fixture
def organiser_client(client, s):
    client.force_login(s.organiser)
    return client


# --- The round page -----------------------------------------------------------------------


def test_round_page_shows_status_deadline_method_and_links(organiser_client, s):
    s.round.deadline_at = dt.datetime(2030, 6, 1, 16, 0, tzinfo=dt.UTC)
    s.round.save()
    response = organiser_client.get(url(s, "round", number=1))
    html = text(response)
    assert re.search(r'data-testid="round-status" data-status="open">Open<', html)
    deadline = re.search(r'data-testid="round-deadline">([^<]*)<', html).group(1)
    assert deadline == "1 June 2030, 6:00 p.m. (Europe/Berlin)"
    assert re.search(r'data-testid="round-entries">3<', html)
    assert "Scores against the criteria" in html
    assert 'data-testid="round-close"' in html and 'data-testid="assignments-run"' in html
    assert f'href="{url(s, "assignments", number=1)}"' in html
    assert f'href="{url(s, "progress", number=1)}"' in html
    assert f'href="{url(s, "discussion", number=1, pk=s.submissions[0].pk)}"' in html


# --- Shortlist ---------------------------------------------------------------------------


@pytest.fixture
def scored(client):
    """Round 1 closed with every entry reviewed by all three jurors (means 90, 50, 10 on
    0..100 for entries 0, 1, 2), and a planned final round 2."""
    s = judging_setup(entries=3, jurors=3, criteria=1, k=3)
    client.force_login(prefer_english(s.organiser))
    services.assignment_run(round=s.round, actor=s.organiser)
    # Scale 1–10: 9.1 → (9.1-1)/9 = 90 %; the values below give 88.9, 55.6, 11.1.
    values = {s.submissions[0].pk: 9, s.submissions[1].pk: 6, s.submissions[2].pk: 2}
    for assignment in Assignment.objects.filter(round=s.round).select_related("round__award"):
        submit_review(assignment, values[assignment.submission_id])
    services.round_close(round=s.round, actor=s.organiser)
    s.final = RoundFactory(award=s.award, number=2, kind="final", name_en="Final round")
    s.client = client
    return s


def test_shortlist_proposal_is_shown_with_mean_and_reviews(scored):
    s = scored
    response = s.client.get(url(s, "round", number=1) + "?size=2")
    html = text(response)
    proposed = re.findall(r'<tr data-submission="(\d+)" data-proposed="1"', html)
    assert proposed == [str(s.submissions[0].pk), str(s.submissions[1].pk)]
    first = re.search(
        rf'<tr data-submission="{s.submissions[0].pk}"[^>]*>(.*?)</tr>', html, re.S
    ).group(1)
    assert 'data-testid="mean">88.9<' in first
    assert 'data-testid="reviews">3<' in first


def test_shortlist_take_by_size(scored):
    s = scored
    response = s.client.post(url(s, "shortlist", number=1), {"mode": "size", "size": "2"})
    assert followed_messages(s.client, response) == ["2 entries go on to round 2."]
    assert set(
        RoundEntry.objects.filter(round=s.final).values_list("submission_id", flat=True)
    ) == {
        s.submissions[0].pk,
        s.submissions[1].pk,
    }


def test_shortlist_take_by_hand(scored):
    s = scored
    response = s.client.post(
        url(s, "shortlist", number=1),
        {"mode": "pick", "submissions": [s.submissions[2].pk, s.submissions[0].pk]},
    )
    assert followed_messages(s.client, response) == ["2 entries go on to round 2."]
    assert set(
        RoundEntry.objects.filter(round=s.final).values_list("submission_id", flat=True)
    ) == {
        s.submissions[0].pk,
        s.submissions[2].pk,
    }
    page = text(s.client.get(url(s, "round", number=1)))
    assert re.search(r'data-testid="shortlist-carried">2 entries are on round 2 so far.<', page)


def test_shortlist_refuses_entries_of_another_round_or_none(scored):
    s = scored
    outsider = SubmissionFactory(award=s.award, category=s.category, status="eligible")
    response = s.client.post(
        url(s, "shortlist", number=1), {"mode": "pick", "submissions": [outsider.pk]}
    )
    assert followed_messages(s.client, response) == [
        "Only entries of this round can go on to the next."
    ]
    response = s.client.post(url(s, "shortlist", number=1), {"mode": "pick"})
    assert followed_messages(s.client, response) == ["Pick at least one entry."]
    response = s.client.post(url(s, "shortlist", number=1), {"mode": "size", "size": ""})
    assert followed_messages(s.client, response) == ["Say how many entries per category go on."]
    assert RoundEntry.objects.filter(round=s.final).count() == 0


def test_shortlist_needs_a_closed_round(organiser_client, s):
    RoundFactory(award=s.award, number=2, kind="final")
    response = organiser_client.post(url(s, "shortlist", number=1), {"mode": "size", "size": "1"})
    assert followed_messages(organiser_client, response) == [
        "Close the round before taking its shortlist."
    ]
    page = text(organiser_client.get(url(s, "round", number=1)))
    assert 'data-testid="shortlist"' not in page


# --- Ranking round: Schulze --------------------------------------------------------------


def test_schulze_result_of_a_ranking_round(organiser_client, s):
    a, b, c = s.submissions
    s.round.status = RoundStatus.CLOSED
    s.round.save()
    final = RoundFactory(
        award=s.award, number=2, kind="final", method="ranking", status="open", name_en="Final"
    )
    for entry in s.submissions:
        RoundEntry.objects.create(round=final, submission=entry)
    first, second, third = s.jurors
    for juror, ranking in (
        (first, {a.pk: 1, b.pk: 2, c.pk: 3}),
        (second, {a.pk: 1, c.pk: 2, b.pk: 3}),
    ):
        services.ballot_save(
            round=final,
            juror=juror,
            category_id=s.category.pk,
            ranking=ranking,
            version=0,
            submit=True,
            finalists=[a.pk, b.pk, c.pk],
        )

    response = organiser_client.get(url(s, "round", number=2))

    html = text(response)
    assert response.status_code == 200
    places = re.findall(r'<tr data-place="(\d+)" data-submission="(\d+)">', html)
    assert places[0] == ("1", str(a.pk))
    assert sorted(places[1:]) == sorted([("2", str(b.pk)), ("2", str(c.pk))])
    assert html.count(">tie<") == 2
    assert "2 ballots submitted." in html
    voters = re.search(r'data-testid="voters">([^<]*)<', html).group(1)
    assert escape(first.user.full_name) in voters and escape(second.user.full_name) in voters
    assert escape(third.user.full_name) in re.search(
        r'data-testid="pending-voters">([^<]*)<', html
    ).group(1)
    pairwise = re.search(r'data-testid="pairwise">(.*?)</table>', html, re.S).group(1)
    winner_row = re.search(r"<tr><th[^>]*>[^<]*</th>(.*?)</tr>", pairwise, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", winner_row) == ["–", "2", "2"]
