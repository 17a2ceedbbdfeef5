from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils.safestring import SafeString

from renda.core.audit_labels import action_label
from renda.regions.codes import Level, display_code

register = template.Library()


@register.filter
def bs(field: forms.BoundField) -> SafeString:
    """Render a form field with Bootstrap's classes, marked invalid when it has errors."""
    widget = field.field.widget
    if isinstance(widget, forms.Select):
        css = "form-select"
    elif isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})


@register.filter
def region_code(code: int | None, level: int = Level.COUNTY) -> str:
    return "" if code is None else display_code(code, level)


@register.filter
def any_code(code: int | None) -> str:
    """A stored 12-digit code in its usual short form (trailing zero groups dropped)."""
    if code is None:
        return ""
    text = f"{code:012d}"
    for level in (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP):
        if code % (10 ** (12 - {1: 2, 2: 4, 3: 6, 4: 9}[level])) == 0:
            return display_code(code, level)
    return text


@register.filter
def audit_action(action: str) -> str:
    return action_label(action)


@register.filter
def region_visible(region: Any, user: Any) -> bool:
    """May ``user`` open this region's page (breadcrumb links only where they lead somewhere)."""
    from renda.accounts import access
    from renda.accounts.roles import Perm

    return access.has_perm(user, Perm.REGION_VIEW, region.code)
