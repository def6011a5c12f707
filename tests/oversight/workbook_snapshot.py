"""The rows of a database as natural values (no primary keys): what an export and an import into an
empty database must give back unchanged. Run in this process or in another database's
(``manage.py shell -c "from tests.oversight.workbook_snapshot import dump; dump()"``)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import models

from consultations.models import Consultation, Rating
from proposals.models import (
    Agency,
    Assignment,
    Category,
    Committee,
    CommitteeReplyClass,
    DeclineReason,
    Meeting,
    Member,
    Proposal,
    ProposalCosigner,
    User,
)
from replies.models import Reply

# Fields the workbook does not carry: files and their hashes, optimistic-lock and edit bookkeeping,
# who signed online (the member's account), and the hash of a record, which covers database ids.
NOT_CARRIED = {
    Agency: {"seal"},
    Assignment: {"replaced_by"},
    Reply: {
        "version", "updated_at", "submitted_by", "leader_comment", "pdf", "pdf_sha256",
        "unpublished_at", "unpublished_by", "unpublish_reason",
    },
    Consultation: {
        "updated_at", "signature", "signed_by", "signed_ip", "signature_sha256", "paper_scan",
        "paper_scan_sha256", "paper_scan_type", "entered_by", "content_sha256", "pdf", "pdf_sha256",
    },
    Rating: {"paper_form", "paper_form_type", "updated_at"},
}  # fmt: skip
USER_FIELDS = ("username", "display_name", "role", "phone", "email", "oversees_children", "is_active")
MODELS = (
    Committee, CommitteeReplyClass, Category, DeclineReason, Meeting, Agency, Member,
    Proposal, ProposalCosigner, Assignment, Reply, Consultation, Rating,
)  # fmt: skip


def natural(obj: Any) -> Any:
    if obj is None:
        return None
    if isinstance(obj, Committee):
        return obj.name
    if isinstance(obj, Meeting):
        return [obj.committee.name, obj.code]
    if isinstance(obj, Member):
        return [obj.committee.name, obj.name, obj.work_unit]
    if isinstance(obj, Agency | Category):
        return [obj.committee.name, obj.name]
    if isinstance(obj, DeclineReason):
        return [obj.committee.name, obj.text]
    if isinstance(obj, User):
        return obj.username
    if isinstance(obj, Proposal):
        return [natural(obj.meeting), obj.number or obj.title]
    if isinstance(obj, Assignment):
        return [natural(obj.proposal), obj.agency.name, value(obj.assigned_at)]
    if isinstance(obj, Reply):
        return [natural(obj.assignment), obj.round]
    raise TypeError(type(obj))


def value(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.astimezone(dt.UTC).replace(microsecond=0).isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def row(obj: models.Model) -> dict[str, Any]:
    out: dict[str, Any] = {}
    skip = NOT_CARRIED.get(type(obj), set())
    for f in obj._meta.concrete_fields:
        if f.primary_key or f.name in skip or isinstance(f, models.FileField):
            continue
        if f.is_relation:
            out[f.name] = natural(getattr(obj, f.name))
        else:
            out[f.name] = value(getattr(obj, f.attname))
    return out


def snapshot() -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for model in MODELS:
        data[model.__name__] = sorted(
            json.dumps(row(obj), ensure_ascii=False, sort_keys=True) for obj in model.objects.all()
        )
    data["User"] = sorted(
        json.dumps(
            {
                **{name: getattr(u, name) for name in USER_FIELDS},
                "committee": natural(u.committee),
                "agency": natural(u.agency),
                "member": natural(u.member),
            },
            ensure_ascii=False,
            sort_keys=True,
        )
        for u in User.objects.all()
    )
    return data


def dump() -> None:
    print("SNAPSHOT " + json.dumps(snapshot(), ensure_ascii=False))
