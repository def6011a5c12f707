from django.apps import AppConfig
from django.db.models.signals import post_save, pre_save
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = _("督办与统计")

    def ready(self) -> None:
        # Members hear of a record to sign and of an issued reply when it happens (after commit), an
        # agency of an urge (催办);
        # send_reminders stays the daily safety net and sends nothing twice.
        from consultations.signals import record_awaits_signature
        from proposals.models import Member, register_action_choices
        from proposals.signals import assignment_urged
        from replies.models import Reply
        from replies.signals import reply_issued

        from .actions import OversightAction

        register_action_choices(OversightAction)

        record_awaits_signature.connect(_on_record, dispatch_uid="oversight-record-to-sign")
        reply_issued.connect(_on_reply, dispatch_uid="oversight-reply-issued")
        assignment_urged.connect(_on_urge, dispatch_uid="oversight-assignment-urged")
        # The public copies of an issued reply, redacted: the search's text, and the PDF, queued for
        # the worker (copies, not workflow).
        post_save.connect(_on_reply_saved, sender=Reply, dispatch_uid="oversight-public-text")
        # The bell (站内通知): each timeline event notifies whoever has to act on it next.
        from proposals.models import TimelineEvent

        post_save.connect(_on_timeline_event, sender=TimelineEvent, dispatch_uid="oversight-inbox")
        # The search's copies are redacted with the members' phones and work units of the day: a
        # member's new phone or work unit is taken out of the copies of that member's replies.
        pre_save.connect(_before_member_saved, sender=Member, dispatch_uid="oversight-member-details")
        post_save.connect(_on_member_saved, sender=Member, dispatch_uid="oversight-member-details")


def _on_record(sender, consultation_id: int, **kwargs) -> None:
    from .reminders import notify_record_to_sign

    notify_record_to_sign(consultation_id=consultation_id)


def _on_reply(sender, reply_id: int, **kwargs) -> None:
    from .reminders import notify_reply_issued

    notify_reply_issued(reply_id=reply_id)


def _on_urge(sender, event_id: int, **kwargs) -> None:
    from .reminders import notify_urge

    notify_urge(event_id=event_id)


def _on_timeline_event(sender, instance, created: bool = False, raw: bool = False, **kwargs) -> None:
    from .inbox import on_timeline_event

    if created and not raw:
        on_timeline_event(instance)


def _on_reply_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    from .public import refresh_public_text
    from .services import public_pdf_queue

    if not raw:  # loaddata writes the stored rows as they are
        refresh_public_text(instance)
        public_pdf_queue(instance)


# The (phone, work_unit) a member row held before this save, kept on the instance between the hooks.
_DETAILS_BEFORE = "_oversight_details_before"
MEMBER_DETAILS = ("phone", "work_unit")


def _before_member_saved(sender, instance, raw: bool = False, update_fields=None, **kwargs) -> None:
    if raw or instance.pk is None or (update_fields is not None and not set(update_fields) & set(MEMBER_DETAILS)):
        return  # a new member has no replies yet
    stored = sender._base_manager.filter(pk=instance.pk).values_list(*MEMBER_DETAILS).first()
    setattr(instance, _DETAILS_BEFORE, stored)


def _on_member_saved(sender, instance, raw: bool = False, created: bool = False, **kwargs) -> None:
    from .public import refresh_member_public_texts

    before = instance.__dict__.pop(_DETAILS_BEFORE, None)
    if raw or created or before is None:
        return
    if tuple(before) != tuple(getattr(instance, name) for name in MEMBER_DETAILS):
        refresh_member_public_texts(instance.pk)
