"""Demo data of the consultations app: the TA0207 record as in the seed, signed online by 朱国胜, and a rating.

Runs after ``replies.demo`` (INSTALLED_APPS order). Keyed on natural keys, so a second run leaves the
same rows. As in the seed, the record's 面商人 is 杨国胜 while the letter's 承办人 is 杨国强.
"""

from __future__ import annotations

from proposals import seed
from proposals.demo import DemoContext, local_dt, upsert
from proposals.models import Assignment, TimelineEvent
from replies.models import Reply

from .actions import ConsultationAction
from .models import Consultation, ConsultationStatus, Method, Opinion, Rating, SignMethod
from .pdf import store_record_pdf
from .services import content_hash


def load(ctx: DemoContext) -> None:
    assignment = ctx.objects.get("assignment")
    users = ctx.objects.get("users")
    if not isinstance(assignment, Assignment) or not isinstance(users, dict) or "zhuguosheng" not in users:
        return
    member_user = users["zhuguosheng"]
    handler = users["fgw_handler"]
    member = member_user.member
    reply = ctx.objects.get("reply")
    if not isinstance(reply, Reply):
        reply = Reply.objects.filter(assignment=assignment, round=1).first()

    held_at = local_dt(*seed.REPLY_DATE, hour=8)
    signed_at = local_dt(*seed.REPLY_DATE, hour=9)  # before the reply was issued at 10:00
    values = {
        "member": member,
        "status": ConsultationStatus.SIGNED,
        "held_at": held_at,
        "place": seed.RECORD_PLACE,
        "method": Method.IN_PERSON,
        "host_name": seed.RECORD_HOST,
        "host_phone": seed.RECORD_HOST_PHONE,
        "agency_name": seed.AGENCY,
        "proposal_number": seed.NUMBER,
        "member_name": seed.MEMBER_NAME,
        "work_unit": seed.MEMBER_WORK_UNIT,
        "member_phone": seed.MEMBER_PHONE,
        "main_content": seed.MAIN_CONTENT,
        "reply_points": seed.RECORD_REPLY_POINTS,
        "handling_class": seed.REPLY_CLASS,
        "reply": reply,
        "reply_version": reply.version if reply is not None else None,
        "opinion": Opinion.AGREE,
        "opinion_text": seed.RECORD_OPINION_TEXT,
        "sign_method": SignMethod.ONLINE,
        "signed_by": member_user,
        "signed_at": signed_at,
        "signed_ip": "127.0.0.1",
        "created_by": handler,
        "created_at": local_dt(2024, 7, 1),
        "updated_at": signed_at,
    }
    record = Consultation.objects.filter(assignment=assignment, round=1).order_by("id").first()
    if record is None:
        record = Consultation(assignment=assignment, round=1)
    changed = [name for name, value in values.items() if getattr(record, name, None) != value]
    for name in changed:
        setattr(record, name, values[name])
    if record.pk is None:
        record.save()
    # Save only when something differs, so a second run adds no history version.
    new_hash = content_hash(record)
    if changed or new_hash != record.content_sha256 or not record.pdf:
        record.content_sha256 = new_hash
        store_record_pdf(record)
        record.save()

    rating, _ = upsert(
        Rating,
        assignment=assignment,
        round=1,
        member=member,
        defaults={
            "value": seed.RATING,
            "comment": "",
            "entered_by": member_user,
            "on_behalf": False,
            "created_at": local_dt(2024, 7, 20),
            "updated_at": local_dt(2024, 7, 20),
        },
    )

    proposal = assignment.proposal
    events = [
        (local_dt(2024, 7, 1), handler, ConsultationAction.SCHEDULE, "", ConsultationStatus.SCHEDULED, ""),
        (held_at, handler, ConsultationAction.RECORD, ConsultationStatus.SCHEDULED, ConsultationStatus.HELD, ""),
        (
            signed_at,
            member_user,
            ConsultationAction.SIGN_ONLINE,
            ConsultationStatus.HELD,
            ConsultationStatus.SIGNED,
            "委员意见：同意",
        ),
        (local_dt(2024, 7, 20), member_user, ConsultationAction.RATE, "", seed.RATING, "朱国胜：满意"),
    ]
    for at, actor, action, from_state, to_state, note in events:
        TimelineEvent.objects.get_or_create(
            proposal=proposal,
            action=action,
            at=at,
            defaults={
                "actor": actor,
                "assignment": assignment,
                "from_state": from_state,
                "to_state": to_state,
                "note": note,
            },
        )
    ctx.objects.update({"consultation": record, "rating": rating})
