"""Back-dated entry (补录, issue 17): a case finished (or still running) on paper, entered with its
real dates, as one service.

``case_backfill`` writes the proposal with its number as printed, its assignment, the issued reply
(its PDF regenerated with the real 成文日期, or the scanned original kept as the issued file, with
its SHA-256), the consultation record signed on paper, the rating and the closing — whichever of
these the case had reached — in one transaction. The rules between the entered dates hold (a reply
is not dated before its assignment, a rating not before the reply…); nothing is compared with
today except that no date may lie in the future. Every step is a timeline event carrying its real
date and marked as entered now by the actor (``timeline_record(at=…)``), which the audit log
records too; the bell notifies nobody of them (``oversight.inbox``), and no e-mail goes out.

A date without a time is taken as noon of that day in the site's time zone, so the events of one
day keep the order of the workflow (they are written in that order).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.details import digest_field
from audit.log import record_event
from consultations.actions import ConsultationAction
from consultations.models import Consultation, ConsultationStatus, Method, Opinion, Rating, Satisfaction, SignMethod
from consultations.services import (
    CLOSE_NOT_ALL_SATISFIED,
    HELD_BEFORE_ASSIGNMENT,
    HOST_REQUIRED,
    METHOD_INVALID,
    NO_FIRST_PROPOSER,
    OPINION_INVALID,
    PLACE_REQUIRED,
    RATING_INVALID,
    RATING_REASON_REQUIRED,
    content_hash,
    record_prefill,
)
from consultations.services.common import checked_scan
from consultations.services.signing import signing_detail
from documents.formats import document_date
from documents.render import sha256_hex
from proposals.deadlines import default_due_date
from proposals.errors import DomainError
from proposals.models import (
    Agency,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Category,
    Meeting,
    Member,
    Proposal,
    ProposalAction,
    ProposalStatus,
    ProposerKind,
    User,
)
from proposals.roles import NOT_ALLOWED, is_staff_of
from proposals.services import DUE_BEFORE_ASSIGNMENT, DUPLICATE_NUMBER, NUMBER_INVALID
from proposals.services.common import full_clean, require_same_committee
from proposals.services.filing import _check_proposers, _set_cosigners
from proposals.services.numbering import format_number, is_valid_number, next_sequence, sequence_of
from proposals.timeline import timeline_record
from proposals.uploads import check_upload
from proposals.validators import PHONE_INVALID, normalise_phone, validate_phone
from replies import rules as reply_rules
from replies.actions import ReplyAction
from replies.models import Reply, ReplyStatus, ReplyVersion
from replies.services import default_addressee, default_closing, default_title, snapshot

# --- Messages users see (each raised for one field of the form, ``BackfillError.problems``) ----
DATE_IN_FUTURE = _("补录的日期不能晚于今天。")
REGISTERED_BEFORE_SUBMITTED = _("立案日期不能早于提交日期（%(date)s）。")
ASSIGNED_BEFORE_REGISTERED = _("交办日期不能早于立案日期（%(date)s）。")
ACCEPTED_BEFORE_ASSIGNED = _("签收日期不能早于交办日期（%(date)s）。")
REPLY_BEFORE_ACCEPTED = _("成文日期不能早于签收日期（%(date)s）。")
RATED_BEFORE_REPLY = _("测评日期不能早于答复的成文日期（%(date)s）。")
CLOSED_BEFORE_REPLY = _("办结日期不能早于答复的成文日期（%(date)s）。")
CLOSED_BEFORE_RATING = _("办结日期不能早于测评日期（%(date)s）。")
# %(step)s: the step that needs the earlier one, %(earlier)s: what is missing ("立案日期").
NEEDS_EARLIER = _("补录%(step)s，须先填写%(earlier)s。")
AGENCY_REQUIRED = _("请选择承办单位。")
RATING_UNSATISFIED = _("测评为“不满意”的提案须重新办理，补录暂不支持；请补录重新办理后的答复和测评。")
REPLY_SCAN_NOT_PDF = _("答复函原件须为 PDF 文件。")

NOON = dt.time(12, 0)


class BackfillError(DomainError):
    """What stops the case from being entered, by field: ``problems`` is [(field, message), …]."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        super().__init__(problems[0][1], code="invalid")
        self.problems = [(name, str(message)) for name, message in problems]


@dataclass(frozen=True)
class BackfillReply:
    """The issued reply as printed. Without ``scan`` its PDF is rendered again with these fields."""

    reply_date: dt.date
    body: str
    reply_class: str = ""
    leader_name: str = ""
    handler_name: str = ""
    phone: str = ""
    doc_number: str = ""
    copy_to: str = ""
    title: str = ""  # the committee's default title when blank
    is_public: bool = True
    not_public_reason: str = ""
    scan: UploadedFile | None = None  # the issued original (PDF), kept as the issued file


@dataclass(frozen=True)
class BackfillConsultation:
    """The consultation record the member signed on paper (the scan optional)."""

    held_at: dt.datetime
    place: str
    host_name: str
    host_phone: str
    method: str = Method.IN_PERSON
    opinion: str = Opinion.AGREE
    opinion_text: str = ""
    scan: UploadedFile | None = None


@dataclass(frozen=True)
class BackfillRating:
    value: str
    rated_on: dt.date
    comment: str = ""
    paper_form: UploadedFile | None = None


def _moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, NOON))


def _aware(moment: dt.datetime) -> dt.datetime:
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _date_problems(
    *,
    submitted_on: dt.date,
    registered_on: dt.date | None,
    agency: Agency | None,
    assigned_on: dt.date | None,
    due_date: dt.date | None,
    accepted_on: dt.date | None,
    reply: BackfillReply | None,
    consultation: BackfillConsultation | None,
    rating: BackfillRating | None,
    closed_on: dt.date | None,
) -> list[tuple[str, str]]:
    """The order of the entered dates, and the steps each one needs before it."""
    problems: list[tuple[str, str]] = []
    today = timezone.localdate()
    held_on = timezone.localdate(_aware(consultation.held_at)) if consultation is not None else None
    dated = {
        "submitted_on": submitted_on,
        "registered_on": registered_on,
        "assigned_on": assigned_on,
        "accepted_on": accepted_on,
        "reply_date": reply.reply_date if reply else None,
        "held_at": held_on,
        "rated_on": rating.rated_on if rating else None,
        "closed_on": closed_on,
    }
    for name, day in dated.items():
        if day is not None and day > today:
            problems.append((name, str(DATE_IN_FUTURE)))

    def needs(step, earlier_name: str, earlier) -> None:
        """``step`` was entered without the step it follows: said at the missing field."""
        if dated[earlier_name] is None:
            problems.append((earlier_name, str(NEEDS_EARLIER % {"step": step, "earlier": earlier})))

    def not_before(name: str, later: dt.date | None, earlier: dt.date | None, message) -> None:
        if later is not None and earlier is not None and later < earlier:
            problems.append((name, str(message % {"date": document_date(earlier)})))

    not_before("registered_on", registered_on, submitted_on, REGISTERED_BEFORE_SUBMITTED)
    if assigned_on is not None or agency is not None:
        if agency is None:
            problems.append(("agency", str(AGENCY_REQUIRED)))
        needs(_("交办"), "assigned_on", _("交办日期"))
        needs(_("交办"), "registered_on", _("立案日期"))
        not_before("assigned_on", assigned_on, registered_on, ASSIGNED_BEFORE_REGISTERED)
        not_before("due_date", due_date, assigned_on, DUE_BEFORE_ASSIGNMENT)
    if accepted_on is not None:
        needs(_("签收"), "assigned_on", _("交办日期"))
        not_before("accepted_on", accepted_on, assigned_on, ACCEPTED_BEFORE_ASSIGNED)
    if reply is not None:
        needs(_("答复"), "accepted_on", _("签收日期"))
        # The letter's own rule (replies.rules, checked again with its other fields), said here
        # with the other dates.
        not_before("reply_date", reply.reply_date, assigned_on, reply_rules.DATE_BEFORE_ASSIGNMENT)
        if not (assigned_on and reply.reply_date < assigned_on):
            not_before("reply_date", reply.reply_date, accepted_on, REPLY_BEFORE_ACCEPTED)
    if consultation is not None:
        needs(_("面商"), "accepted_on", _("签收日期"))
        if held_on is not None and assigned_on is not None and held_on < assigned_on:
            problems.append(("held_at", str(HELD_BEFORE_ASSIGNMENT % {"date": document_date(assigned_on)})))
    if rating is not None:
        needs(_("测评"), "reply_date", _("答复的成文日期"))
        not_before("rated_on", rating.rated_on, reply.reply_date if reply else None, RATED_BEFORE_REPLY)
    if closed_on is not None:
        needs(_("办结"), "reply_date", _("答复的成文日期"))
        not_before("closed_on", closed_on, reply.reply_date if reply else None, CLOSED_BEFORE_REPLY)
        not_before("closed_on", closed_on, rating.rated_on if rating else None, CLOSED_BEFORE_RATING)
    return problems


def _shape_problems(
    *,
    proposal_member: Member | None,
    consultation: BackfillConsultation | None,
    rating: BackfillRating | None,
    closed_on: dt.date | None,
    close_note: str,
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if consultation is not None:
        if proposal_member is None:
            problems.append(("held_at", str(NO_FIRST_PROPOSER)))
        if consultation.method not in Method.values:
            problems.append(("method", str(METHOD_INVALID)))
        if not consultation.place.strip():
            problems.append(("place", str(PLACE_REQUIRED)))
        if not consultation.host_name.strip():
            problems.append(("host_name", str(HOST_REQUIRED)))
        try:
            validate_phone(normalise_phone(consultation.host_phone))
        except ValidationError:
            problems.append(("host_phone", str(PHONE_INVALID)))
        if consultation.opinion not in Opinion.values:
            problems.append(("opinion", str(OPINION_INVALID)))
    if rating is not None:
        if rating.value not in Satisfaction.values:
            problems.append(("rating", str(RATING_INVALID)))
        elif rating.value == Satisfaction.UNSATISFIED:
            problems.append(("rating", str(RATING_UNSATISFIED)))
        elif rating.value == Satisfaction.BASIC and not rating.comment.strip():
            problems.append(("rating_comment", str(RATING_REASON_REQUIRED)))
        if proposal_member is None:
            problems.append(("rating", str(NO_FIRST_PROPOSER)))
    good = rating is not None and rating.value in (Satisfaction.SATISFIED, Satisfaction.BASIC)
    if closed_on is not None and not good and not close_note.strip():
        problems.append(("close_note", str(CLOSE_NOT_ALL_SATISFIED)))
    return problems


def case_backfill(
    *,
    actor: User,
    meeting: Meeting,
    number: str,
    title: str,
    main_content: str,
    submitted_on: dt.date,
    proposer_kind: str = ProposerKind.INDIVIDUAL,
    first_proposer: Member | None = None,
    cosigners: Sequence[Member] = (),
    body_name: str = "",
    body_contact: str = "",
    body_contact_phone: str = "",
    category: Category | None = None,
    reason: str = "",
    suggestions: str = "",
    between_meetings: bool = False,
    registered_on: dt.date | None = None,
    agency: Agency | None = None,
    assigned_on: dt.date | None = None,
    due_date: dt.date | None = None,
    accepted_on: dt.date | None = None,
    reply: BackfillReply | None = None,
    consultation: BackfillConsultation | None = None,
    rating: BackfillRating | None = None,
    closed_on: dt.date | None = None,
    close_note: str = "",
) -> Proposal:
    """Enter a past case with its real dates. Raises ``BackfillError`` (problems by field) or
    ``DomainError``; a refused entry writes nothing (no row, no file)."""
    stored: list[str] = []
    try:
        return _backfill(
            stored=stored,
            actor=actor,
            meeting=meeting,
            number=number,
            title=title,
            main_content=main_content,
            submitted_on=submitted_on,
            proposer_kind=proposer_kind,
            first_proposer=first_proposer,
            cosigners=list(cosigners),
            body_name=body_name,
            body_contact=body_contact,
            body_contact_phone=body_contact_phone,
            category=category,
            reason=reason,
            suggestions=suggestions,
            between_meetings=between_meetings,
            registered_on=registered_on,
            agency=agency,
            assigned_on=assigned_on,
            due_date=due_date,
            accepted_on=accepted_on,
            reply=reply,
            consultation=consultation,
            rating=rating,
            closed_on=closed_on,
            close_note=close_note,
        )
    except BaseException:
        # Django has no on-rollback hook: the files stored for a refused entry must not stay behind.
        for name in stored:
            default_storage.delete(name)
        raise


@transaction.atomic
def _backfill(*, stored: list[str], actor: User, meeting: Meeting, **case) -> Proposal:
    if not is_staff_of(actor, meeting.committee_id):
        raise DomainError(NOT_ALLOWED, code="forbidden")
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("committee").get(pk=meeting.pk)
    reply: BackfillReply | None = case["reply"]
    consultation: BackfillConsultation | None = case["consultation"]
    rating: BackfillRating | None = case["rating"]
    kind = case["proposer_kind"]
    is_body = kind == ProposerKind.BODY
    first: Member | None = None if is_body else case["first_proposer"]
    cosigners: list[Member] = [] if is_body else case["cosigners"]

    problems = _date_problems(
        submitted_on=case["submitted_on"],
        registered_on=case["registered_on"],
        agency=case["agency"],
        assigned_on=case["assigned_on"],
        due_date=case["due_date"],
        accepted_on=case["accepted_on"],
        reply=reply,
        consultation=consultation,
        rating=rating,
        closed_on=case["closed_on"],
    )
    problems += _shape_problems(
        proposal_member=first,
        consultation=consultation,
        rating=rating,
        closed_on=case["closed_on"],
        close_note=case["close_note"],
    )
    number = (case["number"] or "").strip()
    if number and not is_valid_number(number):
        problems.append(("number", str(NUMBER_INVALID)))
    elif number and Proposal.objects.filter(meeting=meeting, number=number).exists():
        problems.append(("number", str(DUPLICATE_NUMBER)))
    try:
        _check_proposers(
            kind=kind,
            first_proposer=first,
            cosigners=cosigners,
            body_name=case["body_name"],
            body_contact=case["body_contact"],
        )
        require_same_committee(meeting.committee_id, [first, *cosigners], _("提案人"))
        require_same_committee(meeting.committee_id, [case["category"]], _("类别"))
        require_same_committee(meeting.committee_id, [case["agency"]], _("承办单位"))
    except DomainError as exc:
        problems.append(("first_proposer" if not is_body else "body_name", exc.message))
    if problems:
        raise BackfillError(problems)

    now = timezone.now()
    submitted_at = _moment(case["submitted_on"])
    registered_at = _moment(case["registered_on"]) if case["registered_on"] else None
    closed_at = _moment(case["closed_on"]) if case["closed_on"] else None
    final = (
        ProposalStatus.CLOSED
        if closed_at
        else ProposalStatus.REPLIED
        if reply
        else ProposalStatus.ASSIGNED
        if case["assigned_on"]
        else ProposalStatus.REGISTERED
        if registered_at
        else ProposalStatus.SUBMITTED
    )

    sequence = sequence_of(meeting, number) if number else None
    if registered_at is not None and not number:
        sequence = next_sequence(meeting)
        number = format_number(meeting, sequence)
    if sequence is not None and sequence > meeting.last_sequence:
        meeting.last_sequence = sequence
        meeting.save(update_fields=["last_sequence"])
    proposal = Proposal(
        meeting=meeting,
        between_meetings=case["between_meetings"],
        number=number,
        sequence=sequence,
        title=case["title"].strip(),
        proposer_kind=kind,
        first_proposer=first,
        body_name=case["body_name"].strip() if is_body else "",
        body_contact=case["body_contact"].strip() if is_body else "",
        body_contact_phone=case["body_contact_phone"].strip() if is_body else "",
        category=case["category"],
        main_content=case["main_content"],
        reason=case["reason"],
        suggestions=case["suggestions"],
        status=final,
        created_by=actor,
        created_at=submitted_at,
        submitted_at=submitted_at,
        registered_at=registered_at,
        closed_at=closed_at,
        close_note=case["close_note"].strip() if closed_at else "",
    )
    try:
        full_clean(proposal)
    except DomainError as exc:
        raise BackfillError([("", exc.message)]) from exc
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError as exc:
        raise BackfillError([("number", str(DUPLICATE_NUMBER))]) from exc
    _set_cosigners(proposal, cosigners)
    timeline_record(
        proposal=proposal,
        actor=actor,
        action=ProposalAction.FILE,
        to_state=ProposalStatus.SUBMITTED,
        note=str(_("沿用原编号 %(number)s") % {"number": number}) if number and not registered_at else "",
        at=submitted_at,
    )
    if registered_at is not None:
        timeline_record(
            proposal=proposal,
            actor=actor,
            action=ProposalAction.REGISTER,
            from_state=ProposalStatus.SUBMITTED,
            to_state=ProposalStatus.REGISTERED,
            note=str(_("编号 %(number)s") % {"number": number}),
            at=registered_at,
        )
    if case["assigned_on"] is not None:
        _assignment_steps(stored=stored, actor=actor, proposal=proposal, now=now, **case)
    record_event(event="transition", user=actor, obj=proposal, detail=f"case_backfill status={final}")
    return proposal


def _assignment_steps(*, stored: list[str], actor: User, proposal: Proposal, now: dt.datetime, **case) -> Assignment:
    reply: BackfillReply | None = case["reply"]
    consultation: BackfillConsultation | None = case["consultation"]
    rating: BackfillRating | None = case["rating"]
    closed_at = _moment(case["closed_on"]) if case["closed_on"] else None
    assigned_at = _moment(case["assigned_on"])
    accepted_at = _moment(case["accepted_on"]) if case["accepted_on"] else None
    issued_at = _moment(reply.reply_date) if reply else None
    agency: Agency = case["agency"]
    due = case["due_date"] or default_due_date(proposal.meeting, AssignmentRole.LEAD, case["assigned_on"])
    status = (
        AssignmentStatus.DONE
        if closed_at
        else AssignmentStatus.REPLIED
        if reply
        else AssignmentStatus.ACCEPTED
        if accepted_at
        else AssignmentStatus.PENDING
    )
    assignment = Assignment.objects.create(
        proposal=proposal,
        agency=agency,
        role=AssignmentRole.LEAD,
        scope="",
        status=status,
        assigned_at=assigned_at,
        assigned_by=actor,
        due_date=due,
        original_due_date=due,
        accepted_at=accepted_at,
        replied_at=issued_at,
    )
    timeline_record(
        proposal=proposal,
        actor=actor,
        action=ProposalAction.ASSIGN,
        from_state=ProposalStatus.REGISTERED,
        to_state=ProposalStatus.ASSIGNED,
        note=f"{agency.name}（{assignment.get_role_display()}，{_('时限')} {due:%Y-%m-%d}）",
        assignment=assignment,
        at=assigned_at,
    )
    if accepted_at is not None:
        timeline_record(
            proposal=proposal,
            assignment=assignment,
            actor=actor,
            action=ProposalAction.ACCEPT,
            from_state=AssignmentStatus.PENDING,
            to_state=AssignmentStatus.ACCEPTED,
            note=agency.name,
            at=accepted_at,
        )
    issued = None
    if reply is not None and issued_at is not None:
        issued = _reply(stored=stored, actor=actor, assignment=assignment, reply=reply, issued_at=issued_at, now=now)
    if consultation is not None:
        _consultation(stored=stored, actor=actor, assignment=assignment, data=consultation, reply=issued, now=now)
    if issued is not None and issued_at is not None:
        # The order of the real steps: the record is signed before the issue, as a rule.
        timeline_record(
            proposal=proposal,
            assignment=assignment,
            actor=actor,
            action=ReplyAction.ISSUE,
            from_state=ReplyStatus.SUBMITTED,
            to_state=ReplyStatus.ISSUED,
            note=" · ".join(
                part
                for part in (issued.class_label, document_date(issued.reply_date), f"SHA-256 {issued.pdf_sha256}")
                if part
            ),
            at=issued_at,
        )
        # Read by verify_records, as reply_issue writes it.
        record_event(
            event="transition",
            user=actor,
            obj=issued,
            detail=f"reply_issue {digest_field('pdf_sha256', issued.pdf_sha256)}",
        )
        timeline_record(
            proposal=proposal,
            assignment=assignment,
            actor=actor,
            action=ReplyAction.ASSIGNMENT_REPLIED,
            from_state=AssignmentStatus.ACCEPTED,
            to_state=AssignmentStatus.REPLIED,
            at=issued_at,
        )
        timeline_record(
            proposal=proposal,
            actor=actor,
            action=ReplyAction.PROPOSAL_REPLIED,
            from_state=ProposalStatus.ASSIGNED,
            to_state=ProposalStatus.REPLIED,
            at=issued_at,
        )
    if rating is not None and proposal.first_proposer is not None:
        _rating(stored=stored, actor=actor, assignment=assignment, data=rating, member=proposal.first_proposer, now=now)
    if closed_at is not None:
        timeline_record(
            proposal=proposal,
            assignment=assignment,
            actor=actor,
            action=ConsultationAction.CLOSE,
            from_state=AssignmentStatus.REPLIED,
            to_state=AssignmentStatus.DONE,
            at=closed_at,
        )
        timeline_record(
            proposal=proposal,
            actor=actor,
            action=ConsultationAction.CLOSE,
            from_state=ProposalStatus.REPLIED,
            to_state=ProposalStatus.CLOSED,
            note=proposal.close_note,
            at=closed_at,
        )
    return assignment


def _reply(
    *,
    stored: list[str],
    actor: User,
    assignment: Assignment,
    reply: BackfillReply,
    issued_at: dt.datetime,
    now: dt.datetime,
) -> Reply:
    from replies.pdf import render_reply_context, reply_context  # WeasyPrint loads only when needed

    row = Reply(
        assignment=assignment,
        round=1,
        status=ReplyStatus.ISSUED,
        reply_class=reply.reply_class.strip(),
        title=reply.title.strip() or default_title(assignment),
        addressee=default_addressee(assignment),
        body=reply.body.replace("\r\n", "\n"),
        closing=default_closing(assignment),
        leader_name=reply.leader_name.strip(),
        handler_name=reply.handler_name.strip(),
        phone=normalise_phone(reply.phone),
        reply_date=reply.reply_date,
        doc_number=reply.doc_number.strip(),
        copy_to=reply.copy_to.strip(),
        is_public=reply.is_public,
        not_public_reason="" if reply.is_public else reply.not_public_reason.strip(),
        version=1,
        created_by=actor,
        created_at=issued_at,
        updated_at=now,
        submitted_at=issued_at,
        issued_at=issued_at,
    )
    problems = reply_rules.reply_problems(row, stage=reply_rules.Stage.ISSUE)
    if problems:
        raise BackfillError([(f"reply_{p.field}", p.message) for p in problems])
    if reply.scan is not None:
        try:
            check_upload(reply.scan, kinds=("pdf",))
        except ValidationError as exc:
            raise BackfillError([("reply_scan", "；".join(exc.messages))]) from exc
        reply.scan.seek(0)
        pdf = reply.scan.read()
    else:
        pdf = render_reply_context(reply_context(row, draft=False))
    row.pdf_sha256 = sha256_hex(pdf)
    proposal = assignment.proposal
    # Named before the row has its id (one save, so the public copy is queued once).
    name = f"{proposal.number or proposal.pk}-{assignment.agency_id}-r{row.round}-{uuid.uuid4().hex[:12]}.pdf"
    row.pdf.save(name, ContentFile(pdf), save=False)
    stored.append(row.pdf.name or "")
    row.full_clean(exclude=["pdf"], validate_constraints=False)
    row.save()
    ReplyVersion.objects.create(reply=row, version=1, saved_by=actor, saved_at=now, data=snapshot(row))
    return row


def _consultation(
    *,
    stored: list[str],
    actor: User,
    assignment: Assignment,
    data: BackfillConsultation,
    reply: Reply | None,
    now: dt.datetime,
) -> Consultation:
    from consultations.pdf import store_record_pdf

    proposal = assignment.proposal
    # The checks allow a consultation only on a proposal with a first proposer (a member).
    assert proposal.first_proposer_id is not None
    held_at = _aware(data.held_at)
    record = Consultation(
        assignment=assignment,
        round=1,
        member_id=proposal.first_proposer_id,
        status=ConsultationStatus.HELD,
        held_at=held_at,
        place=data.place.strip(),
        method=data.method,
        host_name=data.host_name.strip(),
        host_phone=normalise_phone(data.host_phone),
        created_by=actor,
        created_at=held_at,
        updated_at=now,
    )
    for name, value in record_prefill(record).items():
        setattr(record, name, value)
    record.reply = reply
    record.reply_version = reply.version if reply is not None else None
    record.full_clean(exclude=["signature", "paper_scan", "pdf"])
    record.save()
    timeline_record(
        proposal=proposal,
        assignment=assignment,
        actor=actor,
        action=ConsultationAction.RECORD,
        from_state=ConsultationStatus.SCHEDULED,
        to_state=ConsultationStatus.HELD,
        note=str(
            _("面商时间 %(time)s，地点 %(place)s，方式 %(method)s")
            % {
                "time": timezone.localtime(held_at).strftime("%Y-%m-%d %H:%M"),
                "place": record.place,
                "method": record.get_method_display(),
            }
        ),
        at=held_at,
    )
    fields = ["opinion", "opinion_text", "sign_method", "entered_by", "signed_at"]
    if data.scan is not None:
        try:
            upload, sha256, content_type, ext = checked_scan(data.scan, "")
        except DomainError as exc:
            raise BackfillError([("record_scan", exc.message)]) from exc
        record.paper_scan.save(f"consultation-{record.pk}-scan{ext}", upload, save=False)
        stored.append(record.paper_scan.name or "")
        record.paper_scan_sha256 = sha256
        record.paper_scan_type = content_type
        fields += ["paper_scan", "paper_scan_sha256", "paper_scan_type"]
    record.opinion = data.opinion
    record.opinion_text = data.opinion_text.strip()
    record.sign_method = SignMethod.PAPER
    record.entered_by = actor
    # Signed on paper at the consultation: its real date, not the day it is typed in.
    record.signed_at = held_at
    record.status = ConsultationStatus.SIGNED
    record.content_sha256 = content_hash(record)
    store_record_pdf(record)
    stored.append(record.pdf.name or "")
    record.save(update_fields=[*fields, "status", "content_sha256", "pdf", "pdf_sha256"])
    timeline_record(
        proposal=proposal,
        assignment=assignment,
        actor=actor,
        action=ConsultationAction.SIGN_PAPER,
        from_state=ConsultationStatus.HELD,
        to_state=ConsultationStatus.SIGNED,
        note=str(_("委员意见：%(opinion)s") % {"opinion": record.get_opinion_display()}),
        at=held_at,
    )
    record_event(
        event="transition", user=actor, obj=record, detail=signing_detail(ConsultationAction.SIGN_PAPER, record)
    )
    return record


def _rating(
    *,
    stored: list[str],
    actor: User,
    assignment: Assignment,
    data: BackfillRating,
    member: Member,
    now: dt.datetime,
) -> Rating:
    rated_at = _moment(data.rated_on)
    rating = Rating(
        assignment=assignment,
        round=1,
        member=member,
        value=data.value,
        comment=data.comment.strip(),
        entered_by=actor,
        on_behalf=True,
        created_at=rated_at,
        updated_at=now,
    )
    if data.paper_form is not None:
        try:
            upload, _sha256, content_type, ext = checked_scan(data.paper_form, "")
        except DomainError as exc:
            raise BackfillError([("rating_form", exc.message)]) from exc
        rating.paper_form.save(f"rating-{assignment.pk}-{member.pk}-form{ext}", upload, save=False)
        stored.append(rating.paper_form.name or "")
        rating.paper_form_type = content_type
    rating.save()
    note = _("%(member)s：%(value)s") % {"member": member.name, "value": rating.get_value_display()}
    if rating.comment:
        note = f"{note}\n{rating.comment}"
    timeline_record(
        proposal=assignment.proposal,
        assignment=assignment,
        actor=actor,
        action=ConsultationAction.RATE,
        to_state=data.value,
        note=str(note),
        at=rated_at,
    )
    record_event(event="transition", user=actor, obj=rating, detail="rating_submit on behalf (backfill)")
    return rating
