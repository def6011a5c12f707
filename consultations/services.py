"""Every write of the consultations app: the record, its sign-off, ratings, re-handling, closing.

Each transition is one keyword-only function that re-reads its rows under ``select_for_update``,
checks the actor and the state, raises ``DomainError`` with one of the message constants below,
saves with ``update_fields`` and writes a timeline event and an audit event.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import io
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from audit.log import record_event
from documents.formats import document_date
from proposals import deadlines
from proposals.errors import ConflictError, DomainError
from proposals.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Proposal,
    ProposalStatus,
    User,
)
from proposals.roles import is_handler_of, is_member_of, is_staff
from proposals.timeline import timeline_record
from proposals.uploads import KINDS, SCAN_KINDS, UPLOAD_TOO_LARGE, check_upload
from proposals.validators import PHONE_INVALID, normalise_phone, validate_phone
from replies import rules as reply_rules
from replies.models import Reply, ReplyStatus

from .actions import ConsultationAction
from .models import (
    Consultation,
    ConsultationStatus,
    Method,
    Opinion,
    Rating,
    Satisfaction,
    SignMethod,
)
from .selectors import round_reply
from .signals import record_awaits_signature

# --- Messages (tests import them) ------------------------------------------------------------
NOT_HANDLER = _("只有该交办单位的经办人可以安排和填写面商记录。")
ASSIGNMENT_NOT_OPEN = _("该交办当前不在办理中，不能安排或修改面商。")
CO_HANDLER_NO_CONSULTATION = _("会办单位不直接答复委员，不安排面商，也不接受测评。")
NO_FIRST_PROPOSER = _("该提案没有第一提案人（集体提案），无法安排委员面商。")
PROPOSAL_CLOSED = _("提案已办结，不能再修改。")
HELD_BEFORE_ASSIGNMENT = _("面商时间不能早于交办日期（%(date)s）。")
HELD_AFTER_ISSUE_WARNING = _("注意：面商时间晚于本轮答复的签发日期（%(date)s），按规定应先面商、后签发答复。")
METHOD_INVALID = _("请选择面商方式：当面、电话、座谈或现场察看。")
PLACE_REQUIRED = _("请填写面商地点。")
HOST_REQUIRED = _("请填写面商人姓名。")
HELD_AT_REQUIRED = _("请填写面商时间。")
CLASS_INVALID = _("办理情况只能是 A 类、B 类或 C 类（启用 D 类时也可为 D 类）。")
RECORD_LOCKED = _("面商记录已签字锁定，任何人都不能再修改。")
RECORD_NOT_READY = _("面商记录尚未填写，还不能签字。")
RECORD_CONFLICT = _("该面商记录已被他人修改，您的修改没有保存。请刷新页面后重新编辑。")
SIGN_ONLY_MEMBER = _("只有面商记录中的委员本人可以在网上签字，他人（包括工作人员）不能代签。")
WRONG_PASSWORD = _("密码不正确，未签字。请重新输入您的登录密码。")
SIGN_TOO_MANY_ATTEMPTS = _("密码错误次数过多，请 15 分钟后再签字。")
OPINION_INVALID = _("请选择委员意见：同意、基本同意或不同意。")
SIGNATURE_INVALID = _("签名图片无效：须为签名板生成的 PNG 图片。")
SIGNATURE_TOO_LARGE = _("签名图片过大：不能超过 %(limit)s KB。")
PAPER_NOT_ALLOWED = _("只有该交办单位的经办人或提案委员会工作人员可以录入纸质签字的面商记录。")
SCAN_REQUIRED = _("请上传委员签字的纸质面商记录表扫描件（PDF、JPEG 或 PNG）。")
RATING_INVALID = _("请选择测评结果：满意、基本满意或不满意。")
RATING_BEFORE_ISSUE = _("本轮答复尚未签发，暂不能测评。")
RATING_NOT_PROPOSER = _("只有提案人和联名提案人可以对办理情况测评。")
RATING_NOT_ALLOWED = _("您不能为该委员录入测评。")
RATING_CLOSED = _("提案已办结，测评结果不能再修改。")
RATING_FORM_REQUIRED = _("代委员录入测评，须上传委员填写的纸质测评表扫描件。")
CLOSE_ONLY_STAFF = _("只有提案委员会工作人员可以办结提案。")
CLOSE_WRONG_STATE = _("提案当前状态不能办结。")
CLOSE_NOT_ALL_SATISFIED = _("尚有承办单位本轮答复未获委员“满意”或“基本满意”的测评；如确需办结，请填写办结理由。")
ISSUE_NEEDS_SIGNED_CONSULTATION = _(
    "按规定，答复签发前须与委员面商并由委员签字确认面商记录；本轮面商记录尚未签字，不能签发。"
)

SCAN_MAX_BYTES = 20 * 1024 * 1024
SIGN_MAX_FAILURES = 5
SIGN_FAILURE_WINDOW = 15 * 60  # seconds
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SIGNATURE_DATA_URL_PREFIX = "data:image/png;base64,"
SIGNATURE_MAX_PIXELS = (2000, 1000)

# A consultation may be scheduled or recorded while the agency works on it or after it replied.
RECORDABLE_STATES = (AssignmentStatus.ACCEPTED, AssignmentStatus.REHANDLING, AssignmentStatus.REPLIED)
RECORD_FIELDS = (
    "held_at",
    "place",
    "method",
    "host_name",
    "host_phone",
    "agency_name",
    "proposal_number",
    "member_name",
    "work_unit",
    "member_phone",
    "main_content",
    "reply_points",
    "handling_class",
)
# The fields a member's signature vouches for; their SHA-256 is kept on signing.
HASHED_TEXT_FIELDS = (
    "agency_name",
    "proposal_number",
    "member_name",
    "work_unit",
    "member_phone",
    "main_content",
    "reply_points",
    "handling_class",
    "opinion",
    "opinion_text",
    "place",
    "method",
    "host_name",
    "host_phone",
    "sign_method",
    "signature_sha256",
    "paper_scan_sha256",
)
HASHED_ID_FIELDS = ("assignment_id", "round", "member_id", "reply_id", "reply_version", "signed_by_id", "entered_by_id")


def signature_max_bytes() -> int:
    return int(getattr(settings, "CONSULTATION_SIGNATURE_MAX_BYTES", 512 * 1024))


# --- Helpers ---------------------------------------------------------------------------------


def _utc_iso(value: dt.datetime | None) -> str | None:
    # Normalised so that the hash is the same whichever time zone the value was read in.
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def content_payload(consultation: Consultation) -> dict[str, Any]:
    payload: dict[str, Any] = {name: getattr(consultation, name) for name in HASHED_TEXT_FIELDS}
    payload.update({name: getattr(consultation, name) for name in HASHED_ID_FIELDS})
    payload["held_at"] = _utc_iso(consultation.held_at)
    payload["signed_at"] = _utc_iso(consultation.signed_at)
    return payload


def content_hash(consultation: Consultation) -> str:
    """SHA-256 over the record's content, as canonical JSON."""
    data = json.dumps(content_payload(consultation), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _lock_assignment(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("proposal", "agency", "proposal__meeting")
        .get(pk=assignment.pk)
    )


def _lock_consultation(consultation: Consultation) -> Consultation:
    return (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("assignment", "assignment__proposal", "assignment__agency", "member")
        .get(pk=consultation.pk)
    )


def _is_agency_handler(actor: User, assignment: Assignment) -> bool:
    return is_handler_of(actor, assignment.agency_id)


def _check_recordable(actor: User, assignment: Assignment) -> None:
    if not _is_agency_handler(actor, assignment):
        raise DomainError(NOT_HANDLER, code="forbidden")
    if assignment.role == AssignmentRole.CO:
        raise DomainError(CO_HANDLER_NO_CONSULTATION)
    if assignment.proposal.status == ProposalStatus.CLOSED:
        raise DomainError(PROPOSAL_CLOSED)
    if assignment.status not in RECORDABLE_STATES:
        raise DomainError(ASSIGNMENT_NOT_OPEN)


def held_at_warnings(assignment: Assignment, round_no: int, held_at: dt.datetime) -> list[str]:
    """Refuse a time before the assignment; warn (but allow) a time after this round's reply was issued."""
    assigned_on = timezone.localdate(assignment.assigned_at)
    if timezone.localdate(held_at) < assigned_on:
        raise DomainError(HELD_BEFORE_ASSIGNMENT % {"date": document_date(assigned_on)}, code="invalid")
    reply = round_reply(assignment, round_no)
    if reply is not None and reply.status == ReplyStatus.ISSUED and reply.issued_at is not None:
        issued_on = timezone.localdate(reply.issued_at)
        if timezone.localdate(held_at) > issued_on:
            return [str(HELD_AFTER_ISSUE_WARNING % {"date": document_date(issued_on)})]
    return []


def _clean_schedule(*, held_at: dt.datetime | None, place: str, method: str, host_name: str, host_phone: str):
    if held_at is None:
        raise DomainError(HELD_AT_REQUIRED, code="invalid")
    if timezone.is_naive(held_at):
        held_at = timezone.make_aware(held_at)
    if method not in Method.values:
        raise DomainError(METHOD_INVALID, code="invalid")
    if not (place or "").strip():
        raise DomainError(PLACE_REQUIRED, code="invalid")
    if not (host_name or "").strip():
        raise DomainError(HOST_REQUIRED, code="invalid")
    host_phone = normalise_phone(host_phone)
    try:
        validate_phone(host_phone)
    except ValidationError:
        raise DomainError(PHONE_INVALID, code="invalid") from None
    return held_at, place.strip(), method, host_name.strip(), host_phone


BAD_CONFIRMATION_DETAIL = "consultation_sign_online: wrong_password"


def _recent_wrong_passwords(actor: User) -> int:
    from audit.models import AuditEvent  # late: the audit app registers history for this app's models

    since = timezone.now() - dt.timedelta(seconds=SIGN_FAILURE_WINDOW)
    return AuditEvent.objects.filter(
        user_id=actor.pk, outcome="denied", detail=BAD_CONFIRMATION_DETAIL, at__gte=since
    ).count()


def _audit(actor: User, obj, detail: str, outcome: str = "ok") -> None:
    record_event(event="transition", user=actor, obj=obj, detail=detail, outcome=outcome)


def _checked_scan(upload: UploadedFile | None, missing_message) -> tuple[UploadedFile, str, str, str]:
    """The upload, its SHA-256, content type and the extension of the kind its content proved to be."""
    if upload is None:
        raise DomainError(missing_message, code="invalid")
    if upload.size is not None and upload.size > SCAN_MAX_BYTES:
        raise DomainError(UPLOAD_TOO_LARGE % {"limit": SCAN_MAX_BYTES // (1024 * 1024)}, code="invalid")
    try:
        checked = check_upload(upload, kinds=SCAN_KINDS)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], code="invalid") from None
    return upload, checked.sha256, checked.content_type, KINDS[checked.kind][0][0]


# --- Consultation ----------------------------------------------------------------------------


@transaction.atomic
def consultation_schedule(
    *,
    assignment: Assignment,
    actor: User,
    held_at: dt.datetime,
    place: str,
    method: str,
    host_name: str,
    host_phone: str,
) -> Consultation:
    """The handler arranges a consultation with the first proposer for the assignment's current round.

    The returned record carries ``warnings`` (a list of messages to show; the move still happened).
    """
    assignment = _lock_assignment(assignment)
    _check_recordable(actor, assignment)
    proposal = assignment.proposal
    if proposal.first_proposer_id is None:
        raise DomainError(NO_FIRST_PROPOSER)
    held_at, place, method, host_name, host_phone = _clean_schedule(
        held_at=held_at, place=place, method=method, host_name=host_name, host_phone=host_phone
    )
    warnings = held_at_warnings(assignment, assignment.round, held_at)
    now = timezone.now()
    consultation = Consultation(
        assignment=assignment,
        round=assignment.round,
        member_id=proposal.first_proposer_id,
        status=ConsultationStatus.SCHEDULED,
        held_at=held_at,
        place=place,
        method=method,
        host_name=host_name,
        host_phone=host_phone,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    consultation.full_clean(exclude=["signature", "paper_scan", "pdf"])
    consultation.save()
    note = _("面商时间 %(time)s，地点 %(place)s，方式 %(method)s") % {
        "time": timezone.localtime(held_at).strftime("%Y-%m-%d %H:%M"),
        "place": place,
        "method": consultation.get_method_display(),
    }
    timeline_record(
        proposal=proposal,
        assignment=assignment,
        actor=actor,
        action=ConsultationAction.SCHEDULE,
        to_state=ConsultationStatus.SCHEDULED,
        note="\n".join([note, *warnings]),
    )
    _audit(actor, consultation, "consultation_schedule")
    consultation.warnings = warnings
    return consultation


def record_prefill(consultation: Consultation) -> dict[str, str]:
    """The record's content as the agency has it now: member data, the proposal, this round's reply draft."""
    assignment = consultation.assignment
    proposal = assignment.proposal
    member = consultation.member
    reply = round_reply(assignment, consultation.round)
    return {
        "agency_name": assignment.agency.name,
        "proposal_number": proposal.number,
        "member_name": member.name,
        "work_unit": member.work_unit,
        "member_phone": member.phone,
        "main_content": proposal.main_content,
        "reply_points": reply.body if reply is not None else "",
        "handling_class": reply.reply_class if reply is not None else "",
    }


@transaction.atomic
def consultation_record(
    *,
    consultation: Consultation,
    actor: User,
    expected_updated_at: dt.datetime | None = None,
    **fields: Any,
) -> Consultation:
    """Fill in (or correct) the record after the consultation; blank snapshot fields are prefilled.

    Editable until signed. ``expected_updated_at`` (the value the editor loaded) refuses a save that
    would overwrite someone else's. The record is tied to this round's reply and its version now.
    """
    unknown = set(fields) - set(RECORD_FIELDS)
    if unknown:
        raise TypeError(f"unknown record fields: {sorted(unknown)}")
    consultation = _lock_consultation(consultation)
    if consultation.is_locked:
        raise DomainError(RECORD_LOCKED, code="locked")
    assignment = consultation.assignment
    _check_recordable(actor, assignment)
    if expected_updated_at is not None and consultation.updated_at != expected_updated_at:
        raise ConflictError(RECORD_CONFLICT, code="conflict")

    prefill = record_prefill(consultation)
    for name in RECORD_FIELDS:
        if name in fields and fields[name] is not None:
            value = fields[name]
            setattr(consultation, name, value.strip() if isinstance(value, str) else value)
        elif name in prefill and not getattr(consultation, name):
            setattr(consultation, name, prefill[name])
    held_at, place, method, host_name, host_phone = _clean_schedule(
        held_at=consultation.held_at,
        place=consultation.place,
        method=consultation.method,
        host_name=consultation.host_name,
        host_phone=consultation.host_phone,
    )
    consultation.held_at, consultation.place, consultation.method = held_at, place, method
    consultation.host_name, consultation.host_phone = host_name, host_phone
    handling_class = consultation.handling_class
    if handling_class and handling_class not in reply_rules.enabled_reply_classes(assignment.proposal):
        raise DomainError(CLASS_INVALID, code="invalid")
    member_phone = normalise_phone(consultation.member_phone)
    try:
        validate_phone(member_phone)
    except ValidationError:
        raise DomainError(PHONE_INVALID, code="invalid") from None
    consultation.member_phone = member_phone
    warnings = held_at_warnings(assignment, consultation.round, held_at)

    reply = round_reply(assignment, consultation.round)
    consultation.reply = reply
    consultation.reply_version = reply.version if reply is not None else None
    from_state = consultation.status
    consultation.status = ConsultationStatus.HELD
    consultation.updated_at = timezone.now()
    consultation.full_clean(exclude=["signature", "paper_scan", "pdf"])
    consultation.save(update_fields=[*RECORD_FIELDS, "reply", "reply_version", "status", "updated_at"])
    action = ConsultationAction.RECORD if from_state == ConsultationStatus.SCHEDULED else ConsultationAction.EDIT_RECORD
    with translation.override(settings.LANGUAGE_CODE):  # the timeline keeps the committee's language
        version_note = str(
            _("所据答复：第 %(round)s 轮，第 %(version)s 版") % {"round": consultation.round, "version": reply.version}
            if reply is not None
            else _("本轮尚无答复草稿")
        )
    timeline_record(
        proposal=assignment.proposal,
        assignment=assignment,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=ConsultationStatus.HELD,
        note="\n".join([str(version_note), *warnings]),
    )
    _audit(actor, consultation, "consultation_record")
    consultation_id = consultation.pk
    transaction.on_commit(lambda: record_awaits_signature.send(sender=Consultation, consultation_id=consultation_id))
    consultation.warnings = warnings
    return consultation


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
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(raw)) as image:
            if image.format != "PNG":
                raise DomainError(SIGNATURE_INVALID, code="invalid")
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise DomainError(SIGNATURE_INVALID, code="invalid") from None
    if width > SIGNATURE_MAX_PIXELS[0] or height > SIGNATURE_MAX_PIXELS[1] or width < 1 or height < 1:
        raise DomainError(SIGNATURE_INVALID, code="invalid")
    return raw


def _finish_signing(consultation: Consultation, actor: User, action: str, update_fields: list[str]) -> None:
    from .pdf import store_record_pdf

    consultation.status = ConsultationStatus.SIGNED
    consultation.updated_at = timezone.now()
    consultation.content_sha256 = content_hash(consultation)
    store_record_pdf(consultation)
    consultation.save(update_fields=[*update_fields, "status", "updated_at", "content_sha256", "pdf", "pdf_sha256"])
    timeline_record(
        proposal=consultation.assignment.proposal,
        assignment=consultation.assignment,
        actor=actor,
        action=action,
        from_state=ConsultationStatus.HELD,
        to_state=ConsultationStatus.SIGNED,
        note=str(_("委员意见：%(opinion)s") % {"opinion": consultation.get_opinion_display()}),
    )


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

    Wrong passwords are counted from the audit trail (each is recorded there anyway): after a few,
    signing waits, so a left-open session cannot be used to guess the password through this form.
    The count is in the database, so it holds across web workers and machines.
    """
    if _recent_wrong_passwords(actor) >= SIGN_MAX_FAILURES:
        _audit(actor, consultation, "consultation_sign_online: locked out", outcome="denied")
        raise DomainError(SIGN_TOO_MANY_ATTEMPTS, code="forbidden")
    try:
        return _sign_online(
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
            # Recorded after the rollback, so the refused attempt stays in the audit trail.
            _audit(actor, consultation, f"consultation_sign_online: {exc.code}", outcome="denied")
        raise


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
    consultation = _lock_consultation(consultation)
    if not is_member_of(actor, consultation.member_id):
        raise DomainError(SIGN_ONLY_MEMBER, code="forbidden")
    _check_signable(consultation)
    if opinion not in Opinion.values:
        raise DomainError(OPINION_INVALID, code="invalid")
    if not actor.check_password(password or ""):
        raise DomainError(WRONG_PASSWORD, code="wrong_password")
    signature = decode_signature(signature_data_url) if signature_data_url else None

    consultation.opinion = opinion
    consultation.opinion_text = (opinion_text or "").strip()
    consultation.sign_method = SignMethod.ONLINE
    consultation.signed_by = actor
    consultation.signed_at = timezone.now()
    consultation.signed_ip = ip or None
    fields = ["opinion", "opinion_text", "sign_method", "signed_by", "signed_at", "signed_ip"]
    if signature is not None:
        consultation.signature.save(f"signature-{consultation.pk}.png", ContentFile(signature), save=False)
        consultation.signature_sha256 = hashlib.sha256(signature).hexdigest()
        fields += ["signature", "signature_sha256"]
    _finish_signing(consultation, actor, ConsultationAction.SIGN_ONLINE, fields)
    _audit(actor, consultation, "consultation_sign_online")
    return consultation


@transaction.atomic
def consultation_sign_paper(
    *,
    consultation: Consultation,
    actor: User,
    scan: UploadedFile | None,
    opinion: str,
    opinion_text: str = "",
) -> Consultation:
    """The member signed the paper form: the handler or staff upload the scan and type the opinion."""
    consultation = _lock_consultation(consultation)
    if not (is_staff(actor) or _is_agency_handler(actor, consultation.assignment)):
        raise DomainError(PAPER_NOT_ALLOWED, code="forbidden")
    _check_signable(consultation)
    if opinion not in Opinion.values:
        raise DomainError(OPINION_INVALID, code="invalid")
    upload, sha256, content_type, ext = _checked_scan(scan, SCAN_REQUIRED)

    # The stored name takes the extension the content was checked for, not the uploader's name.
    consultation.paper_scan.save(f"consultation-{consultation.pk}-scan{ext}", upload, save=False)
    consultation.paper_scan_sha256 = sha256
    consultation.paper_scan_type = content_type
    consultation.opinion = opinion
    consultation.opinion_text = (opinion_text or "").strip()
    consultation.sign_method = SignMethod.PAPER
    consultation.signed_by = None
    consultation.entered_by = actor
    consultation.signed_at = timezone.now()
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
    _finish_signing(consultation, actor, ConsultationAction.SIGN_PAPER, fields)
    _audit(actor, consultation, "consultation_sign_paper")
    return consultation


def record_hash_matches(consultation: Consultation) -> bool:
    return bool(consultation.content_sha256) and consultation.content_sha256 == content_hash(consultation)


def require_signed_consultation(reply: Reply) -> None:
    """Registered in ``replies.services.ISSUE_CHECKS``: no issue before the member signed the record."""
    if not getattr(settings, "REQUIRE_SIGNED_CONSULTATION_BEFORE_ISSUE", True):
        return
    assignment = reply.assignment
    if assignment.role == AssignmentRole.CO or assignment.proposal.first_proposer_id is None:
        # Nobody to consult: a body's proposal has no member to sign.
        return
    signed = Consultation.objects.filter(
        assignment_id=reply.assignment_id, round=reply.round, status=ConsultationStatus.SIGNED
    ).exists()
    if not signed:
        raise DomainError(ISSUE_NEEDS_SIGNED_CONSULTATION, code="consultation_required")


# --- Ratings, re-handling, closing -----------------------------------------------------------


def _reply_issued(assignment: Assignment) -> bool:
    reply = round_reply(assignment, assignment.round)
    return reply is not None and reply.status == ReplyStatus.ISSUED


@transaction.atomic
def rating_submit(
    *,
    assignment: Assignment,
    actor: User,
    member_id: int,
    value: str,
    comment: str = "",
    paper_form: UploadedFile | None = None,
) -> Rating:
    """A proposer or co-signer rates this round's handling; 不满意 sends the assignment back for re-handling.

    Rating again replaces the earlier rating of the same round (until the proposal is closed).
    Staff may enter a rating for a member only with the member's scanned paper form.
    """
    assignment = _lock_assignment(assignment)
    proposal = assignment.proposal
    if value not in Satisfaction.values:
        raise DomainError(RATING_INVALID, code="invalid")
    if proposal.status == ProposalStatus.CLOSED:
        raise DomainError(RATING_CLOSED)
    if assignment.role == AssignmentRole.CO:
        raise DomainError(CO_HANDLER_NO_CONSULTATION)
    raters = set(proposal.cosigners.values_list("pk", flat=True))
    if proposal.first_proposer_id:
        raters.add(proposal.first_proposer_id)
    if member_id not in raters:
        raise DomainError(RATING_NOT_PROPOSER, code="forbidden")
    if is_member_of(actor, member_id):
        on_behalf = False
    elif is_staff(actor):
        on_behalf = True
    else:
        raise DomainError(RATING_NOT_ALLOWED, code="forbidden")
    if assignment.status != AssignmentStatus.REPLIED or not _reply_issued(assignment):
        raise DomainError(RATING_BEFORE_ISSUE)
    upload = content_type = None
    ext = ""
    if on_behalf:
        upload, _sha256, content_type, ext = _checked_scan(paper_form, RATING_FORM_REQUIRED)

    now = timezone.now()
    rating = (
        Rating.objects.select_for_update()
        .filter(assignment=assignment, round=assignment.round, member_id=member_id)
        .first()
    )
    if rating is None:
        rating = Rating(
            assignment=assignment,
            round=assignment.round,
            member_id=member_id,
            value=value,
            comment=(comment or "").strip(),
            entered_by=actor,
            on_behalf=on_behalf,
            created_at=now,
            updated_at=now,
        )
        if upload is not None:
            rating.paper_form.save(f"rating-{assignment.pk}-{member_id}-form{ext}", upload, save=False)
            rating.paper_form_type = content_type
        rating.save()
        action, from_value = ConsultationAction.RATE, ""
    else:
        from_value = rating.value
        rating.value = value
        rating.comment = (comment or "").strip()
        rating.entered_by = actor
        rating.on_behalf = on_behalf
        rating.updated_at = now
        fields = ["value", "comment", "entered_by", "on_behalf", "updated_at"]
        if upload is not None:
            rating.paper_form.save(f"rating-{assignment.pk}-{member_id}-form{ext}", upload, save=False)
            rating.paper_form_type = content_type
            fields += ["paper_form", "paper_form_type"]
        rating.save(update_fields=fields)
        action = ConsultationAction.RATE_CHANGE
    member_name = rating.member.name
    note = _("%(member)s：%(value)s") % {"member": member_name, "value": rating.get_value_display()}
    if on_behalf:
        note = f"{note}（{_('工作人员凭纸质测评表代为录入')}）"
    if rating.comment:
        note = f"{note}\n{rating.comment}"
    timeline_record(
        proposal=proposal,
        assignment=assignment,
        actor=actor,
        action=action,
        from_state=from_value,
        to_state=value,
        note=str(note),
    )
    _audit(actor, rating, "rating_submit" + (" on behalf" if on_behalf else ""))
    if value == Satisfaction.UNSATISFIED:
        _reopen_for_rehandling(assignment, actor)
    return rating


def _reopen_for_rehandling(assignment: Assignment, actor: User) -> None:
    """不满意: a new round for the assignment, with a new (shorter) due date; earlier rounds stay."""
    old_round = assignment.round
    assignment.status = AssignmentStatus.REHANDLING
    assignment.round = old_round + 1
    due = deadlines.rehandle_due_date(assignment.proposal.meeting, timezone.localdate())
    assignment.due_date = assignment.original_due_date = due
    assignment.replied_at = None
    assignment.save(update_fields=["status", "round", "due_date", "original_due_date", "replied_at"])
    proposal = assignment.proposal
    timeline_record(
        proposal=proposal,
        assignment=assignment,
        actor=actor,
        action=ConsultationAction.REHANDLE,
        from_state=AssignmentStatus.REPLIED,
        to_state=AssignmentStatus.REHANDLING,
        note=str(
            _("委员测评不满意，进入第 %(round)s 轮办理，办理时限 %(due)s。")
            % {"round": assignment.round, "due": document_date(assignment.due_date)}
        ),
    )
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status == ProposalStatus.REPLIED:
        proposal.status = ProposalStatus.ASSIGNED
        proposal.save(update_fields=["status"])
        timeline_record(
            proposal=proposal,
            actor=actor,
            action=ConsultationAction.REHANDLE,
            from_state=ProposalStatus.REPLIED,
            to_state=ProposalStatus.ASSIGNED,
        )
    _audit(actor, assignment, "assignment_rehandle")


def answering_assignments(proposal: Proposal):
    return (
        Assignment.objects.filter(proposal=proposal).answering().select_related("agency")
    )


def close_readiness(proposal: Proposal) -> list[str]:
    """Why the proposal cannot be closed on its ratings alone (empty: every answer is rated well)."""
    problems = []
    assignments = list(answering_assignments(proposal))
    if not assignments:
        problems.append(str(_("没有答复委员的承办单位。")))
    good = {Satisfaction.SATISFIED, Satisfaction.BASIC}
    for assignment in assignments:
        values = list(
            Rating.objects.filter(assignment=assignment, round=assignment.round).values_list("value", flat=True)
        )
        if assignment.status != AssignmentStatus.REPLIED:
            problems.append(
                str(
                    _("%(agency)s：%(status)s")
                    % {"agency": assignment.agency.name, "status": assignment.get_status_display()}
                )
            )
        elif not values:
            problems.append(str(_("%(agency)s：委员尚未测评") % {"agency": assignment.agency.name}))
        elif not set(values) <= good:
            problems.append(str(_("%(agency)s：测评有不满意") % {"agency": assignment.agency.name}))
    return problems


@transaction.atomic
def proposal_close(*, proposal: Proposal, actor: User, reason: str = "") -> Proposal:
    """Staff close (办结) the proposal: on good ratings of every answer, or by decision with a reason."""
    if not is_staff(actor):
        raise DomainError(CLOSE_ONLY_STAFF, code="forbidden")
    # Lock order everywhere: the assignments (by id), then the proposal, as rating_submit and
    # reply_issue do; the opposite order here could deadlock against them on PostgreSQL.
    list(Assignment.objects.select_for_update().filter(proposal_id=proposal.pk).order_by("pk").values_list("pk"))
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status not in (ProposalStatus.ASSIGNED, ProposalStatus.REPLIED):
        raise DomainError(CLOSE_WRONG_STATE)
    reason = (reason or "").strip()
    problems = close_readiness(proposal)
    if problems and not reason:
        raise DomainError(CLOSE_NOT_ALL_SATISFIED)
    from_state = proposal.status
    now = timezone.now()
    proposal.status = ProposalStatus.CLOSED
    proposal.closed_at = now
    proposal.close_note = reason
    proposal.save(update_fields=["status", "closed_at", "close_note"])
    for assignment in (
        Assignment.objects.select_for_update()
        .filter(proposal=proposal)
        .live()
        .exclude(status=AssignmentStatus.DONE)
    ):
        old = assignment.status
        assignment.status = AssignmentStatus.DONE
        assignment.save(update_fields=["status"])
        timeline_record(
            proposal=proposal,
            assignment=assignment,
            actor=actor,
            action=ConsultationAction.CLOSE,
            from_state=old,
            to_state=AssignmentStatus.DONE,
        )
    note = (
        str(_("按决定办结：%(reason)s") % {"reason": reason})
        if problems
        else str(_("各承办单位答复均获满意或基本满意"))
    )
    if reason and not problems:
        note = f"{note}\n{reason}"
    timeline_record(
        proposal=proposal,
        actor=actor,
        action=ConsultationAction.CLOSE,
        from_state=from_state,
        to_state=ProposalStatus.CLOSED,
        note=note,
    )
    _audit(actor, proposal, "proposal_close")
    return proposal
