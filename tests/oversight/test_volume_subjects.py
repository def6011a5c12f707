"""The compiled volume's table of contents names each proposal's subject (issue 20, item 7)."""

from __future__ import annotations

import io

from django.urls import reverse
from pypdf import PdfReader

from oversight.models import BuildStatus, VolumeBuild, VolumeFormat
from oversight.volume import volume_replies


def test_the_table_of_contents_shows_the_subjects(stats_data, world, login, run):
    client = login(world.staff)
    run(
        client.post, reverse("oversight:volume_request"), {"meeting": stats_data.meeting.pk, "format": VolumeFormat.PDF}
    )
    build = VolumeBuild.objects.get()
    assert build.status == BuildStatus.DONE
    data = b"".join(client.get(reverse("oversight:volume_download", args=[build.pk])).streaming_content)
    toc = PdfReader(io.BytesIO(data)).pages[0].extract_text().replace(" ", "").replace("\n", "")
    assert "提案标题" in toc
    subjects = {r.assignment.proposal.title for r in volume_replies(stats_data.meeting.pk)}
    assert subjects
    for subject in subjects:
        assert subject.replace(" ", "") in toc
