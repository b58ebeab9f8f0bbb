"""What the tests of the results services share: an award that ranks raw scores, reviews
and ballots made through the real services, and reading a ranking's places. The final round
(``final``) is a fixture in conftest.py."""

from jury import services
from jury.models import Ballot
from tests.factories import judging_setup


def raw_setup(**kwargs):
    """``judging_setup`` with the award ranking plain means of raw totals (the default is
    z-scores), so that places can be worked out by hand."""
    setup = judging_setup(**kwargs)
    setup.award.ranking_normalisation = "raw"
    setup.award.save()
    setup.round.refresh_from_db()
    return setup


def scored(setup, juror, submission, first, second=None, *, submit=True):
    """``juror`` scores ``submission`` through the real services (assignment, review)."""
    assignment = services.assignment_add(
        round=setup.round, juror=juror, submission=submission, actor=setup.organiser
    )
    second = first if second is None else second
    return services.review_save(
        assignment=assignment,
        actor=juror.user,
        version=0,
        scores={setup.criteria[0].pk: first, setup.criteria[1].pk: second},
        submit=submit,
    )


def places_of(ranking):
    return [(row.submission_id, row.place, row.tied, row.reviews) for row in ranking.rows]


def ballot(setup, juror, ranking, status="submitted"):
    return Ballot.objects.create(
        round=setup.final,
        juror=juror,
        category=setup.category,
        ranking={str(entry.pk): rank for entry, rank in ranking.items()},
        status=status,
    )
