from __future__ import annotations

import pytest

from audit import readers

pytestmark = pytest.mark.django_db


def test_the_proposals_app_names_the_auditors_as_readers(world):
    assert readers.may_read_trail(world.auditor)
    assert not readers.may_read_trail(world.staff)


def test_without_a_reader_rule_nobody_reads_the_trail(world, login, monkeypatch):
    monkeypatch.setattr(readers, "_reader", None)
    assert not readers.may_read_trail(world.auditor)
    assert login(world.auditor).get("/audit/").status_code == 404
