"""The applicant's dashboard: their organisations, every entry of those organisations with its
status, deadline and what is still missing, and the awards open for new entries.

It runs a fixed number of queries however many entries there are (tests/submissions/
test_dashboard.py counts them).
"""

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from .. import dashboard_selectors as selectors
from .. import services
from ..enums import SubmissionStatus, submission_badge


def _entry_row(submission) -> dict:
    deadline = services.deadline_for(submission)
    missing = []
    if submission.status == SubmissionStatus.DRAFT:
        missing = [
            message
            for messages in services.missing_items(submission).values()
            for message in messages
        ]
    return {
        "submission": submission,
        "badge": submission_badge(submission.status),
        # The template shows it in the award's zone: the deadline is the award's, wherever
        # the applicant sits.
        "deadline": deadline,
        "missing": missing,
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    memberships = list(selectors.memberships_of(request.user))
    entries = {
        organisation_id: [_entry_row(submission) for submission in submissions]
        for organisation_id, submissions in groupby(
            selectors.submissions_of_user(request.user), key=lambda s: s.organisation_id
        )
    }
    organisations = [
        {
            "organisation": membership.organisation,
            "role": membership.get_role_display(),
            "entries": entries.get(membership.organisation_id, []),
        }
        for membership in memberships
    ]
    return render(
        request,
        "submissions/dashboard.html",
        {
            "organisations": organisations,
            "open_awards": list(selectors.awards_open_for_entries()),
        },
    )


urlpatterns: list = [path("me/", dashboard, name="dashboard")]
