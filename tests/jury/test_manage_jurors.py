"""The organisers' pages about the jury itself (/manage/<slug>/jury/…): the jury with its
members, invitations and counts, inviting and withdrawing, a juror's seat (role, categories,
individual deadline, removal) and the conflicts the organisers record."""

import datetime as dt
import re

import pytest
from django.utils.html import escape

from jury import services
from jury.enums import ConflictSource, InvitationStatus
from jury.models import Assignment, Conflict, JuryInvitation, Review
from notifications.models import Message
from tests.factories import CategoryFactory, UserFactory
from tests.helpers import text
from tests.jury.manage_helpers import (
    assign,
    confirm_assignment_run,
    followed_messages,
    has_text,
    submit_review,
    url,
)

pytestmark = pytest.mark.django_db

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

    confirm_assignment_run(organiser_client, s)

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
