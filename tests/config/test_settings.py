"""Production configuration comes from the environment and refuses to start without secrets."""

import os
import subprocess
import sys

import pytest

from tests.services import ROOT

PRODUCTION_ENV = {
    "PATH": os.environ.get("PATH", ""),
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_ALLOWED_HOSTS": "awards.example.org",
    "LAUREL_SITE_URL": "https://awards.example.org",
    "LAUREL_IMPRINT_URL": "https://example.org/impressum",
    "LAUREL_PRIVACY_URL": "https://example.org/datenschutz",
    "LAUREL_VAR_DIR": "/tmp/laurel-settings-test",
}
SECRET = "k" * 40 + "-x9Qp3vLm2Zr8Tt6Wy4Bn1Cd7Fg5Hj0"


def _check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _check(PRODUCTION_ENV)
    assert result.returncode != 0
    assert "SECRET_KEY must be set in the environment" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _check({**PRODUCTION_ENV, "SECRET_KEY": "too-short"})
    assert result.returncode != 0
    assert "at least 50 random characters" in result.stderr


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("LAUREL_SITE_URL", "the public address of Laurel"),
        ("LAUREL_IMPRINT_URL", "the address of the imprint (Impressum)"),
        ("LAUREL_PRIVACY_URL", "the address of the privacy policy"),
    ],
)
@pytest.mark.parametrize("value", [None, "", "awards.example.org"])
def test_production_refuses_to_start_without_an_address(name, what, value):
    env = {**PRODUCTION_ENV, "SECRET_KEY": SECRET}
    if value is None:
        del env[name]
    else:
        env[name] = value

    result = _check(env)

    assert result.returncode != 0
    assert f"{name} must be set in the environment: {what}" in result.stderr


def test_production_settings_pass_the_deploy_check_with_zero_warnings():
    result = _check({**PRODUCTION_ENV, "SECRET_KEY": SECRET})
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
