"""The results app's part of an applicant's pages (``submissions.outcome_parts``): the
jury's feedback once the edition's feedback is released."""

from __future__ import annotations

from collections.abc import Sequence

from accounts.models import User
from submissions.models import Submission
from submissions.outcome_parts import OutcomePart

from .selectors.feedback import applicant_feedback


def feedback_parts(entries: Sequence[Submission], user: User) -> dict[int, list[OutcomePart]]:
    """The feedback block of each entry with something to read. The pages ask only for
    entries the user may view; what is in the block is decided by ``applicant_feedback``
    (released, approved texts only, never another entry's scores)."""
    return {
        entry_id: [
            OutcomePart(
                template="results/_feedback_part.html",
                row_template="results/_feedback_row.html",
                context={"feedback": feedback, "submission_id": entry_id},
                order=10,
            )
        ]
        for entry_id, feedback in applicant_feedback(entries).items()
        if not feedback.empty
    }
