"""Every non-trivial read of jury data, by topic; callers import from here (``from jury
import selectors``). Each page's queries are fixed in number, whatever the size of the jury
or the field of entries.

- ``jurors``: seats, the jury and its invitations and conflicts, who judges which award;
- ``work``: a juror's assignments, reviews (and which other reviews they may see), finalists
  and ballots; the entries of a round;
- ``dashboard``: the juror's home;
- ``conflicts``: the juror's conflicts page and the suggestions not recorded yet;
- ``progress``: the organisers' progress page, what closing a round leaves out, the open work
  behind reminders and when each juror was last reminded;
- ``calibration``: calibration entries, the gate before a juror's other entries, and how a
  juror's scores on them compare with the other jurors'.
"""

from .calibration import (
    CALIBRATION_MAX,
    CALIBRATION_MIN,
    MIN_OTHERS,
    CalibrationOverview,
    CalibrationPlan,
    Comparison,
    JurorCalibration,
    calibration_counts_by_category,
    calibration_entries,
    calibration_for_juror,
    calibration_gate,
    calibration_missing,
    calibration_overview,
    calibration_pending,
    calibration_pending_categories,
    calibration_plan,
    is_calibration_entry,
    pool_jurors,
)
from .conflicts import ConflictRow, Suggestion, conflict_rows, conflict_suggestions
from .dashboard import (
    CategoryBallot,
    DashboardFilter,
    DashboardRound,
    ReviewNavigation,
    dashboard_rounds,
    review_navigation,
    status_of,
    work_key,
)
from .jurors import (
    JURY_VISIBLE_STATUSES,
    awards_judged_by,
    conflicts_of_award,
    juror_category_ids,
    juror_for,
    jurors_of_award,
    jury_invitations,
    jury_members,
    submissions_in_juror_categories,
)
from .progress import (
    Progress,
    ProgressRow,
    ReminderRow,
    open_work_by_juror,
    reminder_interval,
    reminder_rows,
    reminders_last_sent,
    round_close_summary,
    round_progress,
)
from .work import (
    assignments_for_juror,
    ballots_of_round,
    current_round,
    finalists_for_juror,
    has_submitted_review,
    other_review_rows,
    other_reviews,
    review_status,
    round_submissions,
    submission_for_review,
)

__all__ = [
    "CALIBRATION_MAX",
    "CALIBRATION_MIN",
    "JURY_VISIBLE_STATUSES",
    "MIN_OTHERS",
    "CalibrationOverview",
    "CalibrationPlan",
    "CategoryBallot",
    "Comparison",
    "ConflictRow",
    "DashboardFilter",
    "DashboardRound",
    "JurorCalibration",
    "Progress",
    "ProgressRow",
    "ReminderRow",
    "ReviewNavigation",
    "Suggestion",
    "assignments_for_juror",
    "awards_judged_by",
    "ballots_of_round",
    "calibration_counts_by_category",
    "calibration_entries",
    "calibration_for_juror",
    "calibration_gate",
    "calibration_missing",
    "calibration_overview",
    "calibration_pending",
    "calibration_pending_categories",
    "calibration_plan",
    "conflict_rows",
    "conflict_suggestions",
    "conflicts_of_award",
    "current_round",
    "dashboard_rounds",
    "finalists_for_juror",
    "has_submitted_review",
    "is_calibration_entry",
    "juror_category_ids",
    "juror_for",
    "jurors_of_award",
    "jury_invitations",
    "jury_members",
    "open_work_by_juror",
    "other_review_rows",
    "other_reviews",
    "pool_jurors",
    "reminder_interval",
    "reminder_rows",
    "reminders_last_sent",
    "review_navigation",
    "review_status",
    "round_close_summary",
    "round_progress",
    "round_submissions",
    "status_of",
    "submission_for_review",
    "submissions_in_juror_categories",
    "work_key",
]
