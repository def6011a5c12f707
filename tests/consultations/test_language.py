from __future__ import annotations

import pytest
from django.utils import translation

from consultations.actions import ConsultationAction
from consultations.models import Opinion


@pytest.mark.django_db
def test_record_pdf_text_is_chinese_even_when_the_signer_reads_english(world):
    import io

    from django.utils import timezone
    from pypdf import PdfReader

    from consultations.models import Consultation
    from consultations.pdf import consultation_pdf_bytes

    record = Consultation.objects.create(
        assignment=world.assignment,
        member=world.proposer,
        held_at=timezone.now(),
        place="市政协办公楼",
        host_name="杨国胜",
        host_phone="13934069668",
        created_by=world.handler_a,
        member_name="张三",
        opinion=Opinion.AGREE,
        sign_method="online",
    )
    with translation.override("en"):
        assert str(Opinion.AGREE.label) == "Agree"  # the UI really is in English here
        data = consultation_pdf_bytes(record)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "同意" in text and "Agree" not in text


@pytest.mark.django_db
def test_timeline_stores_the_action_code_and_the_note_in_chinese_when_the_actor_uses_english(world):
    from django.utils.translation import gettext_lazy as _

    from proposals.timeline import timeline_record

    with translation.override("en"):
        event = timeline_record(
            proposal=world.proposal, actor=world.staff, action=ConsultationAction.SCHEDULE, note=_("办结")
        )
    event.refresh_from_db()
    assert (event.action, event.note) == ("consultation_schedule", "办结")
    with translation.override("en"):
        assert event.action_label == "Schedule consultation"  # the label follows the reader's language
