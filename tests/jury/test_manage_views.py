"""The organisers' jury pages (/manage/<slug>/jury/…): who may open them, the jury with its
invitations, a juror's seat, conflicts, assignments, progress and reminders, reviews, rounds
with shortlist and Schulze result, and the jury discussion."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from awards.enums import RoundStatus
from awards.models import Round
from jury import services
from jury.enums import AssignmentSource, ConflictSource, InvitationStatus, ReviewStatus
from jury.models import (
    Assignment,
    Conflict,
    DiscussionPost,
    Juror,
    JuryInvitation,
    Review,
    RoundEntry,
)
from notifications.models import Message
from tests.factories import (
    CategoryFactory,
    JurorFactory,
    RoundFactory,
    SubmissionFactory,
    UserFactory,
    judging_setup,
)

pytestmark = pytest.mark.django_db


# --- Helpers -----------------------------------------------------------------------------


def url(s, name: str, **kwargs) -> str:
    # The round page and its shortlist are the results app's, in the jury area.
    namespace = "results_manage" if name in {"round", "shortlist"} else "jury_manage"
    return reverse(f"{namespace}:{name}", kwargs={"slug": s.award.slug, **kwargs})


def text(response) -> str:
    return response.content.decode()


def has_text(response, message: str) -> bool:
    """``message`` as the page shows it (HTML-escaped)."""
    return escape(message) in text(response)


def tag_attrs(html: str, testid: str) -> dict[str, str]:
    match = re.search(rf'<[a-z]+\b[^>]*data-testid="{re.escape(testid)}"[^>]*>', html)
    assert match, f"no element with data-testid={testid!r}"
    return dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(0)))


def row_cells(html: str, row_attr: str) -> dict[str, str]:
    """The ``data-col`` cells of the table row ``<tr {row_attr}>``."""
    row = re.search(rf"<tr {row_attr}>(.*?)</tr>", html, re.S)
    assert row, f"no row {row_attr!r}"
    return {k: v.strip() for k, v in re.findall(r'data-col="(\w+)"[^>]*>([^<]*)<', row.group(1))}


def followed_messages(client, response) -> list[str]:
    assert response.status_code == 302, response.status_code
    page = client.get(response["Location"])
    return [str(m) for m in page.context["messages"]]


def submit_review(assignment: Assignment, value: int, **kwargs) -> Review:
    return services.review_save(
        assignment=assignment,
        actor=assignment.juror.user,
        version=0,
        scores={c.pk: value for c in assignment.round.award.criteria.all()},
        submit=True,
        **kwargs,
    )


def draft_review(assignment: Assignment, value: int) -> Review:
    criterion = assignment.round.award.criteria.order_by("position").first()
    return services.review_save(
        assignment=assignment, actor=assignment.juror.user, version=0, scores={criterion.pk: value}
    )


def assign(s, juror_index: int, entry_index: int) -> Assignment:
    return Assignment.objects.create(
        round=s.round, juror=s.jurors[juror_index], submission=s.submissions[entry_index]
    )


def english(user):
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    return user


@pytest.fixture
def s():
    """An award in judging (Europe/Berlin) with one category, 3 eligible entries in the open
    round 1, 3 ready jurors, k = 2, its organiser (English), and a second award with its own
    organiser, juror, entry and review."""
    world = judging_setup(entries=3, jurors=3, criteria=2, k=2)
    english(world.organiser)
    other = judging_setup(entries=1, jurors=1, criteria=1, k=1)
    other_assignment = Assignment.objects.create(
        round=other.round, juror=other.jurors[0], submission=other.submissions[0]
    )
    other.review = submit_review(other_assignment, 5)
    other.assignment = other_assignment
    other.invitation = services.juror_invite(
        award=other.award,
        email="elsewhere@uni-example.de",
        categories=[other.category],
        actor=other.organiser,
    )
    world.other = other
    world.applicant = world.submissions[0].created_by
    return world


@pytest.fixture
def organiser_client(client, s):
    client.force_login(s.organiser)
    return client


# --- Who may open the pages ---------------------------------------------------------------


def _pages(s) -> list[tuple[str, str]]:
    """(method, url) of every page, with objects of ``s``'s award."""
    assignment = assign(s, 0, 0)
    review = submit_review(assign(s, 1, 0), 7)
    invitation = services.juror_invite(
        award=s.award, email="invitee@uni-example.de", categories=[s.category], actor=s.organiser
    )
    juror = s.jurors[2]
    entry = s.submissions[0]
    return [
        ("get", url(s, "jurors")),
        ("post", url(s, "invite")),
        ("post", url(s, "invitation_revoke", pk=invitation.pk)),
        ("get", url(s, "juror_edit", pk=juror.pk)),
        ("post", url(s, "juror_edit", pk=juror.pk)),
        ("post", url(s, "juror_remove", pk=juror.pk)),
        ("get", url(s, "conflicts")),
        ("post", url(s, "conflicts")),
        ("get", url(s, "round", number=1)),
        ("post", url(s, "round_open", number=1)),
        ("post", url(s, "round_close", number=1)),
        ("post", url(s, "shortlist", number=1)),
        ("get", url(s, "assignments", number=1)),
        ("post", url(s, "assignments_run", number=1)),
        ("post", url(s, "assignment_add", number=1)),
        ("post", url(s, "assignment_remove", number=1, pk=assignment.pk)),
        ("get", url(s, "progress", number=1)),
        ("post", url(s, "remind", number=1)),
        ("get", url(s, "review_detail", pk=review.pk)),
        ("post", url(s, "review_reopen", pk=review.pk)),
        ("get", url(s, "discussion", number=1, pk=entry.pk)),
        ("post", url(s, "discussion", number=1, pk=entry.pk)),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(client, s):
    login = reverse(settings.LOGIN_URL)
    for method, page in _pages(s):
        response = getattr(client, method)(page)
        assert response.status_code == 302, (method, page)
        assert response["Location"].startswith(login), page
    assert Message.objects.filter(template_key="jury.reminder").count() == 0


@pytest.mark.parametrize("who", ["applicant", "juror", "other_organiser"])
def test_applicants_jurors_and_other_organisers_get_404_everywhere(client, s, who):
    user = {
        "applicant": s.applicant,
        "juror": s.jurors[0].user,
        "other_organiser": s.other.organiser,
    }[who]
    client.force_login(user)
    pages = _pages(s)
    for method, page in pages:
        response = getattr(client, method)(page, {"email": "x@uni-example.de", "juror": ""})
        assert response.status_code == 404, (who, method, page)
    # Nothing changed behind the 404s.
    assert Round.objects.get(pk=s.round.pk).status == RoundStatus.OPEN
    assert Juror.objects.filter(award=s.award, is_active=True).count() == 3
    assert (
        JuryInvitation.objects.filter(award=s.award, status=InvitationStatus.PENDING).count() == 1
    )
    assert Review.objects.filter(assignment__round=s.round, status="submitted").count() == 1


def test_organiser_opens_every_page(organiser_client, s):
    for method, page in _pages(s):
        if method == "get":
            assert organiser_client.get(page).status_code == 200, page


def test_objects_of_another_award_are_404(organiser_client, s):
    other = s.other
    foreign = [
        ("get", url(s, "juror_edit", pk=other.jurors[0].pk)),
        ("post", url(s, "juror_edit", pk=other.jurors[0].pk)),
        ("post", url(s, "juror_remove", pk=other.jurors[0].pk)),
        ("post", url(s, "invitation_revoke", pk=other.invitation.pk)),
        ("get", url(s, "round", number=7)),
        ("get", url(s, "assignments", number=7)),
        ("get", url(s, "progress", number=7)),
        ("post", url(s, "assignment_remove", number=1, pk=other.assignment.pk)),
        ("get", url(s, "review_detail", pk=other.review.pk)),
        ("post", url(s, "review_reopen", pk=other.review.pk)),
        ("get", url(s, "discussion", number=1, pk=other.submissions[0].pk)),
        ("post", url(s, "remind", number=1)),
    ]
    for method, page in foreign:
        data = {"juror": str(other.jurors[0].pk)} if page.endswith("remind/") else {}
        response = getattr(organiser_client, method)(page, data)
        assert response.status_code == 404, (method, page)
    assert Juror.objects.get(pk=other.jurors[0].pk).is_active is True
    assert JuryInvitation.objects.get(pk=other.invitation.pk).status == InvitationStatus.PENDING
    assert Review.objects.get(pk=other.review.pk).status == ReviewStatus.SUBMITTED
    assert Assignment.objects.filter(pk=other.assignment.pk).exists()
    assert Message.objects.filter(template_key="jury.reminder").count() == 0


def test_assignment_of_another_round_of_the_same_award_is_404(organiser_client, s):
    round_2 = RoundFactory(award=s.award, number=2, kind="final")
    assignment = assign(s, 0, 0)
    response = organiser_client.post(url(s, "assignment_remove", number=2, pk=assignment.pk))
    assert response.status_code == 404
    assert round_2.pk and Assignment.objects.filter(pk=assignment.pk).exists()


def test_entry_not_in_the_round_has_no_discussion(organiser_client, s):
    outside = SubmissionFactory(award=s.award, category=s.category, status="eligible")
    response = organiser_client.get(url(s, "discussion", number=1, pk=outside.pk))
    assert response.status_code == 404


def test_award_page_links_to_the_jury(organiser_client, s):
    response = organiser_client.get(reverse("awards:manage", kwargs={"slug": s.award.slug}))
    assert response.status_code == 200
    assert f'href="{url(s, "jurors")}"' in text(response)
    assert f'href="{url(s, "conflicts")}"' in text(response)
    assert f'href="{url(s, "round", number=1)}"' in text(response)


# --- The jury and invitations ------------------------------------------------------------


def test_jury_page_lists_members_invitations_counts_and_links(organiser_client, s):
    juror = s.jurors[0]
    juror.affiliation = "Fraunhofer IWU"
    juror.save()
    services.conflict_record(
        juror=juror, submission=s.submissions[0], whole_organisation=False, note="", actor=None
    )
    s.jurors[1].confidentiality_confirmed_at = None
    s.jurors[1].save()
    pending = services.juror_invite(
        award=s.award,
        email="pending@uni-example.de",
        name="Paula Pending",
        categories=[s.category],
        actor=s.organiser,
    )
    declined = services.juror_invite(
        award=s.award, email="no@uni-example.de", categories=[s.category], actor=s.organiser
    )
    services.invitation_decline(token=services.invitation_token(declined))
    accepted = services.juror_invite(
        award=s.award, email="yes@uni-example.de", categories=[s.category], actor=s.organiser
    )
    services.invitation_accept(
        token=services.invitation_token(accepted), user=UserFactory(email="yes@uni-example.de")
    )

    response = organiser_client.get(url(s, "jurors"))

    html = text(response)
    assert response.status_code == 200
    assert re.search(r'data-testid="count-invited">1<', html)
    assert re.search(r'data-testid="count-accepted">1<', html)
    assert re.search(r'data-testid="count-declined">1<', html)
    member_row = re.search(rf'<tr data-juror="{juror.pk}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    assert escape(juror.user.full_name) in member_row
    assert juror.user.email in member_row
    assert "Fraunhofer IWU" in member_row
    assert f"{s.category.code} – {s.category.name}" in member_row
    assert "(Experienced)" in member_row
    assert re.search(r'data-testid="conflict-count">1<', member_row)
    unconfirmed = re.search(rf'<tr data-juror="{s.jurors[1].pk}"[^>]*>(.*?)</tr>', html, re.S)
    assert "Not yet" in unconfirmed.group(1)
    # Four members: three from the setup and the one who accepted.
    assert html.count("<tr data-juror=") == 4
    invitation_row = re.search(rf'<tr data-invitation="{pending.pk}">(.*?)</tr>', html, re.S).group(
        1
    )
    assert "pending@uni-example.de" in invitation_row and "Paula Pending" in invitation_row
    assert 'data-status="pending">Invited<' in invitation_row
    assert 'data-status="declined">Declined<' in html
    for linked in (
        url(s, "round", number=1),
        url(s, "assignments", number=1),
        url(s, "progress", number=1),
        url(s, "conflicts"),
        url(s, "juror_edit", pk=juror.pk),
    ):
        assert f'href="{linked}"' in html


def test_invite_puts_the_invitation_in_the_outbox(organiser_client, s):
    response = organiser_client.post(
        url(s, "invite"),
        {
            "email": "Neu.Jurorin@Uni-Example.de",
            "name": "Nora Neu",
            "role": "jury_chair",
            "categories": [s.category.pk],
            "language": "en",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url(s, "jurors")
    assert followed_messages(organiser_client, response) == [
        "We have sent an invitation to neu.jurorin@uni-example.de."
    ]
    invitation = JuryInvitation.objects.get(award=s.award, email="neu.jurorin@uni-example.de")
    assert (invitation.name, invitation.role, invitation.language) == (
        "Nora Neu",
        "jury_chair",
        "en",
    )
    assert list(invitation.categories.all()) == [s.category]
    mail = Message.objects.get(template_key="juror.invited", award=s.award)
    assert mail.recipient_email == "neu.jurorin@uni-example.de"


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("bad_email", "Enter a valid email address."),
        ("no_category", "Choose at least one category."),
        ("foreign_category", "A category of another award was chosen."),
        ("on_the_jury", "{email} is on the jury already."),
    ],
)
def test_invite_refuses_bad_input_and_keeps_it(organiser_client, s, case, message):
    email = {
        "bad_email": "not-an-address",
        "on_the_jury": s.jurors[0].user.email,
    }.get(case, "fresh@uni-example.de")
    categories = {
        "no_category": [],
        "foreign_category": [s.category.pk, s.other.category.pk],
    }.get(case, [s.category.pk])

    response = organiser_client.post(
        url(s, "invite"),
        {
            "email": email,
            "name": "Kept Name",
            "role": "juror",
            "categories": categories,
            "language": "en",
        },
    )

    assert response.status_code == 400
    assert has_text(response, message.format(email=email))
    html = text(response)
    assert f'value="{email}"' in html
    assert 'value="Kept Name"' in html
    if categories:
        checkbox = re.search(rf'<input[^>]*value="{s.category.pk}"[^>]*>', html).group(0)
        assert "checked" in checkbox
    assert JuryInvitation.objects.filter(award=s.award).count() == 0
    # Only the other award's invitation is in the outbox.
    assert Message.objects.filter(template_key="juror.invited").count() == 1


def test_revoke_withdraws_an_open_invitation_once(organiser_client, s):
    invitation = services.juror_invite(
        award=s.award, email="later@uni-example.de", categories=[s.category], actor=s.organiser
    )
    response = organiser_client.post(url(s, "invitation_revoke", pk=invitation.pk))
    assert followed_messages(organiser_client, response) == [
        "The invitation to later@uni-example.de has been withdrawn; its link no longer works."
    ]
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    page = organiser_client.get(url(s, "jurors"))
    assert 'data-status="revoked">Withdrawn<' in text(page)

    again = organiser_client.post(url(s, "invitation_revoke", pk=invitation.pk))
    assert followed_messages(organiser_client, again) == [
        "Only an open invitation can be withdrawn."
    ]


# --- A juror's seat ----------------------------------------------------------------------


def test_juror_edit_stores_the_deadline_in_the_award_time_zone(organiser_client, s):
    assert s.award.timezone == "Europe/Berlin"
    juror = s.jurors[0]
    second = CategoryFactory(award=s.award, code="MOB")
    response = organiser_client.post(
        url(s, "juror_edit", pk=juror.pk),
        {
            "role": "jury_chair",
            "categories": [s.category.pk, second.pk],
            "max_assignments": "5",
            "deadline_extended_until": "2030-05-01T18:00",
        },
    )
    assert response.status_code == 302
    juror.refresh_from_db()
    assert juror.deadline_extended_until == dt.datetime(2030, 5, 1, 16, 0, tzinfo=dt.UTC)
    assert juror.role == "jury_chair"
    assert juror.max_assignments == 5
    assert set(juror.category_links.values_list("category_id", flat=True)) == {
        s.category.pk,
        second.pk,
    }
    page = organiser_client.get(url(s, "juror_edit", pk=juror.pk))
    assert 'value="2030-05-01T18:00"' in text(page)
    shown = re.search(r'data-testid="deadline">([^<]*)<', text(page)).group(1)
    assert shown == "Individual jury deadline: 1 May 2030, 6:00 p.m. (Europe/Berlin)"


def test_juror_edit_refuses_bad_input(organiser_client, s):
    juror = s.jurors[0]
    response = organiser_client.post(
        url(s, "juror_edit", pk=juror.pk),
        {"role": "juror", "categories": [], "max_assignments": "0"},
    )
    assert response.status_code == 400
    assert has_text(response, "Choose at least one category.")
    assert has_text(response, "Ensure this value is greater than or equal to 1.")
    juror.refresh_from_db()
    assert juror.category_links.count() == 1


def test_juror_edit_refuses_a_time_skipped_by_the_clock_change(organiser_client, s):
    juror = s.jurors[0]
    response = organiser_client.post(
        url(s, "juror_edit", pk=juror.pk),
        {
            "role": "juror",
            "categories": [s.category.pk],
            "deadline_extended_until": "2030-03-31T02:30",
        },
    )
    assert response.status_code == 400
    assert "does not exist in the time zone Europe/Berlin" in text(response)
    juror.refresh_from_db()
    assert juror.deadline_extended_until is None


def test_juror_edit_shows_conflicts_and_assignments(organiser_client, s):
    juror = s.jurors[0]
    services.conflict_record(
        juror=juror,
        submission=s.submissions[2],
        whole_organisation=False,
        note="Former employer",
        actor=s.organiser,
    )
    assign(s, 0, 1)
    response = organiser_client.get(url(s, "juror_edit", pk=juror.pk))
    conflicts = re.search(r'data-testid="juror-conflicts">(.*?)</table>', text(response), re.S)
    assert escape(s.submissions[2].title) in conflicts.group(1)
    assert "Former employer" in conflicts.group(1)
    assignments = re.search(r'data-testid="juror-assignments">(.*?)</table>', text(response), re.S)
    assert escape(s.submissions[1].title) in assignments.group(1)
    assert "Not started" in assignments.group(1)


def test_remove_takes_the_juror_off_the_jury(organiser_client, s):
    juror = s.jurors[0]
    open_assignment = assign(s, 0, 0)
    submitted = submit_review(assign(s, 0, 1), 6)
    response = organiser_client.post(url(s, "juror_remove", pk=juror.pk))
    messages = followed_messages(organiser_client, response)
    assert messages == [
        f"{juror.user.full_name} is no longer on the jury. Submitted reviews stay on record; "
        "open assignments have been removed."
    ]
    juror.refresh_from_db()
    assert juror.is_active is False
    assert not Assignment.objects.filter(pk=open_assignment.pk).exists()
    assert Review.objects.filter(pk=submitted.pk).exists()
    page = text(organiser_client.get(url(s, "jurors")))
    row = re.search(rf'<tr data-juror="{juror.pk}"[^>]*>(.*?)</tr>', page, re.S).group(1)
    assert 'data-active="0">Removed<' in row


# --- Conflicts ---------------------------------------------------------------------------


def test_recorded_conflict_is_listed_and_never_assigned(organiser_client, s):
    juror, entry = s.jurors[0], s.submissions[0]
    response = organiser_client.post(
        url(s, "conflicts"),
        {"juror": juror.pk, "submission": entry.pk, "note": "Supervised the thesis"},
    )
    assert response.status_code == 302
    conflict = Conflict.objects.get(juror=juror)
    assert (conflict.submission, conflict.source, conflict.status) == (
        entry,
        ConflictSource.ORGANISER,
        "confirmed",
    )
    page = text(organiser_client.get(url(s, "conflicts")))
    row = re.search(rf'<tr data-conflict="{conflict.pk}"[^>]*>(.*?)</tr>', page, re.S).group(1)
    assert escape(juror.user.full_name) in row
    assert escape(entry.title) in row
    assert "Recorded by the organisers" in row and "Supervised the thesis" in row

    organiser_client.post(url(s, "assignments_run", number=1))

    assert not Assignment.objects.filter(juror=juror, submission=entry).exists()
    assert set(Assignment.objects.filter(submission=entry).values_list("juror_id", flat=True)) == {
        s.jurors[1].pk,
        s.jurors[2].pk,
    }


def test_conflict_with_the_whole_company(organiser_client, s):
    juror, entry = s.jurors[1], s.submissions[1]
    response = organiser_client.post(
        url(s, "conflicts"),
        {"juror": juror.pk, "submission": entry.pk, "whole_organisation": "on", "note": ""},
    )
    assert response.status_code == 302
    conflict = Conflict.objects.get(juror=juror)
    assert conflict.organisation == entry.organisation and conflict.submission is None
    page = text(organiser_client.get(url(s, "conflicts")))
    assert f"Whole company</span> {escape(entry.organisation.name)}" in page


def test_conflict_form_refuses_a_juror_of_another_award(organiser_client, s):
    response = organiser_client.post(
        url(s, "conflicts"),
        {"juror": s.other.jurors[0].pk, "submission": s.submissions[0].pk},
    )
    assert response.status_code == 400
    assert "Select a valid choice." in text(response)
    assert Conflict.objects.filter(juror=s.other.jurors[0]).count() == 0


# --- Rounds: open, close -----------------------------------------------------------------


def test_close_and_reopen_a_round(organiser_client, s):
    response = organiser_client.post(url(s, "round_close", number=1))
    assert followed_messages(organiser_client, response) == [
        "The round is closed; nothing more can be scored or ranked in it."
    ]
    s.round.refresh_from_db()
    assert s.round.status == RoundStatus.CLOSED

    again = organiser_client.post(url(s, "round_close", number=1))
    assert followed_messages(organiser_client, again) == ["Only an open round can be closed."]

    reopen = organiser_client.post(url(s, "round_open", number=1))
    assert followed_messages(organiser_client, reopen) == ["The round is open for the jury."]
    s.round.refresh_from_db()
    assert s.round.status == RoundStatus.OPEN


def test_closing_a_planned_round_is_refused(organiser_client, s):
    RoundFactory(award=s.award, number=2, kind="final")
    response = organiser_client.post(url(s, "round_close", number=2))
    assert followed_messages(organiser_client, response) == ["Only an open round can be closed."]
    assert s.award.rounds.get(number=2).status == RoundStatus.PLANNED


def test_opening_a_round_needs_the_award_in_judging(organiser_client, s):
    s.round.status = RoundStatus.PLANNED
    s.round.save()
    s.award.status = "closed"
    s.award.save()
    response = organiser_client.post(url(s, "round_open", number=1))
    assert followed_messages(organiser_client, response) == [
        "Rounds can be opened while the award is in “Judging”."
    ]
    s.round.refresh_from_db()
    assert s.round.status == RoundStatus.PLANNED


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


# --- Assignments -------------------------------------------------------------------------


def test_assignment_run_reports_short_entries_with_the_reason(client):
    s = judging_setup(entries=2, jurors=2, criteria=1, k=3)
    client.force_login(english(s.organiser))
    response = client.post(url(s, "assignments_run", number=1))
    assert response.status_code == 302
    assert response["Location"] == url(s, "assignments", number=1)

    page = client.get(response["Location"])

    html = text(page)
    assert [str(m) for m in page.context["messages"]] == ["The assignments have been computed."]
    assert re.search(r'data-testid="report-created">4<', html)
    assert re.search(r'data-testid="report-kept">0<', html)
    short = re.search(r'data-testid="short-entries">(.*?)</table>', html, re.S).group(1)
    for entry in s.submissions:
        assert escape(entry.title) in short
    assert short.count('data-testid="missing">1<') == 2
    assert short.count('data-testid="reason">The category has only 2 jurors.<') == 2
    # Shown once: the report is gone on the next visit.
    assert 'data-testid="assignment-report"' not in text(
        client.get(url(s, "assignments", number=1))
    )


def test_assignments_page_lists_jurors_per_entry_and_loads(organiser_client, s):
    a = assign(s, 0, 0)
    submit_review(a, 8)
    Assignment.objects.create(
        round=s.round,
        juror=s.jurors[1],
        submission=s.submissions[0],
        source=AssignmentSource.MANUAL,
    )
    assign(s, 0, 1)
    html = text(organiser_client.get(url(s, "assignments", number=1)))
    row = re.search(rf'<tr data-submission="{s.submissions[0].pk}">(.*?)</tr>', html, re.S).group(1)
    assert escape(s.jurors[0].user.full_name) in row and escape(s.jurors[1].user.full_name) in row
    assert 'data-review-status="submitted"' in row and 'data-review-status="not_started"' in row
    assert 'data-source="manual">By hand<' in row and 'data-source="automatic">Automatic<' in row
    assert f'href="{url(s, "review_detail", pk=a.review.pk)}"' in row
    summary = re.search(r'data-testid="load-summary">([^<]*)<', html).group(1)
    assert summary == "3 assignments; each juror has between 0 and 2."


def test_manual_add_assigns_by_hand(organiser_client, s):
    response = organiser_client.post(
        url(s, "assignment_add", number=1),
        {"juror": s.jurors[2].pk, "submission": s.submissions[1].pk},
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get(juror=s.jurors[2], submission=s.submissions[1])
    assert assignment.source == AssignmentSource.MANUAL
    assert assignment.created_by == s.organiser


def test_manual_add_refused_for_a_conflicted_juror(organiser_client, s):
    services.conflict_record(
        juror=s.jurors[0],
        submission=s.submissions[0],
        whole_organisation=False,
        note="",
        actor=s.organiser,
    )
    response = organiser_client.post(
        url(s, "assignment_add", number=1),
        {"juror": s.jurors[0].pk, "submission": s.submissions[0].pk},
    )
    assert response.status_code == 400
    assert has_text(response, "This juror has a conflict of interest with the entry.")
    assert f'<option value="{s.jurors[0].pk}" selected>' in text(response)
    assert not Assignment.objects.filter(juror=s.jurors[0], submission=s.submissions[0]).exists()


def test_manual_add_refused_for_a_juror_of_another_category(organiser_client, s):
    other_category = CategoryFactory(award=s.award, code="BAU")
    outsider = JurorFactory(award=s.award, categories=[other_category])
    response = organiser_client.post(
        url(s, "assignment_add", number=1),
        {"juror": outsider.pk, "submission": s.submissions[0].pk},
    )
    assert response.status_code == 400
    assert has_text(response, "This juror does not judge the entry's category.")
    assert not Assignment.objects.filter(juror=outsider).exists()


def test_manual_add_refuses_a_juror_of_another_award(organiser_client, s):
    response = organiser_client.post(
        url(s, "assignment_add", number=1),
        {"juror": s.other.jurors[0].pk, "submission": s.submissions[0].pk},
    )
    assert response.status_code == 400
    assert "Select a valid choice." in text(response)


def test_remove_assignment_refused_for_a_submitted_review(organiser_client, s):
    submitted = assign(s, 0, 0)
    submit_review(submitted, 4)
    response = organiser_client.post(url(s, "assignment_remove", number=1, pk=submitted.pk))
    assert followed_messages(organiser_client, response) == [
        "The juror has submitted this review; reopen it first if it must go."
    ]
    assert Assignment.objects.filter(pk=submitted.pk).exists()

    open_one = assign(s, 1, 0)
    response = organiser_client.post(url(s, "assignment_remove", number=1, pk=open_one.pk))
    assert followed_messages(organiser_client, response) == [
        f"{s.jurors[1].user.full_name} no longer reviews “{s.submissions[0].title}”."
    ]
    assert not Assignment.objects.filter(pk=open_one.pk).exists()


def _add_jurors_with_work(s, count: int) -> None:
    """``count`` more jurors, each with three assignments in different states and a
    conflict, so every branch of the page has rows."""
    for n in range(count):
        juror = JurorFactory(award=s.award, categories=[s.category])
        entries = [
            SubmissionFactory(award=s.award, category=s.category, status="eligible")
            for _ in range(3)
        ]
        for entry in entries:
            RoundEntry.objects.create(round=s.round, submission=entry)
        assignments = [
            Assignment.objects.create(round=s.round, juror=juror, submission=entry)
            for entry in entries
        ]
        draft_review(assignments[0], 3)
        submit_review(assignments[1], 7)
        if n % 2:
            Conflict.objects.create(juror=juror, submission=s.submissions[0])


@pytest.mark.parametrize("page", ["assignments", "progress"])
def test_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, page):
    s = judging_setup(entries=3, jurors=0, criteria=2, k=2)
    client.force_login(english(s.organiser))
    _add_jurors_with_work(s, 6)
    address = url(s, page, number=1)
    client.get(address)  # warm up whatever is cached per process
    with CaptureQueriesContext(connection) as small:
        assert client.get(address).status_code == 200

    _add_jurors_with_work(s, 54)
    assert Juror.objects.filter(award=s.award).count() == 60

    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(address)
    assert response.status_code == 200
    if page == "progress":
        assert text(response).count('data-testid="juror-progress-') == 60
    else:
        assert text(response).count("<tr data-submission=") == 3 + 180


# --- Progress and reminders --------------------------------------------------------------


def test_progress_counts_are_exact(organiser_client, s):
    juror = s.jurors[0]
    first, second, _third = (assign(s, 0, i) for i in range(3))
    draft_review(first, 5)
    submit_review(second, 9)
    Conflict.objects.create(juror=s.jurors[1], organisation=s.submissions[2].organisation)

    response = organiser_client.get(url(s, "progress", number=1))

    html = text(response)
    assert row_cells(html, f'data-juror="{juror.pk}"') == {
        "assigned": "3",
        "not_started": "1",
        "drafts": "1",
        "submitted": "1",
        "conflicts": "0",
        "percent": "33 %",
    }
    assert row_cells(html, f'data-juror="{s.jurors[1].pk}"')["conflicts"] == "1"
    assert row_cells(html, f'data-category="{s.category.code}"') == {
        "assigned": "3",
        "not_started": "1",
        "drafts": "1",
        "submitted": "1",
        "conflicts": "1",
        "percent": "33 %",
    }
    bar = tag_attrs(html, f"juror-progress-{juror.pk}")
    assert (bar["role"], bar["aria-valuenow"]) == ("progressbar", "33")
    overall = tag_attrs(html, "progress-bar")
    assert (overall["role"], overall["aria-valuenow"]) == ("progressbar", "33")
    assert re.search(r'data-testid="overall-percent">33 %<', html)
    assert tag_attrs(html, f"juror-progress-{s.jurors[1].pk}")["aria-valuenow"] == "0"


def test_reminder_goes_only_to_jurors_with_open_reviews(organiser_client, s):
    busy, done, idle = s.jurors
    assign(s, 0, 0)  # busy: one not started
    submit_review(assign(s, 1, 0), 6)  # done: everything submitted
    page = text(organiser_client.get(url(s, "progress", number=1)))
    assert f'data-testid="remind-{busy.pk}"' in page
    assert f'data-testid="remind-{done.pk}"' not in page
    assert f'data-testid="remind-{idle.pk}"' not in page

    response = organiser_client.post(url(s, "remind", number=1))

    assert followed_messages(organiser_client, response) == ["A reminder has been sent to 1 juror."]
    reminders = Message.objects.filter(template_key="jury.reminder")
    assert list(reminders.values_list("recipient_email", flat=True)) == [busy.user.email]

    response = organiser_client.post(url(s, "remind", number=1), {"juror": done.pk})
    assert followed_messages(organiser_client, response) == [
        "Nobody has open reviews in this round; no reminder sent."
    ]
    response = organiser_client.post(url(s, "remind", number=1), {"juror": busy.pk})
    assert followed_messages(organiser_client, response) == ["A reminder has been sent to 1 juror."]
    assert reminders.filter(recipient_email=busy.user.email).count() == 2
    assert reminders.count() == 2


# --- Reviews -----------------------------------------------------------------------------


def test_review_detail_shows_scores_comments_and_note(organiser_client, s):
    assignment = assign(s, 0, 0)
    first, second = s.criteria
    review = services.review_save(
        assignment=assignment,
        actor=assignment.juror.user,
        version=0,
        scores={first.pk: 7, second.pk: 3},
        comments={first.pk: "<b>Strong</b> idea"},
        overall_comment="Convincing overall.",
        private_note="The juror knows the founders by name.",
        submit=True,
    )
    response = organiser_client.get(url(s, "review_detail", pk=review.pk))
    html = text(response)
    assert response.status_code == 200
    first_row = re.search(rf'<tr data-criterion="{first.pk}">(.*?)</tr>', html, re.S).group(1)
    assert 'data-testid="score">7<' in first_row
    assert "&lt;b&gt;Strong&lt;/b&gt; idea" in first_row
    second_row = re.search(rf'<tr data-criterion="{second.pk}">(.*?)</tr>', html, re.S).group(1)
    assert 'data-testid="score">3<' in second_row
    assert "Convincing overall." in html
    assert "The juror knows the founders by name." in html
    assert re.search(r'data-testid="version">1<', html)
    assert 'data-review-status="submitted"' in html
    assert 'data-testid="review-reopen"' in html


def test_review_reopen_unlocks_a_submitted_review(organiser_client, s):
    review = submit_review(assign(s, 0, 0), 6)
    response = organiser_client.post(url(s, "review_reopen", pk=review.pk))
    assert followed_messages(organiser_client, response) == [
        f"The review has been reopened; {s.jurors[0].user.full_name} can change and submit "
        "it again."
    ]
    review.refresh_from_db()
    assert (review.status, review.version) == (ReviewStatus.DRAFT, 2)
    assert review.reopened_at is not None

    again = organiser_client.post(url(s, "review_reopen", pk=review.pk))
    assert followed_messages(organiser_client, again) == [
        "Only a submitted review can be reopened."
    ]


def test_no_reopen_once_the_round_is_closed(organiser_client, s):
    review = submit_review(assign(s, 0, 0), 6)
    services.round_close(round=s.round, actor=s.organiser)
    page = text(organiser_client.get(url(s, "review_detail", pk=review.pk)))
    assert 'data-testid="review-reopen"' not in page
    response = organiser_client.post(url(s, "review_reopen", pk=review.pk))
    assert followed_messages(organiser_client, response) == [
        "Reviews can only be reopened while their round is open."
    ]
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED


# --- Shortlist ---------------------------------------------------------------------------


@pytest.fixture
def scored(client):
    """Round 1 closed with every entry reviewed by all three jurors (means 90, 50, 10 on
    0..100 for entries 0, 1, 2), and a planned final round 2."""
    s = judging_setup(entries=3, jurors=3, criteria=1, k=3)
    client.force_login(english(s.organiser))
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


# --- Discussion --------------------------------------------------------------------------


def test_organiser_reads_and_posts_to_the_discussion(organiser_client, s):
    entry = s.submissions[0]
    DiscussionPost.objects.create(
        round=s.round, submission=entry, author=s.jurors[0].user, body="Is the <i>weight</i> real?"
    )
    address = url(s, "discussion", number=1, pk=entry.pk)
    page = text(organiser_client.get(address))
    assert "Is the &lt;i&gt;weight&lt;/i&gt; real?" in page
    assert escape(s.jurors[0].user.full_name) in page

    response = organiser_client.post(address, {"body": "We asked the applicant for data."})
    assert followed_messages(organiser_client, response) == [
        "Your message has been added to the discussion."
    ]
    post = DiscussionPost.objects.get(author=s.organiser)
    assert (post.round, post.submission, post.body) == (
        s.round,
        entry,
        "We asked the applicant for data.",
    )


def test_discussion_is_closed_with_the_round(organiser_client, s):
    entry = s.submissions[0]
    services.round_close(round=s.round, actor=s.organiser)
    address = url(s, "discussion", number=1, pk=entry.pk)
    assert 'data-testid="discussion-closed"' in text(organiser_client.get(address))
    response = organiser_client.post(address, {"body": "Too late?"})
    assert response.status_code == 400
    assert "The discussion is closed with the round." in text(response)
    assert DiscussionPost.objects.count() == 0


def test_discussion_refuses_an_empty_message(organiser_client, s):
    address = url(s, "discussion", number=1, pk=s.submissions[0].pk)
    response = organiser_client.post(address, {"body": "   "})
    assert response.status_code == 400
    assert "This field is required." in text(response)
    assert DiscussionPost.objects.count() == 0
