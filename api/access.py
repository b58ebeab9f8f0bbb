"""The award a token reaches, and what it may do there.

A token belongs to one award: any other award's address is a 404 (as for a page: an
address reveals nothing). Inside it the token acts as its user, through the same named
permissions as the pages (``awards.manage_award`` for organisers, the jury's and the
applicants' getters for the rest), and writes only with the read-write scope.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions
from rest_framework.request import Request

from awards.models import Award

from .models import ApiToken, TokenScope


def token_of(request: Request) -> ApiToken:
    token = request.auth
    if not isinstance(token, ApiToken):
        raise exceptions.NotAuthenticated()
    return token


def award_for(request: Request, slug: str) -> Award:
    """The award of the address, if it is the token's award; else 404."""
    token = token_of(request)
    if token.award.slug != slug:
        raise Http404
    return token.award


class TokenScopeAllows(permissions.BasePermission):
    """Safe methods with any token; changes only with a read-write token."""

    message = _("This token may only read. Create a read-and-write token to change data.")

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        return isinstance(token, ApiToken) and token.scope == TokenScope.WRITE


def is_organiser(request: Request, award: Award) -> bool:
    return request.user.has_perm("awards.manage_award", award)
