"""The jury's first steps: a juror confirms confidentiality and declares conflicts of
interest before any entry is shown. Every juror page that shows entries starts with
``ready_juror``."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from awards.models import Award

from .. import access
from ..models import Juror


def next_step(juror: Juror) -> str | None:
    """The first step the juror still has to take before seeing entries, as a URL name."""
    if juror.confidentiality_confirmed_at is None:
        return "jury:confidentiality"
    if juror.conflicts_declared_at is None:
        return "jury:conflicts"
    return None


def to_onboarding(request: HttpRequest, award: Award, juror: Juror) -> HttpResponse:
    messages.info(request, _("Please complete these steps before you see the entries."))
    return redirect(next_step(juror) or "jury:dashboard", slug=award.slug)


def ready_juror(request: HttpRequest, slug: str) -> tuple[Award, Juror, HttpResponse | None]:
    """The award and seat, and a redirect to the next first step if the juror is not ready."""
    award, juror = access.juror_get_for(request.user, slug)
    if not juror.is_ready:
        return award, juror, to_onboarding(request, award, juror)
    return award, juror, None
