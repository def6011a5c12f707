from __future__ import annotations

import shutil

import pytest
from django.db import connection

from .subproc import postgres_site, sqlite_site

SETUP = """
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from proposals.models import Agency, Meeting
from audit.log import record_event
Meeting.objects.create(term=8, session=3, number_prefix='TA')
Agency.objects.create(name='晋城市发展和改革委员会')
Agency.objects.create(name='晋城市商务局')
default_storage.save('attachments/keep.pdf', ContentFile(b'%PDF-1.4 original'))
record_event(event='test', detail='before backup')
"""

CHANGE = """
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from proposals.models import Agency
from audit.log import record_event
Agency.objects.filter(name='晋城市商务局').update(name='改过的名字')
Agency.objects.create(name='备份之后新建的单位')
default_storage.delete('attachments/keep.pdf')
default_storage.save('attachments/new.pdf', ContentFile(b'%PDF-1.4 later'))
record_event(event='test', detail='after backup')
"""

CHECK = """
from django.core.files.storage import default_storage
from proposals.models import Agency
from audit.services import verify_chain
print(sorted(Agency.objects.values_list('name', flat=True)))
print(default_storage.exists('attachments/keep.pdf'), default_storage.exists('attachments/new.pdf'))
print(default_storage.open('attachments/keep.pdf').read() if default_storage.exists('attachments/keep.pdf') else b'')
report = verify_chain()
print(report.ok, report.checked)
"""


def run_round_trip(site, tmp_path):
    site.python(SETUP)
    backup_dir = tmp_path / "backup"
    out = site.manage("backup", "-o", str(backup_dir)).stdout
    assert "backup written" in out and "media files: 1" in out
    site.python(CHANGE)
    changed = site.python(CHECK).splitlines()
    assert "备份之后新建的单位" in changed[0] and changed[1] == "False True"
    site.manage("restore", "--noinput", str(backup_dir))
    lines = site.python(CHECK).splitlines()
    assert lines[0] == str(sorted(["晋城市发展和改革委员会", "晋城市商务局"]))
    assert lines[1] == "True False"  # the media folder is exactly the backed-up one
    assert lines[2] == str(b"%PDF-1.4 original")
    ok, checked = lines[3].split()
    assert ok == "True" and int(checked) >= 1  # the audit chain came back whole
    return backup_dir


def test_sqlite_backup_then_restore_brings_back_the_original_rows_and_files(tmp_path):
    site = sqlite_site(tmp_path)
    backup_dir = run_round_trip(site, tmp_path)
    assert (backup_dir / "db.sqlite3").exists() and (backup_dir / "manifest.json").exists()


def test_restore_refuses_a_tampered_backup(tmp_path):
    site = sqlite_site(tmp_path)
    site.manage("backup", "-o", str(tmp_path / "b"))
    with (tmp_path / "b" / "db.sqlite3").open("ab") as fh:
        fh.write(b"junk")
    result = site.manage("restore", "--noinput", str(tmp_path / "b"), check=False)
    assert result.returncode != 0 and "checksum" in result.stderr


@pytest.mark.django_db
def test_postgresql_backup_then_restore_brings_back_the_original_rows_and_files(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL round trip runs when the suite runs on PostgreSQL (DATABASE_URL)")
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.skip("pg_dump/pg_restore not installed")
    generator = postgres_site(tmp_path, connection.settings_dict)
    site = next(generator)
    try:
        backup_dir = run_round_trip(site, tmp_path)
        assert (backup_dir / "db.dump").exists()
    finally:
        generator.close()
