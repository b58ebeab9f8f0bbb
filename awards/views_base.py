"""The base class of every organiser page of one award (under ``/manage/<slug>/``)."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render

from core.views import PermissionView

from .access import award_get_for
from .models import Award


class OrganiserView(PermissionView):
    """An organiser page of the award named by ``<slug>``: login first, then the award
    through ``award_get_for`` with ``permission_required`` (404 for anyone without it).
    The award is ``self.award``; every other object is looked up through it in ``load``.

    Pages declare their permission by name, e.g. ``permission_required =
    "awards.manage_award"`` (the default) or ``"jury.chair"`` for what the jury chair may
    see too; ``award_queryset`` may add ``select_related`` for what the page reads."""

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
        return self.award

    def render(self, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
        return render(self.request, template, {"award": self.award, **context}, status=status)
