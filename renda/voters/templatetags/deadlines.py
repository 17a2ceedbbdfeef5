"""Deadlines as people read them: "还剩 3 天", "今天到期", "已逾期 2 天"."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()
SOON_DAYS = 3  # at most this many days left: shown as urgent


@register.filter
def days_left(day: date | None) -> int | None:
    """Whole days from today to ``day`` (negative once it has passed)."""
    if day is None:
        return None
    return (day - timezone.localdate()).days


@register.filter
def countdown(day: date | None) -> SafeString:
    """A badge: green while there is time, amber in the last days, red when overdue."""
    left = days_left(day)
    if left is None:
        return format_html("")
    if left < 0:
        text = ngettext("已逾期 %(n)d 天", "已逾期 %(n)d 天", -left) % {"n": -left}
        css = "text-bg-danger"
    elif left == 0:
        text, css = _("今天到期"), "text-bg-warning"
    else:
        text = ngettext("还剩 %(n)d 天", "还剩 %(n)d 天", left) % {"n": left}
        css = "text-bg-warning" if left <= SOON_DAYS else "text-bg-success"
    return format_html('<span class="badge {}" data-days-left="{}">{}</span>', css, left, text)


@register.filter
def relative_day(day: date | None) -> SafeString:
    """A neutral badge for a day that is not a deadline: "3 天后", "今天", "2 天前"."""
    left = days_left(day)
    if left is None:
        return format_html("")
    if left == 0:
        text = _("今天")
    elif left > 0:
        text = ngettext("%(n)d 天后", "%(n)d 天后", left) % {"n": left}
    else:
        text = ngettext("%(n)d 天前", "%(n)d 天前", -left) % {"n": -left}
    return format_html('<span class="badge text-bg-light border">{}</span>', text)
