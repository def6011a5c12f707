"""The client's address behind a reverse proxy.

Behind nginx every request reaches gunicorn from the proxy's own address, so the audit trail would
record 127.0.0.1 for everyone and the login lockout (django-axes, by ``REMOTE_ADDR``) would lock the
whole site out after five failures by anyone. The proxy passes the address it saw in ``X-Real-IP``
(deploy/nginx/proposal-desk-locations.conf). That header is believed only from a peer listed in
``TRUSTED_PROXIES`` (addresses or networks, comma-separated; empty by default, so a client that
reaches the app directly cannot choose its address): then it becomes ``REMOTE_ADDR`` for everything
after this middleware, which comes first.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str | Iterable[str]) -> tuple[Network, ...]:
    """``"127.0.0.1, 10.0.0.0/24"`` → networks; an entry that is not an address or network is an error."""
    items = value.split(",") if isinstance(value, str) else value
    networks = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {item!r} is not an IP address or network") from error
    return tuple(networks)


def _address(raw: str | None):
    try:
        return ipaddress.ip_address((raw or "").strip())
    except ValueError:
        return None


def client_address(meta: dict, trusted: tuple[Network, ...]) -> str | None:
    """The address to use as ``REMOTE_ADDR``: ``X-Real-IP`` when the peer is a trusted proxy and the
    header holds one address, else the peer's own."""
    peer = meta.get("REMOTE_ADDR")
    peer_ip = _address(peer)
    if peer_ip is None or not any(peer_ip in net for net in trusted):
        return peer
    forwarded = _address(meta.get("HTTP_X_REAL_IP"))
    return str(forwarded) if forwarded is not None else peer


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = parse_networks(getattr(settings, "TRUSTED_PROXIES", ()))

    def __call__(self, request):
        if self.trusted:
            address = client_address(request.META, self.trusted)
            if address is not None:
                request.META["REMOTE_ADDR"] = address
        return self.get_response(request)
