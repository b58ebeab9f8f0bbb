"""Handing work to Celery without ever turning a committed change into an error.

Every job Laurel enqueues is recorded in the database first (a message in the outbox, an
announcement with its expansion cursor, a publication moment), and a beat sweeper finds the
ones whose task never ran. So a broker that is down when a task is sent loses nothing: the
send is logged, the user sees their change saved, the health check reports the broker, and
the sweeper enqueues the work once the broker is back.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q

log = logging.getLogger("laurel.queue")


def enqueue(
    task: Any,
    *args: Any,
    countdown: float | None = None,
    eta: dt.datetime | None = None,
) -> bool:
    """Send ``task`` now; False (logged) when the broker cannot take it. For work that is
    recorded in the database and swept, never for anything else."""
    try:
        task.apply_async(args, countdown=countdown, eta=eta, retry=True, retry_policy=_RETRY)
    except Exception:  # the broker's own errors differ by transport; every one means "not sent"
        log.warning("could not enqueue %s%r; the sweeper will pick it up", task.name, args)
        return False
    return True


def enqueue_on_commit(
    task: Any,
    *args: Any,
    countdown: float | None = None,
    eta: dt.datetime | None = None,
) -> None:
    """``enqueue`` once the current transaction has committed (at once outside one)."""
    transaction.on_commit(lambda: enqueue(task, *args, countdown=countdown, eta=eta))


# A broker that does not answer is given about one second, not the request's whole life.
_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.3, "interval_max": 0.5}


def overdue_by_attempts(
    waits: Sequence[dt.timedelta], *, now: dt.datetime, since: str = "requested_at"
) -> Q:
    """The rows a sweep sends again: those with n attempts whose ``since`` moment lies more
    than ``waits[n]`` back (a row's task was lost with the broker or a worker; the wait
    grows with each attempt)."""
    due = Q()
    for attempts, wait in enumerate(waits):
        due |= Q(attempts=attempts, **{f"{since}__lte": now - wait})
    return due
