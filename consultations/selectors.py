"""Who may see which consultation records and ratings; and the ``can_*`` predicates for buttons.

Built on ``proposals.selectors.assignments_visible_to`` so the agency and proposal rules live in
one place. A member sees only the records they sign (the record's member, or one of its other
proposers: ``ConsultationSigner``) and only their own ratings.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.probes import record_out_of_scope
from documents.formats import document_date
from proposals import roles
from proposals.models import Assignment, AssignmentStatus, Member, Proposal, ProposalStatus, User
from proposals.numbers import display_number
from proposals.proposers import assignment_proposers
from proposals.selectors import assignments_visible_to
from replies.models import Reply, ReplyStatus
from replies.notices import ReplyNotice
from replies.verification import VerifiedDocument

from .models import Consultation, ConsultationSigner, ConsultationStatus, Rating, SignMethod


def consultations_visible_to(user: User) -> QuerySet[Consultation]:
    qs = Consultation.objects.filter(assignment__in=assignments_visible_to(user).values("pk"))
    if roles.is_member(user) and user.member_id is not None:  # is_member checks it; the check narrows
        # A member signs a handful of records: their ids from one UNION of two index lookups (the
        # member's own records, the rows they sign), then looked up by id. An OR of the two in the
        # page's query was checked record by record (PostgreSQL scanned 887,092 records, 275 ms).
        own = Consultation.objects.filter(member_id=user.member_id).order_by().values_list("pk", flat=True)
        signs = ConsultationSigner.objects.filter(member_id=user.member_id).order_by().values_list("consultation_id")
        qs = qs.filter(pk__in=list(own.union(signs)))
    return qs


def signed_by_member(user: User) -> QuerySet[Consultation]:
    """The records the member user has signed their own line of, online or on paper: the first
    proposer's line is the record's, another proposer's a ``ConsultationSigner`` row."""
    member_id = getattr(user, "member_id", None)
    if not roles.is_member(user) or member_id is None:
        return Consultation.objects.none()
    rows = ConsultationSigner.objects.filter(member_id=member_id, sign_method__gt="").values("consultation_id")
    return consultations_visible_to(user).filter(Q(member_id=member_id, sign_method__gt="") | Q(pk__in=rows))


def signers_visible_to(user: User) -> QuerySet[ConsultationSigner]:
    """The signer rows of the records the user may see (their versions follow the record's rule)."""
    return ConsultationSigner.objects.filter(consultation__in=consultations_visible_to(user).values("pk"))


def get_signer_for_user(user: User, pk: int) -> ConsultationSigner:
    """A joint record's signer row, or 404 — as for its record."""
    try:
        return signers_visible_to(user).select_related("consultation").get(pk=pk)
    except (ConsultationSigner.DoesNotExist, ValueError, TypeError):
        record_out_of_scope(user, ConsultationSigner._meta.label, pk)
        raise Http404 from None


def get_consultation_for_user(user: User, pk: int, *, write: bool = False) -> Consultation:
    """The record, or 404 — the same answer for "missing" and "not yours"."""
    qs = consultations_visible_to(user)
    if write:
        qs = qs.select_for_update()
    try:
        return qs.select_related(
            "assignment", "assignment__proposal", "assignment__proposal__meeting", "assignment__agency", "member"
        ).get(pk=pk)
    except (Consultation.DoesNotExist, ValueError, TypeError):
        record_out_of_scope(user, Consultation._meta.label, pk)
        raise Http404 from None


def ratings_visible_to(user: User) -> QuerySet[Rating]:
    qs = Rating.objects.filter(assignment__in=assignments_visible_to(user).values("pk"))
    if roles.is_member(user) and user.member_id is not None:  # is_member checks it; the check narrows
        qs = qs.filter(member_id=user.member_id)
    return qs


def get_rating_for_user(user: User, pk: int) -> Rating:
    try:
        return ratings_visible_to(user).select_related("assignment", "member").get(pk=pk)
    except (Rating.DoesNotExist, ValueError, TypeError):
        record_out_of_scope(user, Rating._meta.label, pk)
        raise Http404 from None


def awaiting_signature(user: User) -> QuerySet[Consultation]:
    """The records this member still has to sign (the record has been filled in by the agency)."""
    if not roles.is_member(user) or user.member_id is None:  # is_member checks it; the check narrows
        return Consultation.objects.none()
    unsigned = ConsultationSigner.objects.filter(member_id=user.member_id, sign_method="").values("consultation_id")
    return (
        consultations_visible_to(user)  # the member's few records by id: the OR below reads only those
        .filter(status=ConsultationStatus.HELD)
        .filter(Q(member_id=user.member_id, sign_method="") | Q(pk__in=unsigned))
        .select_related("assignment__proposal__meeting", "assignment__proposal__committee", "assignment__agency")
        .order_by("held_at", "id")
    )


def assignment_raters(assignment: Assignment) -> list[Member]:
    """The members who may rate an answering assignment: its proposers (``proposals.proposers``)."""
    return assignment_proposers(assignment)


def round_reply(assignment: Assignment, round_no: int | None = None) -> Reply | None:
    return Reply.objects.filter(assignment=assignment, round=round_no or assignment.round).first()


def stale_signature(consultation: Consultation, reply: Reply | None) -> bool:
    """The member signed this record on an earlier version of ``reply``, which is not issued yet."""
    return (
        consultation.status == ConsultationStatus.SIGNED
        and reply is not None
        and consultation.reply_id == reply.pk
        and consultation.reply_version is not None
        and consultation.reply_version != reply.version
        and reply.status != ReplyStatus.ISSUED
    )


def stale_signature_notices(user: User, reply: Reply) -> list[ReplyNotice]:
    """On the reply's page (``replies.notices``): records signed on an earlier version of this reply.

    The agency's users may send such a record back for a new signature; staff see the notice only."""
    if reply.status == ReplyStatus.ISSUED or not (
        roles.is_agency_user_of(user, reply.assignment.agency_id)
        or roles.is_staff_of(user, reply.assignment.proposal.committee_id)
    ):
        return []
    records = Consultation.objects.filter(
        assignment_id=reply.assignment_id, round=reply.round, reply=reply, status=ConsultationStatus.SIGNED
    ).exclude(reply_version=reply.version)
    may_send_back = roles.is_agency_user_of(user, reply.assignment.agency_id)
    notices = []
    for record in records:
        if not stale_signature(record, reply):
            continue
        text = _(
            "委员%(member)s于%(when)s签字确认的面商记录所据为第 %(signed)s 版答复；"
            "答复此后已修改，现为第 %(current)s 版。签发的将是第 %(current)s 版，委员签字的内容与之不同。"
        ) % {
            "member": record.member_name,
            "when": document_date(timezone.localdate(record.signed_at)) if record.signed_at else "",
            "signed": record.reply_version,
            "current": reply.version,
        }
        notices.append(
            ReplyNotice(
                text=text,
                action_url=reverse("consultations:resign", args=[record.pk]) if may_send_back else "",
                action_label=_("请委员重新签字") if may_send_back else "",
            )
        )
    return notices


# --- Predicates for templates; the services check again -------------------------------------


def can_record(user: User, assignment: Assignment) -> bool:
    return (
        roles.is_handler_of(user, assignment.agency_id)
        and assignment.answers_member
        and assignment.status in (AssignmentStatus.ACCEPTED, AssignmentStatus.REHANDLING, AssignmentStatus.REPLIED)
        and assignment.proposal.status != ProposalStatus.CLOSED
    )


NO_FIRST_PROPOSER = gettext_lazy("该提案没有第一提案人（集体提案），无法安排委员面商。")
ROUND_HAS_RECORD = gettext_lazy("本轮已安排面商；委员不满意、重新办理后，才安排下一轮面商。")


def schedule_refusal(assignment: Assignment) -> str | None:
    """Why the assignment's current round may not get a consultation arranged, or None: it needs a
    first proposer to meet, and a round has one record (the next comes with a new round, after
    不满意). The service refuses with this message; ``schedulable`` is the same rule in SQL."""
    if assignment.proposal.first_proposer_id is None:
        return str(NO_FIRST_PROPOSER)
    if Consultation.objects.filter(assignment_id=assignment.pk, round=assignment.round).exists():
        return str(ROUND_HAS_RECORD)
    return None


def schedulable(assignments: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """``schedule_refusal`` as a filter: the assignments whose current round may get a consultation
    arranged (the handler's 待安排面商 queue, one query)."""
    this_round = Consultation.objects.filter(assignment=OuterRef("pk"), round=OuterRef("round"))
    return assignments.filter(proposal__first_proposer__isnull=False).filter(~Exists(this_round))


def can_schedule(user: User, assignment: Assignment) -> bool:
    """The 安排第 N 轮面商 form: the user may record for the assignment and its round may get one."""
    return can_record(user, assignment) and schedule_refusal(assignment) is None


def can_edit_record(user: User, consultation: Consultation) -> bool:
    return not consultation.is_locked and can_record(user, consultation.assignment)


def can_sign_online(user: User, consultation: Consultation) -> bool:
    """A proposer on the record whose own line is not signed yet."""
    from .services.signers import signer_lines  # the services import this module

    if consultation.status != ConsultationStatus.HELD:
        return False
    return any(roles.is_member_of(user, line.member_id) and not line.is_signed for line in signer_lines(consultation))


def can_sign_paper(user: User, consultation: Consultation) -> bool:
    from .services.signers import unsigned_lines  # the services import this module

    if consultation.status != ConsultationStatus.HELD or not unsigned_lines(consultation):
        return False
    if roles.is_staff_of(user, consultation.assignment.proposal.committee_id):
        return True
    return can_record(user, consultation.assignment)


def can_rate(user: User, assignment: Assignment) -> bool:
    """A proposer or co-signer, once this round's reply is issued and the proposal is not closed."""
    if not roles.is_member(user) or not rating_open(assignment):
        return False
    return user.member_id in {m.pk for m in assignment_raters(assignment)}


def can_rate_on_behalf(user: User, assignment: Assignment) -> bool:
    return roles.is_staff_of(user, assignment.proposal.committee_id) and rating_open(assignment)


def rating_open(assignment: Assignment) -> bool:
    if not assignment.answers_member or assignment.status != AssignmentStatus.REPLIED:
        return False
    if assignment.proposal.status == ProposalStatus.CLOSED:
        return False
    reply = round_reply(assignment)
    return reply is not None and reply.status == ReplyStatus.ISSUED


def can_close(user: User, proposal: Proposal) -> bool:
    """The 办结 buttons: exactly where ``proposal_close`` accepts (by decision, with a reason, when
    the ratings do not suffice): ``services.closing.close_refusal`` finds nothing."""
    from .services.closing import close_refusal  # the services import this module

    return close_refusal(user, proposal) is None


# --- The verification page (replies.views.verify): a signed record found by its 核验码 --------


def signed_record_by_code(code: str) -> Consultation | None:
    """The signed record whose stored content hash begins with this normalised code (lower-case hex).

    Any logged-in user may ask, as for an issued reply's SHA-256: the code is printed on the paper,
    and the answer tells nothing the paper does not. None for no record and for two records with
    the same code (see ``hashing.VERIFICATION_CODE_LENGTH``): the page names neither.
    """
    from .services.hashing import VERIFICATION_CODE_LENGTH  # the services import this module

    if len(code) != VERIFICATION_CODE_LENGTH or any(ch not in "0123456789abcdef" for ch in code):
        return None
    matches = list(
        Consultation.objects.filter(status=ConsultationStatus.SIGNED, content_sha256__startswith=code)
        .select_related("assignment__proposal__meeting", "assignment__proposal__committee")
        .order_by("id")[:2]
    )
    return matches[0] if len(matches) == 1 else None


def signed_how(consultation: Consultation) -> str:
    """How and when, as the verification page says it: 网上签字，2024年7月9日 09:00."""
    at = timezone.localtime(consultation.signed_at) if consultation.signed_at else None
    when = f"{document_date(at)} {at:%H:%M}" if at else ""
    if consultation.sign_method == SignMethod.PAPER:
        # signed_at of a paper sign-off is when the scan was entered, not when the member signed.
        return str(_("纸质签字（扫描件），%(when)s 录入") % {"when": when})
    return str(_("网上签字，%(when)s") % {"when": when})


def verified_record(code: str) -> VerifiedDocument | None:
    """What the verification page says of the record with this code (replies.verification)."""
    from .services.hashing import record_hash_matches  # the services import this module

    consultation = signed_record_by_code(code)
    if consultation is None:
        return None
    proposal = consultation.assignment.proposal
    committee = proposal.committee
    number = display_number(consultation.proposal_number, committee.number_style)
    facts = (
        (str(_("政协委员会")), committee.display_name),
        (str(_("提案编号")), f"{proposal.meeting} {number}".strip()),
        (str(_("承办单位")), consultation.agency_name),
        (str(_("办理轮次")), str(_("第 %(round)s 轮") % {"round": consultation.round})),
        (str(_("签字")), signed_how(consultation)),
    )
    return VerifiedDocument(
        obj=consultation,
        kind=str(_("面商记录表")),
        # The stored hash is what the code was printed from; it must still be the record's own.
        intact=record_hash_matches(consultation),
        facts=facts,
    )
