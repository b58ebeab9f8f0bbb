"""``GET /healthz/``: can Laurel work right now? The database, the broker and the file storage.

200 with ``"status": "ok"`` when all three answer, 503 with ``"status": "error"`` and the
failing checks named in ``"failed"`` otherwise. Errors are named by their class (and, for an
operating system error, its code such as ``ENOSPC``) only: the endpoint is public and must not
leak addresses, paths or credentials.

- **database**: ``SELECT 1``.
- **broker**: a broker server answers within ``BROKER_TIMEOUT_S``: Redis a ``PING`` on a
  connection from a pool kept for the process (a new connection per check cost up to
  170 ms), another server a new connection; an embedded broker (a folder, or a SQLite
  file) opens, and its folder exists and takes a file.
- **storage**: a small probe file is written afresh (``healthz/probe-<pid>.txt``, one per
  process, removed first),
  so a full or read-only storage fails here and not only at the next upload. On a local
  folder the free space is reported (``free_mb``) and less than ``MIN_FREE_MB`` fails: no
  upload fits any more. A remote storage (S3) costs a few requests per probe, so its success
  is remembered for ``REMOTE_STORAGE_TTL_S`` seconds; a failure is never remembered.

Every check stays cheap (a local probe is a few system calls), as load balancers call this
every few seconds.
"""

import contextlib
import errno
import os
import shutil
import tempfile
import time
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def storage_probe() -> str:
    """The probe file of this process. One per process, because two processes writing one
    file race (one's delete lands between the other's write and its chmod: a false 503 in
    about 1 % of checks at 8 concurrent requests, bench/http.py). Process ids repeat, so the
    names stay few."""
    return f"healthz/probe-{os.getpid()}.txt"


MIN_FREE_MB = 1
REMOTE_STORAGE_TTL_S = 10.0
BROKER_TIMEOUT_S = 1.0
MB = 1024 * 1024

# The Redis client of the broker's URL, with its connection pool: one per process and URL.
_redis_clients: dict[str, object] = {}

# The remote storage whose probe last succeeded, and until when that holds. The storage
# object itself, not a name: another configuration (a test's, a reload's) probes again.
_remote_ok: tuple[Storage, float] | None = None


class NotEnoughSpace(Exception):
    """Less than MIN_FREE_MB left in the storage's folder."""


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def _probe_folder(folder: str) -> None:
    """Create, write and remove a small file in ``folder``. Its name starts with a dot, so a
    worker reading a queue folder never takes it for a message (``<id>.<queue>.msg``)."""
    handle, path = tempfile.mkstemp(dir=folder, prefix=".healthz-")
    try:
        os.write(handle, b"ok")
    finally:
        os.close(handle)
        os.unlink(path)


def _embedded_broker_folders(url: str, options: dict) -> list[str]:
    """The folders an embedded broker (no server) keeps its queue in; none for a server."""
    if url.startswith("filesystem://"):
        # kombu's defaults when not set
        return sorted(
            {options.get("data_folder_in", "data_in"), options.get("data_folder_out", "data_out")}
        )
    if url.startswith("sqlite:"):
        from config.broker import database_path

        return [str(database_path(url).parent)]
    return []


def _redis_ping(url: str) -> None:
    """PING the Redis server at ``url`` on a pooled connection. A connection that died since
    its last use is dropped by the pool and the command retried once on a new one; a server
    that does not answer fails within ``BROKER_TIMEOUT_S``."""
    client = _redis_clients.get(url)
    if client is None:
        import redis

        client = _redis_clients[url] = redis.Redis.from_url(
            url,
            socket_connect_timeout=BROKER_TIMEOUT_S,
            socket_timeout=BROKER_TIMEOUT_S,
            health_check_interval=30,
        )
    client.ping()


def check_broker() -> dict:
    url = settings.CELERY_BROKER_URL
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    if url.startswith(("redis://", "rediss://")):
        _redis_ping(url)
    elif not url.startswith("filesystem://"):  # the folder broker has nothing to connect to
        from config.celery import app

        with app.connection_for_write(
            url, transport_options=options, connect_timeout=BROKER_TIMEOUT_S
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_S)
    # An embedded broker answers even when its disk is full or read-only: a write tells.
    for folder in _embedded_broker_folders(url, options):
        _probe_folder(folder)
    return {}


def _local_folder(storage: Storage) -> str | None:
    try:
        return storage.path("")
    except NotImplementedError:  # S3 and other remote storages
        return None


def _write_probe(storage: Storage) -> None:
    """Write the probe afresh; whatever a failed write left is removed."""
    probe = storage_probe()
    storage.delete(probe)
    try:
        name = storage.save(probe, ContentFile(b"ok"))
    except BaseException:
        # An empty or partial probe; the write's failure is the one to report.
        with contextlib.suppress(Exception):
            storage.delete(probe)
        raise
    if name != probe:
        # Another health check wrote the probe at the same moment: keep one of them.
        storage.delete(name)


def check_storage() -> dict:
    global _remote_ok
    storage = storages["default"]
    folder = _local_folder(storage)
    if folder is None and _remote_ok is not None:
        remembered, until = _remote_ok
        if remembered is storage and time.monotonic() < until:
            return {"remembered": True}
    _write_probe(storage)
    if folder is None:
        _remote_ok = (storage, time.monotonic() + REMOTE_STORAGE_TTL_S)
        return {}
    free = shutil.disk_usage(folder).free
    details = {"free_mb": round(free / MB, 1)}
    if free < MIN_FREE_MB * MB:
        raise NotEnoughSpace(details)
    return details


CHECKS: dict[str, Callable[[], dict]] = {
    "database": check_database,
    "broker": check_broker,
    "storage": check_storage,
}


def _describe(exc: Exception) -> dict:
    """The class of the error and, for an operating system error, its code: never its text,
    which may hold a path, an address or a credential."""
    described: dict = {"error": type(exc).__name__}
    if isinstance(exc, OSError) and exc.errno in errno.errorcode:
        described["errno"] = errno.errorcode[exc.errno]
    if isinstance(exc, NotEnoughSpace):
        described.update(exc.args[0])
    return described


def run_checks() -> dict[str, dict]:
    results: dict[str, dict] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            details = check()
        except Exception as exc:
            results[name] = {"ok": False, **_describe(exc)}
        else:
            results[name] = {"ok": True, **details}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return results


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    failed = [name for name, result in checks.items() if not result["ok"]]
    return JsonResponse(
        {"status": "error" if failed else "ok", "failed": failed, "checks": checks},
        status=503 if failed else 200,
    )
