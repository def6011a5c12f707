#!/usr/bin/env python
"""Benchmark of the reply letter PDF: rendering the TA0207 letter, and downloading the issued file.

    .venv/bin/python bench/bench_reply_pdf.py                 # 10 renders, 50 downloads
    .venv/bin/python bench/bench_reply_pdf.py --renders 20 --downloads 100

Run on purpose, not as a test. It works on a throwaway SQLite database and media folder (under a
temporary directory, removed afterwards unless ``--keep``): migrates, runs ``load_demo`` (which
issues and stores the TA0207 reply), then measures

- render: ``replies.pdf.render_reply_pdf`` of the TA0207 letter, after one warm-up render that
  loads Pango and the fonts; the median over ``--renders`` runs (target ≤ 0.5 s on 2 cores);
- download: ``GET /replies/<pk>/pdf/`` through Django's test client as the agency's handler
  (middleware, session, visibility query, audit row, the file read from storage and streamed);
  the median over ``--downloads`` requests (target ≤ 20 ms).
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--renders", type=int, default=10)
    parser.add_argument("--downloads", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the temporary database and media folder")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-reply-pdf-"))
    os.environ.pop("DATABASE_URL", None)
    os.environ["SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["DEBUG"] = "1"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    import logging

    logging.getLogger().setLevel(logging.WARNING)

    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from proposals import seed
    from proposals.models import User
    from replies.models import Reply
    from replies.pdf import render_reply_pdf

    try:
        call_command("migrate", verbosity=0)
        # A throwaway database: the demo users' password only has to be known to this script.
        call_command("load_demo", password="Bench-Password-2024", stdout=io.StringIO())  # noqa: S106
        reply = Reply.objects.select_related("assignment__agency").get(assignment__proposal__number=seed.NUMBER)

        render_reply_pdf(reply, draft=False)  # warm-up: Pango, fontconfig, the fonts
        renders = []
        for _ in range(args.renders):
            start = time.perf_counter()
            data = render_reply_pdf(reply, draft=False)
            renders.append(time.perf_counter() - start)

        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username="fgw_handler"))
        url = reverse("replies:pdf", args=[reply.pk])
        size = 0
        downloads = []
        for i in range(args.downloads + 1):
            start = time.perf_counter()
            response = client.get(url)
            body = b"".join(response.streaming_content)
            elapsed = time.perf_counter() - start
            assert response.status_code == 200, response.status_code
            size = len(body)
            if i:  # the first request warms the URL resolver and template caches
                downloads.append(elapsed)

        print(f"TA0207 reply letter: {len(data)} bytes rendered, {size} bytes stored")
        print(
            f"render   median {statistics.median(renders) * 1000:7.1f} ms"
            f"  (min {min(renders) * 1000:.1f}, max {max(renders) * 1000:.1f}; {len(renders)} runs)"
        )
        print(
            f"download median {statistics.median(downloads) * 1000:7.1f} ms"
            f"  (min {min(downloads) * 1000:.1f}, max {max(downloads) * 1000:.1f}; {len(downloads)} requests)"
        )
        print(f"cpus: {os.cpu_count()}")
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
