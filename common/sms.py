"""Text messages (短信) through one pluggable backend, chosen by ``settings.SMS_BACKEND``.

- ``common.sms.ConsoleBackend`` (the default): writes the message to the ``sms`` logger, with the
  number masked to its last four digits — nothing leaves the machine;
- ``common.sms.HttpGatewayBackend``: POSTs to the provider's HTTP gateway. ``SMS_GATEWAY_URL``,
  ``SMS_GATEWAY_TEMPLATE`` (the request body, JSON, with ``{phone}`` and ``{text}`` filled in as
  JSON strings), ``SMS_GATEWAY_TOKEN`` (sent as ``Authorization: Bearer …``) come from the
  environment; a reply that is not 2xx raises ``SmsError`` (the task retries and lists it).

A phone number is personal data: no backend writes a whole number to a log line.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from .phones import mask_phones

logger = logging.getLogger("sms")


class SmsError(Exception):
    pass


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


def masked_number(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"…{digits[-4:]}" if len(digits) >= 4 else "…"


class ConsoleBackend:
    def send(self, phone: str, text: str) -> None:
        logger.info("sms to %s: %s", masked_number(phone), mask_phones(text))


class HttpGatewayBackend:
    def __init__(self) -> None:
        self.url = getattr(settings, "SMS_GATEWAY_URL", "")
        self.template = getattr(settings, "SMS_GATEWAY_TEMPLATE", '{"to": {phone}, "content": {text}}')
        self.token = getattr(settings, "SMS_GATEWAY_TOKEN", "")
        self.timeout = float(getattr(settings, "SMS_GATEWAY_TIMEOUT", 10))
        if not self.url.startswith(("https://", "http://")):
            raise SmsError("SMS_GATEWAY_URL is not set to an http(s) URL")

    def send(self, phone: str, text: str) -> None:
        body = self.template.replace("{phone}", json.dumps(phone)).replace("{text}", json.dumps(text))
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.url, data=body.encode("utf-8"), method="POST", headers={"Content-Type": "application/json"}
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except OSError as exc:  # URLError and HTTPError are OSErrors; the number stays out of the message
            raise SmsError(f"gateway request to {masked_number(phone)} failed: {exc}") from None
        if not 200 <= status < 300:
            raise SmsError(f"gateway answered {status} for {masked_number(phone)}")


def get_backend() -> SmsBackend:
    return import_string(getattr(settings, "SMS_BACKEND", "common.sms.ConsoleBackend"))()


def send_sms(phone: str, text: str) -> None:
    get_backend().send(phone, text)
