"""The final round as a juror sees it: the ranked ballot (ties, an incomplete ranking, ranks
out of range, conflicts, a stale ballot, who may open it) and the finalists' pages with the
discussion, closed with the round."""

import pytest
from django.utils import timezone

from jury.models import Ballot, DiscussionPost, RoundEntry
from tests.factories import CategoryFactory, JurorFactory, RoundFactory
from tests.helpers import body, login, login_url, prefer_english, text
from tests.jury.juror_helpers import ESCAPED_SCRIPT, SCRIPT, add_document, add_image, block, url

pytestmark = pytest.mark.django_db

# --- Final round: ranked ballots and the discussion -----------------------------------------


@pytest.fixture
def final(jury):
    """Round 1 closed; round 2 ranks the three entries; jurors[2] is in conflict with the
    first; a second category has a juror of its own."""
    jury.round.status = "closed"
    jury.round.save(update_fields=["status"])
    round_2 = RoundFactory(
        award=jury.award,
        number=2,
        method="ranking",
        status="open",
        name_en="Final round",
        opened_at=timezone.now(),
    )
    for submission in jury.submissions:
        RoundEntry.objects.create(round=round_2, submission=submission)
    block(jury.jurors[2], jury.submissions[0])
    jury.final = round_2
    jury.other_category_juror = JurorFactory(
        award=jury.award, categories=[CategoryFactory(award=jury.award)]
    )
    prefer_english(jury.other_category_juror.user)
    return jury


def ballot_url(jury, category=None, number=2):
    return url("ballot", jury, number=number, category=(category or jury.category).pk)


def ranks(jury, values: dict[int, str], **extra) -> dict:
    data = {"version": "0"}
    for index, submission in enumerate(jury.submissions):
        data[f"rank_{submission.pk}"] = values.get(index, "")
    data.update(extra)
    return data


def test_the_dashboard_links_the_ballot_and_the_finalists(client, final):
    login(client, final.jurors[0].user)

    page = text(client.get(url("dashboard", final)))

    assert f'href="{ballot_url(final)}"' in page
    for submission in final.submissions:
        assert f'href="{url("finalist", final, number=2, pk=submission.pk)}"' in page
    assert "0 of 1 submitted" in page


def test_a_juror_in_conflict_does_not_see_that_finalist_on_the_dashboard(client, final):
    login(client, final.jurors[2].user)

    page = text(client.get(url("dashboard", final)))

    assert final.submissions[0].title not in page
    assert final.submissions[1].title in page


def test_the_ballot_lists_the_finalists_the_juror_may_see(client, final):
    login(client, final.jurors[2].user)

    response = client.get(ballot_url(final))

    page = text(response)
    assert response.status_code == 200
    assert f'name="rank_{final.submissions[0].pk}"' not in page
    assert final.submissions[0].title not in page
    assert f'name="rank_{final.submissions[1].pk}"' in page


def test_a_ranking_is_saved_with_ties_and_then_submitted(client, final):
    juror = final.jurors[0]
    login(client, juror.user)

    saved = client.post(ballot_url(final), ranks(final, {0: "1", 1: "1"}, action="save"))
    submitted = client.post(
        ballot_url(final), ranks(final, {0: "1", 1: "1", 2: "2"}, version="1", action="submit")
    )

    assert (saved.status_code, saved["Location"]) == (302, ballot_url(final))
    assert (submitted.status_code, submitted["Location"]) == (302, url("dashboard", final))
    ballot = Ballot.objects.get(juror=juror)
    s1, s2, s3 = final.submissions
    assert ballot.ranking == {str(s1.pk): 1, str(s2.pk): 1, str(s3.pk): 2}
    assert ballot.status == "submitted"
    page = text(client.get(ballot_url(final)))
    assert 'data-testid="review-locked"' in page
    assert f'name="rank_{s3.pk}" value="2"' in page


def test_submitting_an_incomplete_ranking_is_refused_and_keeps_the_input(client, final):
    login(client, final.jurors[0].user)

    response = client.post(ballot_url(final), ranks(final, {0: "2"}, action="submit"))

    assert response.status_code == 400
    page = text(response)
    assert "Please rank every finalist before submitting." in page
    assert f'name="rank_{final.submissions[0].pk}" value="2"' in page
    assert not Ballot.objects.filter(status="submitted").exists()


def test_a_rank_outside_the_range_is_refused(client, final):
    login(client, final.jurors[0].user)

    response = client.post(ballot_url(final), ranks(final, {0: "4"}, action="save"))

    assert response.status_code == 400
    assert "Ranks go from 1 to 3." in text(response)
    assert not Ballot.objects.filter(ranking__has_key=str(final.submissions[0].pk)).exists()


def test_ranking_an_entry_the_juror_is_in_conflict_with_is_refused(client, final):
    login(client, final.jurors[2].user)

    response = client.post(
        ballot_url(final),
        ranks(final, {0: "1", 1: "1", 2: "2"}, action="save"),
    )

    assert response.status_code == 400
    assert "An entry that is not a finalist was ranked." in text(response)
    assert not Ballot.objects.exclude(version=0).exists()


def test_a_stale_ballot_is_refused_with_409(client, final):
    login(client, final.jurors[0].user)
    client.post(ballot_url(final), ranks(final, {0: "1"}, action="save"))

    response = client.post(ballot_url(final), ranks(final, {0: "3"}, action="save"))

    assert response.status_code == 409
    assert Ballot.objects.get().ranking == {str(final.submissions[0].pk): 1}


@pytest.mark.parametrize(
    ("who", "where", "status"),
    [
        ("juror", "ranking", 200),
        ("other_category", "ranking", 404),
        ("other_award", "ranking", 404),
        ("applicant", "ranking", 404),
        ("organiser", "ranking", 404),
        ("juror", "scores", 404),
        ("juror", "missing", 404),
    ],
)
def test_ballot_by_role_and_round(client, final, who, where, status):
    user = {
        "juror": final.jurors[0].user,
        "other_category": final.other_category_juror.user,
        "other_award": final.other_juror.user,
        "applicant": final.applicant,
        "organiser": final.organiser,
    }[who]
    login(client, user)
    number = {"ranking": 2, "scores": 1, "missing": 7}[where]

    assert client.get(ballot_url(final, number=number)).status_code == status


def test_the_ballot_of_a_category_the_juror_does_not_judge_is_404(client, final):
    login(client, final.jurors[0].user)
    other_category = final.other_category_juror.categories.get()

    assert client.get(ballot_url(final, category=other_category)).status_code == 404


def test_the_ballot_needs_a_login(client, final):
    page = ballot_url(final)

    response = client.get(page)

    assert (response.status_code, response["Location"]) == (302, login_url(page))


def finalist_url(jury, index=0, number=2):
    return url("finalist", jury, number=number, pk=jury.submissions[index].pk)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("juror", 200),
        ("in_conflict", 404),
        ("other_category", 404),
        ("other_award", 404),
        ("applicant", 404),
        ("organiser", 404),
    ],
)
def test_finalist_page_by_role(client, final, who, status):
    user = {
        "juror": final.jurors[0].user,
        "in_conflict": final.jurors[2].user,
        "other_category": final.other_category_juror.user,
        "other_award": final.other_juror.user,
        "applicant": final.applicant,
        "organiser": final.organiser,
    }[who]
    login(client, user)

    response = client.post(finalist_url(final), {"body": "Hello"})

    assert client.get(finalist_url(final)).status_code == status
    assert response.status_code == (302 if status == 200 else 404)
    assert DiscussionPost.objects.count() == (1 if status == 200 else 0)


def test_a_finalist_of_round_1_is_not_a_finalist_page(client, final):
    login(client, final.jurors[0].user)

    assert client.get(finalist_url(final, number=1)).status_code == 404


def test_the_finalist_page_shows_the_entry_and_the_discussion_escaped(client, final):
    author = final.jurors[1].user
    DiscussionPost.objects.create(
        round=final.final, submission=final.submissions[0], author=author, body="First\n" + SCRIPT
    )
    image = add_image(final.submissions[0])
    login(client, final.jurors[0].user)

    response = client.post(finalist_url(final), {"body": "Second <b>point</b>"}, follow=True)

    page = text(response)
    assert response.redirect_chain == [(finalist_url(final), 302)]
    assert final.submissions[0].summary in page
    assert f'<img src="{url("thumbnail", final, pk=image.pk)}"' in page
    posts = page.split('data-testid="discussion-post"')[1:]
    assert len(posts) == 2
    assert "Juror Person 1" in posts[0] and f"<p>First<br>{ESCAPED_SCRIPT}</p>" in posts[0]
    assert "Juror Person 0" in posts[1] and "Second &lt;b&gt;point&lt;/b&gt;" in posts[1]
    assert SCRIPT not in page
    assert DiscussionPost.objects.count() == 2


def test_an_empty_contribution_is_refused(client, final):
    login(client, final.jurors[0].user)

    response = client.post(finalist_url(final), {"body": "   "})

    assert response.status_code == 400
    assert not DiscussionPost.objects.exists()


def test_the_discussion_closes_with_the_round(client, final):
    final.final.status = "closed"
    final.final.save(update_fields=["status"])
    login(client, final.jurors[0].user)

    page = text(client.get(finalist_url(final)))
    response = client.post(finalist_url(final), {"body": "Too late"})

    assert 'data-testid="discussion-form"' not in page
    assert response.status_code == 400
    assert "The discussion is closed with the round." in text(response)
    assert not DiscussionPost.objects.exists()


def test_a_juror_in_conflict_cannot_download_a_finalists_file(client, final):
    image = add_image(final.submissions[0])
    login(client, final.jurors[2].user)

    assert client.get(url("attachment", final, pk=image.pk)).status_code == 404


def test_a_finalist_juror_downloads_a_finalists_file(client, final):
    document = add_document(final.submissions[1])
    login(client, final.jurors[1].user)

    response = client.get(url("attachment", final, pk=document.pk))

    assert response.status_code == 200
    assert body(response) == b"%PDF-1.4 plan"
