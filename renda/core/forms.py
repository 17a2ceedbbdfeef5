from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from renda.core.selectors import ACTIONS


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("操作类别"), required=False, choices=[("", _("全部")), *ACTIONS]
    )
    actor = forms.CharField(label=_("操作人账号"), required=False, max_length=150)
    target = forms.CharField(label=_("对象"), required=False, max_length=100)
    since = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
