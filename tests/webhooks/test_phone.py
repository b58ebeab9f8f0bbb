"""The webhook pages fit a 390 px wide phone without sideways scrolling, with a long
address, a disabled endpoint and a log of failed attempts, and axe-core finds nothing serious
on them."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.events import EVENTS, event_emit
from tests.browser.checks import PHONE, axe_violations, page_width
from webhooks.models import WebhookDelivery, WebhookEndpoint

LONG = "https://crm.example.org/hooks/laurel/" + "a-very-long-path-segment-" * 6 + "end"


@pytest.mark.browser
def test_the_webhook_pages_fit_a_phone(browser, live_server, transactional_db, award, organiser):
    endpoint = WebhookEndpoint.objects.create(
        award=award,
        url=LONG,
        description="Our CRM (Salesforce), owned by the press office",
        events=list(EVENTS),
        is_active=False,
        disabled_at=timezone.now(),
        disabled_reason="10 failed attempts in a row; the last: ConnectionRefusedError: "
        "[Errno 111] Connection refused",
    )
    for number in range(3):
        event_emit(award_id=award.pk, name="entry.eligibility_decided", payload={"entry": number})
    WebhookDelivery.objects.update(
        status="failed",
        attempts=2,
        last_status_code=503,
        log=[
            {"at": "2026-12-07T10:00:00+00:00", "status_code": 503, "error": "HTTP 503", "ms": 80},
            {
                "at": "2026-12-07T10:01:00+00:00",
                "status_code": None,
                "error": "ConnectionRefusedError: [Errno 111] Connection refused",
                "ms": 3,
            },
        ],
    )
    client = Client()
    client.force_login(organiser)
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    problems = []
    try:
        for name, kwargs in [
            ("list", {}),
            ("create", {}),
            ("log", {"pk": endpoint.pk}),
            ("edit", {"pk": endpoint.pk}),
            ("secret", {"pk": endpoint.pk}),
            ("delete", {"pk": endpoint.pk}),
            ("rotate", {"pk": endpoint.pk}),
        ]:
            address = reverse(f"webhooks:{name}", kwargs={"slug": award.slug, **kwargs})
            page.goto(address)
            assert page.url == live_server.url + address  # shown, not sent to log in
            assert page.locator("h1").count() == 1
            width = page_width(page)
            if width > PHONE["width"]:
                problems.append(f"{name}: {width} px wide")
            problems += [f"{name}: {finding}" for finding in axe_violations(page)]
    finally:
        context.close()

    assert problems == []
