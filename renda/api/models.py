from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=64, verbose_name=_("用途"))
    prefix = models.CharField(max_length=8, verbose_name=_("前缀"))
    key_hash = models.CharField(max_length=64, unique=True)  # the bearer lookup
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("创建时间"))
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("最近使用"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("吊销时间"))

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
