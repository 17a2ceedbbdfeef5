from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续 %(limit)s 次错误后账号将被锁定。"),
        "inactive": _("该账号已停用，请联系上级管理员。"),
    }

    def get_invalid_login_error(self):  # type: ignore[no-untyped-def]
        from django.conf import settings
        from django.core.exceptions import ValidationError

        return ValidationError(
            self.error_messages["invalid_login"] % {"limit": settings.AXES_FAILURE_LIMIT},
            code="invalid_login",
        )
