"""The base class of every organiser page of one award (under ``/manage/<slug>/``)."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.mfa import second_factor_required_check
from core.views import PermissionView

from .access import award_get_for
from .landing import managed_award_remember
from .models import Award


class OrganiserView(PermissionView):
    """An organiser page of the award named by ``<slug>``: login first, then the award
    through ``award_get_for`` with ``permission_required`` (404 for anyone without it).
    The award is ``self.award``; every other object is looked up through it in ``load``.

    Pages declare their permission by name, e.g. ``permission_required =
    "awards.manage_award"`` (the default) or ``"jury.chair"`` for what the jury chair may
    see too; ``award_queryset`` may add ``select_related`` for what the page reads.

    The edition an organiser opens is remembered as the one they managed last: they land on
    its overview after their next login (``awards.landing``)."""

    permission_required = "awards.manage_award"

    def award_queryset(self) -> QuerySet[Award]:
        return Award.objects.all()

    def get_permission_object(self) -> Award:
        self.award = award_get_for(
            self.request.user,
            self.kwargs["slug"],
            self.permission_required,
            queryset=self.award_queryset(),
        )
        # Organisers (and the jury chair) of an award that requires a second factor see
        # none of its pages before they have one.
        second_factor_required_check(
            self.request.user, required=self.award.mfa_required, award_name=str(self.award)
        )
        return self.award

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().dispatch(request, *args, **kwargs)
        award = getattr(self, "award", None)
        if award is not None and self.manages(award):
            # Where this organiser lands after the next login (awards/landing.py); not
            # for a jury chair on the pages the chair may see. Sets a cookie, no query.
            managed_award_remember(request, response, award)
        return response

    def manages(self, award: Award) -> bool:
        """Whether the user manages ``award``: known without asking again on the pages that
        required it to let them in (all but the jury chair's)."""
        if self.permission_required == "awards.manage_award":
            return True
        return self.request.user.has_perm("awards.manage_award", award)

    def render(self, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
        return render(self.request, template, {"award": self.award, **context}, status=status)
