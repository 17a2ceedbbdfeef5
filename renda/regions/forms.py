from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from renda.regions.models import DistrictKind


class DistrictForm(forms.Form):
    name = forms.CharField(label=_("选区名称"), max_length=64)
    seats = forms.IntegerField(label=_("应选代表名额"), min_value=1, max_value=3, initial=1)
    population = forms.IntegerField(label=_("人口数"), min_value=0, initial=0)
    kind = forms.ChoiceField(
        label=_("选区类型"), choices=DistrictKind.choices, initial=DistrictKind.RESIDENTIAL
    )


class DistrictCreateForm(DistrictForm):
    sequence = forms.IntegerField(
        label=_("选区序号"),
        min_value=1,
        max_value=999,
        required=False,
        help_text=_("留空则自动取下一个序号；选区代码 = 乡镇代码 + 3 位序号。"),
    )
