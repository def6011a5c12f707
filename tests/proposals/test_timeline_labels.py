from __future__ import annotations

from proposals.models import TimelineEvent, state_label
from replies import services as reply_services


def test_reply_states_read_as_reply_labels_not_proposal_labels():
    event = TimelineEvent(action=reply_services.ACTION_SUBMIT, from_state="draft", to_state="submitted")
    assert (event.from_label, event.to_label) == ("草稿", "待签发")
    # The same code on a proposal's own event keeps the proposal's word.
    assert TimelineEvent(action="提交提案", to_state="submitted").to_label == "待审查"


def test_consultation_and_rating_codes_have_chinese_labels():
    assert state_label("scheduled") == "已安排"
    assert state_label("held") == "已面商"
    assert state_label("signed") == "已签字"
    assert state_label("satisfied") == "满意"
    assert state_label("basic") == "基本满意"


def test_unknown_code_is_shown_as_it_is():
    assert state_label("something-else") == "something-else"
