from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from proposals import services
from proposals.errors import DomainError
from tests.factories import pdf_upload

pytestmark = pytest.mark.django_db


def test_each_transition_leaves_exactly_one_audit_row(world, submitted):
    before = AuditEvent.objects.filter(event="transition").count()
    services.proposal_register(proposal=submitted, actor=world.staff)
    rows = AuditEvent.objects.filter(event="transition").order_by("id")[before:]
    assert len(rows) == 1
    assert rows[0].user_id == world.staff.pk and rows[0].detail.startswith("proposal_register:")


def test_refused_transition_leaves_no_audit_row(world, submitted):
    before = AuditEvent.objects.filter(event="transition").count()
    with pytest.raises(DomainError):
        services.proposal_register(proposal=submitted, actor=world.handler_a)
    assert AuditEvent.objects.filter(event="transition").count() == before


def test_export_and_download_are_audited(world, login):
    att = services.attachment_add(proposal=world.proposal, actor=world.staff, upload=pdf_upload())
    client = login(world.handler_a)
    client.get(reverse("proposals:export"))
    client.get(reverse("proposals:attachment_download", args=[att.pk]))
    export = AuditEvent.objects.filter(event="export").latest("id")
    download = AuditEvent.objects.filter(event="download").latest("id")
    assert export.user_id == world.handler_a.pk and "rows=1" in export.detail
    assert (download.user_id, download.object_pk) == (world.handler_a.pk, str(att.pk))
