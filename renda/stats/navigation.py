"""What the statistics module plugs into the shell: nav entries, a home card, audit labels."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from renda.core.registry import NavItem, register_cards, register_nav

AUDIT_LABELS: dict[str, str | Promise] = {
    "stats.snapshot": _("生成每日统计快照和统计表"),
    "stats.table_download": _("下载选民登记情况统计表"),
    "stats.archive_download": _("下载归档的统计表"),
    "stats.export_counts": _("导出各选区登记数"),
    "stats.export_voters": _("导出选民名单（隐去身份证号中间位）"),
}


def _may_see(user: Any) -> bool:
    from renda.stats.selectors import may_see_figures

    return may_see_figures(user)


def _may_see_archive(user: Any) -> bool:
    from renda.stats.selectors import may_see_archive

    return may_see_archive(user)


def register() -> None:
    from renda.stats.stats import home_cards

    register_cards(home_cards)
    # Last of the 选民登记 section: same order as its last entry, registered after it (the
    # sort is stable), before the base-data section that follows at 16.
    section = _("选民登记")
    register_nav(NavItem(_("登记统计"), "stats:index", 15, _may_see, section))
    register_nav(NavItem(_("统计表归档"), "stats:reports", 15, _may_see_archive, section))
