"""Who may open the organisers' jury pages (/manage/<slug>/jury/…): anonymous visitors are
sent to log in, applicants, jurors and other awards' organisers get 404 everywhere and change
nothing, objects of another award or round are 404, and the award page links to the jury."""

import pytest
from django.conf import settings
from django.urls import reverse

from awards.enums import RoundStatus
from awards.models import Round
from jury import services
from jury.enums import InvitationStatus, ReviewStatus
from jury.models import Assignment, Juror, JuryInvitation, Review
from notifications.models import Message
from tests.factories import RoundFactory, SubmissionFactory
from tests.helpers import text
from tests.jury.manage_helpers import assign, submit_review, url

pytestmark = pytest.mark.django_db

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
