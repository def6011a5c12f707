"""replies 0002 fills Reply.submitted_by of replies submitted before the field existed."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from replies import services
from replies.models import Reply
from tests.factories import complete_data

pytestmark = pytest.mark.django_db

migration = importlib.import_module("replies.migrations.0002_reply_submitted_by")


def forget_submitters() -> None:
    Reply.objects.update(submitted_by=None)


def test_a_reply_awaiting_sign_off_gets_its_submitter(world, submitted):
    forget_submitters()
    migration.submitter_from_timeline(apps, None)
    submitted.refresh_from_db()
    assert submitted.submitted_by == world.handler_a


def test_a_returned_and_resubmitted_reply_gets_the_latest_submitter(world, submitted):
    services.reply_return(reply=submitted, actor=world.leader_a, comment="请补充数据")
    again = services.reply_submit(reply=Reply.objects.get(pk=submitted.pk), actor=world.leader_a)
    forget_submitters()
    migration.submitter_from_timeline(apps, None)
    again.refresh_from_db()
    assert again.submitted_by == world.leader_a


def test_a_draft_is_left_alone(world):
    draft = services.reply_create(assignment=world.assignment, actor=world.handler_a, data=complete_data())
    migration.submitter_from_timeline(apps, None)
    draft.refresh_from_db()
    assert draft.submitted_by is None
