"""What audit actions are called in the viewer and the export: `voter.registered` → 选民·登记.

Modules add their own with ``register_labels`` in AppConfig.ready(); an unknown action shows
its code.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_labels: dict[str, str | Promise] = {
    "auth.login": _("登录"),
    "auth.logout": _("退出"),
    "auth.login_failed": _("登录失败"),
    "auth.locked_out": _("账号被锁定"),
    "account.create": _("创建账号"),
    "account.update": _("修改账号信息"),
    "account.activate": _("启用账号"),
    "account.deactivate": _("停用账号"),
    "account.reset_password": _("重置密码"),
    "account.change_password": _("修改密码"),
    "role.grant": _("授予角色"),
    "role.revoke": _("收回角色"),
    "district.create": _("设立选区"),
    "district.update": _("修改选区"),
    "district.delete": _("删除选区"),
    "import.create": _("上传导入文件"),
    "import.cancel": _("取消导入"),
    "import.retry": _("重试导入"),
    "import.options": _("修改导入设置"),
    "import.download_report": _("下载错误报告"),
    "import.download_output": _("下载导入结果"),
    "security.unlock": _("解除锁定"),
    "audit.export": _("导出审计日志"),
    "api.token_create": _("创建接口令牌"),
    "api.token_revoke": _("吊销接口令牌"),
    "demo.load": _("加载演示数据"),
    "notification.read": _("阅读通知"),
}


def register_labels(labels: dict[str, str | Promise]) -> None:
    _labels.update(labels)


def action_label(action: str) -> str:
    label = _labels.get(action)
    return str(label) if label is not None else action
