"""Reads of the token pages: a user's tokens, and the awards they may create one for."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import User
from awards.enums import AwardRoleKind
from awards.models import Award, AwardRole
from jury.models import Juror
from submissions.models import Submission

from .models import ApiToken


def api_token_awards(user: User) -> QuerySet[Award]:
    """The awards ``user`` may create a token for: those they organise (a superuser: all),
    those with an active seat of theirs on the jury, and those a company they belong to has
    an entry in (any status). One query when evaluated."""
    if not user.is_authenticated:
        return Award.objects.none()
    if user.is_superuser:
        return Award.objects.order_by("-edition", "name", "pk")
    organised = AwardRole.objects.filter(user=user, role=AwardRoleKind.ORGANISER)
    seats = Juror.objects.filter(user=user, is_active=True)
    entries = Submission.objects.filter(organisation__memberships__user=user)
    return Award.objects.filter(
        Q(pk__in=organised.values("award_id"))
        | Q(pk__in=seats.values("award_id"))
        | Q(pk__in=entries.values("award_id"))
    ).order_by("-edition", "name", "pk")


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    """Every token of ``user`` with its award, newest first (one query)."""
    return ApiToken.objects.filter(user=user).select_related("award").order_by("-created_at", "-pk")
