"""A signed record whose reply changed afterwards goes back to the member for a new signature.

On a joint record every proposer's signature is cleared and each of them signs again.

The member signs the record on one version of the reply (``Consultation.reply_version``). A leader
may still edit a submitted reply before 签发; then what the member agreed to is no longer what will
be issued. The reply page says so (``stale_signature``) and the agency may send the record back:
the record returns to 已面商 on the current version and the member is asked again. The earlier
signature stays readable in the record's history; nothing is deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from proposals.errors import DomainError
from proposals.models import Assignment, ProposalStatus, User
from proposals.roles import is_agency_user_of
from proposals.timeline import timeline_record
from replies.models import Reply, ReplyStatus

from ..actions import ConsultationAction
from ..models import Consultation, ConsultationStatus
from ..selectors import round_reply, stale_signature
from ..signals import record_awaits_signature
from .common import PROPOSAL_CLOSED, audit_event
from .records import lock_consultation
from .signers import RECORD_SIGNING_FIELDS, clear_row_signatures, sync_signers

RESIGN_NOT_ALLOWED = _("只有该承办单位的经办人或负责人可以请委员重新签字。")
RESIGN_NOT_SIGNED = _("该面商记录尚未签字，无需重新签字。")
RESIGN_NOT_CHANGED = _("委员签字后答复没有修改，无需重新签字。")
RESIGN_REPLY_ISSUED = _("答复已签发，不能再请委员重新签字。")


@transaction.atomic
def consultation_request_resign(*, consultation: Consultation, actor: User, reason: str = "") -> Consultation:
    # The issue's lock order (assignment, then reply) first: a 签发 at the same moment waits for
    # this, or this for it, and the reply's state below is the one under the lock.
    Assignment.objects.select_for_update(of=("self",)).filter(pk=consultation.assignment_id).first()
    Reply.objects.select_for_update(of=("self",)).filter(
        assignment_id=consultation.assignment_id, round=consultation.round
    ).first()
    consultation = lock_consultation(consultation)
    assignment = consultation.assignment
    if not is_agency_user_of(actor, assignment.agency_id):
        raise DomainError(RESIGN_NOT_ALLOWED, code="forbidden")
    if assignment.proposal.status == ProposalStatus.CLOSED:
        raise DomainError(PROPOSAL_CLOSED)
    if consultation.status != ConsultationStatus.SIGNED:
        raise DomainError(RESIGN_NOT_SIGNED)
    reply = round_reply(assignment, consultation.round)
    if reply is not None and reply.status == ReplyStatus.ISSUED:
        raise DomainError(RESIGN_REPLY_ISSUED)
    if not stale_signature(consultation, reply):
        raise DomainError(RESIGN_NOT_CHANGED)
    assert reply is not None  # stale_signature is False without a reply
    signed_version = consultation.reply_version
    for name, value in RECORD_SIGNING_FIELDS.items():
        setattr(consultation, name, value)
    consultation.reply_version = reply.version
    consultation.status = ConsultationStatus.HELD
    consultation.updated_at = timezone.now()
    consultation.save(update_fields=[*RECORD_SIGNING_FIELDS, "reply_version", "status", "updated_at"])
    # Every proposer signs again: the other proposers' signatures are cleared too, and the
    # record's proposers are the assignment's now (a co-signer confirmed since signs as well).
    clear_row_signatures(consultation)
    sync_signers(consultation)
    with translation.override(settings.LANGUAGE_CODE):
        note = str(
            _("委员签字所据为第 %(signed)s 版答复，答复已修改为第 %(current)s 版，请委员重新签字。")
            % {"signed": signed_version, "current": reply.version}
        )
    reason = (reason or "").strip()
    timeline_record(
        proposal=assignment.proposal,
        assignment=assignment,
        actor=actor,
        action=ConsultationAction.RESIGN,
        from_state=ConsultationStatus.SIGNED,
        to_state=ConsultationStatus.HELD,
        note="\n".join([note, reason]) if reason else note,
    )
    audit_event(actor, consultation, f"{ConsultationAction.RESIGN.value} signed_version={signed_version}")
    consultation_id = consultation.pk
    transaction.on_commit(lambda: record_awaits_signature.send(sender=Consultation, consultation_id=consultation_id))
    return consultation
