from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_killing_the_writer_ten_times_leaves_no_half_done_transition(tmp_path):
    """The short run of scripts/crash_test.py (the full one kills 50+ times; see its docstring)."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "scripts/crash_test.py", "--kills", "10", "--seed", "7", "--keep", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["kills"] == 10
    assert report["integrity_check"] == ["ok"]
    assert report["half_done_count"] == 0, report["half_done"]
    assert report["audit_chain_ok"], report
    assert report["timeline_events"] > 0
    assert result.returncode == 0
