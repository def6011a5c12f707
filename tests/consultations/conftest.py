"""Helpers of the consultations tests: a reply and a record carried through the real services."""

from __future__ import annotations

import base64
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from consultations import services
from consultations.models import Consultation
from proposals.models import Assignment
from replies import services as reply_services
from replies.models import Reply
from tests.factories import PASSWORD, World

REPLY_DATA = {
    "reply_class": "A",
    "body": "经研究，答复如下：\n已经落实。",
    "leader_name": "甲负责人",
    "handler_name": "甲经办",
    "phone": "13800000009",
}


def png_bytes(size: tuple[int, int] = (120, 40)) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", size, (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(5, 30), (60, 5), (115, 35)], fill=(0, 0, 0, 255), width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def signature_data_url(raw: bytes | None = None) -> str:
    return "data:image/png;base64," + base64.b64encode(raw if raw is not None else png_bytes()).decode()


def pdf_upload(name: str = "scan.pdf", size: int = 0) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n% scanned form\n" + b"0" * size + b"\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def when(days: int = 0, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, 0))


def schedule(world: World, assignment: Assignment | None = None, **overrides) -> Consultation:
    data = {
        "held_at": when(0, 9),
        "place": "市政协办公楼",
        "method": "in_person",
        "host_name": "甲面商人",
        "host_phone": "13900000001",
    }
    data.update(overrides)
    return services.consultation_schedule(assignment=assignment or world.assignment, actor=world.handler_a, **data)


def record(world: World, consultation: Consultation, **fields) -> Consultation:
    return services.consultation_record(consultation=consultation, actor=world.handler_a, **fields)


def sign(world: World, consultation: Consultation, **overrides) -> Consultation:
    data = {"password": PASSWORD, "opinion": "agree", "opinion_text": "同意", "ip": "10.0.0.8"}
    data.update(overrides)
    actor = data.pop("actor", world.member_user)
    return services.consultation_sign_online(consultation=consultation, actor=actor, **data)


def draft_reply(world: World, assignment: Assignment | None = None, **data) -> Reply:
    return reply_services.reply_create(
        assignment=assignment or world.assignment, actor=world.handler_a, data={**REPLY_DATA, **data}
    )


def issue(world: World, reply: Reply) -> Reply:
    reply_services.reply_submit(reply=reply, actor=world.handler_a)
    return reply_services.reply_issue(reply=reply, actor=world.leader_a)


def signed_round(world: World, assignment: Assignment | None = None) -> tuple[Consultation, Reply]:
    """One full round: reply draft, consultation held and signed by the member, reply issued."""
    assignment = assignment or world.assignment
    reply = draft_reply(world, assignment)
    consultation = record(world, schedule(world, assignment))
    consultation = sign(world, consultation)
    reply = issue(world, reply)
    return consultation, reply


@pytest.fixture
def replied(world: World) -> tuple[Consultation, Reply]:
    return signed_round(world)
