"""The cache every settings module configures (config/settings/base.py): Redis when
``LAUREL_CACHE_URL`` or ``REDIS_URL`` names a server, a folder shared by the processes
otherwise; and the sessions read from it without a query, yet kept in the database."""

import json
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.services import privacy_consent_record
from core.cache import ResilientRedisCache
from tests.services import free_port

ROOT = settings.BASE_DIR


def configured_caches(**environ: str) -> dict:
    """CACHES and SESSION_ENGINE as the base settings compute them under ``environ``."""
    script = (
        "import json, config.settings.base as s; "
        "print(json.dumps({'caches': s.CACHES, 'sessions': s.SESSION_ENGINE}))"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "LAUREL_CACHE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, **environ},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_embedded_default_is_a_folder_shared_by_every_process(tmp_path):
    configured = configured_caches(LAUREL_VAR_DIR=str(tmp_path))

    default = configured["caches"]["default"]
    assert default["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert default["LOCATION"] == str(tmp_path / "cache")
    assert configured["sessions"] == "django.contrib.sessions.backends.cached_db"


def test_redis_is_used_when_redis_url_names_a_server_and_a_cache_url_wins(tmp_path):
    broker_only = configured_caches(
        LAUREL_VAR_DIR=str(tmp_path), REDIS_URL="redis://cache.example:6379/0"
    )
    own = configured_caches(
        LAUREL_VAR_DIR=str(tmp_path),
        REDIS_URL="redis://cache.example:6379/0",
        LAUREL_CACHE_URL="redis://cache.example:6379/2",
    )

    assert broker_only["caches"]["default"]["BACKEND"].endswith("RedisCache")
    assert broker_only["caches"]["default"]["LOCATION"] == "redis://cache.example:6379/0"
    assert own["caches"]["default"]["LOCATION"] == "redis://cache.example:6379/2"


def redis_cache(url: str) -> dict:
    return {
        "default": settings.CACHES["default"],
        "redis": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "laurel",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
    }


def test_the_redis_cache_keeps_values_and_a_server_gone_away_is_a_miss(
    own_redis, caplog, monkeypatch
):
    monkeypatch.setattr(ResilientRedisCache, "_warned_at", float("-inf"))
    own_redis.start()
    with override_settings(CACHES=redis_cache(own_redis.url)):
        cache = caches["redis"]
        cache.set("ranking", {"place": 1}, 60)
        assert cache.get("ranking") == {"place": 1}
        assert cache.add("pending", 1, 60) is True
        assert cache.add("pending", 1, 60) is False

        own_redis.stop()
        started = time.perf_counter()
        assert cache.get("ranking") is None
        cache.set("ranking", {"place": 2}, 60)  # dropped, no error
        assert cache.get_many(["ranking"]) == {}
        assert cache.add("other", 1, 60) is False
        assert time.perf_counter() - started < 8
        assert cache.delete("session") is False  # logged as an error: see core/cache.py

        own_redis.start()  # empty again (no persistence): the cache fills up anew
        cache.set("ranking", {"place": 3}, 60)
        assert cache.get("ranking") == {"place": 3}
    assert "cache server unavailable (ConnectionError on get)" in caplog.text
    assert "may outlive its deletion" in caplog.text


@pytest.mark.django_db
def test_pages_and_logins_work_while_the_redis_cache_is_down(client, django_user_model):
    """Sessions are written through to the database: with the cache server gone, a user
    still logs in and stays logged in."""
    user = django_user_model.objects.create_user(email="ada@example.org", password="x" * 16)
    privacy_consent_record(user=user)
    closed = f"redis://127.0.0.1:{free_port()}/0"
    with override_settings(
        CACHES={"default": redis_cache(closed)["redis"]},
        SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
    ):
        client.force_login(user)
        response = client.get(reverse("accounts:profile"))

    assert response.status_code == 200
    assert response.context["user"] == user


@pytest.mark.django_db
@override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cached_db")
def test_a_page_view_reads_its_session_from_the_cache_without_a_query(client, django_user_model):
    user = django_user_model.objects.create_user(email="ada@example.org", password="x" * 16)
    privacy_consent_record(user=user)
    client.force_login(user)
    client.get("/")  # the session is in the cache from here on

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200

    assert not any("django_session" in q["sql"] for q in queries.captured_queries)
    # ... and it is kept in the database too: a cleared cache logs nobody out.
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=key).exists()
    caches["default"].clear()
    assert CachedDbStore(session_key=key).get("_auth_user_id") == str(user.pk)
