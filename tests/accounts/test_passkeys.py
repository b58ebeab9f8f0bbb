"""Passkeys on the server: who may set one up or remove one, CSRF, bad answers, challenges that
are used up, user verification for a login without password, and django-axes counting a
refused passkey as a failed login.

A small software authenticator (``SoftAuthenticator``: a P-256 key of ``cryptography``,
attestation "none") answers the ceremonies as a browser would; the browser journey
(tests/browser/test_passkey_journey.py) does the same with Chromium's virtual authenticator.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct

import cbor2
import pytest
from axes.models import AccessAttempt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from django.urls import reverse
from webauthn.helpers import bytes_to_base64url

from accounts.models import Passkey, RecoveryCode, SecurityEvent, SecurityEventKind
from tests.accounts.helpers import is_signed_in, log_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SITE = "http://localhost:8000"
JSON = {"content_type": "application/json", "HTTP_ACCEPT": "application/json"}
UNREADABLE = "The passkey's answer could not be read. Please try again."
NOT_SET_UP = "The passkey could not be set up. Please try again."
NOT_CHECKED = "The passkey could not be checked. Please try again."
TOO_LONG = "This took too long. Please try again."


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


class SoftAuthenticator:
    """A passkey device in software: answers ``create`` and ``get`` options with the
    structures a browser returns, signed with its own key."""

    def __init__(self, *, origin: str = SITE, rp_id: str = "localhost"):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.sign_count = 0
        self.origin = origin
        self.rp_id = rp_id

    @property
    def id(self) -> str:
        return bytes_to_base64url(self.credential_id)

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False}
        ).encode()

    def create(self, options: dict) -> dict:
        numbers = self.key.public_key().public_numbers()
        cose = {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32), -3: numbers.y.to_bytes(32)}
        auth_data = (
            hashlib.sha256(self.rp_id.encode()).digest()
            + bytes([0x01 | 0x04 | 0x40])  # user present, verified, credential data
            + struct.pack(">I", self.sign_count)
            + bytes(16)
            + struct.pack(">H", len(self.credential_id))
            + self.credential_id
            + cbor2.dumps(cose)
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"])
        return {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "response": {
                "clientDataJSON": bytes_to_base64url(client_data),
                "attestationObject": bytes_to_base64url(attestation),
                "transports": ["internal", "not-a-transport"],
            },
            "clientExtensionResults": {},
        }

    def get(self, options: dict, *, verified: bool = True, count: int | None = None) -> dict:
        self.sign_count = self.sign_count + 1 if count is None else count
        auth_data = (
            hashlib.sha256(self.rp_id.encode()).digest()
            + bytes([0x01 | (0x04 if verified else 0)])
            + struct.pack(">I", self.sign_count)
        )
        client_data = self._client_data("webauthn.get", options["challenge"])
        signature = self.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "response": {
                "clientDataJSON": bytes_to_base64url(client_data),
                "authenticatorData": bytes_to_base64url(auth_data),
                "signature": bytes_to_base64url(signature),
                "userHandle": None,
            },
            "clientExtensionResults": {},
        }


def _post(client: Client, name: str, body: dict | str, **extra):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(reverse(f"accounts:{name}"), data, **JSON, **extra)


def _register(client: Client, device: SoftAuthenticator, name: str = "Laptop"):
    options = _post(client, "passkey_register_options", {}).json()["options"]
    return _post(client, "passkey_register", {"credential": device.create(options), "name": name})


def _login_options(client: Client, next_url: str = "") -> dict:
    return _post(client, "passkey_login_options", {"next": next_url}).json()["options"]


@pytest.fixture
def client():
    """A browser that asks for English (the login before it knows the person)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def anna():
    return UserFactory(email="anna@example.org", preferred_language="en")


@pytest.fixture
def anna_with_passkey(client, anna):
    """Anna with a passkey on ``device``, logged out again."""
    device = SoftAuthenticator()
    client.force_login(anna)
    assert _register(client, device).status_code == 200
    client.logout()
    return anna, device


# --- Setting up ----------------------------------------------------------------------------


def test_it_sets_up_a_passkey_with_its_transports_and_records_it(client, anna):
    client.force_login(anna)
    device = SoftAuthenticator()

    options = _post(client, "passkey_register_options", {}).json()["options"]
    response = _post(
        client, "passkey_register", {"credential": device.create(options), "name": "  My laptop "}
    )

    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "redirect": "/accounts/security/passkeys/recovery-codes/",
    }
    assert options["rp"] == {"name": "Laurel", "id": "localhost"}
    assert options["authenticatorSelection"]["residentKey"] == "preferred"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    [passkey] = Passkey.objects.filter(user=anna)
    assert (passkey.name, passkey.credential_id, passkey.transports) == (
        "My laptop",
        device.id,
        ["internal"],
    )
    assert SecurityEvent.objects.filter(user=anna, kind=SecurityEventKind.PASSKEY_ADDED).exists()
    # The next setup excludes the passkey already there: a device is not added twice.
    options = _post(client, "passkey_register_options", {}).json()["options"]
    assert [item["id"] for item in options["excludeCredentials"]] == [device.id]


def test_a_first_passkey_comes_with_recovery_codes_shown_once(client, anna):
    client.force_login(anna)

    _register(client, SoftAuthenticator())
    page = client.get(reverse("accounts:passkey_recovery_codes"))
    again = client.get(reverse("accounts:passkey_recovery_codes"))

    assert page.status_code == 200
    shown = re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", page.content.decode())
    assert len(shown) == 10
    assert RecoveryCode.objects.filter(user=anna, used_at=None).count() == 10
    assert again["Location"] == reverse("accounts:security")


def test_a_second_passkey_keeps_the_recovery_codes_and_leads_back(client, anna):
    client.force_login(anna)
    _register(client, SoftAuthenticator())
    client.get(reverse("accounts:passkey_recovery_codes"))
    before = set(RecoveryCode.objects.filter(user=anna).values_list("digest", flat=True))

    options = _post(client, "passkey_register_options", {}).json()["options"]
    response = _post(
        client,
        "passkey_register",
        {"credential": SoftAuthenticator().create(options), "next": "/me/"},
    )

    assert response.json() == {"ok": True, "redirect": "/accounts/security/?next=%2Fme%2F"}
    assert set(RecoveryCode.objects.filter(user=anna).values_list("digest", flat=True)) == before
    assert anna.passkeys.count() == 2


def test_anonymous_visitors_cannot_set_up_a_passkey(client):
    script = _post(client, "passkey_register_options", {})
    page = client.post(reverse("accounts:passkey_register_options"))

    assert script.status_code == 403
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("accounts:login"))
    assert _post(client, "passkey_register", {"credential": {}}).status_code == 403
    assert Passkey.objects.count() == 0


def test_setting_up_needs_post(client, anna):
    client.force_login(anna)

    assert client.get(reverse("accounts:passkey_register_options")).status_code == 405


def test_setting_up_needs_the_csrf_token(anna):
    client = Client(enforce_csrf_checks=True)
    client.force_login(anna)

    response = _post(client, "passkey_register_options", {})

    assert response.status_code == 403
    assert Passkey.objects.count() == 0


def test_a_garbage_credential_is_refused_and_nothing_stored(client, anna):
    client.force_login(anna)
    _post(client, "passkey_register_options", {})

    response = _post(
        client,
        "passkey_register",
        {"credential": {"id": "abc", "rawId": "!!", "response": {}}, "name": "x"},
    )

    assert response.status_code == 400
    assert response.json() == {"ok": False, "message": NOT_SET_UP}
    assert Passkey.objects.count() == 0


def test_a_body_that_is_no_json_is_refused(client, anna):
    client.force_login(anna)

    response = _post(client, "passkey_register", "{not json")

    assert response.status_code == 400
    assert response.json()["message"] == UNREADABLE
    assert Passkey.objects.count() == 0


def test_an_answer_to_another_challenge_is_refused(client, anna):
    client.force_login(anna)
    device = SoftAuthenticator()
    old = _post(client, "passkey_register_options", {}).json()["options"]
    _post(client, "passkey_register_options", {})  # a new challenge replaces the old one

    response = _post(client, "passkey_register", {"credential": device.create(old)})

    assert response.status_code == 400
    assert Passkey.objects.count() == 0


def test_an_answer_from_another_site_is_refused(client, anna):
    client.force_login(anna)
    device = SoftAuthenticator(origin="https://evil.example")
    options = _post(client, "passkey_register_options", {}).json()["options"]

    response = _post(client, "passkey_register", {"credential": device.create(options)})

    assert response.status_code == 400
    assert Passkey.objects.count() == 0


# --- Removing ------------------------------------------------------------------------------


def test_removing_another_persons_passkey_is_404_and_keeps_it(client, anna_with_passkey):
    anna, _device = anna_with_passkey
    passkey = anna.passkeys.get()
    client.force_login(UserFactory())

    response = client.post(reverse("accounts:passkey_remove", args=[passkey.pk]))

    assert response.status_code == 404
    assert Passkey.objects.filter(pk=passkey.pk).exists()


def test_removing_the_last_factor_takes_the_recovery_codes_too(client, anna_with_passkey):
    anna, _device = anna_with_passkey
    RecoveryCode.objects.create(user=anna, digest="0" * 64)
    client.force_login(anna)

    response = client.post(reverse("accounts:passkey_remove", args=[anna.passkeys.get().pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:security")
    assert anna.passkeys.count() == 0
    assert RecoveryCode.objects.filter(user=anna).count() == 0
    assert SecurityEvent.objects.filter(user=anna, kind=SecurityEventKind.PASSKEY_REMOVED).exists()


def test_removing_needs_a_login_and_post(client, anna_with_passkey):
    anna, _device = anna_with_passkey
    url = reverse("accounts:passkey_remove", args=[anna.passkeys.get().pk])

    assert client.post(url).status_code == 302
    client.force_login(anna)
    assert client.get(url).status_code == 405
    assert anna.passkeys.count() == 1


# --- Logging in without password --------------------------------------------------------------


def test_it_logs_in_without_password_to_a_safe_next(client, anna_with_passkey):
    anna, device = anna_with_passkey

    options = _login_options(client, next_url="/accounts/profile/")
    response = _post(client, "passkey_login", {"credential": device.get(options)})

    assert options["userVerification"] == "required"
    assert options["allowCredentials"] == []
    assert response.status_code == 200
    assert response.json() == {"ok": True, "redirect": "/accounts/profile/"}
    assert is_signed_in(client)
    passkey = anna.passkeys.get()
    assert passkey.sign_count == 1
    assert passkey.last_used_at is not None
    assert SecurityEvent.objects.filter(user=anna, kind=SecurityEventKind.PASSKEY_LOGIN).exists()


def test_a_next_to_another_site_is_dropped(client, anna_with_passkey):
    _anna, device = anna_with_passkey

    options = _login_options(client, next_url="https://evil.example/")
    response = _post(client, "passkey_login", {"credential": device.get(options)})

    assert response.json()["redirect"] == reverse("accounts:start")


def test_a_login_without_password_needs_user_verification(client, anna_with_passkey):
    _anna, device = anna_with_passkey

    options = _login_options(client)
    response = _post(client, "passkey_login", {"credential": device.get(options, verified=False)})

    assert response.status_code == 400
    assert response.json()["message"] == NOT_CHECKED
    assert not is_signed_in(client)


def test_a_replayed_answer_is_refused(client, anna_with_passkey):
    _anna, device = anna_with_passkey
    answer = device.get(_login_options(client))
    assert _post(client, "passkey_login", {"credential": answer}).status_code == 200
    client.logout()

    again = _post(client, "passkey_login", {"credential": answer})
    _login_options(client)
    with_new_challenge = _post(client, "passkey_login", {"credential": answer})

    assert (again.status_code, again.json()["message"]) == (400, TOO_LONG)
    assert (with_new_challenge.status_code, with_new_challenge.json()["message"]) == (
        400,
        NOT_CHECKED,
    )
    assert not is_signed_in(client)


def test_a_sign_count_that_goes_back_is_refused(client, anna_with_passkey):
    anna, device = anna_with_passkey
    anna.passkeys.update(sign_count=5)

    response = _post(client, "passkey_login", {"credential": device.get(_login_options(client))})

    assert response.status_code == 400
    assert not is_signed_in(client)
    assert anna.passkeys.get().sign_count == 5


def test_an_unknown_passkey_is_refused(client, anna_with_passkey):
    stranger = SoftAuthenticator()

    response = _post(client, "passkey_login", {"credential": stranger.get(_login_options(client))})

    assert response.status_code == 400
    assert not is_signed_in(client)


def test_logging_in_needs_the_csrf_token(anna_with_passkey):
    client = Client(enforce_csrf_checks=True)

    assert _post(client, "passkey_login_options", {}).status_code == 403
    assert _post(client, "passkey_login", {"credential": {}}).status_code == 403


def test_garbage_at_login_is_refused(client):
    _login_options(client)

    garbage = _post(client, "passkey_login", {"credential": {"id": 1, "response": "x"}})
    no_json = _post(client, "passkey_login", "[]")

    assert (garbage.status_code, garbage.json()["message"]) == (400, UNREADABLE)
    assert (no_json.status_code, no_json.json()["message"]) == (400, UNREADABLE)


def test_axes_counts_a_refused_passkey_and_then_locks_the_account(client, anna_with_passkey):
    anna, device = anna_with_passkey

    refusals = [
        _post(
            client,
            "passkey_login",
            {"credential": device.get(_login_options(client), verified=False)},
        )
        for _ in range(6)
    ]

    assert AccessAttempt.objects.get(username=anna.email).failures_since_start == 6
    assert [r.status_code for r in refusals[:5]] == [400] * 5
    # Locked now: even a right passkey is refused.
    locked = _post(client, "passkey_login", {"credential": device.get(_login_options(client))})
    assert locked.status_code == 429
    assert not is_signed_in(client)


# --- The second step after the password ---------------------------------------------------


def test_after_the_password_the_passkey_is_the_second_step(client, anna_with_passkey):
    anna, device = anna_with_passkey
    response = log_in(client, anna.email, PASSWORD)
    assert response["Location"] == reverse("accounts:login_second_factor")
    assert not is_signed_in(client)

    options = _login_options(client)
    # Presence is enough here: the password was the first factor.
    answer = device.get(options, verified=False)
    response = _post(client, "passkey_login", {"credential": answer})

    assert [item["id"] for item in options["allowCredentials"]] == [device.id]
    assert options["userVerification"] == "preferred"
    assert response.json() == {"ok": True, "redirect": reverse("accounts:start")}
    assert is_signed_in(client)


def test_at_the_second_step_another_persons_passkey_is_refused(client, anna_with_passkey):
    anna, _device = anna_with_passkey
    ben_device = SoftAuthenticator()
    ben = UserFactory(email="ben@example.org")
    other = Client()
    other.force_login(ben)
    assert _register(other, ben_device).status_code == 200

    log_in(client, anna.email, PASSWORD)
    response = _post(
        client, "passkey_login", {"credential": ben_device.get(_login_options(client))}
    )

    assert response.status_code == 400
    assert not is_signed_in(client)
    assert AccessAttempt.objects.get(username=anna.email).failures_since_start == 1
