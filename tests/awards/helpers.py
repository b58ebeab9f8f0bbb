"""What the tests of the organisers' pages that configure an award share: the data their
forms post, the award's status and audit trail, and why criteria are locked while judging.
The award and its ``structure`` are fixtures in conftest.py."""

import datetime as dt

from awards.models import AuditEntry, Award

UTC = dt.UTC

CRITERION_LOCKED_WHILE_JUDGING = (
    "Criteria can only be added, changed or deleted while the award is “Draft” or "
    "“Open for submissions”, so that every entry is judged against the same criteria; "
    "it is “Judging” now."
)


def category_data(**overrides: str) -> dict[str, str]:
    data = {
        "code": "ENE",
        "name_de": "Energie",
        "name_en": "Energy",
        "description_de": "",
        "description_en": "",
        "prize_amount": "5000",
        "max_entries_per_organisation": "2",
        "position": "1",
    }
    data.update(overrides)
    return data


def criterion_data(**overrides: str) -> dict[str, str]:
    data = {
        "name_de": "Marktpotenzial",
        "name_en": "Market potential",
        "description_de": "",
        "description_en": "",
        "weight": "2.5",
        "scale_min": "0",
        "scale_max": "5",
        "score_control": "buttons",
        "position": "1",
        # The score levels' rows (none sent; tests/awards/test_rubric_levels.py sends some).
        "levels-TOTAL_FORMS": "0",
        "levels-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def round_data(**overrides: str) -> dict[str, str]:
    data = {
        "number": "2",
        "name_de": "Finalrunde",
        "name_en": "Final round",
        "kind": "final",
        "shortlist_size": "",
        "method": "scores",
        "deadline_at": "",
    }
    data.update(overrides)
    return data


def set_status(award: Award, status: str) -> None:
    Award.objects.filter(pk=award.pk).update(status=status)
    award.refresh_from_db()


def actions(award: Award) -> list[str]:
    return list(
        AuditEntry.objects.filter(award=award).order_by("pk").values_list("action", flat=True)
    )
