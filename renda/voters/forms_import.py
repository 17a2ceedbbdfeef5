"""The voter-list upload form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from renda.regions.models import District
from renda.voters.models import Election


class VoterImportForm(forms.Form):
    election = forms.TypedChoiceField(label=_("换届选举"), coerce=int)
    district = forms.TypedChoiceField(
        label=_("导入到选区"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("选“按表格中的选区代码”时，表格须有“选区代码”列，每行登记到该列的选区。"),
    )
    file = forms.FileField(
        label=_("选民名单文件"),
        help_text=_(
            "支持 .xlsx、.xls、.ods、.csv（UTF-8 或 GBK），最大 300 MB。身份证号码列须为文本格式。"
        ),
    )
    sheet = forms.CharField(
        label=_("工作表名称"),
        required=False,
        max_length=100,
        help_text=_("留空则读取第一个含有表头的工作表。"),
    )
    dry_run = forms.BooleanField(
        label=_("试运行：只检查，不写入名册"), required=False, initial=True
    )
    update = forms.BooleanField(label=_("已在本选区登记但信息不同的，按文件更正"), required=False)

    def __init__(
        self, *args: Any, elections: list[Election], districts: list[District], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        election = self.fields["election"]
        district = self.fields["district"]
        assert isinstance(election, forms.ChoiceField) and isinstance(district, forms.ChoiceField)
        election.choices = [(e.pk, e.name) for e in elections]
        district.choices = [("", _("按表格中的选区代码"))] + [
            (d.code, f"{d.township.name} {d.name}（{d.display_code}）") for d in districts
        ]
        if len(districts) == 1:
            self.initial.setdefault("district", districts[0].code)
