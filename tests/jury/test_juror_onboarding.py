"""A juror's first steps: who may open the juror's own pages, the confidentiality
statement, the profile with expertise per category, and the conflicts page (suggestions,
declarations, preferences, conflicts the organisers recorded) with its fixed number of
queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jury import services
from jury.models import Assignment, Bid, Conflict
from tests.factories import answer_of
from tests.helpers import login, login_url, text
from tests.jury.juror_helpers import add_image, add_submissions, assign, people, url, user_of

pytestmark = pytest.mark.django_db

# --- Who may open which page ----------------------------------------------------------------


JUROR_PAGE_STATUS = {
    "applicant": 404,
    "organiser": 404,
    "assigned": 200,
    "not_assigned": 200,
    "in_conflict": 200,
    "other_award": 404,
}


@pytest.mark.parametrize("name", ["dashboard", "confidentiality", "profile", "conflicts"])
@pytest.mark.parametrize("role", [*JUROR_PAGE_STATUS, "anonymous"])
def test_juror_pages_by_role(client, matrix, name, role):
    page = url(name, matrix)
    login(client, user_of(people(matrix)[role]))

    response = client.get(page)

    if role == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_url(page))
    else:
        assert response.status_code == JUROR_PAGE_STATUS[role]


# --- First steps ----------------------------------------------------------------------------


@pytest.fixture
def newcomer(jury):
    """A juror who has just accepted: nothing confirmed or declared yet, with an assignment."""
    juror = jury.jurors[0]
    juror.confidentiality_confirmed_at = None
    juror.conflicts_declared_at = None
    juror.save()
    assign(jury, juror, jury.submissions[0])
    return juror


def test_a_new_juror_sees_the_first_steps_and_no_entries(client, jury, newcomer):
    login(client, newcomer.user)

    response = client.get(url("dashboard", jury))

    page = text(response)
    assert response.status_code == 200
    assert 'data-testid="not-ready"' in page
    assert f'href="{url("confidentiality", jury)}" data-testid="next-step"' in page
    assert jury.submissions[0].title not in page
    assert 'data-testid="assignments"' not in page


@pytest.mark.parametrize("name", ["review", "attachment", "finalist", "ballot"])
def test_a_new_juror_is_sent_to_the_first_step_before_any_entry(client, jury, newcomer, name):
    login(client, newcomer.user)
    assignment = Assignment.objects.get(juror=newcomer)
    attachment = add_image(jury.submissions[0])
    page = {
        "review": url("review", jury, pk=assignment.pk),
        "attachment": url("attachment", jury, pk=attachment.pk),
        "finalist": url("finalist", jury, number=2, pk=jury.submissions[0].pk),
        "ballot": url("ballot", jury, number=2, category=jury.category.pk),
    }[name]

    response = client.get(page)

    if name == "attachment":
        assert response.status_code == 404
    else:
        assert (response.status_code, response["Location"]) == (302, url("confidentiality", jury))


def test_conflicts_need_the_confidentiality_statement_first(client, jury, newcomer):
    login(client, newcomer.user)

    response = client.get(url("conflicts", jury))

    assert (response.status_code, response["Location"]) == (302, url("confidentiality", jury))
    assert not Conflict.objects.exists()


def test_the_confidentiality_statement_of_the_award_is_shown(client, jury, newcomer):
    jury.award.confidentiality_en = "Keep the Flax secret."
    jury.award.save(update_fields=["confidentiality_en"])
    login(client, newcomer.user)

    page = text(client.get(url("confidentiality", jury)))

    assert "Keep the Flax secret." in page


def test_without_a_statement_of_its_own_a_generic_one_is_shown(client, jury, newcomer):
    login(client, newcomer.user)

    page = text(client.get(url("confidentiality", jury)))

    assert "Keep everything you read, the scores and the jury's discussions confidential" in page


def test_confirming_confidentiality_records_the_time_and_leads_to_the_profile(
    client, jury, newcomer
):
    login(client, newcomer.user)

    refused = client.post(url("confidentiality", jury), {})
    response = client.post(url("confidentiality", jury), {"confirm": "on"})

    assert refused.status_code == 400
    assert "Please confirm the statement to continue." in text(refused)
    assert (response.status_code, response["Location"]) == (302, url("profile", jury))
    newcomer.refresh_from_db()
    assert newcomer.confidentiality_confirmed_at is not None


def test_the_profile_is_saved_with_expertise_per_category_and_leads_to_conflicts(
    client, jury, newcomer
):
    newcomer.confidentiality_confirmed_at = timezone.now()
    newcomer.save(update_fields=["confidentiality_confirmed_at"])
    login(client, newcomer.user)

    response = client.post(
        url("profile", jury),
        {
            "affiliation": "TU Dresden",
            "expertise_note": "Natural fibres",
            f"expertise_{jury.category.pk}": "3",
        },
    )

    assert (response.status_code, response["Location"]) == (302, url("conflicts", jury))
    newcomer.refresh_from_db()
    assert (newcomer.affiliation, newcomer.expertise_note) == ("TU Dresden", "Natural fibres")
    assert newcomer.category_links.get().expertise == 3


def test_a_profile_with_an_unknown_expertise_level_is_refused(client, jury, newcomer):
    login(client, newcomer.user)

    response = client.post(
        url("profile", jury),
        {"affiliation": "TU Dresden", f"expertise_{jury.category.pk}": "9"},
    )

    assert response.status_code == 400
    newcomer.refresh_from_db()
    assert newcomer.affiliation == ""


# --- Conflicts of interest ------------------------------------------------------------------


def test_the_conflicts_page_shows_reference_title_and_company_only(client, jury):
    login(client, jury.jurors[0].user)

    response = client.get(url("conflicts", jury))

    page = text(response)
    assert response.status_code == 200
    assert page.count('data-testid="conflict-row"') == 3
    for submission in jury.submissions:
        assert submission.reference in page
        assert submission.title in page
        assert submission.organisation.name in page
        assert submission.summary not in page
        assert answer_of(submission, "description") not in page
    assert "/jury/" + jury.award.slug + "/files/" not in page


def test_a_suggested_conflict_is_shown_preselected_with_its_reason(client, jury):
    juror = jury.jurors[0]
    organisation = jury.submissions[1].organisation
    organisation.contact_email = "info@jury0.example.net"
    organisation.save(update_fields=["contact_email"])
    login(client, juror.user)

    page = text(client.get(url("conflicts", jury)))

    # Showing the page writes nothing: the suggestion is computed, not recorded.
    assert not Conflict.objects.filter(juror=juror).exists()
    row = page.split(f'data-entry="{jury.submissions[1].pk}"')[1].split("</tr>")[0]
    assert ">suggested</span>" in row
    assert "same email domain @jury0.example.net" in row
    assert '<option value="organisation" selected>' in row
    other_row = page.split(f'data-entry="{jury.submissions[0].pk}"')[1].split("</tr>")[0]
    assert '<option value="none" selected>' in other_row
    assert "suggested" not in other_row

    # Sending the page as shown records the suggestion and the juror's confirmation of it.
    client.post(url("conflicts", jury), declaration(jury, {1: "organisation"}))

    conflict = Conflict.objects.get(juror=juror)
    assert (conflict.organisation, conflict.status, conflict.source) == (
        organisation,
        "confirmed",
        "automatic",
    )


def test_the_conflicts_page_writes_nothing_and_a_dismissed_suggestion_stays_dismissed(client, jury):
    organisation = jury.submissions[1].organisation
    organisation.contact_email = "info@jury0.example.net"
    organisation.save(update_fields=["contact_email"])
    login(client, jury.jurors[0].user)

    client.get(url("conflicts", jury))
    client.get(url("conflicts", jury))
    assert not Conflict.objects.filter(juror=jury.jurors[0]).exists()

    client.post(url("conflicts", jury), declaration(jury, {}))  # "no conflict" everywhere
    page = text(client.get(url("conflicts", jury)))

    conflict = Conflict.objects.get(juror=jury.jurors[0])
    assert (conflict.organisation, conflict.status) == (organisation, "dismissed")
    row = page.split(f'data-entry="{jury.submissions[1].pk}"')[1].split("</tr>")[0]
    assert '<option value="none" selected>' in row
    assert "suggested" not in row


def declaration(jury, scopes: dict[int, str], notes=None, preferences=None) -> dict:
    data = {}
    for index, submission in enumerate(jury.submissions):
        data[f"scope_{submission.pk}"] = scopes.get(index, "none")
        data[f"note_{submission.pk}"] = (notes or {}).get(index, "")
        data[f"preference_{submission.pk}"] = str((preferences or {}).get(index, 0))
    return data


def test_declaring_conflicts_and_preferences(client, jury):
    juror = jury.jurors[0]
    login(client, juror.user)

    response = client.post(
        url("conflicts", jury),
        declaration(
            jury,
            {0: "submission", 1: "organisation"},
            notes={0: "I advised them in 2029."},
            preferences={2: 1},
        ),
        follow=True,
    )

    assert response.redirect_chain == [(url("dashboard", jury), 302)]
    assert "your conflicts of interest and preferences have been saved" in text(response)
    by_entry = Conflict.objects.get(juror=juror, submission=jury.submissions[0])
    by_company = Conflict.objects.get(juror=juror, organisation=jury.submissions[1].organisation)
    assert (by_entry.status, by_entry.note) == ("confirmed", "I advised them in 2029.")
    assert by_company.status == "confirmed"
    assert Bid.objects.get(juror=juror, submission=jury.submissions[2]).preference == 1


def test_a_declared_conflict_is_preselected_next_time(client, jury):
    juror = jury.jurors[0]
    login(client, juror.user)
    client.post(
        url("conflicts", jury),
        declaration(jury, {0: "submission"}, notes={0: "Former employer"}, preferences={1: -1}),
    )

    page = text(client.get(url("conflicts", jury)))

    first = page.split(f'data-entry="{jury.submissions[0].pk}"')[1].split("</tr>")[0]
    second = page.split(f'data-entry="{jury.submissions[1].pk}"')[1].split("</tr>")[0]
    assert '<option value="submission" selected>' in first
    assert 'value="Former employer"' in first
    assert '<option value="-1" selected>' in second


def test_dismissing_a_suggestion(client, jury):
    juror = jury.jurors[0]
    suggested = Conflict.objects.create(
        juror=juror,
        organisation=jury.submissions[1].organisation,
        status="suggested",
        source="automatic",
        reason="@jury0.example.net",
    )
    login(client, juror.user)

    client.post(url("conflicts", jury), declaration(jury, {}))

    suggested.refresh_from_db()
    assert suggested.status == "dismissed"


def test_a_conflict_the_organisers_recorded_is_fixed(client, jury):
    juror = jury.jurors[0]
    recorded = services.conflict_record(
        juror=juror,
        submission=jury.submissions[0],
        whole_organisation=False,
        note="Board member",
        actor=jury.organiser,
    )
    login(client, juror.user)

    page = text(client.get(url("conflicts", jury)))
    response = client.post(url("conflicts", jury), declaration(jury, {}))

    row = page.split(f'data-entry="{jury.submissions[0].pk}"')[1].split("</tr>")[0]
    assert 'data-testid="conflict-fixed"' in row
    assert "Recorded by the organisers" in row
    assert f'name="scope_{jury.submissions[0].pk}"' not in page
    assert response.status_code == 302
    recorded.refresh_from_db()
    assert (recorded.status, recorded.note) == ("confirmed", "Board member")


def test_an_unknown_conflict_scope_is_refused(client, jury):
    login(client, jury.jurors[0].user)

    response = client.post(url("conflicts", jury), declaration(jury, {0: "family"}))

    assert response.status_code == 400
    assert not Conflict.objects.exists()


def test_the_conflicts_page_runs_the_same_queries_for_3_and_12_entries(client, jury):
    juror = jury.jurors[0]
    Conflict.objects.create(juror=juror, submission=jury.submissions[0])
    Bid.objects.create(juror=juror, submission=jury.submissions[1], preference=1)
    login(client, juror.user)
    client.get(url("conflicts", jury))  # the session settles

    with CaptureQueriesContext(connection) as few:
        response = client.get(url("conflicts", jury))
    assert text(response).count('data-testid="conflict-row"') == 3
    more = add_submissions(jury, 9)
    Conflict.objects.create(juror=juror, submission=more[0])
    Bid.objects.create(juror=juror, submission=more[1], preference=-1)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("conflicts", jury))

    assert text(response).count('data-testid="conflict-row"') == 12
    assert len(many) == len(few)
