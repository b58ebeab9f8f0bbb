"""Reads on awards, each a fixed number of queries whatever the data size."""

from django.db.models import Prefetch, QuerySet

from accounts.models import User

from .enums import PUBLIC_STATUSES, AwardRoleKind, AwardStatus
from .models import AuditEntry, Award, Category, Criterion, Round


def awards_public() -> QuerySet[Award]:
    """Awards anyone may see, newest edition first."""
    return Award.objects.filter(status__in=PUBLIC_STATUSES).order_by("-edition", "name")


def award_current() -> Award | None:
    """The award open for submissions now (the newest if several), else the newest public."""
    open_award = awards_public().filter(status=AwardStatus.OPEN).first()
    return open_award or awards_public().first()


def award_with_structure(queryset: QuerySet[Award]) -> QuerySet[Award]:
    """Award(s) with categories, criteria and rounds prefetched in order."""
    return queryset.prefetch_related(
        Prefetch("categories", queryset=Category.objects.order_by("position", "pk")),
        Prefetch("criteria", queryset=Criterion.objects.order_by("position", "pk")),
        Prefetch("rounds", queryset=Round.objects.order_by("number")),
    )


def awards_managed_by(user: User) -> QuerySet[Award]:
    if not user.is_authenticated:
        return Award.objects.none()
    if user.is_superuser:
        return Award.objects.all()
    return Award.objects.filter(roles__user=user, roles__role=AwardRoleKind.ORGANISER).distinct()


def award_to_manage_first(user: User, *, last_id: int | None) -> Award | None:
    """The edition an organiser's day starts with: ``last_id`` (the one they managed last)
    if they still may manage it, else the newest edition they may manage, else None. One
    query, or two when ``last_id`` is gone."""
    if not user.is_authenticated or not (user.is_superuser or user.is_verified):
        return None  # the rules let only verified organisers manage (awards/rules.py)
    managed = awards_managed_by(user).only("slug", "edition")
    if last_id is not None:
        last = managed.filter(pk=last_id).first()
        if last is not None:
            return last
    return managed.order_by("-edition", "-pk").first()


def audit_entries_for(award: Award, limit: int = 20) -> QuerySet[AuditEntry]:
    """The newest ``limit`` entries of ``award``'s change log, newest first, with the actor."""
    return AuditEntry.objects.filter(award=award).select_related("actor").order_by("-pk")[:limit]
