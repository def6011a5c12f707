"""The member signs the record online (password and signature pad), or staff enter a signed paper form."""

from __future__ import annotations

import base64
import binascii
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import attempts
from audit.details import digest_field
from proposals.errors import DomainError
from proposals.models import ProposalStatus, User
from proposals.roles import is_member_of, is_staff_of
from proposals.timeline import timeline_record
from proposals.uploads import verify_image

from ..actions import ConsultationAction
from ..models import Consultation, ConsultationSigner, ConsultationStatus, Opinion, SignMethod
from .common import PROPOSAL_CLOSED, SCAN_REQUIRED, audit_event, checked_scan, is_agency_handler
from .hashing import CHAIN_HASH_FIELD, content_hash
from .records import RECORD_LOCKED, lock_consultation
from .signers import SignerLine, is_joint_record, lock_signer, signer_lines, unsigned_lines

RECORD_NOT_READY = _("面商记录尚未填写，还不能签字。")
SIGN_ONLY_MEMBER = _("只有面商记录中的委员本人可以在网上签字，他人（包括工作人员）不能代签。")
WRONG_PASSWORD = _("密码不正确，未签字。请重新输入您的登录密码。")
SIGN_TOO_MANY_ATTEMPTS = _("密码错误次数过多，请 15 分钟后再签字。")
OPINION_INVALID = _("请选择委员意见：同意、基本同意或不同意。")
SIGNATURE_INVALID = _("签名图片无效：须为签名板生成的 PNG 图片。")
SIGNATURE_TOO_LARGE = _("签名图片过大：不能超过 %(limit)s KB。")
PAPER_NOT_ALLOWED = _("只有该交办单位的经办人或提案委员会工作人员可以录入纸质签字的面商记录。")
ALREADY_SIGNED = _("您已在本面商记录上签字，无需再签。")
SIGNER_ALREADY_SIGNED = _("该提案人已在本面商记录上签字。")
SIGNER_NOT_ON_RECORD = _("请选择本面商记录上尚未签字的提案人。")
SIGN_MAX_FAILURES = attempts.MAX_FAILURES
SIGN_FAILURE_WINDOW = attempts.WINDOW  # seconds
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SIGNATURE_DATA_URL_PREFIX = "data:image/png;base64,"
SIGNATURE_MAX_PIXELS = (2000, 1000)


def signature_max_bytes() -> int:
    return int(getattr(settings, "CONSULTATION_SIGNATURE_MAX_BYTES", 512 * 1024))


BAD_CONFIRMATION_DETAIL = attempts.SIGN_WRONG_PASSWORD


def signing_detail(action: str, consultation: Consultation) -> str:
    """The signing row's detail: the action and the keyed content hash, so ``verify_records`` can
    check the record against the chain even once its own row has been changed."""
    return f"{action!s} {digest_field(CHAIN_HASH_FIELD, consultation.content_sha256)}"


def decode_signature(data_url: str) -> bytes:
    """The PNG bytes of a canvas data URL, refused unless it is a small, real PNG image."""
    limit = signature_max_bytes()
    too_large = DomainError(SIGNATURE_TOO_LARGE % {"limit": limit // 1024}, code="invalid")
    data_url = (data_url or "").strip()
    if not data_url.startswith(SIGNATURE_DATA_URL_PREFIX):
        raise DomainError(SIGNATURE_INVALID, code="invalid")
    encoded = data_url[len(SIGNATURE_DATA_URL_PREFIX) :]
    if len(encoded) > (limit // 3 + 1) * 4:
        raise too_large
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(SIGNATURE_INVALID, code="invalid") from None
    if len(raw) > limit:
        raise too_large
    if not raw.startswith(PNG_MAGIC):
        raise DomainError(SIGNATURE_INVALID, code="invalid")
    max_width, max_height = SIGNATURE_MAX_PIXELS
    try:
        width, height = verify_image(raw, formats=("PNG",), max_pixels=max_width * max_height)
    except ValidationError:
        raise DomainError(SIGNATURE_INVALID, code="invalid") from None
    if width > max_width or height > max_height:
        raise DomainError(SIGNATURE_INVALID, code="invalid")
    return raw


def _finish_signing(consultation: Consultation, actor: User, action: str, update_fields: list[str]) -> None:
    from ..pdf import store_record_pdf

    consultation.status = ConsultationStatus.SIGNED
    consultation.updated_at = timezone.now()
    consultation.content_sha256 = content_hash(consultation)
    store_record_pdf(consultation)
    consultation.save(update_fields=[*update_fields, "status", "updated_at", "content_sha256", "pdf", "pdf_sha256"])


def _line_signed(
    consultation: Consultation,
    line: SignerLine,
    target: Consultation | ConsultationSigner,
    actor: User,
    action: str,
    fields: list[str],
) -> None:
    """One proposer's line is signed (its fields set on ``target``): save it; the record is 已签字
    and locks once every line is. One timeline event, naming the proposer on a joint record."""
    record_fields = fields if target is consultation else []
    if target is not consultation:
        target.save(update_fields=fields)
        consultation._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    joint = is_joint_record(consultation)
    # The record's own line reads the fields just set on it; a row was saved and is read again.
    remaining = len(unsigned_lines(consultation))
    opinion = str(Opinion(target.opinion).label) if target.opinion else ""
    if remaining == 0:
        _finish_signing(consultation, actor, action, record_fields)
        to_state = ConsultationStatus.SIGNED
    else:
        consultation.updated_at = timezone.now()
        consultation.save(update_fields=[*record_fields, "updated_at"])
        to_state = ConsultationStatus.HELD
    if not joint:
        note = str(_("委员意见：%(opinion)s") % {"opinion": opinion})
    else:
        lines = [str(_("%(member)s签字，委员意见：%(opinion)s") % {"member": line.name, "opinion": opinion})]
        if remaining:
            lines.append(str(_("尚有 %(count)s 位提案人未签字。") % {"count": remaining}))
        else:
            lines.append(str(_("全部 %(count)s 位提案人已签字。") % {"count": len(signer_lines(consultation))}))
        note = "\n".join(lines)
    timeline_record(
        proposal=consultation.assignment.proposal,
        assignment=consultation.assignment,
        actor=actor,
        action=action,
        from_state=ConsultationStatus.HELD,
        to_state=to_state,
        note=note,
    )
    if remaining == 0:
        # The completing signature carries the content hash into the chain (verify_records).
        audit_event(actor, consultation, signing_detail(action, consultation))
    else:
        # Not the record's signing yet: a detail verify_records does not read as one.
        audit_event(actor, consultation, f"{action}:signer member={line.member_id}")


def _check_signable(consultation: Consultation) -> None:
    if consultation.is_locked:
        raise DomainError(RECORD_LOCKED, code="locked")
    if consultation.status != ConsultationStatus.HELD:
        raise DomainError(RECORD_NOT_READY)
    if consultation.assignment.proposal.status == ProposalStatus.CLOSED:
        raise DomainError(PROPOSAL_CLOSED)


def consultation_sign_online(
    *,
    consultation: Consultation,
    actor: User,
    password: str,
    opinion: str,
    opinion_text: str = "",
    signature_data_url: str = "",
    ip: str | None = None,
) -> Consultation:
    """The member signs their own record, confirming with their password. The record then locks.

    Wrong passwords are limited by audit.attempts (shared with the password-change page): after a
    few, signing waits, so a left-open session cannot be used to guess the password through this
    form. The count is read, the password checked and a failure recorded while the member's user
    row is locked, so parallel attempts queue and each one counts the failures before it (without
    the lock, twenty parallel requests all counted zero and all had their password checked).
    """
    refusal: DomainError | None = None
    with transaction.atomic():
        attempts.lock_attempts(actor)
        if attempts.attempts_exhausted(actor):
            audit_event(actor, consultation, "consultation_sign_online: locked out", outcome="denied")
            refusal = DomainError(SIGN_TOO_MANY_ATTEMPTS, code="forbidden")
        else:
            try:
                # A savepoint: a refused signing leaves nothing behind but its audit row below.
                signed = _sign_online(
                    consultation=consultation,
                    actor=actor,
                    password=password,
                    opinion=opinion,
                    opinion_text=opinion_text,
                    signature_data_url=signature_data_url,
                    ip=ip,
                )
            except DomainError as exc:
                if exc.code in ("wrong_password", "forbidden"):
                    audit_event(actor, consultation, f"consultation_sign_online: {exc.code}", outcome="denied")
                refusal = exc
    # Raised after the commit, so the refused attempt stays in the audit_event trail.
    if refusal is not None:
        raise refusal
    return signed


@transaction.atomic
def _sign_online(
    *,
    consultation: Consultation,
    actor: User,
    password: str,
    opinion: str,
    opinion_text: str,
    signature_data_url: str,
    ip: str | None,
) -> Consultation:
    consultation = lock_consultation(consultation)
    line = next((each for each in signer_lines(consultation) if is_member_of(actor, each.member_id)), None)
    if line is None:
        raise DomainError(SIGN_ONLY_MEMBER, code="forbidden")
    _check_signable(consultation)
    if line.is_signed:
        raise DomainError(ALREADY_SIGNED)
    if opinion not in Opinion.values:
        raise DomainError(OPINION_INVALID, code="invalid")
    if not actor.check_password(password or ""):
        raise DomainError(WRONG_PASSWORD, code="wrong_password")
    signature = decode_signature(signature_data_url) if signature_data_url else None

    target: Consultation | ConsultationSigner = consultation if line.row is None else lock_signer(line.row)
    target.opinion = opinion
    target.opinion_text = (opinion_text or "").strip()
    target.sign_method = SignMethod.ONLINE
    target.signed_by = actor
    target.signed_at = timezone.now()
    target.signed_ip = ip or None
    fields = ["opinion", "opinion_text", "sign_method", "signed_by", "signed_at", "signed_ip"]
    if signature is not None:
        suffix = "" if line.row is None else f"-{target.pk}"
        name = f"signature-{consultation.pk}{suffix}.png"
        target.signature.save(name, ContentFile(signature), save=False)
        target.signature_sha256 = hashlib.sha256(signature).hexdigest()
        fields += ["signature", "signature_sha256"]
    _line_signed(consultation, line, target, actor, ConsultationAction.SIGN_ONLINE, fields)
    return consultation


@transaction.atomic
def consultation_sign_paper(
    *,
    consultation: Consultation,
    actor: User,
    scan: UploadedFile | None,
    opinion: str,
    opinion_text: str = "",
    member_id: int | None = None,
) -> Consultation:
    """A proposer signed the paper form: the handler or staff upload the scan and type the opinion.

    ``member_id`` names the proposer whose signature this is; None is the record's own member
    (the first proposer), as on a one-member record.
    """
    consultation = lock_consultation(consultation)
    if not (
        is_staff_of(actor, consultation.assignment.proposal.committee_id)
        or is_agency_handler(actor, consultation.assignment)
    ):
        raise DomainError(PAPER_NOT_ALLOWED, code="forbidden")
    _check_signable(consultation)
    wanted = consultation.member_id if member_id is None else member_id
    line = next((each for each in signer_lines(consultation) if each.member_id == wanted), None)
    if line is None:
        raise DomainError(SIGNER_NOT_ON_RECORD, code="invalid")
    if line.is_signed:
        raise DomainError(SIGNER_ALREADY_SIGNED)
    if opinion not in Opinion.values:
        raise DomainError(OPINION_INVALID, code="invalid")
    upload, sha256, content_type, ext = checked_scan(scan, SCAN_REQUIRED)

    target: Consultation | ConsultationSigner = consultation if line.row is None else lock_signer(line.row)
    # The stored name takes the extension the content was checked for, not the uploader's name.
    name = (
        f"consultation-{consultation.pk}-scan{ext}"
        if line.row is None
        else f"consultation-{consultation.pk}-signer-{target.pk}-scan{ext}"
    )
    target.paper_scan.save(name, upload, save=False)
    target.paper_scan_sha256 = sha256
    target.paper_scan_type = content_type
    target.opinion = opinion
    target.opinion_text = (opinion_text or "").strip()
    target.sign_method = SignMethod.PAPER
    target.signed_by = None
    target.entered_by = actor
    target.signed_at = timezone.now()
    fields = [
        "paper_scan",
        "paper_scan_sha256",
        "paper_scan_type",
        "opinion",
        "opinion_text",
        "sign_method",
        "signed_by",
        "entered_by",
        "signed_at",
    ]
    _line_signed(consultation, line, target, actor, ConsultationAction.SIGN_PAPER, fields)
    return consultation
