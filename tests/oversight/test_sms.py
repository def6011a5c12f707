"""Text messages (issue 19, item 2): one backend interface; the console backend never logs a whole
number; the HTTP gateway backend is tested against a local server; chosen kinds of in-app
notification go by SMS through the worker's queue, once."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from common.sms import ConsoleBackend, HttpGatewayBackend, SmsError, send_sms
from oversight import services
from oversight.inbox import notify_deadline
from oversight.models import Channel, SentNotification


class Gateway(BaseHTTPRequestHandler):
    received: list[dict] = []
    status = 200

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        Gateway.received.append(
            {"body": json.loads(self.rfile.read(length)), "auth": self.headers.get("Authorization")}
        )
        self.send_response(Gateway.status)
        self.end_headers()

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture
def gateway(settings):
    Gateway.received, Gateway.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "common.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_GATEWAY_TOKEN = "secret-token"
    settings.SMS_GATEWAY_TEMPLATE = '{"mobile": {phone}, "msg": {text}, "sign": "提案办理"}'
    yield Gateway
    server.shutdown()


def test_the_gateway_backend_posts_the_template_with_the_credentials(gateway):
    send_sms("13800000001", "您有一件提案被催办")
    assert gateway.received == [
        {
            "body": {"mobile": "13800000001", "msg": "您有一件提案被催办", "sign": "提案办理"},
            "auth": "Bearer secret-token",
        }
    ]


def test_a_gateway_refusal_is_an_error_that_does_not_name_the_number(gateway):
    gateway.status = 500
    with pytest.raises(SmsError) as exc:
        HttpGatewayBackend().send("13800000001", "x")
    assert "13800000001" not in str(exc.value) and "0001" in str(exc.value)


def test_the_gateway_backend_needs_a_url(settings):
    settings.SMS_GATEWAY_URL = ""
    with pytest.raises(SmsError):
        HttpGatewayBackend()


def test_the_console_backend_logs_no_whole_number(caplog):
    with caplog.at_level(logging.INFO, logger="sms"):
        ConsoleBackend().send("13800000001", "请回电 0356-2021234")
    text = caplog.text
    assert "13800000001" not in text and "2021234" not in text and "…0001" in text


@pytest.mark.django_db
def test_an_overdue_notice_goes_by_sms_once_and_is_delivered_by_the_worker(world, gateway, settings):
    settings.SMS_NOTIFY_KINDS = ("overdue",)
    world.handler_a.phone = "13800000009"
    world.handler_a.save(update_fields=["phone"])
    notify_deadline(world.assignment, overdue=True)
    notify_deadline(world.assignment, overdue=True)
    queued = SentNotification.objects.filter(channel=Channel.SMS)
    assert list(queued.values_list("recipient", flat=True)) == ["13800000009"]  # the leader has no phone
    assert services.notification_deliver(notification_id=queued.get().pk) is True
    assert gateway.received[0]["body"]["mobile"] == "13800000009"
    assert gateway.received[0]["body"]["msg"].startswith("【提案办理】已超期：")
