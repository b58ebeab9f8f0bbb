from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from . import selectors, services
from .access import award_get_for
from .enums import AWARD_TRANSITIONS, AwardStatus
from .models import Award


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: the current award, and earlier editions below it."""
    award = selectors.award_current()
    if award is not None:
        award = selectors.award_with_structure(
            selectors.awards_public().filter(pk=award.pk)
        ).first()
    others = selectors.awards_public().exclude(pk=getattr(award, "pk", None))
    return render(request, "awards/home.html", {"award": award, "other_awards": others})


def award_detail(request: HttpRequest, slug: str) -> HttpResponse:
    award = award_get_for(
        request.user,
        slug,
        "awards.view_award",
        queryset=selectors.award_with_structure(selectors.awards_public()),
    )
    return render(request, "awards/award_detail.html", {"award": award})


class ManageAwardView(LoginRequiredMixin, View):
    """The organiser's overview of one award: status, timeline, structure."""

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        award = award_get_for(
            request.user,
            slug,
            "awards.manage_award",
            queryset=selectors.award_with_structure(Award.objects.all()),
        )
        transitions = [AwardStatus(s) for s in sorted(AWARD_TRANSITIONS[award.status])]
        return render(request, "awards/manage.html", {"award": award, "transitions": transitions})


class AwardTransitionView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        award = award_get_for(request.user, slug, "awards.change_award_status")
        try:
            award = services.award_transition(
                award=award, to_status=request.POST.get("status", ""), actor=request.user
            )
        except services.AwardTransitionError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("The award is now “%(status)s”.") % {"status": award.get_status_display()},
            )
        return redirect("awards:manage", slug=award.slug)
