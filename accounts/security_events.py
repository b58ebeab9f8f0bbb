"""The person's security log (``SecurityEvent``) and the client address it records: one way
to write both, for the second factors, passkeys and sessions alike."""

from __future__ import annotations

from django.http import HttpRequest

from .models import SecurityEvent, User

_USER_AGENT_LENGTH = SecurityEvent._meta.get_field("user_agent").max_length


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address as the login throttle reads it (django-axes: ``REMOTE_ADDR``
    unless ``AXES_IPWARE_*`` names a trusted proxy). A header the client sets itself, such
    as a forged ``X-Forwarded-For``, is never taken for it."""
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


def user_agent(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return request.META.get("HTTP_USER_AGENT", "")[:_USER_AGENT_LENGTH]


def security_event_record(
    *, user: User, kind: str, request: HttpRequest | None = None, detail: str = ""
) -> SecurityEvent:
    """One line of the person's security log, with the address and device of ``request``."""
    return SecurityEvent.objects.create(
        user=user,
        kind=kind,
        ip_address=client_address(request),
        user_agent=user_agent(request),
        detail=detail[:200],
    )
