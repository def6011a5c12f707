"""The client's address behind a trusted reverse proxy (common/proxy.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory

from audit.log import client_ip
from common.proxy import TrustedProxyMiddleware, client_address, parse_networks

TRUSTED = parse_networks("127.0.0.1, 10.0.0.0/24")


@pytest.mark.parametrize(
    ("peer", "header", "expected"),
    [
        ("127.0.0.1", "203.0.113.7", "203.0.113.7"),  # nginx on this machine
        ("10.0.0.9", "2001:db8::1", "2001:db8::1"),  # a load balancer of the network
        ("198.51.100.4", "203.0.113.7", "198.51.100.4"),  # a client talking to the app directly
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
        ("127.0.0.1", "203.0.113.7, 10.0.0.1", "127.0.0.1"),  # one address or none
        ("127.0.0.1", None, "127.0.0.1"),
    ],
)
def test_the_header_is_believed_only_from_a_trusted_peer(peer, header, expected):
    meta = {"REMOTE_ADDR": peer}
    if header is not None:
        meta["HTTP_X_REAL_IP"] = header
    assert client_address(meta, TRUSTED) == expected


def test_a_bad_entry_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match=r"proxy\.example"):
        parse_networks("127.0.0.1,proxy.example")


def _through_middleware(settings, trusted: str, **meta) -> str:
    settings.TRUSTED_PROXIES = trusted
    seen = {}

    def view(request):
        seen["ip"] = client_ip(request)
        return HttpResponse()

    TrustedProxyMiddleware(view)(RequestFactory().get("/", **meta))
    return seen["ip"]


def test_the_audit_trail_sees_the_client_behind_the_proxy(settings):
    assert _through_middleware(settings, "127.0.0.1", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.7") == (
        "203.0.113.7"
    )


def test_with_no_trusted_proxy_a_client_cannot_choose_its_address(settings):
    assert _through_middleware(settings, "", REMOTE_ADDR="198.51.100.4", HTTP_X_REAL_IP="203.0.113.7") == (
        "198.51.100.4"
    )


def test_it_is_the_first_middleware(settings):
    assert settings.MIDDLEWARE[0] == "common.proxy.TrustedProxyMiddleware"
