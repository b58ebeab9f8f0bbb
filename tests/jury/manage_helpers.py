"""What the tests of the organisers' jury pages share: addresses (the round page and its
shortlist are the results app's), reading the pages, reviews and assignments made through the
services, and the world they run in (``judging_world``; the ``s`` fixture in conftest.py)."""

import uuid

from django.urls import reverse
from django.utils.html import escape

from jury import services
from jury.models import Assignment, Review
from tests.factories import judging_setup
from tests.helpers import prefer_english, text


def url(s, name: str, **kwargs) -> str:
    # The round page and its shortlist are the results app's, in the jury area.
    namespace = "results_manage" if name in {"round", "shortlist"} else "jury_manage"
    return reverse(f"{namespace}:{name}", kwargs={"slug": s.award.slug, **kwargs})


def has_text(response, message: str) -> bool:
    """``message`` as the page shows it (HTML-escaped)."""
    return escape(message) in text(response)


def followed_messages(client, response) -> list[str]:
    assert response.status_code == 302, response.status_code
    page = client.get(response["Location"])
    return [str(m) for m in page.context["messages"]]


def confirm_assignment_run(client, s, number: int = 1):
    """POST the confirmation of the assignments' computation, as its plan page sends it
    (``confirm`` and the fingerprint of the plan shown)."""
    plan = services.assignment_plan(round=s.award.rounds.get(number=number))
    return client.post(
        url(s, "assignments_run", number=number), {"confirm": "on", "plan": plan.fingerprint}
    )


def confirm_remind(client, s, number: int = 1, **data):
    """POST the confirmation of reminders by hand, as the reminder page sends it (``confirm``
    and a fresh one-time token); ``data`` adds ``juror`` or ``force``."""
    return client.post(
        url(s, "remind", number=number), {"confirm": "on", "token": str(uuid.uuid4()), **data}
    )


def submit_review(assignment: Assignment, value: int, **kwargs) -> Review:
    return services.review_save(
        assignment=assignment,
        actor=assignment.juror.user,
        version=0,
        scores={c.pk: value for c in assignment.round.award.criteria.all()},
        submit=True,
        **kwargs,
    )


def assign(s, juror_index: int, entry_index: int) -> Assignment:
    return Assignment.objects.create(
        round=s.round, juror=s.jurors[juror_index], submission=s.submissions[entry_index]
    )


def judging_world():
    """An award in judging (Europe/Berlin) with one category, 3 eligible entries in the open
    round 1, 3 ready jurors, k = 2, its organiser (English), and a second award with its own
    organiser, juror, entry and review."""
    world = judging_setup(entries=3, jurors=3, criteria=2, k=2)
    prefer_english(world.organiser)
    other = judging_setup(entries=1, jurors=1, criteria=1, k=1)
    other_assignment = Assignment.objects.create(
        round=other.round, juror=other.jurors[0], submission=other.submissions[0]
    )
    other.review = submit_review(other_assignment, 5)
    other.assignment = other_assignment
    other.invitation = services.juror_invite(
        award=other.award,
        email="elsewhere@uni-example.de",
        categories=[other.category],
        actor=other.organiser,
    )
    world.other = other
    world.applicant = world.submissions[0].created_by
    return world
