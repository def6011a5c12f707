"""Users and their role (the predicates that read it are in ``proposals.roles``)."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import Role
from ..validators import validate_phone
from .committee import Committee, default_committee_id
from .registry import Agency, Member


class UserManager(DjangoUserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # A superuser is a system administrator; the default role (member) would need a member record.
        extra_fields.setdefault("role", Role.ADMIN)
        # …of every committee of the installation (an administrator may be limited to one later).
        extra_fields.setdefault("committee", None)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    objects: ClassVar[UserManager] = UserManager()

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("所属承办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    member = models.OneToOneField(
        Member,
        verbose_name=_("对应委员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="user",
    )
    # The committee the user works for: staff and auditors act in it only; an administrator without
    # one sees every committee. A handler's is their agency's, a member's their member record's
    # (kept in step on save).
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("政协委员会"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("系统管理员留空则可管理全部委员会"),
    )
    # A parent committee's staff may read (never change) the lists and statistics of its child
    # committees: ``roles.readable_committees``.
    oversees_children = models.BooleanField(
        _("可查看下级委员会（只读）"),
        default=False,
        help_text=_("仅对提案委员会工作人员有效：可查看下级政协委员会的提案列表和统计，不能办理"),
    )
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True, validators=[validate_phone])

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")  # type: ignore[assignment]  # django-stubs types AbstractUser.Meta's names str; Django's are lazy
        verbose_name_plural = _("用户")  # type: ignore[assignment]  # as verbose_name: the stub says str, Django uses lazy
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=["handler", "leader"]) | Q(agency__isnull=False),
                name="user_agency_role_has_agency",
            ),
            models.CheckConstraint(
                condition=~Q(role="member") | Q(member__isnull=False),
                name="user_member_role_has_member",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def save(self, *args, **kwargs) -> None:
        # Derived, not workflow: an agency's or a member's user belongs to that record's committee;
        # a new staff user or auditor made without one to the installation's first.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"agency", "member", "role"} & set(update_fields):
            source = self.agency if self.agency_id else self.member if self.member_id else None
            if source is not None:
                self.committee_id = source.committee_id
            elif self.committee_id is None and self._state.adding and self.role in (Role.STAFF, Role.AUDITOR):
                self.committee_id = default_committee_id()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "committee"}
        super().save(*args, **kwargs)
