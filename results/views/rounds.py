"""The organisers' page of one jury round (``/manage/<slug>/jury/rounds/<n>/``): its entries,
and what the ranking makes of them: the shortlist proposal after a closed round and the
Schulze count of a ranking round; and the shortlist that carries entries into the next
round. Opening and closing the round are the jury app's (``jury_manage:round_open``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import ngettext

from awards.enums import RoundMethod, RoundStatus
from awards.models import Round
from awards.views_base import OrganiserView
from jury import access
from jury import selectors as jury_selectors
from jury.manage_forms import ShortlistForm

from .. import selectors, services

DEFAULT_SHORTLIST_SIZE = 3


def _round_url(award, number: int) -> str:
    return reverse("results_manage:round", kwargs={"slug": award.slug, "number": number})


class _RoundPage(OrganiserView):
    permission_required = "jury.manage"

    def load(self, *, number: int, **kwargs) -> None:
        self.round = access.round_get_for(self.award, number)


class RoundView(_RoundPage):
    def get(self, request: HttpRequest, slug: str, number: int) -> HttpResponse:
        round = self.round
        entries = jury_selectors.round_submissions(round)
        following = (
            Round.objects.filter(award=self.award, number__gt=round.number)
            .order_by("number")
            .first()
        )
        context = {
            "round": round,
            "rounds": list(self.award.rounds.all()),
            "entries": entries,
            "following": following,
            "is_scoring": round.method == RoundMethod.SCORES,
            "is_ranking": round.method == RoundMethod.RANKING,
        }
        if round.status == RoundStatus.CLOSED and following is not None:
            size = round.shortlist_size or DEFAULT_SHORTLIST_SIZE
            wanted = request.GET.get("size", "")
            if wanted.isdigit() and int(wanted) > 0:
                size = int(wanted)
            context["shortlist"] = selectors.shortlist_rows(round, entries, following, size)
        if round.method == RoundMethod.RANKING:
            context["schulze"] = selectors.schulze_rows(round, entries)
        return self.render("results/round.html", context)


class ShortlistView(_RoundPage):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str, number: int) -> HttpResponse:
        round = self.round
        form = ShortlistForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
            return redirect(_round_url(self.award, number))
        data = form.cleaned_data
        try:
            if data["mode"] == ShortlistForm.PICK:
                following = services.shortlist_take(
                    round=round, actor=request.user, submission_ids=data["submissions"]
                )
            else:
                following = services.shortlist_take(
                    round=round, actor=request.user, size=data["size"]
                )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            count = following.entries.count()
            messages.success(
                request,
                ngettext(
                    "%(count)d entry goes on to round %(number)d.",
                    "%(count)d entries go on to round %(number)d.",
                    count,
                )
                % {"count": count, "number": following.number},
            )
        return redirect(_round_url(self.award, number))


urlpatterns: list = [
    path("jury/rounds/<int:number>/", RoundView.as_view(), name="round"),
    path("jury/rounds/<int:number>/shortlist/", ShortlistView.as_view(), name="shortlist"),
]
