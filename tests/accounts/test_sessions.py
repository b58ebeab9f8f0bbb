"""A person sees where they are logged in (device, address, since when, last seen) and ends
the other sessions, one or all; a password change or a reset by mail ends them too. Each
browser is a Client that logged in through the real login form."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import SecurityEvent, SecurityEventKind, UserSession
from accounts.sessions import device_name
from tests.accounts.helpers import NEW_PASSWORD, is_signed_in, log_in
from tests.factories import PASSWORD, UserFactory
from tests.helpers import alerts, login_url, text, the_link

pytestmark = pytest.mark.django_db

SESSIONS = "/accounts/sessions/"
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def _browser(email="anna@example.org", *, agent=FIREFOX_WINDOWS, address="198.51.100.7", **kw):
    """A new browser logged in as ``email`` through the login form."""
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")
    response = log_in(client, email, PASSWORD, **kw)
    assert response.status_code == 302, "login failed"
    return client


def _rows(response) -> list[dict]:
    """The sessions table as its reader sees it: device, address, whether it is this one."""
    rows = re.findall(r"<tr data-session=.*?</tr>", text(response), flags=re.S)
    found = []
    for row in rows:
        device = re.search(r'data-testid="device">(.*?)(<span|</th>)', row, flags=re.S)
        address = re.search(r'data-testid="address">(.*?)</td>', row, flags=re.S)
        found.append(
            {
                "device": device.group(1).strip(),
                "address": address.group(1).strip(),
                "this": 'data-testid="this-device"' in row,
            }
        )
    return found


def _pk_of(client) -> int:
    return UserSession.objects.get(session_key=client.session.session_key).pk


@pytest.fixture
def anna():
    return UserFactory(email="anna@example.org", full_name="Anna Schmidt", preferred_language="en")


# --- The list -----------------------------------------------------------------------------


def test_both_browsers_are_listed_with_device_and_address_this_one_first(anna):
    phone = _browser(agent=CHROME_ANDROID, address="203.0.113.20")
    laptop = _browser(agent=FIREFOX_WINDOWS, address="198.51.100.7")

    page = laptop.get(SESSIONS)

    assert page.status_code == 200
    assert _rows(page) == [
        {"device": "Firefox on Windows", "address": "198.51.100.7", "this": True},
        {"device": "Chrome on Android", "address": "203.0.113.20", "this": False},
    ]
    assert 'data-testid="end-others"' in text(page)
    assert [r["this"] for r in _rows(phone.get(SESSIONS))] == [True, False]


def test_the_profile_links_to_the_sessions_page(anna):
    page = _browser().get(reverse("accounts:profile"))

    assert f'href="{SESSIONS}"' in text(page)


def test_alone_there_is_nothing_to_end(anna):
    page = _browser().get(SESSIONS)

    assert len(_rows(page)) == 1
    assert 'data-testid="end-session"' not in text(page)
    assert 'data-testid="end-others"' not in text(page)
    assert "You are not logged in anywhere else." in text(page)


def test_a_forged_forwarded_for_header_is_not_the_shown_address(anna):
    laptop = _browser(address="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.66")

    page = laptop.get(SESSIONS, HTTP_X_FORWARDED_FOR="203.0.113.66")

    assert _rows(page)[0]["address"] == "198.51.100.7"
    assert "203.0.113.66" not in text(page)


def test_a_session_not_seen_for_longer_than_a_session_lives_is_not_listed(anna):
    laptop = _browser()
    UserSession.objects.create(
        user=anna,
        session_key="x" * 32,
        user_agent=SAFARI_IPHONE,
        last_seen_at=timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE + 60),
    )

    assert [r["device"] for r in _rows(laptop.get(SESSIONS))] == ["Firefox on Windows"]


def test_the_page_needs_a_login(anna):
    response = Client().get(SESSIONS)

    assert response.status_code == 302
    assert response["Location"] == login_url(SESSIONS)


def test_the_page_speaks_german(anna):
    anna.preferred_language = "de"
    anna.save(update_fields=["preferred_language"])
    _browser(agent=SAFARI_IPHONE)

    page = _browser().get(SESSIONS)

    assert "<h1>Wo Sie angemeldet sind</h1>" in text(page)
    assert [r["device"] for r in _rows(page)] == ["Firefox auf Windows", "Safari auf iPhone"]
    assert "Dieses Gerät" in text(page)
    assert "Alle anderen Sitzungen beenden" in text(page)


@pytest.mark.parametrize(
    ("agent", "device"),
    [
        (FIREFOX_WINDOWS, "Firefox on Windows"),
        (CHROME_ANDROID, "Chrome on Android"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like "
            "Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on macOS",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/18.1 Safari/605.1.15",
            "Safari on macOS",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on Linux",
        ),
        ("curl/8.5.0", "Unknown device"),
        ("", "Unknown device"),
    ],
)
def test_device_names_people_recognise(agent, device, english):
    assert device_name(agent) == device


# --- Ending sessions ----------------------------------------------------------------------


def test_ending_the_other_session_logs_that_browser_out(anna):
    phone = _browser(agent=CHROME_ANDROID)
    laptop = _browser()

    response = laptop.post(reverse("accounts:session_end", args=[_pk_of(phone)]), follow=True)

    assert alerts(response) == ["The session is ended: that device is logged out."]
    assert [r["device"] for r in _rows(response)] == ["Firefox on Windows"]
    profile = phone.get(reverse("accounts:profile"))
    assert profile.status_code == 302
    assert profile["Location"] == login_url(reverse("accounts:profile"))
    assert is_signed_in(laptop) is True
    assert UserSession.objects.count() == 1
    [event] = SecurityEvent.objects.filter(user=anna)
    assert (event.kind, event.detail) == (SecurityEventKind.SESSIONS_ENDED, "1")


def test_ending_all_others_keeps_only_this_browser(anna):
    phone = _browser(agent=CHROME_ANDROID)
    tablet = _browser(agent=SAFARI_IPHONE)
    laptop = _browser()

    response = laptop.post(reverse("accounts:sessions_end_others"), follow=True)

    assert alerts(response) == ["2 other sessions are ended: those devices are logged out."]
    assert _rows(response) == [
        {"device": "Firefox on Windows", "address": "198.51.100.7", "this": True}
    ]
    assert is_signed_in(phone) is False
    assert is_signed_in(tablet) is False
    assert is_signed_in(laptop) is True
    [event] = SecurityEvent.objects.filter(user=anna)
    assert (event.kind, event.detail) == (SecurityEventKind.SESSIONS_ENDED, "2")


def test_nobody_ends_another_persons_session(anna):
    UserFactory(email="bert@example.org", preferred_language="en")
    annas_phone = _browser(agent=CHROME_ANDROID)
    bert = _browser("bert@example.org")

    response = bert.post(reverse("accounts:session_end", args=[_pk_of(annas_phone)]))
    bert.post(reverse("accounts:sessions_end_others"))

    assert response.status_code == 404
    assert is_signed_in(annas_phone) is True
    assert UserSession.objects.filter(user=anna).count() == 1
    assert not SecurityEvent.objects.filter(user=anna).exists()


def test_this_session_is_not_ended_from_the_list(anna):
    laptop = _browser()

    response = laptop.post(reverse("accounts:session_end", args=[_pk_of(laptop)]))

    assert response.status_code == 404
    assert is_signed_in(laptop) is True


def test_ending_needs_a_login_and_a_post(anna):
    phone = _browser(agent=CHROME_ANDROID)
    url = reverse("accounts:session_end", args=[_pk_of(phone)])

    anonymous = Client().post(url)
    by_get = _browser().get(url)

    assert anonymous.status_code == 302
    assert anonymous["Location"] == login_url(url)
    assert by_get.status_code == 405
    assert is_signed_in(phone) is True


def test_ending_without_the_csrf_token_is_refused(anna):
    phone = _browser(agent=CHROME_ANDROID)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(anna)

    response = strict.post(reverse("accounts:sessions_end_others"))

    assert response.status_code == 403
    assert is_signed_in(phone) is True


def test_logging_out_forgets_the_session(anna):
    phone = _browser(agent=CHROME_ANDROID)
    laptop = _browser()

    phone.post(reverse("accounts:logout"))

    assert [r["device"] for r in _rows(laptop.get(SESSIONS))] == ["Firefox on Windows"]
    assert UserSession.objects.count() == 1


def test_logging_in_again_in_the_same_browser_leaves_one_row(anna):
    laptop = _browser()
    laptop.force_login(anna)

    assert len(_rows(laptop.get(SESSIONS))) == 1


# --- Passwords ----------------------------------------------------------------------------


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(anna):
    phone = _browser(agent=CHROME_ANDROID)
    laptop = _browser()

    response = laptop.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert response.redirect_chain == [("/accounts/password/change/done/", 302)]
    assert alerts(response) == ["1 other device has been logged out."]
    assert is_signed_in(phone) is False
    assert _rows(laptop.get(SESSIONS)) == [
        {"device": "Firefox on Windows", "address": "198.51.100.7", "this": True}
    ]
    assert UserSession.objects.get().session_key == laptop.session.session_key
    assert set(SecurityEvent.objects.values_list("kind", "detail")) == {
        (SecurityEventKind.SESSIONS_ENDED, "1"),
        (SecurityEventKind.PASSWORD_CHANGED, ""),
    }


def test_a_password_reset_by_mail_ends_every_session(anna, smtp_server):
    phone = _browser(agent=CHROME_ANDROID)
    laptop = _browser()
    stranger = Client(HTTP_ACCEPT_LANGUAGE="en")
    stranger.post(reverse("accounts:password_reset"), {"email": "anna@example.org"})
    [mail] = smtp_server.wait_for(1)
    form = stranger.get(the_link(mail, "/accounts/password/reset/"), follow=True)
    [(form_url, _)] = form.redirect_chain

    response = stranger.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response["Location"] == "/accounts/password/reset/complete/"
    assert is_signed_in(phone) is False
    assert is_signed_in(laptop) is False
    assert not UserSession.objects.exists()
    assert SecurityEvent.objects.get(kind=SecurityEventKind.SESSIONS_ENDED).detail == "2"
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CHANGED).exists()


# --- Last seen ----------------------------------------------------------------------------


def _session_queries(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if "accounts_usersession" in q["sql"] or "django_session" in q["sql"]
    ]


def test_last_seen_is_written_only_after_five_minutes(anna, monkeypatch):
    laptop = _browser()
    logged_in_at = UserSession.objects.get().last_seen_at
    profile = reverse("accounts:profile")
    laptop.get(profile)  # the navigation's lists settle in the cache

    with CaptureQueriesContext(connection) as soon:
        laptop.get(profile)
    later = timezone.now() + timedelta(minutes=4)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with CaptureQueriesContext(connection) as within:
        laptop.get(profile)
    after = timezone.now() + timedelta(minutes=2)  # 6 minutes after the login
    monkeypatch.setattr(timezone, "now", lambda: after)
    laptop.get(profile)
    with CaptureQueriesContext(connection) as next_view:
        laptop.get(profile)

    assert _session_queries(soon) == []
    assert _session_queries(within) == []
    assert UserSession.objects.get().last_seen_at == after != logged_in_at
    assert _session_queries(next_view) == []
    assert len(next_view) == len(soon)  # a page view costs what it did before the write
