"""The consultation record, its PDF and the statistics take the reply classes from replies.rules."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from consultations.forms import RecordForm
from consultations.models import Consultation
from consultations.pdf import record_context
from oversight.stats import meeting_stats
from proposals.errors import DomainError
from replies import rules as reply_rules
from replies import services as reply_services
from replies.forms import ReplyForm
from replies.models import Reply, ReplyClass
from tests.factories import REPLY_DATA, draft_reply, record, schedule

pytestmark = pytest.mark.django_db


def record_form_classes(world) -> list[str]:
    return [value for value, _label in RecordForm(proposal=world.proposal).fields["handling_class"].choices]


def record_boxes(consultation: Consultation) -> list[str]:
    return [box["label"] for box in record_context(consultation)["classes"]]


@pytest.mark.parametrize("d_on", [False, True], ids=["d-off", "d-on"])
def test_class_d_comes_and_goes_in_the_record_form_service_pdf_and_statistics(world, settings, d_on):
    settings.REPLY_CLASS_D_ENABLED = d_on
    with_d = ["D"] if d_on else []
    assert record_form_classes(world) == ["", "A", "B", "C", *with_d]
    assert [code for code, _ratio in meeting_stats(world.meeting).totals.class_shares()] == ["A", "B", "C", *with_d]

    consultation = schedule(world)
    assert record_boxes(consultation) == ["A类", "B类", "C类", *(["D类"] if d_on else [])]
    if d_on:
        assert record(world, consultation, handling_class="D").handling_class == "D"
    else:
        with pytest.raises(DomainError) as exc:
            record(world, consultation, handling_class="D")
        assert exc.value.message == "办理情况只能是 A 类、B 类或 C 类。"
        assert Consultation.objects.get(pk=consultation.pk).handling_class == ""


@pytest.mark.parametrize(
    ("d_on", "message"),
    [(False, "办理情况只能是 A 类、B 类或 C 类。"), (True, "办理情况只能是 A 类、B 类、C 类或 D 类。")],
    ids=["d-off", "d-on"],
)
def test_the_record_refuses_an_unknown_class_naming_the_enabled_ones(world, settings, d_on, message):
    settings.REPLY_CLASS_D_ENABLED = d_on
    consultation = schedule(world)
    with pytest.raises(DomainError) as exc:
        record(world, consultation, handling_class="E")
    assert exc.value.message == message
    assert Consultation.objects.get(pk=consultation.pk).handling_class == ""


def test_a_record_with_class_d_keeps_its_box_after_d_is_switched_off(world, settings):
    settings.REPLY_CLASS_D_ENABLED = True
    consultation = record(world, schedule(world), handling_class="D")
    settings.REPLY_CLASS_D_ENABLED = False
    boxes = record_context(Consultation.objects.get(pk=consultation.pk))["classes"]
    assert [(box["label"], box["ticked"]) for box in boxes] == [
        ("A类", False),
        ("B类", False),
        ("C类", False),
        ("D类", True),
    ]


def test_one_function_decides_the_classes_everywhere(world, monkeypatch):
    """Swap the one function: every form, service, document and figure follows it."""
    a_and_c = [reply_rules.ClassOption(c.value, str(c.label), "") for c in (ReplyClass.A, ReplyClass.C)]
    monkeypatch.setattr(reply_rules, "enabled_reply_classes", lambda subject=None: a_and_c)

    assert [value for value, _label in ReplyForm(assignment=world.assignment).fields["reply_class"].choices] == [
        "A",
        "C",
    ]
    assert record_form_classes(world) == ["", "A", "C"]
    assert [code for code, _ratio in meeting_stats(world.meeting).totals.class_shares()] == ["A", "C"]

    with pytest.raises(ValidationError) as exc:
        reply_services.reply_create(
            assignment=world.assignment, actor=world.handler_a, data={**REPLY_DATA, "reply_class": "B"}
        )
    assert exc.value.message_dict == {"reply_class": ["未启用 B 类答复。"]}
    reply = draft_reply(world, reply_class="")
    problems = reply_services.issue_problems(Reply.objects.get(pk=reply.pk))
    assert "请选择答复类别（A 类或 C 类）后再签发。" in problems

    consultation = schedule(world)
    assert record_boxes(consultation) == ["A类", "C类"]
    with pytest.raises(DomainError) as exc:
        record(world, consultation, handling_class="B")
    assert exc.value.message == "办理情况只能是 A 类或 C 类。"
    assert record(world, consultation, handling_class="C").handling_class == "C"
