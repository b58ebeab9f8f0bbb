import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from tests.services import (
    CHROMIUM,
    CHROMIUM_ARGS,
    WorkerProcess,
    database_url_for_test_db,
    free_port,
    port_open,
    require_service,
    worker_env,
)


@pytest.fixture(autouse=True)
def _mail_through_the_outbox(settings):
    """Django's test set-up points EMAIL_BACKEND at locmem; put the outbox back, so that every
    mail a test causes goes through the outbox as in production. It is delivered (by
    ``smtp_server.wait_for``, ``tests.mail_delivery.deliver_due`` or a worker) through
    LAUREL_DELIVERY_EMAIL_BACKEND: locmem (``django.core.mail.outbox``), or ``smtp_server``."""
    settings.EMAIL_BACKEND = "notifications.backends.OutboxEmailBackend"


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free port; the outbox delivers to it. Its
    ``wait_for`` first delivers the due outbox messages in this process (a worker's part)."""
    from aiosmtpd.controller import Controller

    from tests.mail_delivery import DeliveringSMTPServer

    server = DeliveringSMTPServer(host="127.0.0.1", port=free_port())
    controller = Controller(server, hostname=server.host, port=server.port)
    controller.start()
    with override_settings(
        LAUREL_DELIVERY_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=server.host,
        EMAIL_PORT=server.port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
    ):
        yield server
    controller.stop()


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    require_service(port_open("127.0.0.1", 6379), "Redis is not running on 127.0.0.1:6379")
    return url


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of this test's own, on a free port; ``stop()`` and ``start()`` it."""
    binary = shutil.which("redis-server")
    require_service(binary is not None, "redis-server is not installed")

    class OwnRedis:
        port = free_port()
        url = f"redis://127.0.0.1:{port}/0"
        process: subprocess.Popen | None = None

        def start(self):
            self.process = subprocess.Popen(
                [
                    *(binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""),
                    *("--appendonly", "no", "--dir", str(tmp_path)),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 10
            while not port_open("127.0.0.1", self.port):
                assert time.monotonic() < deadline, "own redis did not start"
                time.sleep(0.05)

        def stop(self):
            if self.process and self.process.poll() is None:
                self.process.terminate()
                self.process.wait(timeout=10)

    server = OwnRedis()
    yield server
    server.stop()


@pytest.fixture
def isolated_var(tmp_path: Path) -> Path:
    """A private var/ folder for a child process (its own file-system broker queue)."""
    var = tmp_path / "var"
    var.mkdir()
    return var


@pytest.fixture
def start_worker(transactional_db, tmp_path):
    """Start real Celery workers on the test database; all are stopped at teardown."""
    workers: list[WorkerProcess] = []

    def start(*, broker_url: str, var_dir: Path, **env_extra: str) -> WorkerProcess:
        env = worker_env(
            database_url=database_url_for_test_db(),
            broker_url=broker_url,
            var_dir=var_dir,
            **env_extra,
        )
        log = tmp_path / f"worker-{len(workers)}.log"
        worker = WorkerProcess(env, log).start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (no browser download)."""
    require_service(
        bool(shutil.which(CHROMIUM) or Path(CHROMIUM).exists()),
        f"Chromium not found at {CHROMIUM} (apt-get install chromium chromium-driver)",
    )
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    """Files a test stores go to a folder of its own (tests that need S3 set it up), and
    nothing cached about another test's files survives into this one."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    cache.clear()
    from results.selectors import figures

    figures.forget_local()


@pytest.fixture(autouse=True)
def _german_by_default():
    """Each test starts with German active, as a visitor without preferences gets."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def english():
    """English is the active language during the test (a module asks for it with
    ``pytestmark = pytest.mark.usefixtures("english")``)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def organiser(award):
    """Olga Organiser, who reads English, organiser of the module's ``award``."""
    from tests.factories import AwardRoleFactory, UserFactory

    user = UserFactory(full_name="Olga Organiser", preferred_language="en")
    AwardRoleFactory(award=award, user=user, role="organiser")
    return user


@pytest.fixture
def superuser():
    """Sam Super, a superuser who reads English."""
    from tests.factories import UserFactory

    return UserFactory(full_name="Sam Super", preferred_language="en", is_superuser=True)


@pytest.fixture
def s3_server():
    """An S3-compatible HTTP server (moto in server mode) with an empty private bucket.

    Yields the settings for django-storages' S3Storage pointed at it.
    """
    import uuid

    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    credentials = {"aws_access_key_id": "laurel-test", "aws_secret_access_key": "laurel-test"}
    client = boto3.client("s3", endpoint_url=endpoint, region_name="eu-central-1", **credentials)
    # moto keeps its state per process: every test gets a bucket of its own.
    bucket = f"laurel-test-{uuid.uuid4().hex[:12]}"
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
    )
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": "eu-central-1",
        "access_key": credentials["aws_access_key_id"],
        "secret_key": credentials["aws_secret_access_key"],
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": 300,
        "file_overwrite": False,
        "addressing_style": "path",
        "signature_version": "s3v4",
    }
    yield {"endpoint": endpoint, "client": client, "bucket": bucket, "options": options}
    server.stop()
