"""A real worker process executes a task sent through the broker, on both brokers we ship."""

from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

pytestmark = [pytest.mark.worker]


@pytest.fixture(autouse=True)
def _no_broker_from_environment(monkeypatch):
    # Celery prefers CELERY_BROKER_URL from the environment over the broker it is given.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_RESULT_BACKEND", raising=False)


def _client(broker_url: str, backend: str, transport_options: dict) -> Celery:
    """A bare Celery client: knows nothing of our code, only the broker and the task name."""
    # Not the current app: our shared tasks must keep publishing through config.celery.app.
    client = Celery("laurel-test-client", broker=broker_url, backend=backend, set_as_current=False)
    client.conf.broker_transport_options = transport_options
    client.conf.broker_connection_retry_on_startup = True
    return client


def _filesystem_options(var_dir: Path) -> dict:
    queue = var_dir / "celery" / "queue"
    return {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "control_folder": str(var_dir / "celery" / "control"),
        "store_processed": False,
    }


def test_worker_runs_a_task_from_the_filesystem_broker(start_worker, isolated_var):
    start_worker(broker_url="filesystem://", var_dir=isolated_var)
    client = _client(
        "filesystem://",
        f"file://{isolated_var / 'celery' / 'results'}",
        _filesystem_options(isolated_var),
    )

    result = client.send_task("laurel.ping").get(timeout=60)

    assert result == {"pong": True, "database": connection.vendor, "select": 1}


def test_worker_runs_a_task_from_redis(start_worker, isolated_var, redis_url):
    broker = redis_url.rsplit("/", 1)[0] + "/13"
    start_worker(broker_url=broker, var_dir=isolated_var)
    client = _client(broker, broker, {"visibility_timeout": 3600})

    result = client.send_task("laurel.ping").get(timeout=60)

    assert result == {"pong": True, "database": connection.vendor, "select": 1}


def test_celery_is_configured_for_at_least_once_delivery():
    from config.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_serializer == "json"
    assert "heartbeat" in app.conf.beat_schedule
    if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        # Longer than any countdown we use, so no scheduled task is handed out twice. (The
        # embedded brokers have no visibility timeout: config/broker.py.)
        assert app.conf.broker_transport_options["visibility_timeout"] >= 24 * 3600
