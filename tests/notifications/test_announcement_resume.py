"""An announcement whose preparation stalled: the sweeper resumes it, the organiser sees it
paused and can resume it at once; nobody else can, and nothing is resumed twice.

(The faults themselves — a killed worker, a flushed or unreachable broker, the database away
— are in test_announcement_recovery.py, with real workers.)"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from awards.models import AuditEntry
from notifications import bulk as bulk_service
from notifications.models import BulkSend
from tests.factories import AwardFactory, AwardRoleFactory, JurorFactory, UserFactory
from tests.notifications.helpers import make_bulk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def award():
    return AwardFactory(name="Lightweight Innovation Award", edition=2027, slug="lia-2027")


def stalled_bulk(award, minutes=10) -> BulkSend:
    return make_bulk(
        award,
        status="expanding",
        expanded=1,
        advanced_at=timezone.now() - dt.timedelta(minutes=minutes),
    )


def resume_url(bulk) -> str:
    return reverse(
        "notifications:announcement_resume", kwargs={"slug": bulk.award.slug, "pk": bulk.pk}
    )


def detail_url(bulk) -> str:
    return reverse("notifications:announcement", kwargs={"slug": bulk.award.slug, "pk": bulk.pk})


# --- The sweeper ---------------------------------------------------------------------------


def test_the_sweeper_resumes_a_stalled_expansion_once(settings, award):
    settings.LAUREL_BULK_STALL_AFTER = 120
    stalled = stalled_bulk(award)
    fresh = make_bulk(award, status="expanding", expanded=1, advanced_at=timezone.now())
    done = make_bulk(award, status="queued", advanced_at=timezone.now() - dt.timedelta(hours=1))
    never_moved = make_bulk(award, status="expanding", expanded=0, advanced_at=None)
    BulkSend.objects.filter(pk=never_moved.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=5)
    )

    assert bulk_service.bulks_resume_stalled() == 2
    # Claimed: the next sweep leaves them alone for another stall period.
    assert bulk_service.bulks_resume_stalled() == 0

    for bulk in (stalled, never_moved):
        bulk.refresh_from_db()
        assert timezone.now() - bulk.advanced_at < dt.timedelta(seconds=30)
    for bulk, before in ((fresh, fresh.advanced_at), (done, done.advanced_at)):
        bulk.refresh_from_db()
        assert bulk.advanced_at == before


def test_a_stalled_expansion_is_one_that_has_not_moved_for_the_setting(settings, award):
    settings.LAUREL_BULK_STALL_AFTER = 600
    bulk = stalled_bulk(award, minutes=5)
    assert bulk.is_stalled() is False
    settings.LAUREL_BULK_STALL_AFTER = 120
    assert bulk.is_stalled() is True
    bulk.status = "queued"
    assert bulk.is_stalled() is False


def test_each_chunk_records_that_the_expansion_moved_on(settings, award):
    settings.LAUREL_BULK_CHUNK = 2
    bulk = stalled_bulk(award)
    BulkSend.objects.filter(pk=bulk.pk).update(expanded=0, cursor="")

    assert bulk_service.bulk_expand_chunk(bulk_id=bulk.pk) is True

    bulk.refresh_from_db()
    assert (bulk.expanded, bulk.status, bulk.is_stalled()) == (2, "expanding", False)
    assert timezone.now() - bulk.advanced_at < dt.timedelta(seconds=30)


# --- The organiser's page --------------------------------------------------------------------


def test_a_stalled_announcement_shows_as_paused_with_a_resume_button(client, award, organiser):
    bulk = stalled_bulk(award)
    client.force_login(organiser)

    page = client.get(detail_url(bulk)).content.decode()
    listing = client.get(
        reverse("notifications:announcements", kwargs={"slug": award.slug})
    ).content.decode()
    progress = client.get(
        reverse("notifications:announcement_progress", kwargs={"slug": award.slug, "pk": bulk.pk})
    ).json()

    assert 'data-testid="stalled" data-state-stalled >' in page
    assert "It resumes automatically" in page
    assert f'action="{resume_url(bulk)}"' in page
    assert 'data-testid="paused">Paused – resuming automatically</span>' in listing
    assert progress["stalled"] is True


def test_an_announcement_that_moves_on_does_not_show_as_paused(client, award, organiser):
    bulk = make_bulk(award, status="expanding", expanded=1, advanced_at=timezone.now())
    client.force_login(organiser)

    page = client.get(detail_url(bulk)).content.decode()
    listing = client.get(
        reverse("notifications:announcements", kwargs={"slug": award.slug})
    ).content.decode()

    assert 'data-testid="stalled" data-state-stalled hidden>' in page
    assert 'data-testid="paused"' not in listing


def test_the_organiser_resumes_a_stalled_announcement(client, award, organiser):
    bulk = stalled_bulk(award)
    client.force_login(organiser)

    response = client.post(resume_url(bulk), follow=True)

    assert response.redirect_chain == [(detail_url(bulk), 302)]
    assert "The announcement is being prepared again." in response.content.decode()
    bulk.refresh_from_db()
    assert bulk.is_stalled() is False
    entry = AuditEntry.objects.get(action="announcement.resumed")
    assert (entry.actor, entry.data) == (organiser, {"expanded": 1, "total": 3})


def test_resuming_a_prepared_announcement_does_nothing(client, award, organiser):
    bulk = make_bulk(award)  # every recipient prepared ("queued")
    client.force_login(organiser)

    response = client.post(resume_url(bulk), follow=True)

    assert "Every recipient of this announcement is prepared already." in (
        response.content.decode()
    )
    assert not AuditEntry.objects.filter(action="announcement.resumed").exists()


def test_resuming_needs_a_post(client, award, organiser):
    bulk = stalled_bulk(award)
    client.force_login(organiser)
    assert client.get(resume_url(bulk)).status_code == 405


@pytest.mark.parametrize("who", ["stranger", "juror", "other_organiser", "applicant"])
def test_nobody_else_can_resume(client, award, who):
    bulk = stalled_bulk(award)
    before = BulkSend.objects.get(pk=bulk.pk).advanced_at
    user = UserFactory()
    if who == "juror":
        JurorFactory(award=award, user=user)
    elif who == "other_organiser":
        AwardRoleFactory(award=AwardFactory(slug="other-2030", edition=2030), user=user)
    client.force_login(user)

    assert client.post(resume_url(bulk)).status_code == 404
    assert BulkSend.objects.get(pk=bulk.pk).advanced_at == before


def test_an_announcement_of_another_award_is_not_found(client, award, organiser):
    other = stalled_bulk(AwardFactory(slug="other-2030", edition=2030))
    client.force_login(organiser)
    url = reverse("notifications:announcement_resume", kwargs={"slug": award.slug, "pk": other.pk})
    assert client.post(url).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login(client, award):
    bulk = stalled_bulk(award)
    response = client.post(resume_url(bulk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
