"""The organisers' webhook pages: who may open them (anyone else: 404, anonymous: login),
adding, changing, deleting with a confirmation, the secret, renewing it, enabling again, the
delivery log and sending again; bad input is refused with a message and saves nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awards.models import AuditEntry
from core.events import event_emit
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    JurorFactory,
    MembershipFactory,
    SubmissionFactory,
    UserFactory,
)
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def endpoint(award, organiser):
    """An endpoint created directly (its address is never contacted in these tests)."""
    return WebhookEndpoint.objects.create(
        award=award,
        url="https://hooks.example.org/laurel",
        events=["entry.submitted", "results.published"],
        created_by=organiser,
    )


@pytest.fixture
def delivery(award, endpoint):
    event_emit(award_id=award.pk, name="entry.submitted", payload={"entry": 1})
    return WebhookDelivery.objects.get()


@pytest.fixture
def public_dns(monkeypatch):
    """Every host name resolves to a public address (no network needed)."""
    import socket

    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, *a, **k: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))
        ],
    )


def url(name, award, **kwargs):
    return reverse(f"webhooks:{name}", kwargs={"slug": award.slug, **kwargs})


PAGES = [
    ("list", "get", {}),
    ("create", "get", {}),
    ("create", "post", {}),
    ("log", "get", {"pk"}),
    ("edit", "get", {"pk"}),
    ("edit", "post", {"pk"}),
    ("delete", "get", {"pk"}),
    ("delete", "post", {"pk"}),
    ("secret", "get", {"pk"}),
    ("rotate", "get", {"pk"}),
    ("rotate", "post", {"pk"}),
    ("enable", "post", {"pk"}),
    ("redeliver", "post", {"pk", "delivery"}),
]


def page_url(name, needs, award, endpoint, delivery):
    kwargs = {}
    if "pk" in needs:
        kwargs["pk"] = endpoint.pk
    if "delivery" in needs:
        kwargs["delivery"] = delivery.pk
    return url(name, award, **kwargs)


def stranger(kind, award):
    user = UserFactory(preferred_language="en")
    if kind == "other_organiser":
        AwardRoleFactory(award=AwardFactory(slug="elsewhere"), user=user)
    elif kind == "juror":
        JurorFactory(award=award, user=user)
    elif kind == "applicant":
        entry = SubmissionFactory(award=award)
        MembershipFactory(organisation=entry.organisation, user=user)
    return user


@pytest.mark.parametrize("kind", ["other_organiser", "juror", "applicant"])
@pytest.mark.parametrize(("name", "method", "needs"), PAGES)
def test_anyone_but_the_organisers_gets_404_and_changes_nothing(
    client, award, endpoint, delivery, kind, name, method, needs
):
    client.force_login(stranger(kind, award))
    before = (endpoint.secret, WebhookEndpoint.objects.count(), AuditEntry.objects.count())
    data = {"confirm": "on", "url": "https://x.example.org/", "events": ["entry.submitted"]}

    response = getattr(client, method)(page_url(name, needs, award, endpoint, delivery), data)

    assert response.status_code == 404
    endpoint.refresh_from_db()
    assert (endpoint.secret, WebhookEndpoint.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize(("name", "method", "needs"), PAGES)
def test_anonymous_visitors_are_sent_to_log_in(
    client, award, endpoint, delivery, name, method, needs
):
    response = getattr(client, method)(page_url(name, needs, award, endpoint, delivery))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_endpoint_of_another_award_is_not_found_through_this_one(client, award, organiser):
    other = AwardFactory(slug="other")
    AwardRoleFactory(award=other, user=organiser)
    foreign = WebhookEndpoint.objects.create(
        award=other, url="https://a.example.org/", events=["entry.submitted"]
    )
    client.force_login(organiser)

    for name in ("log", "edit", "secret", "delete", "rotate"):
        assert client.get(url(name, award, pk=foreign.pk)).status_code == 404


def test_the_organiser_adds_a_webhook_and_sees_its_secret(client, award, organiser, public_dns):
    client.force_login(organiser)
    assert client.get(url("create", award)).status_code == 200

    response = client.post(
        url("create", award),
        {
            "url": "https://crm.example.org/hooks/laurel",
            "description": "Our CRM",
            "events": ["entry.submitted", "results.published"],
        },
    )

    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == url(
        "secret", award, pk=endpoint.pk
    )
    assert endpoint.events == ["entry.submitted", "results.published"]
    assert endpoint.created_by == organiser and endpoint.secret.startswith("whsec_")
    page = client.get(response["Location"])
    assert endpoint.secret in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    entry = AuditEntry.objects.get(action="webhook.created")
    assert entry.data["url"] == "https://crm.example.org/hooks/laurel"
    assert endpoint.secret not in str(entry.data)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"url": "ftp://crm.example.org/hooks", "events": ["entry.submitted"]},
            "url",
            "The address must start with https://.",
        ),
        (
            {"url": "https://crm.example.org/hooks", "events": []},
            "events",
            "Choose at least one event.",
        ),
        (
            {"url": "https://crm.example.org/hooks", "events": ["entry.deleted"]},
            "events",
            "Unknown event: entry.deleted.",
        ),
        (
            {"url": "https://10.0.0.1/hooks", "events": ["entry.submitted"]},
            "url",
            "The address leads to an internal or reserved network address. Webhooks are "
            "only sent to public addresses on the internet.",
        ),
        ({"url": "", "events": ["entry.submitted"]}, "url", "This field is required."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(
    client, award, organiser, public_dns, data, field, message
):
    client.force_login(organiser)

    response = client.post(url("create", award), data)

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode().replace("&#x27;", "'")
    assert WebhookEndpoint.objects.count() == 0
    assert not AuditEntry.objects.filter(action="webhook.created").exists()


def test_the_organiser_changes_a_webhook(client, award, organiser, endpoint, public_dns):
    client.force_login(organiser)
    form = client.get(url("edit", award, pk=endpoint.pk))
    assert 'value="https://hooks.example.org/laurel"' in form.content.decode()

    response = client.post(
        url("edit", award, pk=endpoint.pk),
        {"url": "https://hooks.example.org/v2", "events": ["round.opened", "round.closed"]},
    )

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events) == (
        "https://hooks.example.org/v2",
        ["round.opened", "round.closed"],
    )
    entry = AuditEntry.objects.get(action="webhook.updated")
    assert entry.data["before"]["url"] == "https://hooks.example.org/laurel"
    assert entry.data["after"]["events"] == ["round.opened", "round.closed"]


def test_a_change_to_an_internal_address_is_refused(client, award, organiser, endpoint):
    client.force_login(organiser)

    response = client.post(
        url("edit", award, pk=endpoint.pk), {"url": "https://[::1]/", "events": ["round.opened"]}
    )

    assert response.status_code == 400
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.org/laurel"


def test_deleting_asks_first_and_then_deletes(client, award, organiser, endpoint, delivery):
    client.force_login(organiser)
    page = client.get(url("delete", award, pk=endpoint.pk))
    assert "Its delivery log of 1 delivery is deleted with it." in page.content.decode()

    assert client.post(url("delete", award, pk=endpoint.pk)).status_code == 400  # no "yes"
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()

    response = client.post(url("delete", award, pk=endpoint.pk), {"confirm": "on"})

    assert response.status_code == 302
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()
    assert AuditEntry.objects.get(action="webhook.deleted").data == {"url": endpoint.url}


def test_renewing_the_secret_asks_first(client, award, organiser, endpoint):
    client.force_login(organiser)
    old = endpoint.secret
    assert (
        "Renew the signing secret?"
        in client.get(url("rotate", award, pk=endpoint.pk)).content.decode()
    )
    assert client.post(url("rotate", award, pk=endpoint.pk)).status_code == 400
    endpoint.refresh_from_db()
    assert endpoint.secret == old

    response = client.post(url("rotate", award, pk=endpoint.pk), {"confirm": "on"})

    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret.startswith("whsec_")
    assert response["Location"] == url("secret", award, pk=endpoint.pk)
    assert AuditEntry.objects.filter(action="webhook.secret_rotated").count() == 1


def test_a_disabled_webhook_is_shown_with_its_reason_and_enabled_again(
    client, award, organiser, endpoint
):
    from django.utils import timezone

    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_active=False,
        consecutive_failures=10,
        disabled_at=timezone.now(),
        disabled_reason="10 failed attempts in a row; the last: HTTP 503",
    )
    client.force_login(organiser)
    listing = client.get(url("list", award)).content.decode()
    assert "disabled" in listing and "the last: HTTP 503" in listing

    response = client.post(url("enable", award, pk=endpoint.pk))

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (
        endpoint.is_active and endpoint.consecutive_failures == 0 and not endpoint.disabled_reason
    )
    assert AuditEntry.objects.filter(action="webhook.enabled").count() == 1
    assert client.get(url("enable", award, pk=endpoint.pk)).status_code == 405


def test_the_log_shows_each_attempt_and_sends_again(
    client, award, organiser, endpoint, delivery, monkeypatch, django_capture_on_commit_callbacks
):
    enqueued = []
    monkeypatch.setattr("core.queue.enqueue", lambda task, *args, **kw: enqueued.append(args))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status="failed",
        attempts=2,
        last_status_code=200,
        log=[
            {"at": "2026-12-07T10:00:00+00:00", "status_code": 500, "error": "HTTP 500", "ms": 120},
            {
                "at": "2026-12-07T10:01:00+00:00",
                "status_code": None,
                "error": "ConnectionRefusedError",
                "ms": 3,
            },
        ],
    )
    client.force_login(organiser)

    page = client.get(url("log", award, pk=endpoint.pk)).content.decode()

    assert "HTTP 500 · 120 ms" in page and "ConnectionRefusedError</span> · 3 ms" in page
    assert "entry.submitted" in page and "failed" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("redeliver", award, pk=endpoint.pk, delivery=delivery.pk))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert enqueued == [(delivery.pk,)]


def test_a_delivery_of_another_endpoint_is_not_sent_again(
    client, award, organiser, endpoint, delivery
):
    other = WebhookEndpoint.objects.create(
        award=award, url="https://b.example.org/", events=["entry.submitted"]
    )
    client.force_login(organiser)

    response = client.post(url("redeliver", award, pk=other.pk, delivery=delivery.pk))

    assert response.status_code == 404


def test_the_log_is_paginated(client, award, organiser, endpoint):
    for i in range(30):
        event_emit(award_id=award.pk, name="entry.submitted", payload={"entry": i})
    client.force_login(organiser)

    first = client.get(url("log", award, pk=endpoint.pk))
    second = client.get(url("log", award, pk=endpoint.pk) + "?page=2")

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 5
    assert "Page 1 of 2" in first.content.decode()


def _queries(client, address) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def test_the_list_and_the_log_take_a_fixed_number_of_queries(
    client, award, organiser, endpoint, django_assert_num_queries
):
    client.force_login(organiser)
    event_emit(award_id=award.pk, name="entry.submitted", payload={"entry": 1})
    client.get(url("list", award))  # the first page after the login remembers the award
    small_list = _queries(client, url("list", award))
    small_log = _queries(client, url("log", award, pk=endpoint.pk))

    for i in range(3):
        WebhookEndpoint.objects.create(
            award=award, url=f"https://h{i}.example.org/", events=["entry.submitted"]
        )
    for i in range(40):
        event_emit(award_id=award.pk, name="entry.submitted", payload={"entry": i})

    with django_assert_num_queries(small_list):
        client.get(url("list", award))
    with django_assert_num_queries(small_log):
        client.get(url("log", award, pk=endpoint.pk))
    listing = client.get(url("list", award)).context["endpoints"]
    assert [len(e.recent) for e in listing] == [5, 5, 5, 5]


def test_the_settings_navigation_links_the_webhooks(client, award, organiser):
    client.force_login(organiser)

    page = client.get(reverse("awards:settings", kwargs={"slug": award.slug})).content.decode()

    assert url("list", award) in page
    webhooks = client.get(url("list", award)).content.decode()
    assert (
        'data-testid="settings-nav"' in webhooks
        and 'aria-current="true" href="' + url("list", award) in webhooks
    )


def test_the_change_log_names_the_webhook_by_its_address(client, award, organiser, public_dns):
    from webhooks import services

    endpoint = services.endpoint_create(
        award=award, actor=organiser, url="https://crm.example.org/in", events=["round.opened"]
    )
    client.force_login(organiser)

    page = client.get(reverse("awards:manage", kwargs={"slug": award.slug})).content.decode()

    assert "Webhook endpoint added" in page
    assert url("log", award, pk=endpoint.pk) in page
