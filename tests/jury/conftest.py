"""The scenes the jury's page tests share.

The jurors' pages (test_juror_*.py) run in ``jury``, with ``matrix`` when every role tries an
entry page and ``assigned`` when jurors[0] reviews the first entry; their helpers are in
juror_helpers.py. The organisers' jury pages (test_manage_*.py, and the results app's round
page in tests/results/test_round_page.py) run in ``s`` with ``organiser_client``; their
helpers are in manage_helpers.py. test_reminders.py has a ``jury`` of its own.
"""

import pytest

from tests.factories import (
    AwardFactory,
    CategoryFactory,
    JurorFactory,
    judging_setup,
    standard_answers,
)
from tests.helpers import prefer_english
from tests.jury.juror_helpers import assign, block
from tests.jury.manage_helpers import judging_world

# --- The jurors' pages --------------------------------------------------------------------


@pytest.fixture
def jury():
    """Three eligible entries of different companies, three jurors, two criteria (1–10).
    Every person reads English; each juror has a mail domain of their own, so that no
    conflict is suggested unless a test asks for one."""
    setup = judging_setup(entries=3, jurors=3, criteria=2, k=2)
    award = setup.award
    for number, juror in enumerate(setup.jurors):
        juror.user.email = f"juror{number}@jury{number}.example.net"
        juror.user.full_name = f"Juror Person {number}"
        juror.user.preferred_language = "en"
        juror.user.save(update_fields=["email", "full_name", "preferred_language"])
    for number, submission in enumerate(setup.submissions, start=1):
        submission.reference = f"LIA-{award.edition}-{setup.category.code}-{number:04d}"
        submission.title = f"Flax frame {number}"
        submission.summary = f"Summary of entry {number}"
        submission.answers = standard_answers(award, description=f"Description of entry {number}")
        submission.save()
    prefer_english(setup.organiser)
    setup.applicant = prefer_english(setup.submissions[0].created_by)
    other_award = AwardFactory(status="judging", slug="other-award")
    setup.other_juror = JurorFactory(
        award=other_award, categories=[CategoryFactory(award=other_award)]
    )
    prefer_english(setup.other_juror.user)
    return setup


@pytest.fixture
def matrix(jury):
    """jurors[0] and jurors[2] are assigned the first entry; jurors[2] is in conflict with
    its company (see ``juror_helpers.people``)."""
    assign(jury, jury.jurors[0], jury.submissions[0])
    assign(jury, jury.jurors[2], jury.submissions[0])
    block(jury.jurors[2], jury.submissions[0])
    return jury


@pytest.fixture
def assigned(jury):
    """jurors[0]'s assignment of the first entry."""
    return assign(jury, jury.jurors[0], jury.submissions[0])


# --- The organisers' jury pages -----------------------------------------------------------


@pytest.fixture
def s():
    """See ``manage_helpers.judging_world``."""
    return judging_world()


@pytest.fixture
def organiser_client(client, s):
    client.force_login(s.organiser)
    return client
