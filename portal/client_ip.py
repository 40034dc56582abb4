"""The client's address behind the load balancer, for the login lockout (django-axes'
AXES_CLIENT_IP_CALLABLE) and the audit log.

Behind a balancer every connection comes from the balancer, so REMOTE_ADDR alone would lock
a username for everybody and log the balancer's address. The balancer appends the address it
saw to X-Forwarded-For; that header is believed only when the connection comes from a proxy
named in TRUSTED_PROXIES, and read from the right: the first address that is not a trusted
proxy is the client. Whatever a client writes into the header itself stands left of that and is
never believed.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The address of the client that sent `request` (see the module's docstring)."""
    remote = request.META.get("REMOTE_ADDR") or None
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    nearest = _address(remote or "")
    if nearest is None or not networks:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    hops = iter(reversed(forwarded))
    while any(nearest in network for network in networks):
        hop = _address(next(hops, ""))
        if hop is None:
            break  # no header, or junk in it: the nearest trusted proxy is all we know
        nearest = hop
    return str(nearest)
