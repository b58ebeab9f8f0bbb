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
from .feedback import (
    FeedbackError,
    feedback_approve_pending,
    feedback_release_now,
    feedback_review,
    feedback_settings_save,
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
from .report import ReportError, edition_report_request
from .shortlist import shortlist_take

__all__ = [
    "STATEMENT_MAX_LENGTH",
    "Choice",
    "DecisionError",
    "FeedbackError",
    "PublicationError",
    "ReportError",
    "decision_confirm",
    "decision_label",
    "decision_present",
    "decision_reopen",
    "edition_report_request",
    "feedback_approve_pending",
    "feedback_release_now",
    "feedback_review",
    "feedback_settings_save",
    "publication_cancel",
    "publication_schedule",
    "results_publish",
    "results_publish_due",
    "results_url",
    "results_visible",
    "shortlist_take",
]
