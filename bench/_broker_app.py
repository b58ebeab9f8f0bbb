"""The Celery app of ``bench/broker.py``: one task on the broker under test, no Django.

Workers run it as ``celery -A _broker_app worker`` from bench/, producers import it. The
environment chooses the broker: ``BENCH_BROKER`` (a candidate of ``CANDIDATES``),
``BENCH_DIR`` (its temporary folder, also home of the results file), ``BENCH_REDIS_URL``,
``BENCH_POLLING_INTERVAL``. The settings that matter for delivery are Laurel's
(``config/settings/base.py``): late acknowledgement, prefetch 1, JSON.
"""

import contextlib
import importlib.util
import os
import shutil
import sys
import threading
import time
import uuid
from pathlib import Path

from celery import Celery
from celery.signals import worker_ready
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.transport.virtual import QoS
from kombu.utils.json import dumps, loads

ROOT = Path(__file__).resolve().parent.parent


def _load_laurel_broker():
    """``config/broker.py`` on its own: importing the ``config`` package would set Django up
    (Celery's Django fix-up), and this bench measures the broker, not Django."""
    if "laurel_broker" not in sys.modules:
        spec = importlib.util.spec_from_file_location("laurel_broker", ROOT / "config/broker.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["laurel_broker"] = module
        spec.loader.exec_module(module)
    return sys.modules["laurel_broker"]


laurel_broker = _load_laurel_broker()

CANDIDATES = (
    "filesystem",
    "filesystem-atomic",
    "sqla-sqlite",
    "sqlite",
    "sqlite-busy-handler",
    "redis",
)
RESULTS_FILE = "done.log"


# --- candidate: kombu's file-system transport with the write race fixed -------------------
class _RoomQoS(QoS):
    """Wakes the prompt drain (below) at every acknowledgement."""

    def ack(self, delivery_tag):
        super().ack(delivery_tag)
        self.channel.connection.room.set()

    def reject(self, delivery_tag, requeue=False):
        super().reject(delivery_tag, requeue=requeue)
        self.channel.connection.room.set()


class AtomicFilesystemChannel(filesystem.Channel):
    """Writes each message under a hidden name and renames it into the queue folder (a reader
    sees all of it or nothing); a consumer claims one by renaming it into a hidden folder on
    the same file system (only one consumer wins), and lists the folder once per batch."""

    QoS = _RoomQoS

    def __init__(self, connection, **kwargs):
        super().__init__(connection, **kwargs)
        self._listing: dict[str, list[str]] = {}

    def _folder(self, name: str) -> str:
        folder = os.path.join(self.data_folder_in, name)
        os.makedirs(folder, exist_ok=True)
        return folder

    def _put(self, queue, payload, **kwargs):
        name = f"{time.time_ns():020d}_{uuid.uuid4()}.{queue}.msg"
        hidden = os.path.join(self._folder(".writing"), name)
        with open(hidden, "wb") as file:
            file.write(dumps(payload).encode())
        os.rename(hidden, os.path.join(self.data_folder_out, name))

    def _get(self, queue):
        names = self._listing.get(queue)
        if not names:
            wanted = f"{queue}.msg"
            names = self._listing[queue] = sorted(
                (n for n in os.listdir(self.data_folder_in) if n.partition(".")[2] == wanted),
                reverse=True,
            )
        claimed = self._folder(".claimed")
        while names:
            name = names.pop()
            target = os.path.join(claimed, f"{os.getpid()}-{name}")
            try:
                os.rename(os.path.join(self.data_folder_in, name), target)
            except FileNotFoundError:
                continue  # another consumer took it
            with open(target, "rb") as file:
                payload = file.read()
            os.unlink(target)
            return loads(payload)
        raise filesystem.Empty()


class AtomicFilesystemTransport(filesystem.Transport):
    Channel = AtomicFilesystemChannel

    def __init__(self, client, **kwargs):
        super().__init__(client, **kwargs)
        self.room = threading.Event()
        self._wait = laurel_broker.FIRST_WAIT_S

    drain_events = laurel_broker.Transport.drain_events


# --- candidate: kombu's SQLAlchemy transport on SQLite in WAL mode ------------------------
def _sqla_transport():
    from kombu.transport import sqlalchemy as sqla
    from sqlalchemy import create_engine, event

    class WalChannel(sqla.Channel):
        """Creates the engine with a busy timeout and WAL, which kombu cannot be told."""

        def _engine_from_config(self):
            engine = create_engine(
                self.connection.client.hostname,
                connect_args={"timeout": laurel_broker.BUSY_TIMEOUT_S},
            )

            @event.listens_for(engine, "connect")
            def _wal(dbapi_connection, _record):
                dbapi_connection.execute("PRAGMA journal_mode=WAL")
                dbapi_connection.execute("PRAGMA synchronous=NORMAL")

            return engine

    class WalTransport(sqla.Transport):
        Channel = WalChannel

    return WalTransport


# --- candidate: Laurel's transport, but writers wait in SQLite's busy handler -------------
class _BusyHandlerDatabase(laurel_broker._Database):
    """No ``flock`` around writes: contending writers sleep in SQLite's busy handler."""

    @contextlib.contextmanager
    def writing(self):
        yield self.db


class _BusyHandlerChannel(laurel_broker.Channel):
    def _db(self):
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.db, local.pid = _BusyHandlerDatabase(self.path), os.getpid()
        return local.db


class BusyHandlerTransport(laurel_broker.Transport):
    Channel = _BusyHandlerChannel


TRANSPORT_ALIASES.setdefault(laurel_broker.SCHEME, "laurel_broker:Transport")
TRANSPORT_ALIASES["sqlitebusy"] = "_broker_app:BusyHandlerTransport"
TRANSPORT_ALIASES["fsatomic"] = "_broker_app:AtomicFilesystemTransport"
TRANSPORT_ALIASES["sqlawal"] = _sqla_transport  # a callable: kombu calls it for the class


def broker_settings(name: str, folder: Path) -> tuple[str, dict]:
    """The broker URL and transport options of a candidate."""
    polling = float(os.environ.get("BENCH_POLLING_INTERVAL", "0.02"))
    if name in {"filesystem", "filesystem-atomic"}:
        queue = folder / "queue"
        queue.mkdir(parents=True, exist_ok=True)
        (folder / "control").mkdir(exist_ok=True)
        options = {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "control_folder": str(folder / "control"),
            "store_processed": False,
            "polling_interval": polling,
        }
        return ("filesystem://" if name == "filesystem" else "fsatomic://"), options
    if name == "sqla-sqlite":
        return f"sqlawal+sqlite:///{folder / 'broker.sqlite3'}", {"polling_interval": polling}
    if name == "sqlite":
        return f"sqlite:///{folder / 'broker.sqlite3'}", {}
    if name == "sqlite-busy-handler":
        return f"sqlitebusy+sqlite:///{folder / 'broker.sqlite3'}", {}
    if name == "redis":
        return os.environ["BENCH_REDIS_URL"], {"visibility_timeout": 3600}
    raise SystemExit(f"unknown broker {name!r}; one of {', '.join(CANDIDATES)}")


FOLDER = Path(os.environ.get("BENCH_DIR", "/nonexistent"))
_url, _options = (
    broker_settings(os.environ["BENCH_BROKER"], FOLDER)
    if "BENCH_BROKER" in os.environ
    else ("memory://", {})
)

app = Celery("laurel-broker-bench", broker=_url, set_as_current=True)
app.conf.update(
    broker_transport_options=_options,
    broker_connection_retry_on_startup=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    worker_hijack_root_logger=False,
)


@worker_ready.connect
def _note_ready(sender, **kwargs) -> None:
    """The worker consumes: a file the bench waits for (its log is kept at WARNING)."""
    (FOLDER / f"ready-{os.environ.get('BENCH_WORKER', sender.hostname)}").touch()


@app.task(name="bench.append")
def append(number: int, padding: str = "", seconds: float = 0.0) -> None:
    """Note that ``number`` ran: one line, appended in one write (O_APPEND), after working
    for ``seconds``."""
    if seconds:
        time.sleep(seconds)
    fd = os.open(FOLDER / RESULTS_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{number}\n".encode())
    finally:
        os.close(fd)


def clean(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
