"""Every write of the results app. Callers import from here (``from results import
services``); reads are in ``results.selectors``."""

from .decisions import (
    STATEMENT_MAX_LENGTH,
    Choice,
    DecisionError,
    decision_confirm,
    decision_present,
    decision_reopen,
)
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
    "STATEMENT_MAX_LENGTH",
    "Choice",
    "DecisionError",
    "PublicationError",
    "decision_confirm",
    "decision_label",
    "decision_present",
    "decision_reopen",
    "publication_cancel",
    "publication_schedule",
    "results_publish",
    "results_publish_due",
    "results_url",
    "results_visible",
    "shortlist_take",
]
