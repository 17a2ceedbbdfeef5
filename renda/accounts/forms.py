from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from renda.accounts import access
from renda.accounts.roles import ADMIN_ROLES, Perm, Role


def role_choices(actor: Any) -> list[tuple[str, str]]:
    may_admin = access.has_perm(actor, Perm.ADMIN_ROLE_GRANT)
    may_staff = access.has_perm(actor, Perm.ACCOUNT_MANAGE)
    return [
        (r.value, str(r.label))
        for r in Role
        if (r in ADMIN_ROLES and may_admin) or (r not in ADMIN_ROLES and may_staff)
    ]


class ScopedRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"))
    scope = forms.CharField(
        label=_("授权区划或选区代码"),
        max_length=12,
        help_text=_(
            "输入代码，或输入名称后从下方建议中选择。如 420102（县级）、420102001001（选区）。"
        ),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [("", "——"), *role_choices(actor)]


class AccountCreateForm(ScopedRoleForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    real_name = forms.CharField(label=_("姓名"), max_length=64)
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False)

    field_order = ["username", "real_name", "phone", "role", "scope"]


class AccountEditForm(forms.Form):
    real_name = forms.CharField(label=_("姓名"), max_length=64)
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False)


class AccountImportForm(forms.Form):
    file = forms.FileField(
        label=_("账号表格"),
        help_text=_("支持 .xlsx、.xls、.ods、.csv；请使用模板的列名。"),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("当前密码"), widget=forms.PasswordInput)
    new_password1 = forms.CharField(label=_("新密码"), widget=forms.PasswordInput)
    new_password2 = forms.CharField(label=_("再次输入新密码"), widget=forms.PasswordInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_old_password(self) -> str:
        value: str = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("当前密码不正确。"))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        elif data.get("new_password1") and data.get("new_password1") == data.get("old_password"):
            self.add_error("new_password1", _("新密码不能与当前密码相同。"))
        return data
