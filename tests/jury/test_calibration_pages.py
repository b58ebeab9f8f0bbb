"""The calibration pages: the juror's dashboard lists calibration entries first and holds
the other entries of the category back (review page, autosave and submit refuse politely
until the calibration reviews are in); the juror's private comparison (exact values, no
other juror's scores or names, how many more reviews an entry needs); the organisers' page
(choosing the entries with a confirmation in an open round, every juror's comparison,
whether calibration reviews count); who may open what; fixed numbers of queries; German."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jury import services
from jury.models import Assignment, Review, RoundEntry
from tests.factories import (
    AwardRoleFactory,
    CategoryFactory,
    JurorFactory,
    RoundFactory,
    SubmissionFactory,
)
from tests.helpers import html_lang, login, login_url, text
from tests.jury.juror_helpers import assign, criterion_fields, full_scores, url
from tests.jury.manage_helpers import followed_messages

pytestmark = pytest.mark.django_db

JSON = {"Accept": "application/json"}
CALIBRATION_FIRST = (
    "Please review your calibration entries first (marked on this page): every juror of the "
    "category scores them before their other entries, which open afterwards."
)


def manage_url(jury, name: str, **kwargs) -> str:
    return reverse(f"jury_manage:{name}", kwargs={"slug": jury.award.slug, **kwargs})


def calibration_page(jury, round_=None, category=None) -> str:
    return url(
        "calibration",
        jury,
        number=(round_ or jury.round).number,
        category=(category or jury.category).pk,
    )


def mark(jury, entries):
    return services.calibration_entries_set(
        round=jury.round, category=jury.category, submissions=entries, actor=jury.organiser
    )


def assignment_of(jury, juror, entry) -> Assignment:
    return Assignment.objects.get(round=jury.round, juror=juror, submission=entry)


def submit(assignment, first, second, comment=""):
    c1, c2 = assignment.round.award.criteria.order_by("position", "pk")
    return services.review_save(
        assignment=assignment,
        actor=assignment.juror.user,
        version=0,
        scores={c1.pk: first, c2.pk: second},
        comments={c1.pk: comment} if comment else None,
        submit=True,
    )


def add_jurors_with_calibration(jury, count: int, first: int, second: int) -> None:
    """``count`` more jurors of the category who have reviewed every calibration entry."""
    jurors = [JurorFactory(award=jury.award, categories=[jury.category]) for _ in range(count)]
    services.calibration_assignments_ensure(award=jury.award, actor=jury.organiser)
    for juror in jurors:
        for assignment in Assignment.objects.filter(juror=juror):
            submit(assignment, first, second)


@pytest.fixture
def gated(jury):
    """jurors[0] reviews the first entry; the other two are calibration entries."""
    ordinary = assign(jury, jury.jurors[0], jury.submissions[0])
    mark(jury, jury.submissions[1:])
    jury.ordinary = ordinary
    jury.calibration = [assignment_of(jury, jury.jurors[0], e) for e in jury.submissions[1:]]
    return jury


@pytest.fixture
def scored(jury):
    """Jurors A, B, C (jurors[0..2]) have reviewed both calibration entries E1, E2
    (submissions[1], [2]); criteria c1 (weight 1) and c2 (weight 3), both 1–10:

        E1: A (9, 4)  B (5, 3)  C (8, 6)
        E2: A (7, 4)  B (7, 3)  C (4, 4)

    A is 2.0 points milder on c1, in line on c2 and 5.6 points milder on the total (see
    test_calibration_services.py for the arithmetic)."""
    c2 = jury.criteria[1]
    c2.weight = 3
    c2.save()
    e1, e2 = jury.submissions[1:]
    mark(jury, [e1, e2])
    a, b, c = jury.jurors
    table = {
        (a, e1): (9, 4),
        (b, e1): (5, 3),
        (c, e1): (8, 6),
        (a, e2): (7, 4),
        (b, e2): (7, 3),
        (c, e2): (4, 4),
    }
    for (juror, entry), (first, second) in table.items():
        comment = "" if juror == a else f"Private remark of {juror.user.full_name}"
        submit(assignment_of(jury, juror, entry), first, second, comment)
    return jury


# --- The dashboard and the gate ------------------------------------------------------------


def test_the_dashboard_lists_calibration_entries_first_and_locks_the_others(client, gated):
    login(client, gated.jurors[0].user)

    page = text(client.get(url("dashboard", gated)))

    assert 'data-testid="calibration-first"' in page
    assert "Calibration entries first" in page
    order = [page.index(f'data-assignment="{a.pk}"') for a in [*gated.calibration, gated.ordinary]]
    assert order == sorted(order)
    assert page.count('data-testid="calibration-badge">Calibration entry<') == 2
    ordinary_row = page.split(f'data-assignment="{gated.ordinary.pk}"')[1].split("</tr>")[0]
    assert 'data-locked="true"' in ordinary_row
    assert "Opens once your calibration reviews are submitted" in ordinary_row
    assert url("review", gated, pk=gated.ordinary.pk) not in page
    for assignment in gated.calibration:
        assert f'href="{url("review", gated, pk=assignment.pk)}"' in page
    assert 'data-testid="calibration-feedback-link"' not in page


def test_the_review_page_of_another_entry_sends_the_juror_to_the_dashboard(client, gated):
    login(client, gated.jurors[0].user)
    page = url("review", gated, pk=gated.ordinary.pk)

    response = client.get(page)

    assert response["Location"] == url("dashboard", gated)
    assert followed_messages(client, response) == [CALIBRATION_FIRST]
    posted = client.post(page, criterion_fields(gated, full_scores(gated), action="submit"))
    assert posted.status_code == 302
    assert posted["Location"] == url("dashboard", gated)
    assert not Review.objects.filter(assignment=gated.ordinary).exists()
    # The calibration entries themselves open.
    assert client.get(url("review", gated, pk=gated.calibration[0].pk)).status_code == 200


def test_autosave_of_another_entry_is_refused_with_a_message(client, gated):
    login(client, gated.jurors[0].user)

    response = client.post(
        url("review_autosave", gated, pk=gated.ordinary.pk),
        criterion_fields(gated, full_scores(gated)),
        headers=JSON,
    )

    assert response.status_code == 400
    body = response.json()
    assert (body["ok"], body["code"], body["final"]) == (False, "closed", True)
    assert body["message"] == (
        "Please submit your reviews of the calibration entries of this category first; your "
        "other entries of the category open afterwards."
    )
    assert not Review.objects.filter(assignment=gated.ordinary).exists()


def test_once_the_calibration_reviews_are_in_the_other_entries_open(client, gated):
    juror = gated.jurors[0]
    for assignment in gated.calibration:
        submit(assignment, 6, 6)
    login(client, juror.user)

    page = text(client.get(url("dashboard", gated)))
    assert 'data-testid="calibration-first"' not in page
    assert 'data-locked="true"' not in page
    assert f'href="{calibration_page(gated)}"' in page
    assert client.get(url("review", gated, pk=gated.ordinary.pk)).status_code == 200
    saved = client.post(
        url("review_autosave", gated, pk=gated.ordinary.pk),
        criterion_fields(gated, full_scores(gated)),
        headers=JSON,
    )
    assert saved.status_code == 200
    submitted = client.post(
        url("review", gated, pk=gated.ordinary.pk),
        criterion_fields(gated, full_scores(gated), version="1", action="submit"),
    )
    assert submitted.status_code == 302
    assert Review.objects.get(assignment=gated.ordinary).status == "submitted"


# --- The juror's comparison ------------------------------------------------------------------


def test_the_juror_sees_their_own_tendency_in_words(client, scored):
    login(client, scored.jurors[0].user)

    response = client.get(calibration_page(scored))

    assert response.status_code == 200
    page = text(response)
    c1, c2 = scored.criteria
    rows = {
        key: page.split(f'data-criterion="{key}"')[1].split("</tr>")[0]
        for key in (c1.pk, c2.pk, "total")
    }
    assert "on average 2.0 points milder than the other jurors" in rows[c1.pk]
    assert 'data-tendency="milder"' in rows[c1.pk]
    assert "in line with the other jurors" in rows[c2.pk]
    assert "on average 5.6 points milder than the other jurors" in rows["total"]
    assert "Based on 2 calibration entries" in page


def test_the_comparison_never_shows_another_jurors_scores_or_name(client, scored):
    login(client, scored.jurors[0].user)

    page = text(client.get(calibration_page(scored)))

    for other in scored.jurors[1:]:
        assert other.user.full_name not in page
        assert other.user.email not in page
        assert f"Private remark of {other.user.full_name}" not in page
    # Nothing per entry or per juror that would give a score away: only the three sentences.
    assert "points harsher" not in page
    assert page.count("points milder than the other jurors") == 2
    assert page.count("in line with the other jurors") == 1


def test_with_one_other_review_the_page_says_how_many_more_are_needed(client, jury):
    e1, e2 = jury.submissions[1:]
    mark(jury, [e1, e2])
    a, b, _c = jury.jurors
    submit(assignment_of(jury, a, e1), 9, 9)
    submit(assignment_of(jury, a, e2), 9, 9)
    submit(assignment_of(jury, b, e1), 2, 3, comment="Only B wrote this")
    login(client, a.user)

    page = text(client.get(calibration_page(jury)))

    assert "No comparison yet" in page
    assert "points milder" not in page and "points harsher" not in page
    states = {e.pk: page.split(f'data-submission="{e.pk}"')[1].split("</li>")[0] for e in (e1, e2)}
    assert "Counts once 1 more juror has submitted a review of it." in states[e1.pk]
    assert "Counts once 2 more jurors have submitted a review of it." in states[e2.pk]
    assert b.user.full_name not in page
    assert "Only B wrote this" not in page


def test_a_juror_with_calibration_still_open_sees_how_many_are_left(client, gated):
    submit(gated.calibration[0], 5, 5)
    login(client, gated.jurors[0].user)

    page = text(client.get(calibration_page(gated)))

    assert "You have submitted 1 of your 2 calibration reviews." in page
    assert "Your review is not submitted yet." in page


@pytest.mark.parametrize(
    "who", ["applicant", "organiser", "other_award", "other_category", "no_calibration"]
)
def test_who_is_not_a_juror_of_the_round_and_category_gets_404(client, scored, who):
    jury = scored
    if who == "other_category":
        user = JurorFactory(award=jury.award, categories=[CategoryFactory(award=jury.award)]).user
    elif who == "no_calibration":
        # On the category, but blocked from both calibration entries by conflicts.
        juror = JurorFactory(award=jury.award, categories=[jury.category])
        services.conflict_record(
            juror=juror,
            submission=jury.submissions[1],
            whole_organisation=False,
            note="",
            actor=jury.organiser,
        )
        services.conflict_record(
            juror=juror,
            submission=jury.submissions[2],
            whole_organisation=False,
            note="",
            actor=jury.organiser,
        )
        user = juror.user
    else:
        user = {
            "applicant": jury.applicant,
            "organiser": jury.organiser,
            "other_award": jury.other_juror.user,
        }[who]
    login(client, user)

    assert client.get(calibration_page(jury)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, scored):
    page = calibration_page(scored)

    response = client.get(page)

    assert (response.status_code, response["Location"]) == (302, login_url(page))


def test_an_unknown_or_planned_round_and_an_unknown_category_are_404(client, scored):
    login(client, scored.jurors[0].user)
    planned = RoundFactory(award=scored.award, number=2, status="planned")

    assert client.get(calibration_page(scored, round_=planned)).status_code == 404
    assert (
        client.get(url("calibration", scored, number=9, category=scored.category.pk)).status_code
        == 404
    )
    assert (
        client.get(
            url("calibration", scored, number=1, category=scored.other_juror.pk + 999)
        ).status_code
        == 404
    )


def test_the_juror_page_runs_a_fixed_number_of_queries(client, scored, django_assert_num_queries):
    login(client, scored.jurors[0].user)
    page = calibration_page(scored)
    client.get(page)  # the session settles
    with CaptureQueriesContext(connection) as few:
        assert client.get(page).status_code == 200
    add_jurors_with_calibration(scored, 8, 5, 5)
    count = len(few)
    client.get(page)  # the navigation's lists are read again after the new seats, once

    with django_assert_num_queries(count):
        response = client.get(page)

    assert "Based on 2 calibration entries" in text(response)


def test_the_juror_page_in_german(client, scored):
    user = scored.jurors[0].user
    user.preferred_language = "de"
    user.save(update_fields=["preferred_language"])
    login(client, user)

    response = client.get(calibration_page(scored))

    page = text(response)
    assert html_lang(response) == "de"
    assert "Bewertungskriterium" in page
    assert "Gesamtpunktzahl der Bewertung (0–100)" in page
    # Numbers in the German format.
    assert "2,0" in page and "5,6" in page


# --- The organisers' page ---------------------------------------------------------------------


def organiser_pages(jury) -> list[tuple[str, str]]:
    return [
        ("get", manage_url(jury, "calibration_index", number=1)),
        ("get", manage_url(jury, "calibration", number=1, category=jury.category.pk)),
        ("post", manage_url(jury, "calibration", number=1, category=jury.category.pk)),
        ("post", manage_url(jury, "calibration_counting", number=1)),
    ]


def test_anonymous_visitors_are_sent_to_log_in_from_the_organisers_page(client, jury):
    for method, page in organiser_pages(jury):
        response = getattr(client, method)(page)
        assert (response.status_code, response["Location"]) == (302, login_url(page)), page


@pytest.mark.parametrize("who", ["applicant", "juror", "other_organiser"])
def test_the_organisers_page_is_404_for_everyone_else(client, jury, who):
    user = {
        "applicant": jury.applicant,
        "juror": jury.jurors[0].user,
        "other_organiser": AwardRoleFactory(award=jury.other_juror.award, role="organiser").user,
    }[who]
    login(client, user)
    chosen = [str(e.pk) for e in jury.submissions[1:]]

    for method, page in organiser_pages(jury):
        response = getattr(client, method)(page, {"submissions": chosen, "confirmed": "on"})
        assert response.status_code == 404, (who, page)
    assert not RoundEntry.objects.filter(is_calibration=True).exists()
    jury.round.refresh_from_db()
    assert jury.round.calibration_counts is True


def test_the_index_opens_the_first_category(client, jury):
    login(client, jury.organiser)

    response = client.get(manage_url(jury, "calibration_index", number=1))

    assert response["Location"] == manage_url(
        jury, "calibration", number=1, category=jury.category.pk
    )


def test_in_an_open_round_the_organiser_confirms_before_assignments_are_created(client, jury):
    login(client, jury.organiser)
    page = manage_url(jury, "calibration", number=1, category=jury.category.pk)
    chosen = [str(e.pk) for e in jury.submissions[1:]]

    asked = client.post(page, {"submissions": chosen})

    assert asked.status_code == 200
    html = text(asked)
    assert 'data-testid="calibration-confirm"' in html
    assert "The round is open: 6 assignments will be created now" in html
    assert not Assignment.objects.exists()
    assert not RoundEntry.objects.filter(is_calibration=True).exists()

    done = client.post(page, {"submissions": chosen, "confirmed": "on"})

    assert followed_messages(client, done) == [
        "The 2 calibration entries have been saved; 6 assignments were created."
    ]
    assert Assignment.objects.count() == 6
    assert set(
        RoundEntry.objects.filter(is_calibration=True).values_list("submission_id", flat=True)
    ) == {e.pk for e in jury.submissions[1:]}


def test_in_a_planned_round_the_entries_are_saved_without_asking(client, jury):
    later = RoundFactory(award=jury.award, number=2, status="planned")
    for entry in jury.submissions:
        RoundEntry.objects.create(round=later, submission=entry)
    login(client, jury.organiser)

    response = client.post(
        manage_url(jury, "calibration", number=2, category=jury.category.pk),
        {"submissions": [str(e.pk) for e in jury.submissions[:2]]},
    )

    assert response.status_code == 302
    assert Assignment.objects.filter(round=later).count() == 6


def test_one_entry_is_refused_at_the_field(client, jury):
    login(client, jury.organiser)

    response = client.post(
        manage_url(jury, "calibration", number=1, category=jury.category.pk),
        {"submissions": [str(jury.submissions[0].pk)], "confirmed": "on"},
    )

    assert response.status_code == 400
    assert (
        "Choose between 2 and 5 calibration entries (you chose 1), or none to do without "
        "calibration in this category." in text(response)
    )
    assert not RoundEntry.objects.filter(is_calibration=True).exists()


def test_an_entry_of_another_category_is_not_offered_and_refused(client, jury):
    elsewhere = CategoryFactory(award=jury.award)
    foreign = SubmissionFactory(award=jury.award, category=elsewhere, status="eligible")
    RoundEntry.objects.create(round=jury.round, submission=foreign)
    login(client, jury.organiser)
    page = manage_url(jury, "calibration", number=1, category=jury.category.pk)

    assert foreign.title not in text(client.get(page))
    response = client.post(
        page, {"submissions": [str(jury.submissions[0].pk), str(foreign.pk)], "confirmed": "on"}
    )
    assert response.status_code == 400
    assert "Only entries of this round in this category can be calibration entries." in text(
        response
    )


def test_the_organiser_sees_every_jurors_tendency_and_the_reviews_in(client, scored):
    login(client, scored.organiser)

    response = client.get(manage_url(scored, "calibration", number=1, category=scored.category.pk))

    page = text(response)
    a, b, c = scored.jurors
    rows = {j.pk: page.split(f'<tr data-juror="{j.pk}">')[1].split("</tr>")[0] for j in (a, b, c)}
    assert a.user.full_name in rows[a.pk]
    assert "2 of 2" in rows[a.pk]
    assert "on average 2.0 points milder than the other jurors" in rows[a.pk]
    assert "on average 5.6 points milder than the other jurors" in rows[a.pk]
    assert "on average 15.3 points harsher than the other jurors" in rows[b.pk]
    assert "on average 9.7 points milder than the other jurors" in rows[c.pk]
    assert page.count("3 reviews submitted") == 2
    # The reviews are in: the entries stay, and the page offers no change.
    assert 'data-testid="calibration-started"' in page
    assert 'data-testid="calibration-form"' not in page
    assert 'class="table-responsive' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_the_organiser_decides_whether_calibration_reviews_count(client, jury):
    login(client, jury.organiser)

    response = client.post(
        manage_url(jury, "calibration_counting", number=1), {"category": str(jury.category.pk)}
    )

    assert followed_messages(client, response) == [
        "The calibration reviews no longer count in the ranking."
    ]
    assert response["Location"] == manage_url(
        jury, "calibration", number=1, category=jury.category.pk
    )
    jury.round.refresh_from_db()
    assert jury.round.calibration_counts is False


def test_the_assignments_page_marks_calibration_entries_and_links_the_page(client, gated):
    login(client, gated.organiser)

    page = text(client.get(manage_url(gated, "assignments", number=1)))

    assert page.count('data-testid="calibration-badge"') == 2
    assert f'href="{manage_url(gated, "calibration_index", number=1)}"' in page


def test_the_organisers_page_runs_a_fixed_number_of_queries(
    client, scored, django_assert_num_queries
):
    login(client, scored.organiser)
    page = manage_url(scored, "calibration", number=1, category=scored.category.pk)
    client.get(page)
    with CaptureQueriesContext(connection) as few:
        assert client.get(page).status_code == 200
    add_jurors_with_calibration(scored, 8, 4, 7)
    count = len(few)
    client.get(page)  # the navigation's lists are read again after the new seats, once

    with django_assert_num_queries(count):
        response = client.get(page)

    assert text(response).count("<tr data-juror=") == 11
