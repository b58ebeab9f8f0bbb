"""Which addresses a webhook may be sent to (protection against server-side request forgery).

An endpoint's URL must use https (plain http only where ``LAUREL_WEBHOOKS_ALLOW_PRIVATE`` is
on, i.e. in tests) and its host must resolve **only** to public addresses: no loopback, private
(10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), link-local (169.254/16 with the cloud
metadata address 169.254.169.254, fe80::/10), unspecified, multicast or reserved address, in
IPv4, IPv6 or IPv4-mapped IPv6 form. ``LAUREL_WEBHOOKS_ALLOW_PRIVATE`` lets loopback and
private addresses through (a test's receiver on 127.0.0.1), never link-local, multicast or
reserved ones.

The check runs when an endpoint is saved and again before every delivery. The delivery then
connects to exactly the address that was checked (``Target.ip``), keeping the host name for
the ``Host`` header and TLS (SNI and certificate), so a DNS answer that changes between the
check and the connection cannot lead anywhere else.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Shared address space of carrier-grade NAT: neither private nor global in Python's terms.
_SHARED = ipaddress.ip_network("100.64.0.0/10")


class UnsafeAddress(ValidationError):
    """The URL is not one Laurel sends webhooks to; the message says why."""


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (``ip``, ``port``) and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str
    ip: str


def _allow_private() -> bool:
    return bool(getattr(settings, "LAUREL_WEBHOOKS_ALLOW_PRIVATE", False))


def address_allowed(ip: IPAddress, *, allow_private: bool = False) -> bool:
    """Whether a delivery may connect to ``ip``."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_site_local:  # fec0::/10, deprecated but still routed somewhere
            return False
        # An IPv4 address inside IPv6 (::ffff:127.0.0.1, 6to4 2002:7f00:1::) is judged as
        # that IPv4 address (Teredo, 2001::/32, is not global and stays refused).
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            ip = embedded
    if ip.is_multicast or ip.is_unspecified or ip.is_link_local or ip.is_reserved:
        return False
    if ip.is_loopback or ip.is_private or ip in _SHARED:
        return allow_private and not ip.is_link_local
    return ip.is_global


def _resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (a literal address is itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise UnsafeAddress(
            _("The address's host name could not be found (%(error)s).") % {"error": error},
            code="unresolvable",
        ) from error
    found: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in answers:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if ip not in found:
            found.append(ip)
    return found


def url_check(url: str) -> Target:
    """The ``Target`` of ``url`` once its scheme and every address of its host are allowed;
    ``UnsafeAddress`` (a translated message) otherwise. Resolves the host name (DNS)."""
    allow_private = _allow_private()
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError as error:
        raise UnsafeAddress(_("Enter a valid address (URL)."), code="invalid") from error
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise UnsafeAddress(
            _("The address must start with https://."),
            code="scheme",
        )
    host = parts.hostname
    if not host or parts.username or parts.password:
        raise UnsafeAddress(_("Enter a valid address (URL) with a host name."), code="invalid")
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = _resolve(host, port)
    if not addresses:
        raise UnsafeAddress(_("The address's host name could not be found."), code="unresolvable")
    refused = [ip for ip in addresses if not address_allowed(ip, allow_private=allow_private)]
    if refused:
        # Which address is not said: the form must not tell what internal names resolve to.
        raise UnsafeAddress(
            _(
                "The address leads to an internal or reserved network address. Webhooks are "
                "only sent to public addresses on the internet."
            ),
            code="private",
        )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=parts.scheme, host=host, port=port, path=path, ip=str(addresses[0]))
