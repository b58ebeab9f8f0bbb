"""The authenticator app (TOTP) as a second factor: setting it up, logging in with it and
with recovery codes, the throttle on wrong codes, removing it, and awards that require a
second factor of their organisers and jurors."""

import re
import time
from unittest import mock

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCode, SecurityEvent
from tests.accounts.helpers import is_signed_in, log_in
from tests.factories import PASSWORD, UserFactory, judging_setup
from tests.helpers import alerts, field_errors, prefer_english

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:totp_setup")
SECOND_STEP = reverse("accounts:login_second_factor")


def code_now(user, *, offset: int = 0) -> str:
    """What the person's authenticator app shows, ``offset`` seconds from now."""
    device = TOTPDevice.objects.filter(user=user).order_by("-pk").first()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset
    return f"{totp.token():06d}"


def later(seconds: int):
    """The clock ``seconds`` ahead, for django-otp (a used code is refused a second time)."""
    real = time.time
    return mock.patch("django_otp.plugins.otp_totp.models.time.time", lambda: real() + seconds)


def set_up_app(client, user) -> list[str]:
    """The person sets up their app through the pages; returns the recovery codes shown."""
    client.force_login(user)
    client.get(SETUP)
    response = client.post(SETUP, {"code": code_now(user)})
    assert response.status_code == 200, response.content.decode()[:500]
    return re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", response.content.decode())


@pytest.fixture
def client():
    """A browser that asks for English (the steps before login follow the browser)."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def anna():
    return UserFactory(email="anna@example.org", preferred_language="en")


# --- Setting up ---------------------------------------------------------------------------


def test_the_setup_page_shows_a_qr_code_and_the_key_to_type(client, anna):
    client.force_login(anna)

    response = client.get(SETUP)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and 'data-testid="totp-qr"' in html
    device = TOTPDevice.objects.get(user=anna)
    assert device.confirmed is False
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', html).group(1)
    import base64

    typed = secret.replace(" ", "")
    assert base64.b32decode(typed + "=" * (-len(typed) % 8)) == device.bin_key
    # A reload keeps the key that may have been scanned already.
    client.get(SETUP)
    assert TOTPDevice.objects.get(user=anna).pk == device.pk


def test_a_wrong_code_does_not_turn_the_app_on(client, anna):
    client.force_login(anna)
    client.get(SETUP)
    wrong = f"{(int(code_now(anna)) + 1) % 1_000_000:06d}"

    response = client.post(SETUP, {"code": wrong})

    assert response.status_code == 400
    assert field_errors(response, "code") == [
        "This code is not right. Check the time on your phone and enter the code the app shows now."
    ]
    assert not TOTPDevice.objects.filter(user=anna, confirmed=True).exists()


def test_the_right_code_turns_it_on_and_shows_ten_recovery_codes_once(client, anna):
    codes = set_up_app(client, anna)

    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=anna).confirmed is True
    # Stored as digests only: no code appears in the database.
    digests = list(RecoveryCode.objects.filter(user=anna).values_list("digest", flat=True))
    assert len(digests) == 10
    assert not set(codes) & set(digests)
    assert all(re.fullmatch(r"[0-9a-f]{64}", d) for d in digests)
    assert list(SecurityEvent.objects.filter(user=anna).values_list("kind", flat=True)) == [
        "recovery_codes_created",
        "totp_added",
    ]
    page = client.get(reverse("accounts:security")).content.decode()
    assert 'data-testid="totp-on"' in page
    assert "10 unused recovery codes" in page
    assert not any(code in page for code in codes)


def test_setting_up_the_app_ends_the_other_sessions(client, anna):
    from django.test import Client

    laptop = Client()
    laptop.force_login(anna)
    assert is_signed_in(laptop)

    set_up_app(client, anna)

    assert is_signed_in(laptop) is False
    assert is_signed_in(client) is True


# --- Logging in ---------------------------------------------------------------------------


def test_the_password_alone_no_longer_logs_in(client, anna):
    set_up_app(client, anna)
    client.logout()

    response = log_in(client, "anna@example.org", PASSWORD)

    assert (response.status_code, response.url) == (302, SECOND_STEP)
    assert is_signed_in(client) is False
    page = client.get(SECOND_STEP).content.decode()
    assert "Enter the six-digit code from your authenticator app" in page


def test_the_app_code_completes_the_login_and_keeps_next(client, anna):
    set_up_app(client, anna)
    client.logout()
    client.post(
        reverse("accounts:login"),
        {"username": "anna@example.org", "password": PASSWORD, "next": "/accounts/profile/"},
    )

    with later(30):
        response = client.post(SECOND_STEP, {"code": code_now(anna, offset=30)})

    assert (response.status_code, response.url) == (302, "/accounts/profile/")
    assert is_signed_in(client) is True
    assert SecurityEvent.objects.filter(user=anna, kind="login_second_factor").count() == 1


def test_a_used_code_does_not_work_twice(client, anna):
    set_up_app(client, anna)  # used the code of this moment
    client.logout()
    log_in(client, "anna@example.org", PASSWORD)

    response = client.post(SECOND_STEP, {"code": code_now(anna)})

    assert response.status_code == 400
    assert field_errors(response, "code") == ["This code is not right. Please try again."]
    assert is_signed_in(client) is False


def test_a_recovery_code_works_once(client, anna):
    codes = set_up_app(client, anna)
    client.logout()
    log_in(client, "anna@example.org", PASSWORD)

    first = client.post(SECOND_STEP, {"code": codes[3].upper()}, follow=True)
    client.logout()
    log_in(client, "anna@example.org", PASSWORD)
    again = client.post(SECOND_STEP, {"code": codes[3]})

    assert first.status_code == 200
    assert any("You used a recovery code; 9 are left." in a for a in alerts(first))
    assert again.status_code == 400
    assert is_signed_in(client) is False


def test_wrong_codes_are_throttled_like_wrong_passwords(client, anna):
    set_up_app(client, anna)
    client.logout()
    log_in(client, "anna@example.org", PASSWORD, REMOTE_ADDR="198.51.100.7")

    answers = [
        client.post(SECOND_STEP, {"code": "000000"}, REMOTE_ADDR="198.51.100.7").status_code
        for _ in range(6)
    ]
    with later(30):
        right = client.post(
            SECOND_STEP, {"code": code_now(anna, offset=30)}, REMOTE_ADDR="198.51.100.7"
        )

    assert answers[:5] == [400] * 5
    assert answers[5] == 429
    assert right.status_code == 429
    assert is_signed_in(client) is False
    assert SecurityEvent.objects.filter(user=anna, kind="second_factor_failed").count() == 6


def test_after_wrong_codes_the_next_try_waits_and_says_how_long(client, anna):
    from django.utils import timezone

    set_up_app(client, anna)
    client.logout()
    log_in(client, "anna@example.org", PASSWORD)
    # Three wrong codes in a row just now: django-otp wants 4 seconds before the next.
    TOTPDevice.objects.filter(user=anna).update(
        throttling_failure_count=3, throttling_failure_timestamp=timezone.now()
    )

    with later(30):
        response = client.post(SECOND_STEP, {"code": code_now(anna, offset=30)})

    assert response.status_code == 400
    [error] = field_errors(response, "code")
    assert re.fullmatch(
        r"Too many wrong codes in a row: please wait [34] seconds and try again\.", error
    )
    assert is_signed_in(client) is False


def test_the_second_step_needs_the_first(client, anna):
    set_up_app(client, anna)
    client.logout()

    response = client.post(SECOND_STEP, {"code": code_now(anna, offset=30)})

    assert (response.status_code, response.url) == (302, reverse("accounts:login"))
    assert is_signed_in(client) is False


def test_the_second_step_waits_five_minutes_at_most(client, anna):
    set_up_app(client, anna)
    client.logout()
    log_in(client, "anna@example.org", PASSWORD)
    real = time.time

    with mock.patch("accounts.login_flow.time.time", lambda: real() + 301), later(30):
        response = client.post(SECOND_STEP, {"code": code_now(anna, offset=30)})

    assert (response.status_code, response.url) == (302, reverse("accounts:login"))
    assert is_signed_in(client) is False


# --- Removing, new codes ------------------------------------------------------------------


def test_removing_the_app_needs_the_password(client, anna):
    set_up_app(client, anna)

    refused = client.post(reverse("accounts:totp_remove"), {"password": "wrong"}, follow=True)
    assert TOTPDevice.objects.filter(user=anna, confirmed=True).exists()
    removed = client.post(reverse("accounts:totp_remove"), {"password": PASSWORD}, follow=True)

    assert alerts(refused) == ["Not removed: the password was not right."]
    assert alerts(removed) == ["The authenticator app is removed."]
    assert not TOTPDevice.objects.filter(user=anna).exists()
    assert not RecoveryCode.objects.filter(user=anna).exists()  # nothing left to recover
    client.logout()
    assert log_in(client, "anna@example.org", PASSWORD).url != SECOND_STEP


def test_removing_the_app_ends_the_other_sessions(client, anna):
    from django.test import Client

    set_up_app(client, anna)
    laptop = Client()
    laptop.force_login(anna)
    assert is_signed_in(laptop)

    client.post(reverse("accounts:totp_remove"), {"password": PASSWORD})

    assert is_signed_in(laptop) is False
    assert is_signed_in(client) is True


def test_new_recovery_codes_replace_the_old_ones(client, anna):
    old = set_up_app(client, anna)

    response = client.post(reverse("accounts:recovery_codes_renew"), {"password": PASSWORD})
    new = re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", response.content.decode())
    client.logout()
    log_in(client, "anna@example.org", PASSWORD)

    assert len(new) == 10 and not set(new) & set(old)
    assert client.post(SECOND_STEP, {"code": old[0]}).status_code == 400
    assert client.post(SECOND_STEP, {"code": new[0]}).status_code == 302


@pytest.mark.parametrize("name", ["accounts:security", "accounts:totp_setup"])
def test_the_security_pages_need_a_login(client, name):
    url = reverse(name)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", ["accounts:totp_remove", "accounts:recovery_codes_renew"])
def test_the_security_posts_need_a_login_and_csrf(anna, name):
    from django.test import Client

    anonymous = Client()
    assert anonymous.post(reverse(name), {"password": PASSWORD}).status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(anna)
    assert strict.post(reverse(name), {"password": PASSWORD}).status_code == 403


def test_the_setup_page_is_in_german(client):
    user = UserFactory(preferred_language="de")
    client.force_login(user)

    page = client.get(SETUP).content.decode()

    assert "Authenticator-App einrichten" in page
    assert "Geben Sie den sechsstelligen Code ein, den die App gerade anzeigt." in page


# --- Awards that require a second factor --------------------------------------------------


@pytest.fixture
def strict_award():
    setup = judging_setup(entries=1, jurors=1)
    setup.award.mfa_required = True
    setup.award.save(update_fields=["mfa_required"])
    prefer_english(setup.organiser)
    prefer_english(setup.jurors[0].user)
    return setup


def test_a_juror_without_a_second_factor_sees_no_entry_and_is_led_to_set_one_up(
    client, strict_award
):
    juror = strict_award.jurors[0]
    client.force_login(juror.user)
    dashboard = reverse("jury:dashboard", kwargs={"slug": strict_award.award.slug})

    response = client.get(dashboard, follow=True)

    assert response.redirect_chain[0] == (
        f"{reverse('accounts:security')}?next={dashboard.replace('/', '%2F')}",
        302,
    )
    assert alerts(response) == [
        f"The organisers of {strict_award.award} require a second factor for logging in. "
        "Please set up an authenticator app or a passkey; then you can continue."
    ]
    assert strict_award.submissions[0].title not in response.content.decode()


def test_every_jury_page_of_the_award_is_closed_until_then(client, strict_award):
    juror = strict_award.jurors[0]
    client.force_login(juror.user)
    slug = strict_award.award.slug
    assignment = juror.assignments.first()

    pages = [reverse("jury:dashboard", kwargs={"slug": slug})]
    if assignment is not None:
        pages.append(reverse("jury:review", kwargs={"slug": slug, "pk": assignment.pk}))

    for page in pages:
        response = client.get(page)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:security"))


def test_after_setting_up_the_juror_continues(client, strict_award):
    juror = strict_award.jurors[0]
    set_up_app(client, juror.user)

    response = client.get(reverse("jury:dashboard", kwargs={"slug": strict_award.award.slug}))

    assert response.status_code == 200


def test_organisers_of_the_award_are_held_to_it_too(client, strict_award):
    client.force_login(strict_award.organiser)
    settings_page = reverse("awards:settings", kwargs={"slug": strict_award.award.slug})

    before = client.get(settings_page)
    set_up_app(client, strict_award.organiser)
    after = client.get(settings_page)

    assert before.status_code == 302
    assert before.url.startswith(reverse("accounts:security"))
    assert after.status_code == 200


def test_an_award_without_the_rule_asks_nothing(client):
    setup = judging_setup(entries=1, jurors=1)
    client.force_login(setup.jurors[0].user)

    response = client.get(reverse("jury:dashboard", kwargs={"slug": setup.award.slug}))

    assert response.status_code == 200
