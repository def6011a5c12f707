"""Timeline actions were stored as their Chinese display text; they become stable codes.

The table is this app's, so this one migration converts the rows of every app's events (their texts
as the services wrote them up to now). The codes are frozen here as they were on the day of the
change; later renames of a label do not touch stored rows.
"""

from django.db import migrations

TEXT_TO_CODE = {
    # proposals
    "录入提案": "proposal_file",
    "起草提案": "proposal_draft",
    "修改草稿": "proposal_edit",
    "提交提案": "proposal_submit",
    "立案": "proposal_register",
    "不予立案": "proposal_decline",
    "交办": "proposal_assign",
    "签收": "assignment_accept",
    "退回": "assignment_return",
    "重新交办": "assignment_reassign",
    "申请延期": "extension_request",
    "批准延期": "extension_approve",
    "不批准延期": "extension_refuse",
    "列为重点提案": "proposal_key_on",
    "取消重点提案": "proposal_key_off",
    "上传附件": "attachment_add",
    # replies
    "起草答复": "reply_create",
    "提交签发": "reply_submit",
    "退回修改": "reply_return",
    "签发答复": "reply_issue",
    "签发会办意见": "reply_cohandler_issue",
    "交办已答复": "assignment_replied",
    "提案已答复": "proposal_replied",
    # consultations
    "安排面商": "consultation_schedule",
    "填写面商记录": "consultation_record",
    "修改面商记录": "consultation_edit",
    "委员网上签字": "consultation_sign_online",
    "录入纸质签字面商记录": "consultation_sign_paper",
    "满意度测评": "rating_submit",
    "修改满意度测评": "rating_change",
    "重新办理": "rehandle",
    "办结": "close",
    # oversight
    "撤销公开答复": "reply_unpublish",
}
# Texts only the benchmark data generator wrote (bench_data), for a benchmark database kept across.
BENCH_TEXT_TO_CODE = {"提交": "proposal_submit", "面商": "consultation_sign_online"}


def forwards(apps, schema_editor):
    TimelineEvent = apps.get_model("proposals", "TimelineEvent")
    for text, code in {**TEXT_TO_CODE, **BENCH_TEXT_TO_CODE}.items():
        TimelineEvent.objects.filter(action=text).update(action=code)


def backwards(apps, schema_editor):
    TimelineEvent = apps.get_model("proposals", "TimelineEvent")
    for text, code in TEXT_TO_CODE.items():
        TimelineEvent.objects.filter(action=code).update(action=text)


class Migration(migrations.Migration):
    dependencies = [("proposals", "0009_list_sort_indexes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
