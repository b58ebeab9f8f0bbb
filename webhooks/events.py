"""The events an endpoint may subscribe to, by name (``core.events.EVENTS``), in words."""

from django.utils.translation import gettext_lazy as _

from core.events import EVENTS

EVENT_LABELS = {
    "entry.submitted": _("An entry was submitted"),
    "entry.withdrawn": _("An entry was withdrawn"),
    "entry.eligibility_decided": _("The eligibility of an entry was decided"),
    "review.submitted": _("A juror submitted a review"),
    "round.opened": _("A jury round was opened"),
    "round.closed": _("A jury round was closed"),
    "results.published": _("The results were published"),
}

assert set(EVENT_LABELS) == set(EVENTS)  # a new event needs its words

EVENT_CHOICES = [(name, f"{name}: {EVENT_LABELS[name]}") for name in EVENTS]
