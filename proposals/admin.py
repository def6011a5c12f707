from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from common.admin_base import ChinesePermissionsMixin, ReadOnlyAdmin, ReadOnlyInlineMixin

from . import roles, selectors, uploads
from .admin_scope import CommitteeScopedAdmin
from .models import (
    Agency,
    Assignment,
    Attachment,
    CalendarDay,
    Category,
    Committee,
    CommitteeReplyClass,
    DeclineReason,
    ExtensionRequest,
    Meeting,
    Member,
    Proposal,
    ProposalCosigner,
    TimelineEvent,
    User,
    action_choices,
)

# The admin carries the system's name, not Django's (the page title, the header, the index).
admin.site.site_title = _("提案办理系统")
admin.site.site_header = _("提案办理系统 · 系统管理")
admin.site.index_title = _("系统管理")


class CommitteeReplyClassInline(admin.TabularInline):
    model = CommitteeReplyClass
    extra = 0
    fields = ("order", "code", "label", "definition")


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    """A committee and its rules; an administrator limited to one committee edits only that one."""

    list_display = ("display_name", "name", "short_name", "level", "parent", "public_pages")
    list_filter = ("level",)
    search_fields = ("name", "display_name", "short_name")
    inlines = [CommitteeReplyClassInline]
    fieldsets = (
        (None, {"fields": ("name", "display_name", "short_name", "level", "parent")}),
        (_("编号"), {"fields": ("number_width", "number_style")}),
        (
            _("答复函"),
            {
                "fields": (
                    "reply_class_required",
                    "leader_required",
                    "handler_required",
                    "phone_required",
                    "doc_number_required",
                    "record_required_before_issue",
                ),
                "description": _("答复类别在下方列出；不列则使用 A、B、C 三类。"),
            },
        ),
        (_("办理时限"), {"fields": ("deadline_unit",)}),
        (_("联名提案"), {"fields": ("cosign_rule",)}),
        (_("满意度测评"), {"fields": ("rating_mode",)}),
        (_("公开"), {"fields": ("public_pages",)}),
    )

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        scope = roles.committee_scope(request.user)
        return qs if scope is None else qs.filter(pk=scope)

    def has_add_permission(self, request) -> bool:
        return roles.committee_scope(request.user) is None and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return roles.committee_scope(request.user) is None and super().has_delete_permission(request, obj)


PASSWORD_LOST_WARNING = _("停用后，该用户现有的密码将失效。")


class PasswordChangeForm(AdminPasswordChangeForm):
    # Django appends this warning to the help text in English, untranslated (a plain string).
    usable_password_help_text = format_lazy(  # type: ignore[assignment]  # lazy: the stub says str
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text,
        PASSWORD_LOST_WARNING,
    )


@admin.register(User)
class UserAdmin(ChinesePermissionsMixin, CommitteeScopedAdmin, BaseUserAdmin):
    """Who someone is in this system comes first (role, committee, agency or member); Django's own
    permission flags are rarely touched, so they sit in a collapsed section."""

    list_display = ("username", "display_name", "role", "agency", "member", "is_active")
    list_filter = ("role", "agency", "is_active")
    search_fields = ("username", "display_name", "member__name", "agency__name")
    autocomplete_fields = ("agency", "member")
    change_password_form = PasswordChangeForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("角色与所属单位"),
            {"fields": ("role", "committee", "oversees_children", "agency", "member", "is_active")},
        ),
        (_("个人信息"), {"fields": ("display_name", "phone", "email")}),
        (
            _("权限"),
            {"classes": ("collapse",), "fields": ("is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (_("角色与所属单位"), {"fields": ("role", "committee", "agency", "member")}),
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        (_("个人信息"), {"fields": ("display_name",)}),
    )


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(ChinesePermissionsMixin, BaseGroupAdmin):
    pass


@admin.register(Meeting)
class MeetingAdmin(CommitteeScopedAdmin):
    list_display = ("meeting_name", "number_prefix", "is_current", "due_months", "last_sequence")
    list_filter = ("is_current",)
    search_fields = ("number_prefix",)

    @admin.display(description=_("会议"), ordering="term")
    def meeting_name(self, obj: Meeting) -> str:
        return obj.display_name


@admin.register(Member)
class MemberAdmin(CommitteeScopedAdmin):
    list_display = ("name", "sector", "work_unit", "is_active")
    list_filter = ("sector", "is_active")
    search_fields = ("name", "work_unit")


# The seal is drawn into every letter the agency issues: WeasyPrint decodes it for each PDF, so it
# must be a small PNG or JPEG (a seal printed 4 cm wide needs well under 1000 pixels at 600 dpi).
SEAL_MAX_BYTES = 2 * 1024 * 1024
SEAL_MAX_SIDE = 2000
SEAL_KINDS = ("png", "jpeg")
SEAL_TOO_LARGE = _("印章图片过大：宽和高都不能超过 %(limit)s 像素。")


class AgencyAdminForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ("committee", "name", "short_name", "seal", "email", "is_active")

    def clean_seal(self):
        seal = self.cleaned_data.get("seal")
        if not isinstance(seal, UploadedFile):
            return seal  # unchanged (the stored file) or cleared
        if seal.size is None or seal.size > SEAL_MAX_BYTES:
            raise ValidationError(
                uploads.UPLOAD_TOO_LARGE, code="too_large", params={"limit": SEAL_MAX_BYTES // (1024 * 1024)}
            )
        mismatch = ValidationError(
            uploads.UPLOAD_TYPE_MISMATCH,
            code="type_mismatch",
            params={"allowed": "、".join(ext for kind in SEAL_KINDS for ext in uploads.KINDS[kind][0])},
        )
        ext = PurePath(seal.name or "").suffix.lower()
        kind = next((k for k in SEAL_KINDS if ext in uploads.KINDS[k][0]), None)
        seal.seek(0)
        if kind is None or uploads.sniff(seal.read(8)) != kind:
            raise mismatch
        try:
            width, height = uploads.verify_image(
                seal, formats=(uploads.PILLOW_FORMATS[kind],), max_pixels=SEAL_MAX_SIDE * SEAL_MAX_SIDE
            )
        except ValidationError as exc:
            if exc.code == "unreadable":
                raise mismatch from exc
            raise
        if max(width, height) > SEAL_MAX_SIDE:
            raise ValidationError(SEAL_TOO_LARGE, code="too_large", params={"limit": SEAL_MAX_SIDE})
        return seal


@admin.register(Agency)
class AgencyAdmin(CommitteeScopedAdmin):
    form = AgencyAdminForm
    list_display = ("name", "short_name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "short_name")


@admin.register(Category)
class CategoryAdmin(CommitteeScopedAdmin):
    list_display = ("name", "order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Holidays and make-up working days that the calendar package does not know (a new year)."""

    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("name",)


@admin.register(DeclineReason)
class DeclineReasonAdmin(CommitteeScopedAdmin):
    list_display = ("text", "order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("text",)


# An attachment's stored MIME type, as a reader names the kind of file (uploads.KINDS).
FILE_KINDS = {
    "pdf": _("PDF 文件"),
    "jpeg": _("JPEG 图片"),
    "png": _("PNG 图片"),
    "docx": _("Word 文档"),
    "xlsx": _("Excel 表格"),
    "doc": _("Word 文档（旧版）"),
}


def file_kind_label(content_type: str) -> str:
    for kind, (_extensions, mime) in uploads.KINDS.items():
        if mime == content_type and kind in FILE_KINDS:
            return str(FILE_KINDS[kind])
    return content_type


class FileKindMixin:
    @admin.display(description=_("类型"), ordering="content_type")
    def file_kind(self, attachment: Attachment) -> str:
        return file_kind_label(attachment.content_type)


class FileKindFilter(admin.SimpleListFilter):
    title = _("类型")
    parameter_name = "content_type"

    def lookups(self, request, model_admin):
        return [
            (mime, str(FILE_KINDS[kind])) for kind, (_extensions, mime) in uploads.KINDS.items() if kind in FILE_KINDS
        ]

    def queryset(self, request, queryset):
        return queryset.filter(content_type=self.value()) if self.value() else queryset


class CosignerInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = ProposalCosigner
    extra = 0
    autocomplete_fields = ("member",)


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ("agency", "role", "scope", "status", "due_date")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class StateLabelsMixin:
    """A timeline event's states by their labels: the stored values are codes."""

    @admin.display(description=_("原状态"))
    def from_state_label(self, event: TimelineEvent) -> str:
        return event.from_label

    @admin.display(description=_("新状态"))
    def to_state_label(self, event: TimelineEvent) -> str:
        return event.to_label


class TimelineInline(StateLabelsMixin, admin.TabularInline):
    model = TimelineEvent
    extra = 0
    fields = ("at", "actor", "action_label", "from_state_label", "to_state_label", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class AttachmentInline(FileKindMixin, admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ("original_name", "file_kind", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    # The admin sees what the selector allows (everything but other people's drafts).
    list_display = ("number", "title", "meeting", "proposer_kind", "first_proposer", "status", "is_key")
    list_filter = ("meeting", "status", "proposer_kind", "is_key", "category", "between_meetings")
    search_fields = ("number", "title", "first_proposer__name", "body_name")
    autocomplete_fields = ("first_proposer",)
    # Status moves only through the services; the admin shows it.
    readonly_fields = ("status", "number", "sequence", "submitted_at", "registered_at", "closed_at")
    exclude = ("search_text",)
    inlines = [CosignerInline, AssignmentInline, AttachmentInline, TimelineInline]
    list_select_related = ("meeting", "first_proposer")
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=selectors.proposals_visible_to(request.user).values("pk"))


class ExtensionInline(admin.TabularInline):
    model = ExtensionRequest
    extra = 0
    fields = ("requested_due_date", "reason", "status", "requested_by", "new_due_date", "decided_by")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class AssignmentTimelineInline(TimelineInline):
    fk_name = "assignment"


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "agency", "role", "status", "due_date")
    list_filter = ("role", "status", "agency", "proposal__meeting")
    search_fields = ("proposal__number", "proposal__title", "agency__name")
    readonly_fields = (
        "status",
        "proposal",
        "agency",
        "assigned_at",
        "assigned_by",
        "accepted_at",
        "returned_at",
        "replaced_by",
    )
    list_select_related = ("proposal", "agency")
    inlines = [ExtensionInline, AssignmentTimelineInline]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=selectors.assignments_visible_to(request.user).values("pk"))


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdmin):
    list_display = ("assignment", "requested_due_date", "status", "requested_at")
    list_filter = ("status", "assignment__agency")
    search_fields = ("assignment__proposal__number", "assignment__agency__name", "reason")
    readonly_fields = ("status", "assignment", "requested_by", "decided_by", "decided_at")
    list_select_related = ("assignment__proposal", "assignment__agency")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(assignment__in=selectors.assignments_visible_to(request.user).values("pk"))
        )


@admin.register(Attachment)
class AttachmentAdmin(FileKindMixin, admin.ModelAdmin):
    list_display = ("original_name", "proposal", "purpose", "file_kind", "size", "uploaded_by", "uploaded_at")
    list_filter = (FileKindFilter,)
    exclude = ("content_type",)  # shown by its kind (file_kind)
    search_fields = ("original_name", "proposal__number", "proposal__title", "sha256")
    # Files come in through the checked upload service only; the admin lists them.
    readonly_fields = (
        "proposal",
        "purpose",  # a co-signer's confirmation scan stays one (agencies never see it)
        "file",
        "original_name",
        "file_kind",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    )
    list_select_related = ("proposal",)

    def has_add_permission(self, request) -> bool:
        return False

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(proposal__in=selectors.proposals_visible_to(request.user).values("pk"))
        )


@admin.register(ProposalCosigner)
class ProposalCosignerAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "member", "order")
    search_fields = ("proposal__number", "proposal__title", "member__name")
    list_filter = ("proposal__meeting",)
    autocomplete_fields = ("member",)
    list_select_related = ("proposal", "member")

    def get_queryset(self, request):
        # The co-signers of someone else's draft are part of that draft.
        return (
            super().get_queryset(request).filter(proposal__in=selectors.proposals_visible_to(request.user).values("pk"))
        )


class TimelineActionFilter(admin.SimpleListFilter):
    """Filter by action, listed by label: the stored value is a code."""

    title = _("事项")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return action_choices()

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(TimelineEvent)
class TimelineEventAdmin(StateLabelsMixin, ReadOnlyAdmin):
    list_display = ("at", "proposal", "action_label", "actor", "from_state_label", "to_state_label")
    fields = (
        "proposal",
        "assignment",
        "at",
        "actor",
        "action_label",
        "from_state_label",
        "to_state_label",
        "note",
        "entered_at",
    )
    readonly_fields = fields
    list_filter = (TimelineActionFilter,)
    search_fields = ("proposal__number", "action", "note")
    list_select_related = ("proposal", "actor")

    def get_queryset(self, request):
        # A draft's events (its title in every row) belong to the draft's author until it is submitted.
        return (
            super().get_queryset(request).filter(proposal__in=selectors.proposals_visible_to(request.user).values("pk"))
        )
