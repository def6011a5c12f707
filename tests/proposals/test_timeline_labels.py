from __future__ import annotations

import importlib

import pytest

from proposals.choices import ProposalAction
from proposals.models import TimelineEvent, action_choices, action_label, state_label
from proposals.selectors import register_member_timeline
from proposals.timeline import timeline_record
from replies.actions import ReplyAction


def test_reply_states_read_as_reply_labels_not_proposal_labels():
    event = TimelineEvent(action=ReplyAction.SUBMIT, from_state="draft", to_state="submitted")
    assert (event.from_label, event.to_label) == ("草稿", "待签发")
    # The same code on a proposal's own event keeps the proposal's word.
    assert TimelineEvent(action=ProposalAction.SUBMIT, to_state="submitted").to_label == "待审查"


def test_consultation_and_rating_codes_have_chinese_labels():
    assert state_label("scheduled") == "已安排"
    assert state_label("held") == "已面商"
    assert state_label("signed") == "已签字"
    assert state_label("satisfied") == "满意"
    assert state_label("basic") == "基本满意"


def test_unknown_code_is_shown_as_it_is():
    assert state_label("something-else") == "something-else"


def test_every_action_code_has_a_label_and_codes_are_unique():
    codes = [code for code, _label in action_choices()]
    assert len(codes) == len(set(codes))
    assert action_label(ProposalAction.REGISTER) == "立案"
    assert TimelineEvent(action=ReplyAction.ISSUE).action_label == "签发答复"
    assert action_label("not-a-code") == "not-a-code"  # shown as stored, never hidden


@pytest.mark.django_db
def test_an_unknown_action_code_is_refused_before_anything_is_written(world):
    with pytest.raises(ValueError, match="unknown timeline action"):
        timeline_record(proposal=world.proposal, actor=world.staff, action="立案")  # the label is no code
    assert not TimelineEvent.objects.filter(proposal=world.proposal, action="立案").exists()


def test_the_member_visible_set_accepts_codes_only():
    with pytest.raises(ValueError, match="unknown timeline action"):
        register_member_timeline("委员网上签字")


def test_the_data_migration_maps_its_texts_to_codes_that_still_exist():
    """Rows written before the codes carry the zh-hans text of the day (frozen in migration 0010,
    which knew all 33 actions then); each maps to one code, and codes are never renamed or removed."""
    migration = importlib.import_module("proposals.migrations.0010_timeline_action_codes")
    codes = [code for code, _label in action_choices()]
    assert len(migration.TEXT_TO_CODE) == 33
    assert len(set(migration.TEXT_TO_CODE.values())) == 33
    assert set(migration.TEXT_TO_CODE.values()) <= set(codes)
    assert set(migration.BENCH_TEXT_TO_CODE.values()) <= set(codes)
