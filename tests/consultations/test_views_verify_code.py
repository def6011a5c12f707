"""The verification page accepts a signed record's 核验码 (issue 16, item 5)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from consultations import services
from consultations.models import Consultation
from consultations.services.hashing import verification_code
from documents.formats import document_date
from replies.forms import VerifyForm
from tests.factories import pdf_upload, record, schedule, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(world) -> Consultation:
    return sign(world, record(world, schedule(world), reply_points="已经列入明年计划，分步实施。"))


def verify(client, user, **data):
    client.force_login(user)
    return client.post(reverse("replies:verify"), data)


def typed_forms(code: str) -> list[str]:
    """The printed code as people type it: grouped, run together, lower case, spaced, full-width."""
    bare = code.replace("-", "")
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in bare)
    return [code, bare, bare.lower(), f" {code.lower().replace('-', ' ')} ", "－".join(code.split("-")), full_width]


def test_every_way_of_typing_the_code_finds_the_record_and_names_only_what_the_paper_shows(world, client, signed):
    code = verification_code(signed)
    at = timezone.localtime(signed.signed_at)
    for typed in typed_forms(code):
        # Any logged-in user may verify: the code is on the paper, the answer says nothing more.
        response = verify(client, world.unrelated_user, code=typed)
        assert response.status_code == 200, typed
        document = response.context["document"]
        assert document is not None and document.obj == signed and document.intact, typed
        html = response.content.decode()
        assert "核验通过" in html
        for fact in (
            world.proposal.committee.display_name,
            "第 TA0001 号",
            signed.agency_name,
            "第 1 轮",
            f"网上签字，{document_date(at)} {at:%H:%M}",
        ):
            assert fact in html, (typed, fact)
        # No personal data of the member, nor the record's texts.
        for private in (signed.member_phone, signed.work_unit, signed.host_phone, signed.reply_points):
            assert private and private not in html, private
    rows = AuditEvent.objects.filter(event="verify", outcome="ok", object_pk=str(signed.pk))
    assert rows.count() == len(typed_forms(code))


@pytest.mark.usefixtures("one_member")
def test_paper_signed_record_is_answered_as_纸质签字(world, client):
    c = services.consultation_sign_paper(
        consultation=record(world, schedule(world)), actor=world.handler_a, scan=pdf_upload(), opinion="agree"
    )
    response = verify(client, world.unrelated_user, code=verification_code(c))
    assert response.context["document"].obj == c
    assert "纸质签字（扫描件）" in response.content.decode()


def test_a_wrong_code_is_refused(world, client, signed):
    code = verification_code(signed).replace("-", "").lower()
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    response = verify(client, world.unrelated_user, code=wrong)
    assert response.status_code == 200
    assert response.context["document"] is None
    html = response.content.decode()
    assert "核验未通过" in html and "核验通过：" not in html
    assert signed.agency_name not in html
    assert AuditEvent.objects.filter(event="verify", outcome="failed", object_pk="").exists()


def test_a_record_changed_after_signing_fails_with_its_code(world, client, signed):
    Consultation.objects.filter(pk=signed.pk).update(reply_points="签字后改过的要点")
    response = verify(client, world.staff, code=verification_code(signed))
    document = response.context["document"]
    assert document is not None and not document.intact
    html = response.content.decode()
    assert "被改动过" in html and "核验通过" not in html
    assert AuditEvent.objects.filter(event="verify", outcome="failed", object_pk=str(signed.pk)).exists()


def test_two_records_with_the_same_code_name_neither(world, client, signed):
    twin = Consultation.objects.get(pk=signed.pk)
    twin.pk = None
    twin.content_sha256 = signed.content_sha256[:12] + "0" * 52  # another record, the same first 12 digits
    twin.save()
    response = verify(client, world.staff, code=verification_code(signed))
    assert response.context["document"] is None
    assert "核验未通过" in response.content.decode()


def test_a_draft_record_has_no_code_to_find(world, client):
    c = record(world, schedule(world))
    assert verification_code(c) == ""
    Consultation.objects.filter(pk=c.pk).update(content_sha256="ab" * 32)  # unsigned: never a match
    assert verify(client, world.staff, code="abababababab").context["document"] is None


@pytest.mark.parametrize("typed", ["25AB-C905", "25AB-C905-1C6F-00", "ZZAB-C905-1C6F", "核验码"])
def test_a_code_of_the_wrong_shape_is_a_form_error(world, client, typed):
    response = verify(client, world.unrelated_user, code=typed)
    assert response.status_code == 200
    assert str(VerifyForm.BAD_CODE % {"length": "12"}) in response.content.decode()
    assert response.context["document"] is None
    assert not AuditEvent.objects.filter(event="verify").exists()


def test_the_page_offers_the_code_field(world, client):
    client.force_login(world.unrelated_user)
    html = client.get(reverse("replies:verify")).content.decode()
    assert 'name="code"' in html and "核验码" in html
