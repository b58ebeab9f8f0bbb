"""The scene of the organisers' pages that configure an award (test_manage_page.py,
test_settings_views.py, test_structure_views.py): ``award`` in Europe/Berlin with fixed dates
and its ``structure``, one category, criterion and round. Modules that need another award
define their own. ``organiser`` and ``superuser`` are in tests/conftest.py; the helpers are in
helpers.py.
"""

import datetime as dt

import pytest

from tests.awards.helpers import UTC
from tests.factories import AwardFactory, CategoryFactory, CriterionFactory, RoundFactory


@pytest.fixture
def award():
    return AwardFactory(
        name="Lightweight Innovation Award",
        edition=2027,
        slug="lia-2027",
        timezone="Europe/Berlin",
        submissions_open_at=dt.datetime(2026, 9, 1, 8, 0, tzinfo=UTC),
        submissions_close_at=dt.datetime(2026, 10, 20, 16, 0, tzinfo=UTC),
        jury_deadline_at=dt.datetime(2026, 12, 1, 11, 0, tzinfo=UTC),
        announcement_at=dt.datetime(2027, 1, 15, 17, 0, tzinfo=UTC),
    )


@pytest.fixture
def structure(award):
    """One category, criterion and round of ``award``, by the URL-name prefix."""
    return {
        "category": CategoryFactory(award=award, code="MOB", name_en="Mobility"),
        "criterion": CriterionFactory(award=award, name_en="Degree of innovation"),
        "round": RoundFactory(award=award, number=1, name_en="Scoring round"),
    }
