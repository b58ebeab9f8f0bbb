"""Every write on organisations and entries, by topic; callers import from here."""

from .attachments import StorageUnavailable, attachment_add, attachment_delete
from .entries import (
    DeadlinePassed,
    EntryLimitReached,
    IncompleteSubmission,
    StaleVersion,
    SubmissionTransitionError,
    deadline_extend,
    deadline_for,
    editing_allowed,
    eligibility_decide,
    ensure_editable,
    ensure_withdrawable,
    missing_items,
    submission_create,
    submission_reopen,
    submission_submit,
    submission_update,
    submission_withdraw,
)
from .organisations import (
    invitation_accept,
    organisation_create,
    organisation_invite,
    organisation_update,
)
from .previews import (
    attachment_previews_remove,
    attachment_previews_render,
    attachment_previews_sweep,
)
from .reminders import draft_reminders_send

__all__ = [
    "DeadlinePassed",
    "EntryLimitReached",
    "IncompleteSubmission",
    "StaleVersion",
    "StorageUnavailable",
    "SubmissionTransitionError",
    "attachment_add",
    "attachment_delete",
    "attachment_previews_remove",
    "attachment_previews_render",
    "attachment_previews_sweep",
    "deadline_extend",
    "deadline_for",
    "draft_reminders_send",
    "editing_allowed",
    "eligibility_decide",
    "ensure_editable",
    "ensure_withdrawable",
    "invitation_accept",
    "missing_items",
    "organisation_create",
    "organisation_invite",
    "organisation_update",
    "submission_create",
    "submission_reopen",
    "submission_submit",
    "submission_update",
    "submission_withdraw",
]
