from __future__ import annotations

import pytest

from audit.history import TRACKED
from consultations.models import Consultation, ConsultationSigner, Rating
from proposals.models import Assignment, Proposal
from replies.models import Reply

pytestmark = pytest.mark.django_db


def test_the_four_records_and_ratings_keep_versions():
    # and each joint record's other proposers' signatures (issue 21)
    assert set(TRACKED) == {Proposal, Assignment, Reply, Consultation, ConsultationSigner, Rating}
    for model in TRACKED:
        assert model.history.model._meta.app_label == "audit"


def test_each_model_is_tracked_once_and_keeps_its_table():
    # The feature apps register their own models now; the tables of audit/migrations stay as they were.
    assert len(TRACKED) == len(set(TRACKED))
    assert sorted(model.history.model._meta.db_table for model in TRACKED) == [
        "audit_historicalassignment",
        "audit_historicalconsultation",
        "audit_historicalconsultationsigner",
        "audit_historicalproposal",
        "audit_historicalrating",
        "audit_historicalreply",
    ]


def test_every_change_to_a_proposal_is_a_version_with_its_author(world, login):
    proposal = world.proposal
    versions = proposal.history.all()
    assert versions.count() == 1 and versions[0].history_type == "+"
    proposal.title = "关于加快产业合作的建议（修改）"
    proposal.save()
    proposal.is_key = True
    proposal.save(update_fields=["is_key"])
    versions = list(proposal.history.order_by("history_id"))
    assert [v.history_type for v in versions] == ["+", "~", "~"]
    assert versions[0].title == "关于加快产业合作的建议" and versions[1].title.endswith("（修改）")
    assert versions[2].is_key and not versions[1].is_key
    assert not hasattr(versions[0], "search_text")  # derived index column left out


def test_versions_made_through_a_request_name_the_user(world, login):
    client = login(world.staff)
    response = client.post(f"/proposals/{world.proposal.pk}/key/", {"is_key": "on", "note": "督办"})
    assert response.status_code == 302
    latest = world.proposal.history.latest()
    assert latest.is_key and latest.history_user == world.staff


@pytest.mark.parametrize("model", [Proposal, Assignment, Reply, Consultation, Rating])
def test_versions_are_visible_read_only_in_admin(world, login, model):
    client = login(world.admin)
    history_model = model.history.model
    url = f"/admin/audit/{history_model._meta.model_name}/"
    response = client.get(url)
    assert response.status_code == 200
    assert client.get(url + "add/").status_code == 403


def test_proposal_versions_are_listed_in_admin(world, login):
    client = login(world.admin)
    world.proposal.title = "新标题"
    world.proposal.save()
    response = client.get("/admin/audit/historicalproposal/", {"q": str(world.proposal.pk)})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    version = world.proposal.history.earliest()
    page = client.get(f"/admin/audit/historicalproposal/{version.history_id}/change/")
    assert page.status_code == 200 and "关于加快产业合作的建议" in page.content.decode()
    assert (
        client.post(f"/admin/audit/historicalproposal/{version.history_id}/delete/", {"post": "yes"}).status_code == 403
    )


@pytest.mark.parametrize("persona", ["staff", "handler_a", "proposer"])
def test_non_admins_cannot_open_versions(world, login, persona):
    response = login(world.personas()[persona]).get("/admin/audit/historicalproposal/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
