"""Permission-aware getters: every award a view touches comes through here.

A user without the permission gets a 404, not a 403, so that the existence of a draft
award is not revealed.
"""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User

from .models import Award


def award_get_for(user: User, slug: str, perm: str, queryset: QuerySet[Award] | None = None):
    queryset = Award.objects.all() if queryset is None else queryset
    award = queryset.filter(slug=slug).first()
    if award is None or not user.has_perm(perm, award):
        raise Http404
    return award
