"""Every write of the results app. Callers import from here (``from results import
services``); reads are in ``results.selectors``."""

from .decisions import Choice, DecisionError, decision_confirm, decision_reopen
from .publication import (
    PublicationError,
    decision_label,
    publication_cancel,
    publication_schedule,
    results_publish,
    results_publish_due,
    results_url,
    results_visible,
)
from .shortlist import shortlist_take

__all__ = [
    "Choice",
    "DecisionError",
    "PublicationError",
    "decision_confirm",
    "decision_label",
    "decision_reopen",
    "publication_cancel",
    "publication_schedule",
    "results_publish",
    "results_publish_due",
    "results_url",
    "results_visible",
    "shortlist_take",
]
