"""Hostile uploads never break the site (issue 18, findings 6 and 16): decompression bombs on every
upload path get the form error in Chinese, and fuzzed bodies reach only ValidationError."""

from __future__ import annotations

import warnings

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proposals import uploads
from tests.upload_samples import bomb_jpeg, bomb_png, docx_bytes, ole_bytes, upload, xlsx_bytes, zip_of

# 30000×30000 is past Pillow's own limit (DecompressionBombError); 10000×10000 only warns there
# (DecompressionBombWarning) and would be decoded by anything that opens it later.
BOMBS = {
    "png-error": ("bomb.png", bomb_png()),
    "png-warning": ("bomb.png", bomb_png(10000, 10000)),
    "jpeg-error": ("bomb.jpg", bomb_jpeg()),
    "jpeg-warning": ("bomb.jpg", bomb_jpeg(10000, 10000)),
}
TOO_MANY_PIXELS = "图片尺寸过大"


def _bomb(which: str) -> SimpleUploadedFile:
    name, body = BOMBS[which]
    return upload(name, body, "image/png" if name.endswith(".png") else "image/jpeg")


@pytest.fixture(params=["default", "error"])
def bomb_warnings(request):
    """Both ways a deployment may treat Pillow's warning: printed, or raised (python -W error)."""
    with warnings.catch_warnings():
        warnings.simplefilter(request.param)
        yield


@pytest.mark.parametrize("which", sorted(BOMBS))
def test_check_upload_refuses_a_decompression_bomb_with_the_pixel_message(which, bomb_warnings):
    with pytest.raises(ValidationError) as exc:
        uploads.check_upload(_bomb(which))
    assert exc.value.code == "too_many_pixels"
    assert TOO_MANY_PIXELS in exc.value.messages[0]


@pytest.mark.django_db
@pytest.mark.parametrize("which", sorted(BOMBS))
def test_bomb_attachment_on_the_proposal_page_is_a_form_error(world, login, which, bomb_warnings):
    from proposals.models import Attachment

    client = login(world.staff)
    url = reverse("proposals:attachment_upload", kwargs={"pk": world.proposal.pk})
    response = client.post(url, {"file": _bomb(which)}, follow=True)
    assert response.status_code in (200, 400)
    assert TOO_MANY_PIXELS in response.content.decode()
    assert not Attachment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("which", sorted(BOMBS))
def test_bomb_attachment_on_a_new_proposal_is_a_form_error(world, login, which, bomb_warnings):
    from proposals.models import Attachment, Proposal

    client = login(world.staff)
    before = Proposal.objects.count()
    response = client.post(
        reverse("proposals:create"),
        {
            "meeting": world.meeting.pk,
            "title": "上传测试",
            "main_content": "内容",
            "proposer_kind": "individual",
            "first_proposer": world.proposer.pk,
            "attachments": [_bomb(which)],
        },
    )
    assert response.status_code in (200, 400)
    assert TOO_MANY_PIXELS in response.content.decode()
    assert Proposal.objects.count() == before and not Attachment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("which", sorted(BOMBS))
def test_bomb_attachment_through_the_service_is_a_domain_error(world, which, bomb_warnings):
    from proposals import services
    from proposals.errors import DomainError
    from proposals.models import Attachment

    with pytest.raises(DomainError) as exc:
        services.attachment_add(proposal=world.proposal, actor=world.staff, upload=_bomb(which))
    assert TOO_MANY_PIXELS in exc.value.message
    assert not Attachment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("which", sorted(BOMBS))
def test_bomb_paper_scan_is_a_form_error(world, login, which, bomb_warnings):
    from consultations.models import Consultation
    from tests.factories import record, schedule

    consultation = record(world, schedule(world))
    response = login(world.handler_a).post(
        reverse("consultations:paper", kwargs={"pk": consultation.pk}),
        {"opinion": "agree", "opinion_text": "同意", "scan": _bomb(which)},
    )
    assert response.status_code == 400
    assert TOO_MANY_PIXELS in response.content.decode()
    consultation = Consultation.objects.get(pk=consultation.pk)
    assert not consultation.paper_scan and consultation.status != "signed"


@pytest.mark.django_db
@pytest.mark.parametrize("which", sorted(BOMBS))
def test_bomb_rating_paper_form_is_a_form_error(world, login, which, bomb_warnings):
    from consultations.models import Rating
    from tests.factories import signed_round

    signed_round(world)
    response = login(world.staff).post(
        reverse("consultations:rate", kwargs={"assignment_id": world.assignment.pk}),
        {"member": world.proposer.pk, "value": "satisfied", "comment": "", "paper_form": _bomb(which)},
    )
    assert response.status_code in (200, 400)
    assert TOO_MANY_PIXELS in response.content.decode()
    assert not Rating.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("size", [(30000, 30000), (10000, 10000), (2001, 10)])
def test_bomb_signature_is_refused_on_the_sign_page(world, login, size, bomb_warnings):
    from consultations import services
    from consultations.models import ConsultationStatus
    from tests.factories import PASSWORD, record, schedule, signature_data_url

    c = record(world, schedule(world))
    response = login(world.member_user).post(
        reverse("consultations:sign", args=[c.pk]),
        {"opinion": "agree", "password": PASSWORD, "signature": signature_data_url(bomb_png(*size))},
    )
    assert response.status_code == 400
    assert str(services.SIGNATURE_INVALID) in response.content.decode()
    c.refresh_from_db()
    assert c.status == ConsultationStatus.HELD and not c.signature


def test_an_ordinary_scan_sized_image_still_passes():
    from tests.factories import png_bytes

    checked = uploads.check_upload(upload("scan.png", png_bytes((2480, 3508))))  # A4 at 300 dpi
    assert checked.kind == "png"


# --- fuzzing the content checks --------------------------------------------------------------------

MAGIC = [b"", b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]
NAMES = ["a.pdf", "a.jpg", "a.jpeg", "a.png", "a.docx", "a.xlsx", "a.doc", "a.exe", "a", ".png"]
# Honest bodies to cut short and flip bytes in: the damage lands in the parts the checks read.
HONEST = [docx_bytes(), xlsx_bytes(), ole_bytes("WordDocument"), bomb_png(64, 64), zip_of({"a.txt": b"a" * 100})]


def _mutated(body: bytes, cut: int, flips: list[tuple[int, int]]) -> bytes:
    data = bytearray(body[: max(1, len(body) - cut)])
    for position, value in flips:
        data[position % len(data)] = value
    return bytes(data)


fuzz_settings = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@fuzz_settings
@given(name=st.sampled_from(NAMES), magic=st.sampled_from(MAGIC), rest=st.binary(max_size=600))
def test_fuzzed_bodies_behind_each_magic_give_a_validation_error_or_pass(name, magic, rest):
    _check_never_crashes(name, magic + rest)


@fuzz_settings
@given(
    name=st.sampled_from(NAMES),
    body=st.sampled_from(HONEST),
    cut=st.integers(0, 200),
    flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=4),
)
def test_damaged_office_and_image_files_give_a_validation_error_or_pass(name, body, cut, flips):
    _check_never_crashes(name, _mutated(body, cut, flips))


@fuzz_settings
@given(
    width=st.integers(0, 2**32 - 1),
    height=st.integers(0, 2**32 - 1),
    ext=st.sampled_from(["png", "jpg"]),
)
def test_images_of_any_claimed_size_give_a_validation_error_or_pass(width, height, ext):
    if ext == "jpg":  # a JPEG frame header holds 16-bit sizes
        width, height = min(width, 65535), min(height, 65535)
    body = bomb_png(width, height) if ext == "png" else bomb_jpeg(width, height)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Pillow's bomb warning must not get through either
        accepted = _check_never_crashes(f"a.{ext}", body)
    if accepted:
        assert 0 < width * height <= uploads.IMAGE_MAX_PIXELS


def _check_never_crashes(name: str, body: bytes) -> bool:
    try:
        uploads.check_upload(upload(name, body))
    except ValidationError:
        return False
    return True
