"""A client that vanishes in the middle of a transaction does not keep its row locks: the
server ends a session idle inside a transaction after LAUREL_DB_IDLE_IN_TRANSACTION_TIMEOUT
(found when a worker cut off from the database by a network fault held the lock on an
announcement, and every later expansion of it waited behind that lock). PostgreSQL only."""

import time

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tests.services import require_service

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_connection_asks_the_server_to_end_idle_transactions():
    require_service(connection.vendor == "postgresql", "a PostgreSQL setting (DATABASE_URL)")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert "idle_in_transaction_session_timeout=60000" in options["options"]
    assert options["keepalives"] == 1
    with connection.cursor() as cursor:
        cursor.execute("SHOW idle_in_transaction_session_timeout")
        assert cursor.fetchone()[0] == "1min"


def test_a_lock_held_by_a_silent_client_is_released_after_the_timeout():
    require_service(connection.vendor == "postgresql", "a PostgreSQL setting (DATABASE_URL)")
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params["options"] = "-c idle_in_transaction_session_timeout=1000"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS timeout_probe (id int primary key)")
        cursor.execute("INSERT INTO timeout_probe VALUES (1) ON CONFLICT DO NOTHING")
    silent = psycopg.connect(**params)
    silent.execute("SELECT id FROM timeout_probe WHERE id = 1 FOR UPDATE")  # then nothing
    other = psycopg.connect(**{**params, "options": "-c lock_timeout=5000"})
    try:
        time.sleep(1.5)
        started = time.monotonic()
        other.execute("SELECT id FROM timeout_probe WHERE id = 1 FOR UPDATE NOWAIT")
        assert time.monotonic() - started < 1
        with pytest.raises(psycopg.errors.IdleInTransactionSessionTimeout):
            silent.execute("SELECT 1")  # the server ended the silent session
    finally:
        other.close()
        silent.close()
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS timeout_probe")
