"""Walk the project's URL patterns, and a world with one object of every kind per agency.

Shared by tests/test_permission_matrix.py (expected status per URL × persona × relation) and the
fuzz test of every POST form (tests/audit/test_input.py).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.factories import World, make_assignment, make_proposal

# Django admin's own patterns are Django's code: they are checked per persona through the admin
# index, a changelist and the autocomplete view (test_permission_matrix), not walked one by one.
SKIPPED_NAMESPACES = {"admin"}
# The language switch (django.conf.urls.i18n) is Django's own, POST-only, no object.
SKIPPED_NAMES = {"set_language"}

PERSONAS = (
    "anonymous",
    "staff",
    "handler_a",
    "leader_a",
    "handler_b",
    "proposer",
    "cosigner",
    "unrelated_member",
    "admin",
    "auditor",
)


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    route: str  # the pattern text, e.g. "proposals/<int:pk>/"
    params: tuple[str, ...]


def walk(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> list[Route]:
    resolver = resolver or get_resolver()
    routes: list[Route] = []
    for pattern in resolver.url_patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else ns or namespace
            if ns in SKIPPED_NAMESPACES:
                continue
            routes.extend(walk(pattern, text, full_ns))
        elif isinstance(pattern, URLPattern):
            if pattern.name in SKIPPED_NAMES:
                continue
            if not pattern.name:
                # an unnamed pattern cannot be given a row; the completeness test reports it
                routes.append(Route(f"{namespace}:<unnamed {text}>" if namespace else f"<unnamed {text}>", text, ()))
                continue
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            params = tuple(re.findall(r"<(?:\w+:)?(\w+)>", text))
            routes.append(Route(name, text, params))
    return routes


def pdf_upload(name: str = "file.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", content_type="application/pdf")


@dataclass
class Objects:
    """One object of each kind per relation: "a" belongs to the world's proposal (agency A,
    proposer 张三, co-signer 李四); "b" to a proposal of 王五 assigned to agency B."""

    a: dict
    b: dict


def build_objects(world: World) -> Objects:
    from consultations import services as consultation_services
    from consultations.models import Rating
    from oversight.models import VolumeBuild
    from proposals import services as proposal_services
    from replies import services as reply_services

    staff = world.staff
    proposal_b = make_proposal(
        meeting=world.meeting,
        created_by=staff,
        first_proposer=world.unrelated,
        status="assigned",
        number="TA0002",
        sequence=2,
        title="关于乙单位的建议",
    )
    assignment_b = make_assignment(proposal=proposal_b, agency=world.agency_b, assigned_by=staff)
    reply_data = {
        "reply_class": "A",
        "body": "经研究，答复如下：已经落实。",
        "leader_name": "负责人",
        "handler_name": "经办人",
        "phone": "13800000009",
    }
    out = {}
    for key, proposal, assignment, handler in (
        ("a", world.proposal, world.assignment, world.handler_a),
        ("b", proposal_b, assignment_b, world.handler_b),
    ):
        held = timezone.now()
        consultation = consultation_services.consultation_schedule(
            assignment=assignment,
            actor=handler,
            held_at=held,
            place="市政协",
            method="in_person",
            host_name="面商人",
            host_phone="13900000001",
        )
        reply = reply_services.reply_create(assignment=assignment, actor=handler, data=dict(reply_data))
        attachment = proposal_services.attachment_add(proposal=proposal, actor=staff, upload=pdf_upload())
        extension = proposal_services.assignment_request_extension(
            assignment=assignment,
            actor=handler,
            reason="需要调研",
            requested_due_date=assignment.due_date + dt.timedelta(days=30),
        )
        # a rating the member filled in on paper (made directly: the rating rules are not under test)
        rating = Rating.objects.create(
            assignment=assignment,
            member=proposal.first_proposer,
            value="satisfied",
            entered_by=staff,
            on_behalf=True,
            paper_form=pdf_upload("rating.pdf"),
            paper_form_type="application/pdf",
        )
        out[key] = {
            "rating": rating,
            "proposal": proposal,
            "assignment": assignment,
            "reply": reply,
            "consultation": consultation,
            "attachment": attachment,
            "extension": extension,
        }
    volume = VolumeBuild.objects.create(meeting=world.meeting, format="pdf", requested_by=staff)
    for key in ("a", "b"):
        out[key]["meeting"] = world.meeting
        out[key]["volume"] = volume
    return Objects(a=out["a"], b=out["b"])


def personas(world: World) -> dict:
    return {**world.personas(), "auditor": world.auditor}
