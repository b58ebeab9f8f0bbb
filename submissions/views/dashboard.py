"""The applicant's dashboard: their organisations, every entry of those organisations with its
status, deadline (and how long until it) and what is still missing, the awards open for new
entries, and a banner for the entries not submitted whose deadline is less than two days away.

It runs a fixed number of queries however many entries there are (tests/submissions/
test_dashboard.py counts them).
"""

import datetime as dt
from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from .. import dashboard_selectors as selectors
from .. import services
from ..enums import SubmissionStatus, submission_badge
from ..outcome_parts import outcome_parts
from ..selectors import form_questions_by_award


def _entry_row(submission, now: dt.datetime, questions: dict[int, list]) -> dict:
    deadline = services.deadline_for(submission)
    missing = []
    if submission.status == SubmissionStatus.DRAFT:
        form_questions = services.entry_form_questions(
            submission, questions.get(submission.award_id, [])
        )
        missing = [
            message
            for messages in services.missing_items(submission, form_questions).values()
            for message in messages
        ]
    return {
        "submission": submission,
        "badge": submission_badge(submission.status),
        # The template shows it in the award's zone: the deadline is the award's, wherever
        # the applicant sits.
        "deadline": deadline,
        "countdown": selectors.entry_countdown(
            submission,
            deadline=deadline,
            editable=services.editing_allowed(submission, now),
            now=now,
        ),
        "missing": missing,
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    memberships = list(selectors.memberships_of(request.user))
    submissions = list(selectors.submissions_of_user(request.user))
    # The forms of the awards with a draft: what is still missing is worked out from them.
    questions = form_questions_by_award(
        {s.award_id for s in submissions if s.status == SubmissionStatus.DRAFT}
    )
    parts = outcome_parts(submissions, request.user)
    entries = {
        organisation_id: [
            {**_entry_row(submission, now, questions), "parts": parts.get(submission.pk, [])}
            for submission in group
        ]
        for organisation_id, group in groupby(submissions, key=lambda s: s.organisation_id)
    }
    organisations = [
        {
            "organisation": membership.organisation,
            "role": membership.get_role_display(),
            "entries": entries.get(membership.organisation_id, []),
        }
        for membership in memberships
    ]
    open_awards = list(selectors.awards_open_for_entries())
    for award in open_awards:
        award.countdown = selectors.deadline_countdown(award, award.submissions_close_at, now)
    return render(
        request,
        "submissions/dashboard.html",
        {
            "organisations": organisations,
            "open_awards": open_awards,
            # Not submitted, and the deadline less than two days away: said at the top.
            "closing": [
                row
                for rows in entries.values()
                for row in rows
                if row["countdown"] is not None
                and row["countdown"].closing
                and row["submission"].status != SubmissionStatus.SUBMITTED
            ],
        },
    )


urlpatterns: list = [path("me/", dashboard, name="dashboard")]
