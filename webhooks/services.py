"""Webhooks: the organisers' endpoints and the delivery outbox.

An event (``core.events.event_emit``, called by a service inside its transaction) becomes one
``WebhookDelivery`` per active endpoint of the award subscribed to it, written in the same
transaction (``deliveries_record``), and a task is enqueued once it commits. The task sends it
(``delivery_send``): claimed with a conditional update, the address checked again (and the
connection pinned to the checked address: ``addresses``), signed, posted; retried with
backoff; after ``DISABLE_AFTER`` failed attempts in a row the endpoint is switched off and its
award's organisers get a mail. The beat sweep (``deliveries_sweep``) sends what is due and what
a lost worker left in "sending".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import http.client
import json
import logging
import socket
import ssl
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from awards.enums import AwardRoleKind
from awards.models import Award, AwardRole
from awards.services import audit_log
from core.events import EVENTS
from core.queue import enqueue, enqueue_on_commit
from notifications.services import notify

from .addresses import Target, UnsafeAddress, url_check
from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, endpoint_secret

log = logging.getLogger("laurel.webhooks")

# After a failed attempt n (1, 2, …) the next one waits RETRY_DELAYS[n - 1] seconds; after the
# last the delivery has failed (7 attempts over about 21 hours).
RETRY_DELAYS = (60, 5 * 60, 30 * 60, 2 * 3600, 6 * 3600, 12 * 3600)
# Failed attempts in a row (over all of an endpoint's deliveries) that switch it off.
DISABLE_AFTER = 10
TIMEOUT = 10  # seconds to connect, and between bytes of the answer
ATTEMPT_TIMEOUT = 30  # seconds for the whole attempt, whatever the receiver does
# A delivery in "sending" longer than this was left by a worker that died: sent again.
SENDING_LEASE = dt.timedelta(minutes=2)
SWEEP_BATCH = 500
# A pending delivery whose task should have run this long ago is enqueued again by the sweep
# (its task was lost); a retry's own countdown task usually comes first.
PENDING_GRACE = dt.timedelta(seconds=30)
USER_AGENT = "Laurel-Webhooks/1"


class WebhookError(ValidationError):
    pass


# --- The organisers' endpoints ---------------------------------------------------------------


def _clean(*, url: str, description: str, events: list[str]) -> tuple[str, str, list[str]]:
    """The values to store, or ``WebhookError`` with every problem at its field."""
    errors: dict[str, list[str]] = {}
    url = (url or "").strip()
    if len(url) > 500:
        errors["url"] = [_("The address may have at most 500 characters.")]
    else:
        try:
            url_check(url)
        except UnsafeAddress as error:
            errors["url"] = error.messages
    unknown = [name for name in events if name not in EVENTS]
    if unknown:
        errors["events"] = [_("Unknown event: %(names)s.") % {"names": ", ".join(unknown)}]
    elif not events:
        errors["events"] = [_("Choose at least one event.")]
    if errors:
        raise WebhookError(errors)
    ordered = [name for name in EVENTS if name in set(events)]
    return url, (description or "").strip()[:200], ordered


@transaction.atomic
def endpoint_create(
    *, award: Award, actor: User, url: str, events: list[str], description: str = ""
) -> WebhookEndpoint:
    """Register an endpoint of ``award``. Refused (``WebhookError`` at the field) for an
    address that is not https or not public (``addresses.url_check``, which resolves it), or
    for no or unknown events. Side effect: audit entry ``webhook.created``."""
    url, description, events = _clean(url=url, description=description, events=events)
    endpoint = WebhookEndpoint.objects.create(
        award=award, url=url, description=description, events=events, created_by=actor
    )
    audit_log(
        award=award,
        actor=actor,
        action="webhook.created",
        target=endpoint,
        data={"url": url, "events": events},
    )
    return endpoint


@transaction.atomic
def endpoint_update(
    *, endpoint: WebhookEndpoint, actor: User, url: str, events: list[str], description: str = ""
) -> WebhookEndpoint:
    """Change an endpoint's address, description and events (checked as when created).
    Side effect: audit entry ``webhook.updated`` with what changed."""
    url, description, events = _clean(url=url, description=description, events=events)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    before = {"url": endpoint.url, "events": endpoint.events, "description": endpoint.description}
    after = {"url": url, "events": events, "description": description}
    if before == after:
        return endpoint
    endpoint.url, endpoint.events, endpoint.description = url, events, description
    endpoint.save(update_fields=["url", "events", "description"])
    audit_log(
        award=endpoint.award,
        actor=actor,
        action="webhook.updated",
        target=endpoint,
        data={
            "before": {k: v for k, v in before.items() if v != after[k]},
            "after": {k: v for k, v in after.items() if v != before[k]},
        },
    )
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint, actor: User) -> None:
    """Delete an endpoint with its delivery log. Side effect: audit entry ``webhook.deleted``."""
    audit_log(
        award=endpoint.award,
        actor=actor,
        action="webhook.deleted",
        target=endpoint,
        data={"url": endpoint.url},
    )
    endpoint.delete()


@transaction.atomic
def endpoint_secret_rotate(*, endpoint: WebhookEndpoint, actor: User) -> WebhookEndpoint:
    """Give the endpoint a new signing secret; the old one signs nothing from now on (also
    not the retries of earlier deliveries). Side effect: audit entry ``webhook.secret_rotated``
    (without the secret)."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.secret = endpoint_secret()
    endpoint.save(update_fields=["secret"])
    audit_log(
        award=endpoint.award,
        actor=actor,
        action="webhook.secret_rotated",
        target=endpoint,
        data={"url": endpoint.url},
    )
    return endpoint


@transaction.atomic
def endpoint_enable(*, endpoint: WebhookEndpoint, actor: User) -> WebhookEndpoint:
    """Switch a disabled endpoint on again, its failures forgotten. Deliveries that failed
    meanwhile are not sent by themselves (the log offers each for redelivery). Side effect:
    audit entry ``webhook.enabled``."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if endpoint.is_active:
        return endpoint
    endpoint.is_active = True
    endpoint.consecutive_failures = 0
    endpoint.disabled_at = None
    endpoint.disabled_reason = ""
    endpoint.save(
        update_fields=["is_active", "consecutive_failures", "disabled_at", "disabled_reason"]
    )
    audit_log(
        award=endpoint.award,
        actor=actor,
        action="webhook.enabled",
        target=endpoint,
        data={"url": endpoint.url},
    )
    return endpoint


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery, actor: User) -> WebhookDelivery:
    """Send a delivery again now, whatever its state (the same event id and body, signed
    anew), with a new series of attempts. Refused while its endpoint is disabled. Side
    effects: audit entry ``webhook.redelivered``; the send task, on commit."""
    delivery = (
        WebhookDelivery.objects.select_for_update(of=("self",))
        .select_related("endpoint")
        .get(pk=delivery.pk)
    )
    if not delivery.endpoint.is_active:
        raise WebhookError(_("The endpoint is disabled. Enable it first, then send again."))
    if delivery.status == DeliveryStatus.SENDING:
        raise WebhookError(_("This delivery is being sent right now."))
    # A new series of attempts, with the retries of the first sending (an exhausted one
    # would otherwise fail for good at its first error).
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    audit_log(
        award=delivery.endpoint.award,
        actor=actor,
        action="webhook.redelivered",
        target=delivery.endpoint,
        data={"event": delivery.event, "event_id": str(delivery.event_id)},
    )
    _enqueue_send(delivery.pk)
    return delivery


# --- Recording events --------------------------------------------------------------------------


def deliveries_record(*, award_id: int, name: str, payload: dict[str, Any]) -> list[int]:
    """One pending delivery per active endpoint of the award subscribed to ``name``, in the
    caller's transaction; the send task of each is enqueued once it commits. Returns their
    ids. (Connected to ``core.events.domain_event`` in ``WebhooksConfig.ready``.)"""
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(award_id=award_id, is_active=True).only(
            "pk", "events"
        )
        if name in (endpoint.events or [])
    ]
    if not endpoints:
        return []
    now = timezone.now()
    event_id = uuid.uuid4()
    body = {
        "id": str(event_id),
        "event": name,
        "created_at": now.isoformat().replace("+00:00", "Z"),
        "data": payload,
    }
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint,
                event=name,
                event_id=event_id,
                payload=body,
                next_attempt_at=now,
            )
            for endpoint in endpoints
        ]
    )
    ids = [delivery.pk for delivery in deliveries]
    for pk in ids:
        _enqueue_send(pk)
    return ids


def _enqueue_send(delivery_id: int) -> None:
    from .tasks import deliver_webhook

    enqueue_on_commit(deliver_webhook, delivery_id)


# --- Sending -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one call of ``delivery_send`` did: ``delivered``, ``retry`` (in ``retry_in``
    seconds), ``failed``, or ``skipped`` (not due, or someone else is sending it)."""

    outcome: str
    retry_in: int | None = None


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    """``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the secret>``."""
    signed = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def body_bytes(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Plain http (tests only) to the checked address; ``Host`` keeps the name."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._ip = target.ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """https to the checked address; the certificate is checked for the host name (SNI)."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._ip = target.ip

    def connect(self) -> None:
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _cut(connection: http.client.HTTPConnection) -> None:
    """End an attempt that takes too long: the blocked read fails at once."""
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # it ended meanwhile
            sock.shutdown(socket.SHUT_RDWR)


def _post(target: Target, body: bytes, headers: dict[str, str]) -> int:
    """POST ``body`` to ``target``; the answer's status code (redirects are not followed).
    ``TIMEOUT`` bounds each wait; ``ATTEMPT_TIMEOUT`` the whole attempt, so a receiver that
    trickles one byte at a time cannot hold a worker (the connection is cut)."""
    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = kind(target, TIMEOUT)
    watchdog = threading.Timer(ATTEMPT_TIMEOUT, _cut, args=(connection,))
    watchdog.daemon = True
    started = time.monotonic()
    watchdog.start()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)  # what the receiver says is not kept
        return response.status
    except (OSError, http.client.HTTPException) as failure:
        if time.monotonic() - started >= ATTEMPT_TIMEOUT:
            raise TimeoutError(f"no complete answer within {ATTEMPT_TIMEOUT} s") from failure
        raise
    finally:
        watchdog.cancel()
        connection.close()


def _claim(delivery_id: int, now: dt.datetime) -> WebhookDelivery | None:
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now,
    ).update(
        status=DeliveryStatus.SENDING,
        attempts=F("attempts") + 1,
        next_attempt_at=now + SENDING_LEASE,
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def delivery_send(*, delivery_id: int, now: dt.datetime | None = None) -> Outcome:
    """Send one due delivery and record the attempt on its row. Safe to run twice: only the
    call that moves it from pending to sending sends it.

    The endpoint's address is resolved and checked again and the connection goes to the
    checked address. 2xx: delivered. Anything else (another status, a refused address, a
    timeout, a connection error): the attempt is logged with its status code or error and
    time, and the delivery is retried after ``RETRY_DELAYS`` (failed after the last). Side
    effects of a failed attempt: the endpoint's count of failures in a row, and at
    ``DISABLE_AFTER`` the endpoint is disabled and its organisers mailed
    (``webhooks.endpoint_disabled``). A disabled endpoint's deliveries are not sent (failed).
    """
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return Outcome("skipped")
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        entry = {"at": now.isoformat(), "status_code": None, "error": "endpoint disabled", "ms": 0}
        WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.FAILED,
            attempts=F("attempts") - 1,  # nothing was attempted
            log=[*delivery.log, entry],
            next_attempt_at=None,
        )
        return Outcome("failed")
    body = body_bytes(delivery.payload)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Laurel-Event": delivery.event,
        "Laurel-Delivery": str(delivery.event_id),
        "Laurel-Signature": signature_header(endpoint.secret, body, timestamp),
    }
    started = time.monotonic()
    status_code: int | None = None
    error = ""
    try:
        status_code = _post(url_check(endpoint.url), body, headers)
    except UnsafeAddress as refused:
        error = " ".join(refused.messages)
    except Exception as failure:
        error = f"{type(failure).__name__}: {failure}"[:300]
    ms = int((time.monotonic() - started) * 1000)
    finished = timezone.now()
    entry = {"at": finished.isoformat(), "status_code": status_code, "error": error, "ms": ms}
    if status_code is not None and 200 <= status_code < 300:
        WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.DELIVERED,
            log=[*delivery.log, entry],
            last_status_code=status_code,
            delivered_at=finished,
            next_attempt_at=None,
        )
        if endpoint.consecutive_failures:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        return Outcome("delivered")
    if not error:
        error = f"HTTP {status_code}"
        entry["error"] = error
    attempt = delivery.attempts
    retry_in = RETRY_DELAYS[attempt - 1] if attempt <= len(RETRY_DELAYS) else None
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.PENDING if retry_in else DeliveryStatus.FAILED,
            log=[*delivery.log, entry],
            last_status_code=status_code,
            next_attempt_at=finished + dt.timedelta(seconds=retry_in) if retry_in else None,
        )
        _failure_count(endpoint, error=error, now=finished)
    log.warning(
        "webhook delivery %s to endpoint %s: %s%s",
        delivery.pk,
        endpoint.pk,
        error,
        f", retry in {retry_in} s" if retry_in else ", failed for good",
    )
    return Outcome("retry", retry_in) if retry_in else Outcome("failed")


def _failure_count(endpoint: WebhookEndpoint, *, error: str, now: dt.datetime) -> None:
    """One more failed attempt in a row; the endpoint is disabled at ``DISABLE_AFTER``."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    reason = _("%(count)d failed attempts in a row; the last: %(error)s") % {
        "count": DISABLE_AFTER,
        "error": error,
    }
    disabled = WebhookEndpoint.objects.filter(
        pk=endpoint.pk, is_active=True, consecutive_failures__gte=DISABLE_AFTER
    ).update(is_active=False, disabled_at=now, disabled_reason=reason[:300])
    if disabled:
        _organisers_tell(endpoint, error=error, now=now)


def _organisers_tell(endpoint: WebhookEndpoint, *, error: str, now: dt.datetime) -> None:
    award = endpoint.award
    url = settings.SITE_URL + reverse("webhooks:list", kwargs={"slug": award.slug})
    roles = AwardRole.objects.filter(award=award, role=AwardRoleKind.ORGANISER).select_related(
        "user"
    )
    for role in roles:
        notify(
            key="webhooks.endpoint_disabled",
            award=award,
            idempotency_key=f"webhooks.endpoint_disabled:{endpoint.pk}:{now.isoformat()}:"
            f"{role.user_id}",
            recipient=role.user,
            values={
                "endpoint_url": endpoint.url,
                "failures": DISABLE_AFTER,
                "last_error": error[:200],
                "webhooks_url": url,
            },
        )


def deliveries_sweep(*, now: dt.datetime | None = None) -> int:
    """Enqueue the deliveries that are due (retries, and pending ones whose task was lost)
    and put those a dead worker left in "sending" back (sent again, same event id). Returns
    how many were enqueued. Run by beat every minute (``webhooks.sweep``)."""
    from .tasks import deliver_webhook

    now = now or timezone.now()
    with transaction.atomic():
        stuck = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.SENDING, next_attempt_at__lt=now)
            .select_related("endpoint")
        )
        # The attempt's worker died (or was cut) without recording it: a failed attempt,
        # counted like any other, so attempts still end and the endpoint can be disabled.
        error = "the attempt ended without an answer being recorded (worker stopped)"
        for delivery in stuck:
            last = delivery.attempts > len(RETRY_DELAYS)
            entry = {"at": now.isoformat(), "status_code": None, "error": error, "ms": None}
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.FAILED if last else DeliveryStatus.PENDING,
                next_attempt_at=None if last else now,
                log=[*delivery.log, entry],
            )
            _failure_count(delivery.endpoint, error=error, now=now)
        stuck = [d.pk for d in stuck if d.attempts <= len(RETRY_DELAYS)]
    due = list(
        WebhookDelivery.objects.filter(
            Q(status=DeliveryStatus.PENDING)
            & (Q(next_attempt_at__lte=now - PENDING_GRACE) | Q(pk__in=stuck))
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for pk in due:
        enqueue(deliver_webhook, pk)
    return len(due)
