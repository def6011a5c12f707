"""Workflow rows cannot be changed through the admin: every change goes through a service."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

WORKFLOW_MODELS = [
    "proposals_proposal",
    "proposals_assignment",
    "proposals_extensionrequest",
    "proposals_proposalcosigner",
    "proposals_timelineevent",
    "replies_reply",
    "consultations_consultation",
    "consultations_rating",
]


@pytest.mark.parametrize("model", WORKFLOW_MODELS)
def test_admin_cannot_add_workflow_rows(world, login, model):
    client = login(world.admin)
    assert client.get(reverse(f"admin:{model}_add")).status_code == 403
    assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200


def test_admin_change_of_an_assignment_is_refused_and_writes_nothing(world, login):
    client = login(world.admin)
    url = reverse("admin:proposals_assignment_change", args=[world.assignment.pk])
    assert client.get(url).status_code == 200  # readable
    due = world.assignment.due_date
    response = client.post(url, {"due_date": "2099-01-01", "role": "co"})
    assert response.status_code == 403
    world.assignment.refresh_from_db()
    assert (world.assignment.due_date, world.assignment.role) == (due, "lead")


def test_reference_data_stays_editable(world, login):
    client = login(world.admin)
    assert client.get(reverse("admin:proposals_agency_add")).status_code == 200
    assert client.get(reverse("admin:proposals_meeting_change", args=[world.meeting.pk])).status_code == 200
