"""Announcements (/manage/<slug>/messages/announcements/…): the list with its counts, the
form with a fresh token and the placeholders, sending to addresses or the jurors once, what is
refused, the detail with a live progress bar, and retrying."""

import uuid

import pytest
from django.urls import reverse

from awards.models import AuditEntry, Award
from notifications.catalogue import COMMON
from notifications.models import BulkSend, Message
from tests.factories import AwardFactory, CategoryFactory, JurorFactory, UserFactory
from tests.notifications.helpers import announcement_data, make_bulk, make_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def award():
    return AwardFactory(name="Lightweight Innovation Award", edition=2027, slug="lia-2027")


# --- announcements ----------------------------------------------------------------------


def create_url(award: Award) -> str:
    return reverse("notifications:announcement_create", kwargs={"slug": award.slug})


def detail_url(award: Award, bulk: BulkSend) -> str:
    return reverse("notifications:announcement", kwargs={"slug": award.slug, "pk": bulk.pk})


def test_announcement_list_counts_queued_sent_and_failed(client, award, other_award, organiser):
    bulk = make_bulk(award, total=10, expanded=6, status="expanding")
    for status in ("pending", "sending", "sent", "sent", "sent", "failed"):
        make_message(award, bulk=bulk, status=status, template_key="announcement")
    make_bulk(other_award)
    client.force_login(organiser)

    response = client.get(reverse("notifications:announcements", kwargs={"slug": award.slug}))

    rows = response.context["rows"]
    assert [(r["bulk"], r["queued"], r["sent"], r["failed"]) for r in rows] == [(bulk, 6, 3, 1)]
    html = response.content.decode()
    assert f'href="{detail_url(award, bulk)}">Invitation to the award ceremony</a>' in html
    assert '<td class="text-end" data-count="queued">6</td>' in html


def test_new_announcement_form_carries_a_fresh_token_and_lists_the_placeholders(
    client, award, organiser
):
    CategoryFactory(award=award, name_en="Mobility")
    CategoryFactory(award=AwardFactory(slug="x-2031", edition=2031), name_en="Foreign")
    client.force_login(organiser)

    first = client.get(create_url(award))
    second = client.get(create_url(award))

    tokens = [r.context["form"].initial["request_token"] for r in (first, second)]
    assert all(isinstance(token, uuid.UUID) for token in tokens)
    assert tokens[0] != tokens[1]
    html = first.content.decode()
    assert f'<input type="hidden" name="request_token" value="{tokens[0]}"' in html
    for name in COMMON:
        assert f"<dt><code>{{{{ {name} }}}}</code></dt>" in html
    assert "{{ submission_title }}" not in html
    assert [c.name_en for c in first.context["form"].fields["category"].queryset] == ["Mobility"]


def test_organiser_sends_an_announcement_to_a_list_of_addresses(client, award, organiser):
    client.force_login(organiser)
    data = announcement_data(
        custom_recipients="Max@Example.org\nerika@example.org; max@example.org"
    )

    response = client.post(create_url(award), data)

    bulk = BulkSend.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(award, bulk)
    assert (
        bulk.award,
        bulk.created_by,
        str(bulk.request_token),
        bulk.audience,
        bulk.custom_recipients,
        bulk.total,
        bulk.subject_en,
        bulk.body_de,
    ) == (
        award,
        organiser,
        data["request_token"],
        "custom",
        "erika@example.org\nmax@example.org",
        2,
        "Invitation to the award ceremony",
        data["body_de"],
    )
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor) == ("announcement.created", organiser)


def test_organiser_sends_an_announcement_to_the_jurors(client, award, organiser):
    juror = UserFactory()
    JurorFactory(award=award, user=juror)
    client.force_login(organiser)

    response = client.post(
        create_url(award), announcement_data(audience="jurors", custom_recipients=""), follow=True
    )

    bulk = BulkSend.objects.get()
    assert response.redirect_chain == [(detail_url(award, bulk), 302)]
    assert (bulk.audience, bulk.total, bulk.custom_recipients) == ("jurors", 1, "")
    assert "The announcement is being sent to 1 recipient." in response.content.decode()


def test_posting_the_same_form_twice_sends_one_announcement(client, award, organiser):
    client.force_login(organiser)
    data = announcement_data()

    first = client.post(create_url(award), data)
    second = client.post(create_url(award), data)

    bulk = BulkSend.objects.get()
    assert (first.status_code, second.status_code) == (302, 302)
    assert first.url == second.url == detail_url(award, bulk)
    assert AuditEntry.objects.filter(action="announcement.created").count() == 1


def test_invalid_address_is_refused_and_the_text_kept(client, award, organiser):
    client.force_login(organiser)
    pasted = "erika@example.org\nnot-an-address"

    response = client.post(create_url(award), announcement_data(custom_recipients=pasted))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "custom_recipients": ["These are not email addresses: not-an-address"]
    }
    html = response.content.decode()
    assert "These are not email addresses: not-an-address" in html
    assert f">\n{pasted}</textarea>" in html
    assert "Invitation to the award ceremony" in html
    assert BulkSend.objects.count() == 0


def test_category_of_another_award_is_refused(client, award, other_award, organiser):
    foreign = CategoryFactory(award=other_award)
    client.force_login(organiser)

    response = client.post(
        create_url(award),
        announcement_data(audience="category_applicants", category=str(foreign.pk)),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "category": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert BulkSend.objects.count() == 0


def test_category_audience_needs_a_category(client, award, organiser):
    CategoryFactory(award=award)
    client.force_login(organiser)

    response = client.post(create_url(award), announcement_data(audience="category_applicants"))

    assert response.context["form"].errors == {"category": ["Choose a category of this award."]}
    assert BulkSend.objects.count() == 0


def test_announcement_allows_only_the_common_placeholders(client, award, organiser):
    client.force_login(organiser)

    response = client.post(
        create_url(award), announcement_data(body_en="Your entry {{ submission_title }}")
    )

    assert response.context["form"].errors == {
        "body_en": [
            "Unknown placeholder {{ submission_title }}. Allowed: award_name, organiser_name, "
            "recipient_name."
        ]
    }
    assert BulkSend.objects.count() == 0


def test_an_empty_audience_is_refused_above_the_form(client, award, organiser):
    client.force_login(organiser)

    response = client.post(create_url(award), announcement_data(audience="jurors"))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Nobody is in this audience yet; nothing was sent."
    ]
    assert "Nobody is in this audience yet; nothing was sent." in response.content.decode()
    assert BulkSend.objects.count() == 0


def test_announcement_detail_shows_texts_and_a_live_progress_bar(client, award, organiser):
    bulk = make_bulk(award, total=4, expanded=3, status="expanding")
    for status in ("sent", "sent", "failed"):
        make_message(award, bulk=bulk, status=status, template_key="announcement")
    client.force_login(organiser)

    response = client.get(detail_url(award, bulk))

    html = response.content.decode()
    progress_url = reverse(
        "notifications:announcement_progress", kwargs={"slug": award.slug, "pk": bulk.pk}
    )
    assert f'data-progress-url="{progress_url}" data-done="false"' in html
    assert 'data-width="50.0" data-segment="sent"' in html
    assert 'data-width="25.0" data-segment="failed"' in html
    assert 'data-width="25.0" data-segment="queued"' in html
    assert '<strong data-count="sent">2</strong>' in html
    assert '<script src="/static/js/bulk-progress.js" defer></script>' in html
    assert "<script>" not in html
    assert 'data-testid="body-en">Dear {{ recipient_name }},\n\nwe invite you.</pre>' in html
    assert 'data-testid="subject-de">Einladung zur Preisverleihung</p>' in html
    assert 'data-testid="retry-failed"' in html


def test_progress_json_returns_the_counts(client, award, organiser):
    bulk = make_bulk(award, total=5, expanded=4, status="expanding")
    for status in ("pending", "sent", "sent", "failed"):
        make_message(award, bulk=bulk, status=status, template_key="announcement")
    client.force_login(organiser)

    response = client.get(
        reverse("notifications:announcement_progress", kwargs={"slug": award.slug, "pk": bulk.pk})
    )

    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "total": 5,
        "queued": 2,
        "sent": 2,
        "failed": 1,
        "done": False,
        "status": "expanding",
        "stalled": False,
    }


def test_retry_failed_of_one_announcement(client, award, organiser):
    bulk = make_bulk(award)
    other_bulk = make_bulk(award)
    mine = make_message(award, bulk=bulk, status="failed", attempts=8)
    theirs = make_message(award, bulk=other_bulk, status="failed", attempts=8)
    single = make_message(award, status="failed", attempts=8)
    client.force_login(organiser)

    response = client.post(
        reverse("notifications:announcement_retry", kwargs={"slug": award.slug, "pk": bulk.pk}),
        follow=True,
    )

    assert response.redirect_chain == [(detail_url(award, bulk), 302)]
    assert "1 failed message will be sent again." in response.content.decode()
    assert sorted(Message.objects.values_list("pk", "status")) == sorted(
        [(mine.pk, "pending"), (theirs.pk, "failed"), (single.pk, "failed")]
    )


@pytest.mark.parametrize(
    ("name", "method"),
    [("announcement", "get"), ("announcement_progress", "get"), ("announcement_retry", "post")],
)
def test_announcement_of_another_award_gets_404(
    client, award, other_award, organiser, name, method
):
    foreign = make_bulk(other_award)
    make_message(other_award, bulk=foreign, status="failed")
    client.force_login(organiser)

    response = getattr(client, method)(
        reverse(f"notifications:{name}", kwargs={"slug": award.slug, "pk": foreign.pk})
    )

    assert response.status_code == 404
    assert Message.objects.get().status == "failed"


def test_progress_bar_of_a_finished_announcement_stops_polling(client, award, organiser):
    bulk = make_bulk(award, total=1, expanded=1)
    make_message(award, bulk=bulk, status="sent", template_key="announcement")
    client.force_login(organiser)

    html = client.get(detail_url(award, bulk)).content.decode()

    assert 'data-done="true"' in html
    assert 'data-width="100.0" data-segment="sent"' in html
