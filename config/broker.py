"""The embedded Celery broker: the queue is one SQLite file, ``var/celery/broker.sqlite3``.

Laurel's default when no broker server is configured (``CELERY_BROKER_URL`` unset and no
``REDIS_URL``). The URL is ``sqlite:///relative/path`` or ``sqlite:////absolute/path``, as
in SQLAlchemy; ``config.celery`` registers the ``sqlite`` scheme with kombu.

Why not kombu's file-system transport, the earlier default: its producer creates the message
file under its final name and only then writes it, and its consumer takes any file it lists,
so a consumer can read a message half written (``JSONDecodeError``: the worker stops and the
message is gone). Why not kombu's SQLAlchemy transport: it marks delivered rows invisible and
never deletes or restores them, so the table only grows and a killed worker's tasks are lost.
``bench/broker.py`` measures all three; the figures are in ``bench/README.md``.

How this one works:

- A message is one row, written by one ``INSERT``: a reader sees all of it or nothing.
- A consumer claims the oldest ready row of a queue with one conditional ``UPDATE``, writing
  its process's token into ``claimed_by``; two consumers never get the same row.
- Acknowledging deletes the row. A rejected message with requeue, and every unacknowledged
  one when a worker shuts down, is released (``claimed_by`` back to NULL) and keeps its place.
- A process that claims holds a POSIX lock on ``consumers/<token>`` next to the database. A
  consumer that finds rows claimed by a token whose lock is free (that process died, e.g.
  ``kill -9``) releases them, so tasks in flight in a killed worker run again (at least once,
  like Redis with ``acks_late``; a scheduled task waits in a live worker for as long as it
  needs, there is no visibility timeout).
- Bindings live in the database too, so fanout (Celery's remote control) works across
  processes. A queue declared auto-delete or exclusive (a worker's remote-control and event
  queues) belongs to the process that declared it and goes when that process dies, so a
  killed worker leaves no queue behind that fills up with broadcasts.
- SQLite in WAL mode with ``synchronous=NORMAL``: readers never block the writer; a committed
  message survives a crash of any process (a power cut may lose the last ones). Writers take
  turns on a blocking ``flock`` (``<file>-lock``) around each write: the kernel wakes the
  next one as soon as the lock is free, where SQLite's own busy handler would sleep 1 ms,
  2 ms, 5 ms … (measured: about 10 % more tasks a second with 4 producers and 2 workers).
- An idle consumer polls with a back-off up to ``polling_interval`` (transport option,
  seconds); an acknowledgement wakes a consumer at its prefetch limit at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from queue import Empty

from kombu.transport import virtual
from kombu.utils.encoding import bytes_to_str

SCHEME = "sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS message (
    id INTEGER PRIMARY KEY,
    queue TEXT NOT NULL,
    payload TEXT NOT NULL,
    claimed_by TEXT
);
CREATE INDEX IF NOT EXISTS message_ready ON message (queue, id) WHERE claimed_by IS NULL;
CREATE INDEX IF NOT EXISTS message_claimed ON message (claimed_by) WHERE claimed_by IS NOT NULL;
CREATE TABLE IF NOT EXISTS binding (
    exchange TEXT NOT NULL,
    routing_key TEXT NOT NULL,
    pattern TEXT NOT NULL,
    queue TEXT NOT NULL,
    PRIMARY KEY (exchange, queue, routing_key, pattern)
);
CREATE TABLE IF NOT EXISTS owned_queue (
    queue TEXT PRIMARY KEY,
    owner TEXT NOT NULL
);
"""
BUSY_TIMEOUT_S = 30.0
FIRST_WAIT_S = 0.001


def database_path(url: str) -> Path:
    """The file of ``sqlite:///relative`` or ``sqlite:////absolute``."""
    prefix = f"{SCHEME}:///"
    if not url.startswith(prefix) or url == prefix:
        raise ValueError(f"the broker URL must be {prefix}<path to a file>, not {url!r}")
    return Path(url[len(prefix) :])


_prepared: set[Path] = set()  # database files this process has set up


class _Database:
    """One connection to the file and one handle on its write lock, for one thread of one
    process (SQLite connections and lock handles are never shared across a fork)."""

    def __init__(self, path: Path) -> None:
        if path not in _prepared:
            path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: every statement is its own transaction unless one is begun.
        self.db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.lock = os.open(f"{path}-lock", os.O_RDWR | os.O_CREAT, 0o600)
        if path not in _prepared:
            with self.writing():
                if self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    self.db.execute("PRAGMA journal_mode=WAL")  # stays set in the file
                self.db.executescript(SCHEMA)
            _prepared.add(path)

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            os.close(self.lock)
            self.db.close()

    @contextlib.contextmanager
    def writing(self):
        fcntl.flock(self.lock, fcntl.LOCK_EX)
        try:
            yield self.db
        finally:
            fcntl.flock(self.lock, fcntl.LOCK_UN)

    def read(self, sql: str, parameters=()) -> list:
        return self.db.execute(sql, parameters).fetchall()

    def write(self, sql: str, parameters=()) -> list:
        """One statement, its own transaction; the rows it returns (``RETURNING``)."""
        with self.writing():
            # fetchall(): the statement runs to its end, and so commits, under the lock.
            return self.db.execute(sql, parameters).fetchall()

    def write_many(self, sql: str, rows: list) -> None:
        if rows:
            with self.writing() as db:
                db.execute("BEGIN IMMEDIATE")
                with db:  # commits, or rolls back on an error
                    db.executemany(sql, rows)

    @contextlib.contextmanager
    def transaction(self):
        with self.writing() as db:
            db.execute("BEGIN IMMEDIATE")
            with db:
                yield db


class _Consumers:
    """Which processes that claimed messages are still alive: one POSIX lock file each.

    POSIX (``lockf``) locks belong to a process, are not inherited by forked children and are
    released by the kernel when the process dies, however it dies.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._pid: int | None = None
        self._token: str | None = None
        self._fd: int | None = None
        self._lock = threading.Lock()

    def token(self) -> str:
        """This process's token, its lock taken (once per process, also after a fork)."""
        with self._lock:
            if self._pid != os.getpid():
                self.folder.mkdir(parents=True, exist_ok=True)
                token = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
                # Locked under a hidden name first, then renamed: a file under its final name
                # is always locked while its process lives.
                hidden = self.folder / f".{token}"
                fd = os.open(hidden, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                os.rename(hidden, self.folder / token)
                self._pid, self._token, self._fd = os.getpid(), token, fd
            return self._token

    def mine(self) -> str | None:
        return self._token if self._pid == os.getpid() else None

    def dead(self, token: str) -> bool:
        """Whether the process of ``token`` has ended (its lock file is free or gone)."""
        if token == self.mine():
            return False
        try:
            fd = os.open(self.folder / token, os.O_RDWR)
        except FileNotFoundError:
            return True
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # held: the process lives
        finally:
            os.close(fd)  # also drops the lock just taken, if it was
        return True

    def files(self) -> list[str]:
        try:
            return [name for name in os.listdir(self.folder) if not name.startswith(".")]
        except FileNotFoundError:
            return []

    def forget(self, token: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.folder / token)


class QoS(virtual.QoS):
    """Acknowledging deletes the row; requeueing and shutting down release it."""

    def ack(self, delivery_tag):
        self.channel._remove(delivery_tag)
        super().ack(delivery_tag)
        self.channel.connection.room.set()

    def reject(self, delivery_tag, requeue=False):
        if requeue:
            self.channel._release([delivery_tag])
        else:
            self.channel._remove(delivery_tag)
        self._quick_ack(delivery_tag)
        self.channel.connection.room.set()

    def restore_unacked(self):
        self._flush()
        tags = list(self._delivered)
        self._delivered.clear()
        self.channel._release(tags)
        return []


class Channel(virtual.Channel):
    QoS = QoS
    supports_fanout = True
    # How often a consumer looks for messages claimed by processes that have died.
    restore_interval = 5.0

    def __init__(self, connection, **kwargs):
        super().__init__(connection, **kwargs)
        self.path = database_path(connection.client.hostname)
        self.consumers = _consumers_of(self.path)
        self._local = threading.local()
        self._no_ack_queues: set[str] = set()
        self._restored_at = 0.0
        self._db()  # fail here, in establish_connection, if the file cannot be used

    def _db(self) -> _Database:
        """This thread's database (a fork or a thread never shares one)."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.db, local.pid = _Database(self.path), os.getpid()
        return local.db

    # --- messages --------------------------------------------------------------------------
    def _put(self, queue, message, **kwargs):
        self._db().write(
            "INSERT INTO message (queue, payload) VALUES (?, ?)", (queue, json.dumps(message))
        )

    def _get(self, queue, timeout=None):
        if time.monotonic() - self._restored_at > self.restore_interval:
            self._restore_dead()
        db = self._db()
        no_ack = queue in self._no_ack_queues
        token = None if no_ack else self.consumers.token()
        for _attempt in range(10):
            ready = db.read(
                "SELECT id FROM message WHERE queue = ? AND claimed_by IS NULL ORDER BY id LIMIT 1",
                (queue,),
            )
            if not ready:
                raise Empty()
            (row_id,) = ready[0]
            if no_ack:
                got = db.write(
                    "DELETE FROM message WHERE id = ? AND claimed_by IS NULL RETURNING payload",
                    (row_id,),
                )
            else:
                got = db.write(
                    "UPDATE message SET claimed_by = ? WHERE id = ? AND claimed_by IS NULL "
                    "RETURNING payload",
                    (token, row_id),
                )
            if got:  # else another consumer was quicker: take the next one
                payload = json.loads(bytes_to_str(got[0][0]))
                payload["properties"]["delivery_tag"] = row_id
                return payload
        raise Empty()

    def _remove(self, delivery_tag) -> None:
        self._db().write(
            "DELETE FROM message WHERE id = ? AND claimed_by = ?",
            (delivery_tag, self.consumers.mine()),
        )

    def _release(self, delivery_tags) -> None:
        self._db().write_many(
            "UPDATE message SET claimed_by = NULL WHERE id = ? AND claimed_by = ?",
            [(tag, self.consumers.mine()) for tag in delivery_tags],
        )

    def _restore_dead(self) -> None:
        """Release the messages of consumers that died, delete the queues they owned, and
        forget their lock files."""
        self._restored_at = time.monotonic()
        db = self._db()
        tokens = {
            token
            for (token,) in db.read(
                "SELECT DISTINCT claimed_by FROM message WHERE claimed_by IS NOT NULL "
                "UNION SELECT DISTINCT owner FROM owned_queue"
            )
        }
        for token in tokens | set(self.consumers.files()):
            if self.consumers.dead(token):
                db.write("UPDATE message SET claimed_by = NULL WHERE claimed_by = ?", (token,))
                owned = db.read("SELECT queue FROM owned_queue WHERE owner = ?", (token,))
                for (queue,) in owned:
                    self._delete_queue(queue, owner=token)
                self.consumers.forget(token)

    def _purge(self, queue):
        deleted = self._db().write(
            "DELETE FROM message WHERE queue = ? AND claimed_by IS NULL RETURNING id", (queue,)
        )
        return len(deleted)

    def _size(self, queue):
        return self._db().read(
            "SELECT count(*) FROM message WHERE queue = ? AND claimed_by IS NULL", (queue,)
        )[0][0]

    def _has_queue(self, queue, **kwargs):
        db = self._db()
        return bool(
            db.read("SELECT 1 FROM binding WHERE queue = ? LIMIT 1", (queue,))
            or db.read("SELECT 1 FROM message WHERE queue = ? LIMIT 1", (queue,))
        )

    def _new_queue(self, queue, auto_delete=False, exclusive=False, **kwargs):
        if auto_delete or exclusive:
            self._db().write(
                "INSERT OR REPLACE INTO owned_queue (queue, owner) VALUES (?, ?)",
                (queue, self.consumers.token()),
            )

    def queue_delete(self, queue, if_unused=False, if_empty=False, **kwargs):
        if if_empty and self._size(queue):
            return
        self._delete_queue(queue)
        self.state.queue_bindings_delete(queue)

    def _delete_queue(self, queue, owner=None) -> None:
        """Its bindings and waiting messages; with ``owner``, only while that one owns it."""
        with self._db().transaction() as db:
            owned = db.execute("SELECT owner FROM owned_queue WHERE queue = ?", (queue,))
            if owner is None or owned.fetchall() == [(owner,)]:
                db.execute("DELETE FROM owned_queue WHERE queue = ?", (queue,))
                db.execute("DELETE FROM binding WHERE queue = ?", (queue,))
                db.execute("DELETE FROM message WHERE queue = ? AND claimed_by IS NULL", (queue,))

    # --- bindings, shared by every process ------------------------------------------------
    def get_table(self, exchange):
        return [
            tuple(row)
            for row in self._db().read(
                "SELECT routing_key, pattern, queue FROM binding WHERE exchange = ?", (exchange,)
            )
        ]

    def _queue_bind(self, exchange, routing_key, pattern, queue):
        self._db().write(
            "INSERT OR IGNORE INTO binding (exchange, routing_key, pattern, queue) "
            "VALUES (?, ?, ?, ?)",
            (exchange, routing_key or "", pattern or "", queue or ""),
        )

    def _put_fanout(self, exchange, message, routing_key, **kwargs):
        payload = json.dumps(message)
        self._db().write_many(
            "INSERT INTO message (queue, payload) VALUES (?, ?)",
            [(queue, payload) for _key, _pattern, queue in self.get_table(exchange)],
        )

    # --- consumers ------------------------------------------------------------------------
    def basic_consume(self, queue, no_ack, *args, **kwargs):
        if no_ack:
            self._no_ack_queues.add(queue)
        return super().basic_consume(queue, no_ack, *args, **kwargs)

    def basic_cancel(self, consumer_tag):
        queue = self._tag_to_queue.get(consumer_tag)
        super().basic_cancel(consumer_tag)
        if queue not in self._active_queues:
            self._no_ack_queues.discard(queue)

    def basic_get(self, queue, no_ack=False, **kwargs):
        if not no_ack:
            return super().basic_get(queue, no_ack=no_ack, **kwargs)
        self._no_ack_queues.add(queue)
        try:
            return super().basic_get(queue, no_ack=no_ack, **kwargs)
        finally:
            if queue not in self._active_queues:
                self._no_ack_queues.discard(queue)


_consumer_registry: dict[Path, _Consumers] = {}
_registry_lock = threading.Lock()


def _consumers_of(path: Path) -> _Consumers:
    """One token per process and database file, shared by all its channels."""
    key = path.resolve()
    with _registry_lock:
        if key not in _consumer_registry:
            _consumer_registry[key] = _Consumers(key.parent / f"{key.name}-consumers")
        return _consumer_registry[key]


class Transport(virtual.Transport):
    Channel = Channel

    can_parse_url = True
    default_port = 0
    driver_type = "sqlite"
    driver_name = "sqlite3"
    # The longest wait between two looks at an empty queue (seconds).
    polling_interval = 0.1
    connection_errors = (*virtual.Transport.connection_errors, sqlite3.OperationalError)
    channel_errors = (*virtual.Transport.channel_errors, sqlite3.DatabaseError)
    implements = virtual.Transport.implements.extend(
        asynchronous=False, exchange_type=frozenset(["direct", "topic", "fanout"])
    )

    def __init__(self, client, **kwargs):
        super().__init__(client, **kwargs)
        self.room = threading.Event()  # set by every acknowledgement
        self._wait = FIRST_WAIT_S

    def driver_version(self):
        return sqlite3.sqlite_version

    def drain_events(self, connection, timeout=None):
        """Deliver one message; between empty looks wait longer and longer, up to
        ``polling_interval``, unless an acknowledgement makes room for the next one."""
        started = time.monotonic()
        while True:
            self.room.clear()
            try:
                self.cycle.get(self._deliver, timeout=timeout)
            except Empty:
                pass
            else:
                self._wait = FIRST_WAIT_S
                return
            wait = self._wait
            if timeout is not None:
                left = timeout - (time.monotonic() - started)
                if left <= 0:
                    raise TimeoutError()
                wait = min(wait, left)
            if self.room.wait(wait):
                self._wait = FIRST_WAIT_S
            else:
                self._wait = min(self._wait * 2, self.polling_interval)
