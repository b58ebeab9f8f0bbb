"""The Celery application. Configuration comes from Django settings (``CELERY_*``)."""

import os

from celery import Celery
from kombu.transport import TRANSPORT_ALIASES

from config import broker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

# The embedded broker (no server): sqlite:///path/to/broker.sqlite3, see config/broker.py.
TRANSPORT_ALIASES.setdefault(broker.SCHEME, "config.broker:Transport")

app = Celery("laurel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="laurel.ping", ignore_result=False, acks_late=True)
def ping() -> dict:
    """Prove the wiring end to end: broker → worker → Django → database → result backend."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return {"pong": True, "database": connection.vendor, "select": one}
