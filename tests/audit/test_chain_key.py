"""Finding 3 of issue 18: the chain and the signed records' hashes are keyed with a key that is not
in the database, and the chain's head is anchored outside it, so someone who can write the
database can neither recompute the hashes nor cut off the newest rows unnoticed."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.management import CommandError, call_command

from audit.log import record_event
from audit.models import GENESIS_HASH, AuditEvent
from audit.services import verify_chain
from tests.audit.test_audit_log import disable_guards, raw

pytestmark = pytest.mark.django_db


def plain_sha256(row: AuditEvent) -> str:
    """What a forger without the key computes: the SHA-256 of the row's fields."""
    return hashlib.sha256(row.chain_payload()).hexdigest()


def recompute_from(rows: list[AuditEvent], start: int, hasher) -> None:
    """Rewrite rows[start] and re-link every later row, as an attacker with the database would."""
    prev = rows[start - 1].hash if start else GENESIS_HASH
    for i, row in enumerate(rows[start:], start):
        fresh = AuditEvent.objects.get(pk=row.pk)
        if i == start:
            fresh.detail = "forged"
        fresh.prev_hash = prev
        fresh.hash = hasher(fresh)
        raw(
            "UPDATE audit_auditevent SET detail = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [fresh.detail, fresh.prev_hash, fresh.hash, fresh.pk],
        )
        prev = fresh.hash


def test_a_chain_recomputed_without_the_key_fails_verification():
    rows = [record_event(event="test", detail=f"row {i}") for i in range(5)]
    assert verify_chain().ok
    disable_guards()
    recompute_from(rows, 2, plain_sha256)
    report = verify_chain()
    assert not report.ok and report.first_bad_id == rows[2].pk
    with pytest.raises(CommandError, match=f"row id={rows[2].pk}"):
        call_command("verify_audit")


def test_the_chain_does_not_verify_under_another_key(settings):
    record_event(event="test")
    assert verify_chain().ok
    settings.AUDIT_HMAC_KEY = "another key, another deployment"
    assert not verify_chain().ok


def test_verify_audit_fails_after_the_newest_rows_are_deleted_with_the_triggers_dropped(capsys):
    rows = [record_event(event="test", detail=f"row {i}") for i in range(5)]
    call_command("verify_audit")  # every verification also anchors the head outside the database
    assert "5 rows verified" in capsys.readouterr().out
    disable_guards()
    raw("DELETE FROM audit_auditevent WHERE id >= %s", [rows[3].pk])
    assert AuditEvent.objects.count() == 3  # what is left is a perfectly linked chain
    with pytest.raises(CommandError, match=f"id={rows[4].pk}"):
        call_command("verify_audit")


def test_anchor_audit_for_cron_anchors_the_head(settings):
    rows = [record_event(event="test", detail=f"row {i}") for i in range(3)]
    call_command("anchor_audit")
    lines = settings.AUDIT_ANCHOR_PATH.read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["id"] == rows[-1].pk
    disable_guards()
    raw("DELETE FROM audit_auditevent WHERE id = %s", [rows[-1].pk])
    with pytest.raises(CommandError, match="anchor"):
        call_command("verify_audit")


def test_a_row_rewritten_with_the_key_after_anchoring_is_caught_by_the_anchor():
    """Even a forger who had the key cannot rewrite a row that an anchor has seen."""
    rows = [record_event(event="test", detail=f"row {i}") for i in range(3)]
    call_command("anchor_audit")
    disable_guards()
    recompute_from(rows, 1, lambda row: row.compute_hash())
    assert verify_chain(anchors=False).ok  # the links hold: the key was used
    with pytest.raises(CommandError, match="anchor"):
        call_command("verify_audit")


def test_verify_records_fails_after_a_recomputed_content_hash(world):
    from consultations.models import Consultation
    from consultations.services import content_payload
    from tests.factories import record, schedule, sign

    c = sign(world, record(world, schedule(world)))
    call_command("verify_records")
    c.reply_points = "被人改过的要点"
    data = json.dumps(content_payload(c), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    Consultation.objects.filter(pk=c.pk).update(
        reply_points=c.reply_points, content_sha256=hashlib.sha256(data.encode()).hexdigest()
    )
    with pytest.raises(CommandError, match="1 份内容与签字时不一致"):
        call_command("verify_records")


def write_unkeyed_rows(monkeypatch, n: int) -> list[AuditEvent]:
    """Rows as the code before the key wrote them (plain SHA-256)."""
    with monkeypatch.context() as m:
        m.setattr(AuditEvent, "compute_hash", plain_sha256)
        return [record_event(event="test", detail=f"old {i}") for i in range(n)]


def cut_over():
    from importlib import import_module

    from django.apps import apps

    import_module("audit.migrations.0004_keyed_chain_cutover").cut_over(apps, None)


def test_rows_from_before_the_key_verify_under_the_old_scheme_up_to_the_cut_over(monkeypatch, capsys):
    old = write_unkeyed_rows(monkeypatch, 3)
    assert not verify_chain().ok  # without a recorded cut-over they are not trusted
    cut_over()
    new = record_event(event="test", detail="keyed")
    report = verify_chain()
    assert report.ok and report.checked == 5 and report.unkeyed == 3
    assert report.unkeyed_through_id == old[-1].pk
    call_command("verify_audit")
    assert f"3 of them from before the key (unkeyed SHA-256, through id={old[-1].pk})" in capsys.readouterr().out
    # a keyed row cannot be passed off as an old one, and old rows cannot be rewritten either
    disable_guards()
    raw("UPDATE audit_auditevent SET hash = %s WHERE id = %s", [plain_sha256(new), new.pk])
    assert verify_chain(anchors=False).first_bad_id == new.pk


def test_old_rows_recomputed_before_the_cut_over_break_at_the_cut_over_row(monkeypatch):
    old = write_unkeyed_rows(monkeypatch, 3)
    cut_over()
    rekey = AuditEvent.objects.get(event="audit_rekey")
    disable_guards()
    recompute_from(old, 1, plain_sha256)
    report = verify_chain()
    assert not report.ok and report.first_bad_id == rekey.pk


def test_a_forged_cut_over_row_is_not_believed(monkeypatch):
    write_unkeyed_rows(monkeypatch, 2)
    with monkeypatch.context() as m:
        m.setattr(AuditEvent, "compute_hash", plain_sha256)
        record_event(event="audit_rekey", detail="unkeyed_through_id=999999")
    assert not verify_chain().ok


def test_a_purge_anchor_inserted_into_the_table_does_not_hide_rows():
    rows = [record_event(event="test", detail=f"row {i}") for i in range(4)]
    disable_guards()
    raw("UPDATE audit_auditevent SET detail = 'forged' WHERE id = %s", [rows[1].pk])
    assert not verify_chain().ok
    raw(
        "INSERT INTO audit_auditanchor (at, purged_through_id, anchor_hash, purged_count, cutoff) "
        "VALUES (%s, %s, %s, 0, %s)",
        [rows[0].at, rows[2].pk, rows[2].hash, rows[0].at],
    )
    report = verify_chain()
    assert not report.ok and "purge anchor" in report.reason


def test_an_edited_anchor_line_is_reported(settings):
    record_event(event="test")
    call_command("anchor_audit")
    path = settings.AUDIT_ANCHOR_PATH
    entry = json.loads(path.read_text())
    entry["id"] += 1
    path.write_text(json.dumps(entry) + "\n")
    with pytest.raises(CommandError, match="line 1 does not verify"):
        call_command("verify_audit")


def test_after_a_restore_older_anchors_no_longer_count(settings):
    from audit.anchor import write_restore_marker

    rows = [record_event(event="test") for _ in range(2)]
    call_command("anchor_audit")
    disable_guards()
    raw("DELETE FROM audit_auditevent WHERE id = %s", [rows[-1].pk])  # what restoring an older backup does
    assert not verify_chain().ok
    write_restore_marker()
    assert verify_chain().ok


def test_production_requires_its_own_audit_key(settings):
    from audit.checks import check_audit_key

    settings.PRODUCTION = False
    settings.AUDIT_HMAC_KEY = ""
    assert check_audit_key() == []
    settings.PRODUCTION = True
    assert [e.id for e in check_audit_key()] == ["audit.E002"]
    settings.AUDIT_HMAC_KEY = settings.SECRET_KEY
    assert [e.id for e in check_audit_key()] == ["audit.E002"]
    settings.AUDIT_HMAC_KEY = "k" * 40
    assert check_audit_key() == []
