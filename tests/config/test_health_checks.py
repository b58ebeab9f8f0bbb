"""What ``/healthz/`` finds out (config/health.py): a storage that cannot take a write, the
free space of a local folder, an unreachable broker (Redis or the embedded folder), and that
a healthy answer stays cheap. The real full disk is in tests/submissions/test_storage_failures.py.
"""

import errno
import os
import time

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.test import override_settings

from config import health
from tests.services import free_port

pytestmark = pytest.mark.django_db


class ReadOnlyStorage(FileSystemStorage):
    """A local folder on a file system mounted read-only."""

    def _save(self, name, content):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))


class FullStorage(FileSystemStorage):
    """A local folder on a full disk: the file is created, its bytes do not fit."""

    def _save(self, name, content):
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "wb").close()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def storage_settings(backend: type, location) -> dict:
    return {
        "default": {
            "BACKEND": f"{backend.__module__}.{backend.__qualname__}",
            "OPTIONS": {"location": str(location)},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def filesystem_broker(folder) -> dict:
    return {
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_BROKER_TRANSPORT_OPTIONS": {
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
        },
    }


# --- All well ---------------------------------------------------------------------------------


def test_it_is_200_naming_nothing_and_reporting_the_free_space(client):
    response = client.get("/healthz/")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["failed"]) == ("ok", [])
    assert body["checks"]["storage"]["free_mb"] > 1
    assert default_storage.exists(health.storage_probe())


def test_the_probe_is_written_afresh_every_time_and_only_once(client):
    client.get("/healthz/")
    with default_storage.open(health.storage_probe(), "wb") as probe:
        probe.write(b"stale")

    assert client.get("/healthz/").status_code == 200
    assert client.get("/healthz/").status_code == 200

    with default_storage.open(health.storage_probe(), "rb") as probe:
        assert probe.read() == b"ok"
    assert default_storage.listdir("healthz") == ([], [health.storage_probe().split("/")[1]])


def test_a_healthy_answer_is_cheap(client):
    client.get("/healthz/")
    started = time.perf_counter()
    for _ in range(50):
        assert client.get("/healthz/").status_code == 200
    # A few system calls and one query a request: far below the 1 s a check may take.
    assert (time.perf_counter() - started) / 50 < 0.05


# --- Storage ------------------------------------------------------------------------------------


def test_a_read_only_storage_is_503_naming_the_storage(client, tmp_path):
    with override_settings(STORAGES=storage_settings(ReadOnlyStorage, tmp_path / "ro")):
        response = client.get("/healthz/")

    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["failed"]) == ("error", ["storage"])
    storage = body["checks"]["storage"]
    assert (storage["ok"], storage["error"], storage["errno"]) == (False, "OSError", "EROFS")
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True


def test_a_full_storage_is_503_and_the_empty_probe_is_removed(client, tmp_path):
    media = tmp_path / "full"

    with override_settings(STORAGES=storage_settings(FullStorage, media)):
        response = client.get("/healthz/")

    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["errno"] == "ENOSPC"
    assert not (media / health.storage_probe()).exists()
    # The answer names the error, never the folder.
    assert str(media) not in response.content.decode()


def test_a_remote_storage_is_probed_once_in_a_while(client, s3_server, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_server["options"]},
    }
    s3, bucket = s3_server["client"], s3_server["bucket"]

    first = client.get("/healthz/").json()["checks"]["storage"]
    s3.delete_object(Bucket=bucket, Key=health.storage_probe())
    second = client.get("/healthz/").json()["checks"]["storage"]

    assert first["ok"] is True and "remembered" not in first
    assert second == {"ok": True, "remembered": True, "ms": second["ms"]}
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)  # not written again


def test_a_remote_storage_is_probed_again_once_the_success_is_old(
    client, s3_server, settings, monkeypatch
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_server["options"]},
    }
    monkeypatch.setattr(health, "REMOTE_STORAGE_TTL_S", 0)
    s3, bucket = s3_server["client"], s3_server["bucket"]

    client.get("/healthz/")
    s3.delete_object(Bucket=bucket, Key=health.storage_probe())
    response = client.get("/healthz/")

    assert response.json()["checks"]["storage"]["ok"] is True
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert [item["Key"] for item in listed] == [health.storage_probe()]


# --- Broker -------------------------------------------------------------------------------------


def test_an_unreachable_redis_broker_is_503_naming_the_broker_within_a_second_or_so(client):
    closed = free_port()

    with override_settings(
        CELERY_BROKER_URL=f"redis://127.0.0.1:{closed}/0", CELERY_BROKER_TRANSPORT_OPTIONS={}
    ):
        started = time.perf_counter()
        response = client.get("/healthz/")
        elapsed = time.perf_counter() - started

    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["broker"]
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["storage"]["ok"] is True
    assert str(closed) not in response.content.decode()
    assert elapsed < 3


def test_a_reachable_redis_broker_is_ok(client, redis_url):
    with override_settings(CELERY_BROKER_URL=redis_url, CELERY_BROKER_TRANSPORT_OPTIONS={}):
        response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json()["checks"]["broker"]["ok"] is True


def _connections_received(url: str) -> int:
    import redis

    with redis.Redis.from_url(url) as admin:
        return admin.info("stats")["total_connections_received"]


def test_redis_broker_checks_reuse_one_pooled_connection(client, own_redis):
    """A load balancer asks every few seconds: a new connection per check cost up to 170 ms.
    Twenty checks open one connection (the measuring connections are counted out)."""
    own_redis.start()
    with override_settings(CELERY_BROKER_URL=own_redis.url, CELERY_BROKER_TRANSPORT_OPTIONS={}):
        before = _connections_received(own_redis.url)
        for _ in range(20):
            assert client.get("/healthz/").status_code == 200
        opened = _connections_received(own_redis.url) - before - 1

    assert opened == 1


def test_a_redis_broker_that_goes_away_and_comes_back_is_seen_both_times(client, own_redis):
    """The pooled connection is no cached verdict: a server that stopped fails the next
    check, and the check after its restart succeeds on a new connection."""
    own_redis.start()
    with override_settings(CELERY_BROKER_URL=own_redis.url, CELERY_BROKER_TRANSPORT_OPTIONS={}):
        assert client.get("/healthz/").status_code == 200
        own_redis.stop()
        down = client.get("/healthz/")
        own_redis.start()
        up = client.get("/healthz/")

    assert down.status_code == 503
    assert down.json()["failed"] == ["broker"]
    assert up.status_code == 200


def test_the_embedded_broker_is_ok_and_its_folder_keeps_no_probe(client, tmp_path):
    queue = tmp_path / "queue"
    queue.mkdir()

    with override_settings(**filesystem_broker(queue)):
        response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json()["checks"]["broker"]["ok"] is True
    assert list(queue.iterdir()) == []


def test_the_embedded_broker_without_its_folder_is_503_naming_the_broker(client, tmp_path):
    with override_settings(**filesystem_broker(tmp_path / "gone")):
        response = client.get("/healthz/")

    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["broker"]
    broker = body["checks"]["broker"]
    assert (broker["error"], broker["errno"]) == ("FileNotFoundError", "ENOENT")
    assert str(tmp_path) not in response.content.decode()


def test_the_embedded_broker_on_something_that_is_no_folder_is_503(client, tmp_path):
    not_a_folder = tmp_path / "queue"
    not_a_folder.write_text("a file where the queue folder should be")

    with override_settings(**filesystem_broker(not_a_folder)):
        response = client.get("/healthz/")

    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["errno"] == "ENOTDIR"


def test_the_embedded_sqlite_broker_is_ok_and_keeps_no_probe(client, tmp_path):
    pytest.importorskip("config.broker")
    folder = tmp_path / "celery"

    with override_settings(
        CELERY_BROKER_URL=f"sqlite:///{folder / 'broker.sqlite3'}",
        CELERY_BROKER_TRANSPORT_OPTIONS={},
    ):
        response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json()["checks"]["broker"]["ok"] is True
    assert not list(folder.glob(".healthz-*"))


def test_the_embedded_sqlite_broker_where_no_folder_can_be_is_503(client, tmp_path):
    pytest.importorskip("config.broker")
    not_a_folder = tmp_path / "celery"
    not_a_folder.write_text("a file where the broker's folder should be")

    with override_settings(
        CELERY_BROKER_URL=f"sqlite:///{not_a_folder / 'broker.sqlite3'}",
        CELERY_BROKER_TRANSPORT_OPTIONS={},
    ):
        response = client.get("/healthz/")

    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]
    assert str(tmp_path) not in response.content.decode()


def test_a_worker_never_takes_the_probe_for_a_message(tmp_path):
    from kombu import Connection

    queue = tmp_path / "queue"
    queue.mkdir()
    (queue / ".healthz-left-by-a-crash").write_bytes(b"ok")

    options = {"data_folder_in": str(queue), "data_folder_out": str(queue)}
    with Connection("filesystem://", transport_options=options) as conn:
        assert conn.SimpleQueue("celery").qsize() == 0


def test_both_failing_are_both_named(client, tmp_path):
    with override_settings(
        STORAGES=storage_settings(ReadOnlyStorage, tmp_path / "ro"),
        **filesystem_broker(tmp_path / "gone"),
    ):
        response = client.get("/healthz/")

    assert response.status_code == 503
    assert response.json()["failed"] == ["broker", "storage"]
