"""The ranking as jurors see it (results:jury_ranking), where the award shows it to the jury:
not at all unless it allows it, and never with the entries a juror is in conflict with."""

import pytest
from django.urls import reverse

from jury import services
from jury.models import Assignment
from tests.factories import judging_setup

pytestmark = pytest.mark.django_db

# --- The ranking, where the award shows it to the jury ----------------------------------


def _ranked_award():
    from jury.enums import ConflictSource, ConflictStatus
    from jury.models import Conflict

    setup = judging_setup(entries=3, jurors=2, k=2)
    reviewer, conflicted = setup.jurors
    for index, submission in enumerate(setup.submissions):
        assignment = Assignment.objects.create(
            round=setup.round, juror=reviewer, submission=submission
        )
        services.review_save(
            assignment=assignment,
            actor=reviewer.user,
            version=0,
            scores={c.pk: 3 + 3 * index for c in setup.criteria},
            submit=True,
        )
    Conflict.objects.create(
        juror=conflicted,
        organisation=setup.submissions[2].organisation,
        status=ConflictStatus.CONFIRMED,
        source=ConflictSource.JUROR,
    )
    return setup, reviewer, conflicted


def test_the_ranking_is_not_shown_to_jurors_unless_the_award_allows_it(client):
    setup, reviewer, _conflicted = _ranked_award()
    client.force_login(reviewer.user)
    url = reverse("results:jury_ranking", kwargs={"slug": setup.award.slug})

    assert client.get(url).status_code == 404
    assert (
        'data-testid="ranking-link"'
        not in client.get(
            reverse("jury:dashboard", kwargs={"slug": setup.award.slug})
        ).content.decode()
    )


def test_where_allowed_jurors_see_the_ranking_without_the_entries_they_are_in_conflict_with(
    client,
):
    setup, reviewer, conflicted = _ranked_award()
    setup.award.jurors_see_ranking = True
    setup.award.ranking_normalisation = "raw"
    setup.award.save()
    url = reverse("results:jury_ranking", kwargs={"slug": setup.award.slug})
    first, second, best = setup.submissions

    client.force_login(reviewer.user)
    page = client.get(url).content.decode()
    assert page.index(best.title) < page.index(second.title) < page.index(first.title)

    client.force_login(conflicted.user)
    page = client.get(url).content.decode()
    assert best.title not in page
    assert best.organisation.name not in page
    assert second.title in page
