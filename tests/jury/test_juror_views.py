"""The jurors' pages: the invitation, the first steps, conflicts of interest, the dashboard,
reviews with autosave, the entries' files, ranked ballots and the finalists' discussion.

Every page is tried by the people who may use it and by those who may not (anonymous,
applicant, organiser, a juror without the assignment, a juror in conflict, a juror of another
award); refused input must come back with a message and without losing what was typed.
"""

import datetime as dt
import io
from urllib.parse import urlencode

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation
from PIL import Image

from core.formatting import format_moment
from jury import services
from jury.models import (
    Assignment,
    Ballot,
    Bid,
    Conflict,
    DiscussionPost,
    Juror,
    JuryInvitation,
    Review,
    RoundEntry,
)
from submissions.models import Attachment, Submission
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    JurorFactory,
    OrganisationFactory,
    RoundFactory,
    SubmissionFactory,
    UserFactory,
    judging_setup,
)

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
JSON = {"Accept": "application/json"}


def english(user):
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    return user


@pytest.fixture
def jury():
    """Three eligible entries of different companies, three jurors, two criteria (1–10).
    Every person reads English; each juror has a mail domain of their own, so that no
    conflict is suggested unless a test asks for one."""
    setup = judging_setup(entries=3, jurors=3, criteria=2, k=2)
    award = setup.award
    for number, juror in enumerate(setup.jurors):
        juror.user.email = f"juror{number}@jury{number}.example.net"
        juror.user.full_name = f"Juror Person {number}"
        juror.user.preferred_language = "en"
        juror.user.save(update_fields=["email", "full_name", "preferred_language"])
    for number, submission in enumerate(setup.submissions, start=1):
        submission.reference = f"LIA-{award.edition}-{setup.category.code}-{number:04d}"
        submission.title = f"Flax frame {number}"
        submission.summary = f"Summary of entry {number}"
        submission.description = f"Description of entry {number}"
        submission.save()
    english(setup.organiser)
    setup.applicant = english(setup.submissions[0].created_by)
    other_award = AwardFactory(status="judging", slug="other-award")
    setup.other_juror = JurorFactory(
        award=other_award, categories=[CategoryFactory(award=other_award)]
    )
    english(setup.other_juror.user)
    return setup


def assign(jury, juror, submission, round=None) -> Assignment:
    return Assignment.objects.create(round=round or jury.round, juror=juror, submission=submission)


def login(client, user):
    if user is not None:
        client.force_login(user)
    return user


def login_url(url: str) -> str:
    return f"{reverse('accounts:login')}?{urlencode({'next': url}, safe='/')}"


def url(name: str, jury, **kwargs) -> str:
    return reverse(f"jury:{name}", kwargs={"slug": jury.award.slug, **kwargs})


def block(juror, submission, **extra) -> Conflict:
    """A confirmed conflict with the entry's company (created directly, so that the juror
    keeps the assignment and only the visibility rule stands between them and the entry)."""
    return Conflict.objects.create(juror=juror, organisation=submission.organisation, **extra)


def text(response) -> str:
    return response.content.decode()


def criterion_fields(jury, values: dict | None = None, **extra) -> dict:
    data = {"version": "0", "overall_comment": ""}
    for criterion in jury.criteria:
        data[f"score_{criterion.pk}"] = ""
        data[f"comment_{criterion.pk}"] = ""
    data.update(values or {})
    data.update(extra)
    return data


def full_scores(jury, first=7, second=8) -> dict:
    c1, c2 = jury.criteria
    return {f"score_{c1.pk}": str(first), f"score_{c2.pk}": str(second)}


# --- Who may open which page ----------------------------------------------------------------


def people(jury):
    """Everyone who may try the pages: (user, expected status) per role for an entry page of
    ``jury.submissions[0]``, which jurors[0] is assigned and jurors[2] is in conflict with."""
    return {
        "anonymous": None,
        "applicant": jury.applicant,
        "organiser": jury.organiser,
        "assigned": jury.jurors[0],
        "not_assigned": jury.jurors[1],
        "in_conflict": jury.jurors[2],
        "other_award": jury.other_juror,
    }


@pytest.fixture
def matrix(jury):
    assign(jury, jury.jurors[0], jury.submissions[0])
    assign(jury, jury.jurors[2], jury.submissions[0])
    block(jury.jurors[2], jury.submissions[0])
    return jury


def user_of(person):
    return person.user if isinstance(person, Juror) else person


ENTRY_PAGE_STATUS = {
    "applicant": 404,
    "organiser": 404,
    "assigned": 200,
    "not_assigned": 404,
    "in_conflict": 404,
    "other_award": 404,
}


@pytest.mark.parametrize("role", [*ENTRY_PAGE_STATUS, "anonymous"])
def test_review_page_by_role(client, matrix, role):
    assignment = Assignment.objects.get(juror=matrix.jurors[0])
    if role == "in_conflict":
        assignment = Assignment.objects.get(juror=matrix.jurors[2])
    page = url("review", matrix, pk=assignment.pk)
    login(client, user_of(people(matrix)[role]))

    response = client.get(page)

    if role == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_url(page))
    else:
        assert response.status_code == ENTRY_PAGE_STATUS[role]


@pytest.mark.parametrize("role", ["applicant", "organiser", "not_assigned", "other_award"])
def test_review_of_someone_elses_assignment_is_404(client, matrix, role):
    assignment = Assignment.objects.get(juror=matrix.jurors[0])
    login(client, user_of(people(matrix)[role]))

    response = client.post(
        url("review", matrix, pk=assignment.pk),
        criterion_fields(matrix, full_scores(matrix), action="draft"),
    )

    assert response.status_code == 404
    assert not Review.objects.exists()


def test_review_in_a_planned_round_is_404(client, jury):
    jury.round.status = "planned"
    jury.round.save(update_fields=["status"])
    assignment = assign(jury, jury.jurors[0], jury.submissions[0])
    login(client, jury.jurors[0].user)

    assert client.get(url("review", jury, pk=assignment.pk)).status_code == 404


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


def test_a_removed_juror_gets_404(client, jury):
    juror = jury.jurors[0]
    services.juror_remove(juror=juror, actor=jury.organiser)
    login(client, juror.user)

    assert client.get(url("dashboard", jury)).status_code == 404


# --- The invitation -------------------------------------------------------------------------


@pytest.fixture
def invited(jury):
    """An open invitation to hanna@uni.example.net, and its link."""
    invitation = services.juror_invite(
        award=jury.award,
        email="hanna@uni.example.net",
        name="Hanna Holz",
        role="jury_chair",
        categories=[jury.category],
        language="en",
        actor=jury.organiser,
    )
    link = reverse("jury:invitation", kwargs={"token": services.invitation_token(invitation)})
    return invitation, link


def test_an_anonymous_visitor_sees_the_invitation_with_login_and_register_links(
    client, invited, jury
):
    _invitation, link = invited

    response = client.get(link, headers={"Accept-Language": "en"})

    assert response.status_code == 200
    page = text(response)
    assert str(jury.award) in page
    assert "Jury chair" in page
    assert jury.category.name_en in page
    assert jury.organiser.full_name in page
    assert f'href="{login_url(link)}"' in page
    register = f"{reverse('accounts:register')}?{urlencode({'next': link}, safe='/')}"
    assert f'href="{register}"' in page
    assert 'value="accept"' not in page


def test_the_invited_person_sees_accept_and_decline_without_a_warning(client, invited):
    _invitation, link = invited
    login(client, UserFactory(email="hanna@uni.example.net", preferred_language="en"))

    page = text(client.get(link))

    assert 'value="accept"' in page and 'value="decline"' in page
    assert 'data-testid="other-address"' not in page


def test_someone_signed_in_with_another_address_is_warned(client, invited):
    _invitation, link = invited
    login(client, UserFactory(email="other@else.example.net", preferred_language="en"))

    page = text(client.get(link))

    assert 'data-testid="other-address"' in page
    assert "You are logged in as other@else.example.net, not as hanna@uni.example.net." in page


def test_accepting_creates_the_juror_and_leads_to_confidentiality(client, invited, jury):
    invitation, link = invited
    user = login(client, UserFactory(email="hanna@uni.example.net", preferred_language="en"))

    response = client.post(link, {"action": "accept"})

    assert response.status_code == 302
    assert response["Location"] == url("confidentiality", jury)
    juror = Juror.objects.get(award=jury.award, user=user)
    assert (juror.role, list(juror.categories.all())) == ("jury_chair", [jury.category])
    assert juror.confidentiality_confirmed_at is None
    invitation.refresh_from_db()
    assert invitation.status == "accepted"


def test_accepting_needs_an_account(client, invited):
    _invitation, link = invited

    response = client.post(link, {"action": "accept"})

    assert (response.status_code, response["Location"]) == (302, login_url(link))
    assert not Juror.objects.filter(user__email="hanna@uni.example.net").exists()


def test_a_used_invitation_link_is_refused(client, invited):
    _invitation, link = invited
    login(client, UserFactory(email="hanna@uni.example.net", preferred_language="en"))
    client.post(link, {"action": "accept"})

    response = client.get(link)

    assert response.status_code == 400
    assert "This invitation has been accepted already." in text(response)
    assert client.post(link, {"action": "accept"}).status_code == 400


def test_an_expired_invitation_link_is_refused(client, invited):
    invitation, link = invited
    JuryInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    user = login(client, UserFactory(email="hanna@uni.example.net", preferred_language="en"))

    response = client.get(link)
    accepted = client.post(link, {"action": "accept"})

    assert response.status_code == 400
    assert "This invitation has expired. Please ask the organisers for a new one." in text(response)
    assert accepted.status_code == 400
    assert not Juror.objects.filter(user=user).exists()


def test_a_tampered_invitation_link_is_404(client, invited):
    _invitation, link = invited
    tampered = link.replace("/invitations/", "/invitations/x")
    login(client, UserFactory(email="hanna@uni.example.net", preferred_language="en"))

    response = client.get(tampered)

    assert response.status_code == 404
    assert "This invitation link is not valid." in text(response)
    assert client.post(tampered, {"action": "accept"}).status_code == 404
    assert not Juror.objects.filter(user__email="hanna@uni.example.net").exists()


@pytest.mark.parametrize("signed_in", [True, False])
def test_declining_thanks_and_closes_the_invitation(client, invited, signed_in):
    invitation, link = invited
    if signed_in:
        login(client, UserFactory(email="hanna@uni.example.net", preferred_language="en"))

    response = client.post(link, {"action": "decline"}, headers={"Accept-Language": "en"})

    assert response.status_code == 200
    assert 'data-testid="invitation-declined"' in text(response)
    invitation.refresh_from_db()
    assert invitation.status == "declined"
    assert not Juror.objects.filter(user__email="hanna@uni.example.net").exists()
    assert client.get(link).status_code == 400


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
        assert submission.description not in page
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


# --- The dashboard --------------------------------------------------------------------------


def add_submissions(jury, count: int, start: int = 100) -> list[Submission]:
    organisation = OrganisationFactory()
    owner = jury.submissions[0].created_by
    return Submission.objects.bulk_create(
        Submission(
            award=jury.award,
            category=jury.category,
            organisation=organisation,
            created_by=owner,
            title=f"Bulk entry {start + i}",
            reference=f"LIA-BULK-{start + i:04d}",
            status="eligible",
        )
        for i in range(count)
    )


def test_the_dashboard_lists_assignments_with_status_and_progress(client, jury):
    juror = jury.jurors[0]
    first, second, third = (assign(jury, juror, s) for s in jury.submissions)
    services.review_save(
        assignment=first,
        actor=juror.user,
        version=0,
        scores={c.pk: 5 for c in jury.criteria},
        submit=True,
    )
    services.review_save(assignment=second, actor=juror.user, version=0, scores={})
    login(client, juror.user)

    page = text(client.get(url("dashboard", jury)))

    assert "1 of 3 submitted" in page
    assert 'data-testid="progress-bar"' in page
    assert 'aria-valuenow="1"' in page and 'aria-valuemax="3"' in page
    statuses = {
        a.pk: page.split(f'data-assignment="{a.pk}"')[1].split("</tr>")[0]
        for a in (first, second, third)
    }
    assert 'data-status="submitted">Submitted<' in statuses[first.pk]
    assert 'data-status="draft">Draft<' in statuses[second.pk]
    assert 'data-status="not_started">Not started<' in statuses[third.pk]
    for submission in jury.submissions:
        assert submission.reference in page
        assert submission.title in page
        assert submission.organisation.name in page
    assert f'href="{url("review", jury, pk=first.pk)}"' in page


def test_the_dashboard_shows_the_deadline_in_the_awards_time_zone(client, jury):
    jury.round.deadline_at = dt.datetime(2031, 1, 15, 17, 0, tzinfo=dt.UTC)
    jury.round.save(update_fields=["deadline_at"])
    assign(jury, jury.jurors[0], jury.submissions[0])
    login(client, jury.jurors[0].user)

    page = text(client.get(url("dashboard", jury)))

    # 17:00 UTC is 18:00 in Berlin in winter.
    assert "Jury deadline: 15 January 2031, 6:00 p.m. (Europe/Berlin)" in page


def test_an_individual_extension_moves_the_dashboard_deadline(client, jury):
    juror = jury.jurors[0]
    jury.round.deadline_at = dt.datetime(2031, 1, 15, 17, 0, tzinfo=dt.UTC)
    jury.round.save(update_fields=["deadline_at"])
    juror.deadline_extended_until = dt.datetime(2031, 1, 22, 17, 0, tzinfo=dt.UTC)
    juror.save(update_fields=["deadline_extended_until"])
    login(client, juror.user)

    assert "Jury deadline: 22 January 2031, 6:00 p.m. (Europe/Berlin)" in text(
        client.get(url("dashboard", jury))
    )


def test_the_dashboard_hides_entries_in_conflict_and_of_planned_rounds(client, jury):
    juror = jury.jurors[0]
    assign(jury, juror, jury.submissions[0])
    assign(jury, juror, jury.submissions[1])
    block(juror, jury.submissions[1])
    planned = RoundFactory(award=jury.award, number=2, status="planned")
    assign(jury, juror, jury.submissions[2], round=planned)
    login(client, juror.user)

    page = text(client.get(url("dashboard", jury)))

    assert jury.submissions[0].title in page
    assert jury.submissions[1].title not in page
    assert jury.submissions[2].title not in page
    assert "0 of 1 submitted" in page


def test_blind_review_hides_the_company_on_the_dashboard(client, jury):
    jury.award.blind_review = True
    jury.award.save(update_fields=["blind_review"])
    assign(jury, jury.jurors[0], jury.submissions[0])
    login(client, jury.jurors[0].user)

    page = text(client.get(url("dashboard", jury)))

    assert jury.submissions[0].title in page
    assert jury.submissions[0].organisation.name not in page


def test_the_dashboard_runs_the_same_queries_for_5_and_100_assignments(
    client, jury, django_assert_num_queries
):
    juror = jury.jurors[0]
    entries = add_submissions(jury, 100)
    Assignment.objects.bulk_create(
        Assignment(round=jury.round, juror=juror, submission=s) for s in entries[:5]
    )
    first = Assignment.objects.filter(juror=juror).first()
    services.review_save(
        assignment=first,
        actor=juror.user,
        version=0,
        scores={c.pk: 4 for c in jury.criteria},
        submit=True,
    )
    login(client, juror.user)
    client.get(url("dashboard", jury))  # the session settles

    with CaptureQueriesContext(connection) as five:
        response = client.get(url("dashboard", jury))
    assert "1 of 5 submitted" in text(response)
    Assignment.objects.bulk_create(
        Assignment(round=jury.round, juror=juror, submission=s) for s in entries[5:]
    )
    drafts = Assignment.objects.filter(juror=juror).order_by("pk")[10:20]
    Review.objects.bulk_create(Review(assignment=a) for a in drafts)

    with django_assert_num_queries(len(five)):
        response = client.get(url("dashboard", jury))

    page = text(response)
    assert "1 of 100 submitted" in page
    assert page.count('data-status="draft"') == 10


# --- Reviews --------------------------------------------------------------------------------


@pytest.fixture
def assigned(jury):
    return assign(jury, jury.jurors[0], jury.submissions[0])


def post_review(client, jury, assignment, data, **kwargs):
    return client.post(url("review", jury, pk=assignment.pk), data, **kwargs)


def test_the_review_page_shows_the_entry_and_a_form_per_criterion(client, jury, assigned):
    c1, c2 = jury.criteria
    c1.description_en = "How much *weight* is saved?"
    c1.weight = 2
    c1.save()
    submission = jury.submissions[0]
    submission.video_url = "https://video.example.net/flax"
    submission.market_readiness = 7
    submission.save()
    organisation = submission.organisation
    organisation.website = "https://flax.example.net"
    organisation.contact_email = "info@flax.example.net"
    organisation.save()
    login(client, jury.jurors[0].user)

    response = client.get(url("review", jury, pk=assigned.pk))

    page = text(response)
    assert response.status_code == 200
    for value in (
        submission.title,
        submission.reference,
        submission.summary,
        submission.description,
    ):
        assert value in page
    assert "TRL 7 – prototype demonstrated in an operational environment" in page
    assert (
        '<a href="https://video.example.net/flax" rel="noopener noreferrer" target="_blank">'
        in page
    )
    assert organisation.name in page
    assert "https://flax.example.net" in page
    assert "info@flax.example.net" in page
    assert c1.name_en in page and "How much *weight* is saved?" in page
    assert "Weight 2 · score from 1 to 10" in page
    assert f'name="score_{c1.pk}"' in page and f'name="score_{c2.pk}"' in page
    assert 'min="1"' in page and 'max="10"' in page
    assert '<input type="hidden" name="version" value="0"' in page
    assert 'name="private_note"' in page
    assert 'data-testid="autosave-status"' in page
    assert 'data-testid="other-reviews"' not in page


def test_a_javascript_video_link_is_not_a_link(client, jury, assigned):
    Submission.objects.filter(pk=jury.submissions[0].pk).update(video_url="javascript:alert(1)")
    login(client, jury.jurors[0].user)

    page = text(client.get(url("review", jury, pk=assigned.pk)))

    assert 'href="javascript:' not in page
    assert "javascript:alert(1)" in page


def test_without_private_notes_there_is_no_note_field(client, jury, assigned):
    jury.award.private_notes = False
    jury.award.save(update_fields=["private_notes"])
    login(client, jury.jurors[0].user)

    assert 'name="private_note"' not in text(client.get(url("review", jury, pk=assigned.pk)))


def test_blind_review_hides_the_company_on_the_review_page(client, jury, assigned):
    jury.award.blind_review = True
    jury.award.save(update_fields=["blind_review"])
    organisation = jury.submissions[0].organisation
    organisation.website = "https://flax.example.net"
    organisation.contact_name = "Rita Roth"
    organisation.contact_email = "rita@flax.example.net"
    organisation.save()
    login(client, jury.jurors[0].user)

    page = text(client.get(url("review", jury, pk=assigned.pk)))

    assert jury.submissions[0].title in page
    for hidden in (organisation.name, "flax.example.net", "Rita Roth"):
        assert hidden not in page
    assert 'data-testid="blind-note"' in page


def test_a_draft_is_saved_and_shown_again(client, jury, assigned):
    c1, _c2 = jury.criteria
    login(client, jury.jurors[0].user)

    response = post_review(
        client,
        jury,
        assigned,
        criterion_fields(
            jury,
            {f"score_{c1.pk}": "7", f"comment_{c1.pk}": "Strong idea"},
            overall_comment="Promising",
            private_note="Ask about the price",
            action="draft",
        ),
    )

    assert (response.status_code, response["Location"]) == (
        302,
        url("review", jury, pk=assigned.pk),
    )
    review = Review.objects.get(assignment=assigned)
    assert (review.status, review.version, review.overall_comment, review.private_note) == (
        "draft",
        1,
        "Promising",
        "Ask about the price",
    )
    assert {s.criterion_id: (s.value, s.comment) for s in review.scores.all()} == {
        c1.pk: (7, "Strong idea")
    }
    page = text(client.get(url("review", jury, pk=assigned.pk)))
    assert f'name="score_{c1.pk}" value="7"' in page
    assert "Strong idea</textarea>" in page
    assert "Promising</textarea>" in page
    assert '<input type="hidden" name="version" value="1"' in page
    assert 'data-status="draft"' in page


def test_submitting_a_complete_review_locks_it(client, jury, assigned):
    login(client, jury.jurors[0].user)

    response = post_review(
        client, jury, assigned, criterion_fields(jury, full_scores(jury), action="submit")
    )

    assert (response.status_code, response["Location"]) == (302, url("dashboard", jury))
    review = Review.objects.get(assignment=assigned)
    assert review.status == "submitted"
    page = text(client.get(url("review", jury, pk=assigned.pk)))
    assert 'data-testid="review-locked"' in page
    assert "locked; the organisers can reopen it" in page
    assert 'data-testid="review-form"' not in page


def test_submitting_without_every_score_names_the_missing_criterion_and_keeps_the_input(
    client, jury, assigned
):
    c1, c2 = jury.criteria
    login(client, jury.jurors[0].user)

    response = post_review(
        client,
        jury,
        assigned,
        criterion_fields(
            jury, {f"score_{c1.pk}": "7"}, overall_comment="Half done", action="submit"
        ),
    )

    page = text(response)
    assert response.status_code == 400
    assert f"Please score every criterion before submitting: {c2.name_en}." in page
    assert f'name="score_{c1.pk}" value="7"' in page
    assert "Half done</textarea>" in page
    assert not Review.objects.exists()


def test_a_score_outside_the_scale_is_refused_at_its_field(client, jury, assigned):
    c1, c2 = jury.criteria
    login(client, jury.jurors[0].user)

    response = post_review(
        client,
        jury,
        assigned,
        criterion_fields(
            jury,
            {f"score_{c1.pk}": "11", f"score_{c2.pk}": "4", f"comment_{c2.pk}": "Keep me"},
            action="draft",
        ),
    )

    page = text(response)
    assert response.status_code == 400
    field = page.split(f'data-criterion="{c1.pk}"')[1].split("data-criterion=")[0]
    assert "Enter a score from 1 to 10." in field
    assert 'value="11"' in field and "is-invalid" in field
    assert f'name="score_{c2.pk}" value="4"' in page
    assert "Keep me</textarea>" in page
    assert not Review.objects.exists()


def test_a_score_that_is_not_a_number_is_refused(client, jury, assigned):
    c1, _c2 = jury.criteria
    login(client, jury.jurors[0].user)

    response = post_review(
        client, jury, assigned, criterion_fields(jury, {f"score_{c1.pk}": "7.5"}, action="draft")
    )

    assert response.status_code == 400
    assert "Enter a whole number." in text(response)
    assert not Review.objects.exists()


def test_a_criterion_of_another_award_is_refused_and_nothing_saved(client, jury, assigned):
    foreign = jury.other_juror.award.criteria.create(name_de="Fremd", name_en="Foreign")
    login(client, jury.jurors[0].user)

    response = post_review(
        client,
        jury,
        assigned,
        criterion_fields(jury, full_scores(jury), **{f"score_{foreign.pk}": "5"}, action="draft"),
    )

    assert response.status_code == 400
    assert "A criterion of another award was sent." in text(response)
    assert not Review.objects.exists()


def test_a_stale_version_is_refused_with_409_and_nothing_saved(client, jury, assigned):
    c1, _c2 = jury.criteria
    login(client, jury.jurors[0].user)
    post_review(
        client, jury, assigned, criterion_fields(jury, {f"score_{c1.pk}": "3"}, action="draft")
    )

    response = post_review(
        client,
        jury,
        assigned,
        criterion_fields(
            jury, {f"score_{c1.pk}": "9"}, overall_comment="Older tab", version="0", action="draft"
        ),
    )

    page = text(response)
    assert response.status_code == 409
    assert "This review was saved in another window since you opened it." in page
    assert f'name="score_{c1.pk}" value="9"' in page
    assert "Older tab</textarea>" in page
    review = Review.objects.get(assignment=assigned)
    assert (review.version, review.overall_comment, review.scores.get().value) == (1, "", 3)


def expected_deadline(jury, moment) -> str:
    with translation.override("en"):
        return format_moment(jury.award, moment)


@pytest.mark.parametrize("where", ["round", "award"])
def test_after_the_deadline_a_review_is_refused_with_the_deadline(client, jury, assigned, where):
    deadline = timezone.now() - dt.timedelta(hours=1)
    if where == "round":
        jury.round.deadline_at = deadline
        jury.round.save(update_fields=["deadline_at"])
    else:
        # Still after the submission deadline, as the award's constraints demand.
        jury.award.jury_deadline_at = deadline
        jury.award.save(update_fields=["jury_deadline_at"])
    login(client, jury.jurors[0].user)

    response = post_review(
        client,
        jury,
        assigned,
        criterion_fields(jury, full_scores(jury), overall_comment="Late", action="submit"),
    )
    page_after = text(client.get(url("review", jury, pk=assigned.pk)))

    page = text(response)
    assert response.status_code == 400
    assert expected_deadline(jury, deadline) in page
    assert "reviews can no longer be changed" in page
    assert "Late</textarea>" in page
    assert not Review.objects.exists()
    assert 'data-testid="window-problem"' in page_after
    assert 'data-testid="submit-review"' not in page_after


def test_an_individual_extension_lets_a_juror_submit_after_the_deadline(client, jury, assigned):
    jury.round.deadline_at = timezone.now() - dt.timedelta(hours=1)
    jury.round.save(update_fields=["deadline_at"])
    juror = jury.jurors[0]
    juror.deadline_extended_until = timezone.now() + dt.timedelta(days=2)
    juror.save(update_fields=["deadline_extended_until"])
    login(client, juror.user)

    response = post_review(
        client, jury, assigned, criterion_fields(jury, full_scores(jury), action="submit")
    )

    assert response.status_code == 302
    assert Review.objects.get(assignment=assigned).status == "submitted"


def test_a_submitted_review_cannot_be_changed(client, jury, assigned):
    login(client, jury.jurors[0].user)
    post_review(
        client, jury, assigned, criterion_fields(jury, full_scores(jury, 6, 6), action="submit")
    )

    response = post_review(
        client,
        jury,
        assigned,
        criterion_fields(jury, full_scores(jury, 1, 1), version="1", action="draft"),
    )

    assert response.status_code == 400
    assert "This review has been submitted and is locked." in text(response)
    review = Review.objects.get(assignment=assigned)
    assert (review.status, sorted(review.scores.values_list("value", flat=True))) == (
        "submitted",
        [6, 6],
    )


def test_html_in_comments_is_escaped_on_the_review_page(client, jury, assigned):
    c1, _c2 = jury.criteria
    login(client, jury.jurors[0].user)
    post_review(
        client,
        jury,
        assigned,
        criterion_fields(
            jury, {f"comment_{c1.pk}": SCRIPT}, overall_comment=SCRIPT, action="draft"
        ),
    )

    draft_page = text(client.get(url("review", jury, pk=assigned.pk)))
    post_review(
        client,
        jury,
        assigned,
        criterion_fields(
            jury,
            full_scores(jury),
            **{f"comment_{c1.pk}": SCRIPT},
            overall_comment=SCRIPT,
            version="1",
            action="submit",
        ),
    )
    locked_page = text(client.get(url("review", jury, pk=assigned.pk)))

    for page in (draft_page, locked_page):
        assert SCRIPT not in page
        assert page.count(ESCAPED_SCRIPT) == 2


# --- Other jurors' scores -------------------------------------------------------------------


@pytest.fixture
def two_reviews(jury, assigned):
    """jurors[1] has submitted a review of the same entry, with a comment holding HTML."""
    other = assign(jury, jury.jurors[1], jury.submissions[0])
    c1, _c2 = jury.criteria
    services.review_save(
        assignment=other,
        actor=jury.jurors[1].user,
        version=0,
        scores={c.pk: 9 for c in jury.criteria},
        comments={c1.pk: "Outstanding <b>fibre</b>"},
        overall_comment=SCRIPT,
        private_note="For the organisers only",
        submit=True,
    )
    return assigned


def submit_own(jury, assignment):
    services.review_save(
        assignment=assignment,
        actor=assignment.juror.user,
        version=0,
        scores={c.pk: 5 for c in jury.criteria},
        submit=True,
    )


def others_section(client, jury, assignment) -> str | None:
    page = text(client.get(url("review", jury, pk=assignment.pk)))
    if 'data-testid="other-reviews"' not in page:
        return None
    return page.split('data-testid="other-reviews"')[1]


@pytest.mark.parametrize(
    ("visibility", "own_submitted", "shown"),
    [
        ("never", False, False),
        ("never", True, False),
        ("after_own", False, False),
        ("after_own", True, True),
        ("always", False, True),
    ],
)
def test_other_jurors_scores_follow_the_awards_setting(
    client, jury, two_reviews, visibility, own_submitted, shown
):
    jury.award.score_visibility = visibility
    jury.award.save(update_fields=["score_visibility"])
    if own_submitted:
        submit_own(jury, two_reviews)
    login(client, jury.jurors[0].user)

    section = others_section(client, jury, two_reviews)

    if not shown:
        assert section is None
        page = text(client.get(url("review", jury, pk=two_reviews.pk)))
        assert "Outstanding" not in page
        return
    assert section.count('data-testid="other-review"') == 1
    assert "Juror 1" in section
    assert jury.jurors[1].user.full_name not in section
    assert '<strong data-testid="other-score">9</strong>' in section
    assert "Outstanding &lt;b&gt;fibre&lt;/b&gt;" in section
    assert ESCAPED_SCRIPT in section and SCRIPT not in section
    assert "For the organisers only" not in section


def test_the_jury_chair_sees_the_other_jurors_names(client, jury, two_reviews):
    jury.award.score_visibility = "always"
    jury.award.save(update_fields=["score_visibility"])
    chair = jury.jurors[0]
    chair.role = "jury_chair"
    chair.save(update_fields=["role"])
    login(client, chair.user)

    section = others_section(client, jury, two_reviews)

    assert "Juror Person 1" in section
    assert "Juror 1<" not in section


def test_a_draft_of_another_juror_is_never_shown(client, jury, assigned):
    jury.award.score_visibility = "always"
    jury.award.save(update_fields=["score_visibility"])
    other = assign(jury, jury.jurors[1], jury.submissions[0])
    services.review_save(
        assignment=other, actor=jury.jurors[1].user, version=0, scores={}, overall_comment="Draft"
    )
    login(client, jury.jurors[0].user)

    section = others_section(client, jury, assigned)

    assert 'data-testid="other-review"' not in section
    assert "No other juror has submitted a review of this entry yet." in section


# --- Autosave -------------------------------------------------------------------------------


def autosave(client, jury, assignment, data, **kwargs):
    return client.post(url("review_autosave", jury, pk=assignment.pk), data, headers=JSON, **kwargs)


def test_autosave_saves_a_draft_and_answers_the_new_version(client, jury, assigned):
    c1, _c2 = jury.criteria
    login(client, jury.jurors[0].user)

    first = autosave(client, jury, assigned, criterion_fields(jury, {f"score_{c1.pk}": "6"}))
    second = autosave(
        client,
        jury,
        assigned,
        criterion_fields(jury, full_scores(jury), version="1", action="submit"),
    )

    assert first.status_code == 200
    body = first.json()
    assert (body["ok"], body["version"]) == (True, 1)
    review = Review.objects.get(assignment=assigned)
    with translation.override("en"):
        from django.utils import formats

        expected = formats.time_format(
            timezone.localtime(review.updated_at, jury.award.tzinfo), "TIME_FORMAT"
        )
    assert second.json() == {"ok": True, "version": 2, "saved_at": expected}
    # Autosave never submits, whatever the form carries.
    assert (review.status, review.version) == ("draft", 2)


def test_autosave_reports_a_score_outside_the_scale_by_field(client, jury, assigned):
    c1, _c2 = jury.criteria
    login(client, jury.jurors[0].user)

    response = autosave(client, jury, assigned, criterion_fields(jury, {f"score_{c1.pk}": "0"}))

    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "code": "invalid",
        "errors": {f"score_{c1.pk}": ["Enter a score from 1 to 10."]},
        "message": "Not saved: please correct the marked fields.",
        "final": False,
    }
    assert not Review.objects.exists()


def test_autosave_refuses_a_stale_version_with_409(client, jury, assigned):
    c1, _c2 = jury.criteria
    login(client, jury.jurors[0].user)
    autosave(client, jury, assigned, criterion_fields(jury, {f"score_{c1.pk}": "6"}))

    response = autosave(client, jury, assigned, criterion_fields(jury, {f"score_{c1.pk}": "2"}))

    assert response.status_code == 409
    body = response.json()
    assert (body["ok"], body["code"], body["final"]) == (False, "conflict", True)
    assert body["errors"] == {}
    assert body["version"] == 1
    assert body["message"].startswith("This review was saved in another window")
    assert Review.objects.get(assignment=assigned).scores.get().value == 6


def test_autosave_after_the_deadline_stops_with_the_message(client, jury, assigned):
    jury.round.deadline_at = timezone.now() - dt.timedelta(minutes=5)
    jury.round.save(update_fields=["deadline_at"])
    login(client, jury.jurors[0].user)

    response = autosave(client, jury, assigned, criterion_fields(jury, full_scores(jury)))

    assert response.status_code == 400
    body = response.json()
    assert (body["ok"], body["code"], body["final"], body["errors"]) == (False, "closed", True, {})
    assert expected_deadline(jury, jury.round.deadline_at) in body["message"]


def test_autosave_is_csrf_protected(jury, assigned):
    client = Client(enforce_csrf_checks=True)
    client.force_login(jury.jurors[0].user)

    response = autosave(client, jury, assigned, criterion_fields(jury, full_scores(jury)))

    assert response.status_code == 403
    assert response.json()["code"] == "session"
    assert not Review.objects.exists()


def test_autosave_only_takes_post(client, jury, assigned):
    login(client, jury.jurors[0].user)

    assert client.get(url("review_autosave", jury, pk=assigned.pk)).status_code == 405


@pytest.mark.parametrize("role", ["not_assigned", "in_conflict", "other_award", "applicant"])
def test_autosave_of_an_entry_that_is_not_theirs_is_404(client, matrix, role):
    assignment = Assignment.objects.get(juror=matrix.jurors[0])
    if role == "in_conflict":
        assignment = Assignment.objects.get(juror=matrix.jurors[2])
    login(client, user_of(people(matrix)[role]))

    response = autosave(client, matrix, assignment, criterion_fields(matrix, full_scores(matrix)))

    assert response.status_code == 404
    assert not Review.objects.exists()


def test_autosave_without_a_session_answers_json(client, jury, assigned):
    response = autosave(client, jury, assigned, criterion_fields(jury, full_scores(jury)))

    assert response.status_code == 403
    assert response.json()["code"] == "session"


# --- One answer for both autosaves ---------------------------------------------------------

# What every refusal of an autosave carries (core.http.autosave_refused): the one shape that
# static/js/autosave.js reads for the entry form and the review form alike.
REFUSAL_KEYS = {"ok", "code", "message", "errors", "final"}


@pytest.fixture
def entry():
    """An applicant's draft in an open award; the applicant reads English."""
    entry = SubmissionFactory(title="Flax frame")
    english(entry.created_by)
    return entry


def entry_autosave(client, entry, **values):
    data = {"title": entry.title, "version": str(entry.version), **values}
    return client.post(reverse("submissions:autosave", kwargs={"pk": entry.pk}), data, headers=JSON)


def shown_time(award, moment) -> str:
    """``saved_at``: the time in the award's zone as English shows it ("4:05 p.m.")."""
    with translation.override("en"):
        return formats.time_format(timezone.localtime(moment, award.tzinfo), "TIME_FORMAT")


def both_logged_in(jury, entry) -> tuple[Client, Client]:
    """A client for the applicant of ``entry`` and one for the assigned juror."""
    applicant, juror = Client(), Client()
    applicant.force_login(entry.created_by)
    juror.force_login(jury.jurors[0].user)
    return applicant, juror


def answer(response) -> tuple:
    """What the script acts on: the status, ``ok``, ``code``, ``final`` and whether fields
    are named."""
    data = response.json()
    return (
        response.status_code,
        data["ok"],
        data.get("code"),
        data.get("final"),
        bool(data.get("errors")),
    )


def test_both_autosaves_answer_a_save_alike(jury, assigned, entry):
    applicant, juror = both_logged_in(jury, entry)

    saved_entry = entry_autosave(applicant, entry, summary="Typed")
    saved_review = autosave(juror, jury, assigned, criterion_fields(jury, full_scores(jury)))

    entry.refresh_from_db()
    review = Review.objects.get(assignment=assigned)
    assert (saved_entry.status_code, saved_review.status_code) == (200, 200)
    assert saved_entry.json() == {
        "ok": True,
        "version": 2,
        "saved_at": shown_time(entry.award, entry.updated_at),
    }
    assert saved_review.json() == {
        "ok": True,
        "version": 1,
        "saved_at": shown_time(jury.award, review.updated_at),
    }


def test_both_autosaves_refuse_a_value_alike(jury, assigned, entry):
    c1, _c2 = jury.criteria
    applicant, juror = both_logged_in(jury, entry)

    refused_entry = entry_autosave(applicant, entry, video_url="javascript:alert(1)")
    refused_review = autosave(
        juror, jury, assigned, criterion_fields(jury, {f"score_{c1.pk}": "0"})
    )

    assert answer(refused_entry) == answer(refused_review) == (400, False, "invalid", False, True)
    assert set(refused_entry.json()) == set(refused_review.json()) == REFUSAL_KEYS
    assert refused_entry.json()["message"] == refused_review.json()["message"]
    assert list(refused_entry.json()["errors"]) == ["video_url"]
    assert list(refused_review.json()["errors"]) == [f"score_{c1.pk}"]


def test_both_autosaves_stop_alike_after_the_deadline(jury, assigned, entry):
    award = entry.award
    award.submissions_close_at = timezone.now() - dt.timedelta(minutes=1)
    award.save(update_fields=["submissions_close_at"])
    jury.round.deadline_at = timezone.now() - dt.timedelta(minutes=1)
    jury.round.save(update_fields=["deadline_at"])
    applicant, juror = both_logged_in(jury, entry)

    closed_entry = entry_autosave(applicant, entry, summary="Late")
    closed_review = autosave(juror, jury, assigned, criterion_fields(jury, full_scores(jury)))

    assert answer(closed_entry) == answer(closed_review) == (400, False, "closed", True, False)
    assert set(closed_entry.json()) == set(closed_review.json()) == REFUSAL_KEYS
    entry.refresh_from_db()
    assert entry.summary == ""
    assert not Review.objects.exists()


def test_both_autosaves_answer_an_ended_session_with_the_same_json(jury, assigned, entry):
    logged_out = Client(headers={"Accept-Language": "en"})
    logged_out.cookies["laurel_language"] = "en"

    entry_answer = entry_autosave(logged_out, entry, summary="Typed while logged out")
    review_answer = autosave(logged_out, jury, assigned, criterion_fields(jury, full_scores(jury)))

    assert (entry_answer.status_code, review_answer.status_code) == (403, 403)
    assert entry_answer.json() == review_answer.json()
    assert answer(entry_answer) == (403, False, "session", True, False)
    assert set(entry_answer.json()) == REFUSAL_KEYS


def test_both_autosaves_stop_alike_when_saved_elsewhere(jury, assigned, entry):
    c1, _c2 = jury.criteria
    applicant, juror = both_logged_in(jury, entry)
    entry_autosave(applicant, entry, summary="Saved in another tab")  # version 1 → 2
    autosave(juror, jury, assigned, criterion_fields(jury, {f"score_{c1.pk}": "6"}))  # 0 → 1

    stale_entry = entry_autosave(applicant, entry, summary="Typed here")  # still version 1
    stale_review = autosave(juror, jury, assigned, criterion_fields(jury, {f"score_{c1.pk}": "2"}))

    assert answer(stale_entry) == answer(stale_review) == (409, False, "conflict", True, False)
    assert set(stale_entry.json()) == REFUSAL_KEYS | {"version", "updated_by", "current", "shown"}
    assert set(stale_review.json()) == REFUSAL_KEYS | {"version"}
    assert (stale_entry.json()["version"], stale_review.json()["version"]) == (2, 1)
    entry.refresh_from_db()
    assert entry.summary == "Saved in another tab"
    assert Review.objects.get(assignment=assigned).scores.get().value == 6


# --- Files ----------------------------------------------------------------------------------


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, "JPEG")
    return buffer.getvalue()


def add_image(submission) -> Attachment:
    return Attachment.objects.create(
        submission=submission,
        kind="image",
        file=ContentFile(b"\x89PNG fake", name="photo.png"),
        thumbnail=ContentFile(jpeg(), name="thumb.jpg"),
        original_name="Frame photo.png",
        content_type="image/png",
        size=9,
        sha256="0" * 64,
    )


def add_document(submission) -> Attachment:
    return Attachment.objects.create(
        submission=submission,
        kind="document",
        file=ContentFile(b"%PDF-1.4 plan", name="plan.pdf"),
        original_name="Plan.pdf",
        content_type="application/pdf",
        size=13,
        sha256="1" * 64,
    )


def body(response) -> bytes:
    content = b"".join(response.streaming_content)
    response.close()
    return content


def test_the_review_page_shows_images_inline_and_documents_as_downloads(client, jury, assigned):
    image, document = add_image(jury.submissions[0]), add_document(jury.submissions[0])
    login(client, jury.jurors[0].user)

    page = text(client.get(url("review", jury, pk=assigned.pk)))

    assert f'<img src="{url("thumbnail", jury, pk=image.pk)}"' in page
    assert f'<a href="{url("attachment", jury, pk=document.pk)}"' in page
    assert "Plan.pdf" in page


def test_an_assigned_juror_downloads_a_file_with_protective_headers(client, jury, assigned):
    document = add_document(jury.submissions[0])
    login(client, jury.jurors[0].user)

    response = client.get(url("attachment", jury, pk=document.pk))

    assert response.status_code == 200
    assert body(response) == b"%PDF-1.4 plan"
    assert response["Content-Disposition"] == 'attachment; filename="Plan.pdf"'
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_a_thumbnail_is_served_inline_and_a_document_has_none(client, jury, assigned):
    image, document = add_image(jury.submissions[0]), add_document(jury.submissions[0])
    login(client, jury.jurors[0].user)

    response = client.get(url("thumbnail", jury, pk=image.pk))
    missing = client.get(url("thumbnail", jury, pk=document.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert body(response) == jpeg_of(image)
    assert missing.status_code == 404


def jpeg_of(attachment) -> bytes:
    with attachment.thumbnail.open("rb") as handle:
        return handle.read()


@pytest.mark.parametrize("name", ["attachment", "thumbnail"])
@pytest.mark.parametrize("role", [*ENTRY_PAGE_STATUS, "anonymous"])
def test_files_by_role(client, matrix, name, role):
    image = add_image(matrix.submissions[0])
    page = url(name, matrix, pk=image.pk)
    login(client, user_of(people(matrix)[role]))

    response = client.get(page)

    if role == "anonymous":
        assert (response.status_code, response["Location"]) == (302, login_url(page))
    else:
        assert response.status_code == ENTRY_PAGE_STATUS[role]
    if response.status_code == 200:
        response.close()


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
    english(jury.other_category_juror.user)
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


@pytest.mark.parametrize("name", ["dashboard", "conflicts"])
def test_an_organiser_of_another_award_gets_404(client, jury, name):
    organiser = AwardRoleFactory(award=jury.other_juror.award, role="organiser").user
    login(client, english(organiser))

    assert client.get(url(name, jury)).status_code == 404


# --- The ranking, where the award shows it to the jury ----------------------------------


def _ranked_award():
    from jury.enums import ConflictSource, ConflictStatus
    from jury.models import Conflict

    setup = judging_setup(entries=3, jurors=2, k=2)
    reviewer, conflicted = setup.jurors
    for index, submission in enumerate(setup.submissions):
        assignment = Assignment.objects.create(
            round=setup.round, juror=reviewer, submission=submission
        )
        services.review_save(
            assignment=assignment,
            actor=reviewer.user,
            version=0,
            scores={c.pk: 3 + 3 * index for c in setup.criteria},
            submit=True,
        )
    Conflict.objects.create(
        juror=conflicted,
        organisation=setup.submissions[2].organisation,
        status=ConflictStatus.CONFIRMED,
        source=ConflictSource.JUROR,
    )
    return setup, reviewer, conflicted


def test_the_ranking_is_not_shown_to_jurors_unless_the_award_allows_it(client):
    setup, reviewer, _conflicted = _ranked_award()
    client.force_login(reviewer.user)
    url = reverse("results:jury_ranking", kwargs={"slug": setup.award.slug})

    assert client.get(url).status_code == 404
    assert (
        'data-testid="ranking-link"'
        not in client.get(
            reverse("jury:dashboard", kwargs={"slug": setup.award.slug})
        ).content.decode()
    )


def test_where_allowed_jurors_see_the_ranking_without_the_entries_they_are_in_conflict_with(
    client,
):
    setup, reviewer, conflicted = _ranked_award()
    setup.award.jurors_see_ranking = True
    setup.award.ranking_normalisation = "raw"
    setup.award.save()
    url = reverse("results:jury_ranking", kwargs={"slug": setup.award.slug})
    first, second, best = setup.submissions

    client.force_login(reviewer.user)
    page = client.get(url).content.decode()
    assert page.index(best.title) < page.index(second.title) < page.index(first.title)

    client.force_login(conflicted.user)
    page = client.get(url).content.decode()
    assert best.title not in page
    assert best.organisation.name not in page
    assert second.title in page


# --- Documents read inline --------------------------------------------------------------


def _pdf_attachment(submission, pages: int = 3, data: bytes | None = None) -> Attachment:
    from fpdf import FPDF

    if data is None:
        pdf = FPDF()
        for number in range(pages):
            pdf.add_page()
            pdf.set_font("helvetica", size=24)
            pdf.cell(text=f"Page {number + 1}: load tests of the flax frame")
        data = bytes(pdf.output())
    attachment = Attachment(
        submission=submission,
        kind="document",
        original_name="tests.pdf",
        content_type="application/pdf",
        size=len(data),
        sha256="a" * 64,
    )
    attachment.file.save("tests.pdf", ContentFile(data), save=False)
    attachment.save()
    return attachment


def test_the_assigned_juror_reads_a_pdf_inline_page_by_page(client, jury):
    juror = jury.jurors[0]
    assignment = assign(jury, juror, jury.submissions[0])
    document = _pdf_attachment(jury.submissions[0], pages=3)
    client.force_login(juror.user)
    slug = jury.award.slug

    page = client.get(reverse("jury:review", kwargs={"slug": slug, "pk": assignment.pk}))
    second = client.get(
        reverse("jury:document_page", kwargs={"slug": slug, "pk": document.pk, "page": 2})
    )
    fourth = client.get(
        reverse("jury:document_page", kwargs={"slug": slug, "pk": document.pk, "page": 4})
    )

    html = page.content.decode()
    assert 'data-testid="document-preview"' in html
    assert "Read it here (3 pages)" in html
    for number in (1, 2, 3):
        assert f"/files/{document.pk}/pages/{number}/" in html
    assert second.status_code == 200
    assert second["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(b"".join(second.streaming_content)))
    assert image.width == 1100
    assert fourth.status_code == 404


def test_pages_of_a_document_are_not_served_to_a_juror_who_is_not_assigned(client, jury):
    assign(jury, jury.jurors[0], jury.submissions[0])
    document = _pdf_attachment(jury.submissions[0], pages=1)
    client.force_login(jury.jurors[1].user)

    response = client.get(
        reverse(
            "jury:document_page",
            kwargs={"slug": jury.award.slug, "pk": document.pk, "page": 1},
        )
    )

    assert response.status_code == 404


def test_a_pdf_that_cannot_be_rendered_is_still_offered_for_download(client, jury):
    juror = jury.jurors[0]
    assignment = assign(jury, juror, jury.submissions[0])
    document = _pdf_attachment(jury.submissions[0], data=b"%PDF-1.4\nnot really a pdf\n%%EOF")
    client.force_login(juror.user)

    page = client.get(reverse("jury:review", kwargs={"slug": jury.award.slug, "pk": assignment.pk}))

    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="document-preview"' not in html
    assert reverse("jury:attachment", kwargs={"slug": jury.award.slug, "pk": document.pk}) in html
