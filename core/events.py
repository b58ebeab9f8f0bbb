"""What happened in an award, for whoever listens: the webhooks app turns each event into
deliveries to the organisers' endpoints.

Services call ``event_emit`` **inside** their transaction, right where the change is made:
a receiver writes its rows in the same transaction, so an event is recorded exactly when
its change commits (and never for a change that rolled back). The payload is plain JSON
(ids, references, states), never a person's text.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

# kwargs: award_id (int), name (str, one of EVENTS), payload (dict of JSON values)
domain_event = Signal()

EVENTS = (
    "entry.submitted",
    "entry.withdrawn",
    "entry.eligibility_decided",
    "review.submitted",
    "round.opened",
    "round.closed",
    "results.published",
)


def event_emit(*, award_id: int, name: str, payload: dict[str, Any]) -> None:
    """Tell the listeners that ``name`` happened in award ``award_id``. Call it inside the
    transaction of the change; a listener's failure fails the change (as any write would)."""
    if name not in EVENTS:
        raise ValueError(f"unknown event {name!r}")
    domain_event.send(sender=None, award_id=award_id, name=name, payload=payload)
