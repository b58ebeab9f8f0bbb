"""Every write on awards, by topic. Each function validates, saves and logs in one transaction.

Callers import from here (``from awards import services``); the modules are an internal split.
"""

from .audit import GENESIS_HASH, audit_erase_values, audit_log, audit_verify
from .configuration import (
    AWARD_SETTINGS_FIELDS,
    CATEGORY_FIELDS,
    CRITERION_FIELDS,
    ROUND_FIELDS,
    STRUCTURE_EDITABLE_STATUSES,
    LevelInput,
    StructureLockedError,
    award_update,
    category_create,
    category_delete,
    category_update,
    criterion_create,
    criterion_delete,
    criterion_update,
    level_error_key,
    round_create,
    round_delete,
    round_update,
    rubric_level_errors,
    structure_locked_reason,
)
from .lifecycle import AwardTransitionError, award_role_grant, award_transition

__all__ = [
    "AWARD_SETTINGS_FIELDS",
    "CATEGORY_FIELDS",
    "CRITERION_FIELDS",
    "GENESIS_HASH",
    "ROUND_FIELDS",
    "STRUCTURE_EDITABLE_STATUSES",
    "AwardTransitionError",
    "LevelInput",
    "StructureLockedError",
    "audit_erase_values",
    "audit_log",
    "audit_verify",
    "award_role_grant",
    "award_transition",
    "award_update",
    "category_create",
    "category_delete",
    "category_update",
    "criterion_create",
    "criterion_delete",
    "criterion_update",
    "level_error_key",
    "round_create",
    "round_delete",
    "round_update",
    "rubric_level_errors",
    "structure_locked_reason",
]
