"""The scenes the results tests share.

The organisers' results pages (test_results_access.py, test_ranking_page.py,
test_decision_page.py, test_publication_page.py) run in ``s``, an award scored by hand, with
``organiser``, a client signed in as its organiser; their helpers are in manage_helpers.py.
The results services' tests (test_ranking_services.py, test_decision_services.py) share
``final``, a ranking round; their helpers are in service_helpers.py. The round page
(test_round_page.py) runs in the jury's world and names it ``s`` there.
"""

import pytest

from jury import services
from jury.models import RoundEntry
from tests.factories import RoundFactory, judging_setup
from tests.results.manage_helpers import scored

# --- The organisers' results pages --------------------------------------------------------


@pytest.fixture
def s():
    return scored()


@pytest.fixture
def organiser(client, s):
    client.force_login(s.organiser)
    return client


# --- The results services -----------------------------------------------------------------


@pytest.fixture
def final():
    """A closed first round and a ranking round with three finalists a, b, c."""
    setup = judging_setup(entries=4, jurors=4, criteria=2)
    services.round_close(round=setup.round, actor=setup.organiser)
    final = RoundFactory(award=setup.award, number=2, method="ranking", status="open")
    for entry in setup.submissions[:3]:
        RoundEntry.objects.create(round=final, submission=entry)
    setup.final = final
    setup.a, setup.b, setup.c = setup.submissions[:3]
    return setup
