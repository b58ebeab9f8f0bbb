"""The ranking as the jury sees it (``/jury/<slug>/ranking/``), where the award shows it to
its jurors before publication."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from jury.conflicts import blocked_q
from jury.views.onboarding import ready_juror
from submissions.models import Submission

from .. import selectors


@require_safe
@login_required
def ranking(request: HttpRequest, slug: str) -> HttpResponse:
    """The current ranking of the juror's categories, if the award lets jurors see it before
    publication. Entries the juror is in conflict with are left out (and so is anything
    else that would name them: the scores and places of the others stay as computed)."""
    award, juror, redirect_response = ready_juror(request, slug)
    if redirect_response is not None:
        return redirect_response
    if not award.jurors_see_ranking:
        raise Http404
    hidden = set(
        Submission.objects.filter(award=award).filter(blocked_q(juror)).values_list("pk", flat=True)
    )
    categories = list(
        award.categories.filter(pk__in=juror.category_links.values("category_id")).order_by(
            "position", "pk"
        )
    )
    blocks = [
        {
            "category": row.category,
            "round": row.round,
            "rows": [
                r
                for r in (row.ranking.ranked if row.ranking else ())
                if r.submission_id not in hidden
            ],
        }
        for row in selectors.decisive_rankings(award, categories)
    ]
    entries = Submission.objects.filter(
        pk__in=[r.submission_id for b in blocks for r in b["rows"]]
    ).select_related("organisation")
    by_pk = {s.pk: s for s in entries}
    for block in blocks:
        block["rows"] = [(row, by_pk[row.submission_id]) for row in block["rows"]]
    return render(request, "jury/ranking.html", {"award": award, "juror": juror, "blocks": blocks})


urlpatterns: list = [
    path("jury/<slug:slug>/ranking/", ranking, name="jury_ranking"),
]
