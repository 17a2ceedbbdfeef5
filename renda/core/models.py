from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One write, login or sensitive read. Append-only: the database refuses UPDATE and DELETE."""

    at = models.DateTimeField(default=timezone.now, verbose_name=_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    # Kept as text too, so the row reads the same after the account is renamed.
    actor_name = models.CharField(max_length=150, blank=True, verbose_name=_("操作人账号"))
    action = models.CharField(max_length=64, verbose_name=_("操作"))
    target_type = models.CharField(max_length=64, blank=True, verbose_name=_("对象类型"))
    target_id = models.CharField(max_length=64, blank=True, verbose_name=_("对象标识"))
    target_label = models.CharField(max_length=200, blank=True, verbose_name=_("对象"))
    region_code = models.BigIntegerField(null=True, blank=True, verbose_name=_("区划代码"))
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("IP 地址"))
    summary = models.JSONField(default=dict, blank=True, verbose_name=_("变更摘要"))

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        indexes = [
            # The audit viewer, newest first: ORDER BY at DESC, id DESC (keyset)
            models.Index(fields=["-at", "-id"], name="audit_at"),
            # The viewer filtered by action
            models.Index(fields=["action", "-at"], name="audit_action_at"),
            # An account's history: WHERE actor_id = ? ORDER BY at DESC
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_label}"


class Notification(models.Model):
    """An in-app message to one account: "a transfer waits for you", "it was confirmed".

    One row per recipient, so each person's read state is their own. Written by services
    through ``renda.core.notifications.notify``; read on the notifications page and counted on
    the home dashboard. No e-mail or SMS: the intranet has neither (decision 0019).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    text = models.CharField(max_length=300, verbose_name=_("内容"))
    url = models.CharField(max_length=300, blank=True, verbose_name=_("链接"))
    # The district or region the message is about (for the audit of who was told what).
    region_code = models.BigIntegerField(null=True, blank=True, verbose_name=_("区划代码"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("时间"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("阅读时间"))

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [
            # A person's notifications, newest first, and the unread count on the dashboard:
            # WHERE recipient_id = ? [AND read_at IS NULL] ORDER BY id DESC
            models.Index(fields=["recipient", "read_at", "-id"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.text[:50]
