"""Forms of the roster pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from renda.regions.models import District, Region
from renda.roster.models import ExceptionReason, ReviewKind, ReviewStatus, SourceKind
from renda.voters.models import Election


class BaseUploadForm(forms.Form):
    source = forms.ChoiceField(label=_("数据来源"), choices=SourceKind.choices)
    region = forms.TypedChoiceField(label=_("适用区域"), coerce=int)
    election = forms.TypedChoiceField(
        label=_("换届选举"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("公安户籍基础数据必选：按其选举日核对年满十八周岁。"),
    )
    reference = forms.CharField(
        label=_("来源文号"),
        required=False,
        max_length=200,
        help_text=_("如“鄂民函〔2026〕12号”，处理比中事项时作为依据。"),
    )
    file = forms.FileField(
        label=_("文件"),
        help_text=_(
            "支持 .xlsx、.xls、.ods、.csv。须有“公民身份号码”“姓名”列；户籍基础数据还须有"
            "“乡镇（街道）”列，可有“户籍所在村居”“户籍地址”列；比对名单可有“死亡日期”"
            "“判决日期”“恢复政治权利日期”“剥夺政治权利截止日期”“文书编号”列。"
        ),
    )
    sheet = forms.CharField(label=_("工作表名称"), required=False, max_length=100)

    def __init__(
        self, *args: Any, regions: list[Region], elections: list[Election], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        election = self.fields["election"]
        assert isinstance(region, forms.ChoiceField) and isinstance(election, forms.ChoiceField)
        region.choices = [(r.code, f"{r.name}（{r.display_code}）") for r in regions]
        election.choices = [("", "—")] + [(e.pk, e.name) for e in elections]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("source") == SourceKind.HOUSEHOLD and not data.get("election"):
            self.add_error("election", _("导入公安户籍基础数据须选择换届选举。"))
        return data


class AddressRuleForm(forms.Form):
    value = forms.CharField(
        label=_("户籍地址包含"),
        max_length=100,
        help_text=_("如“解放大道1号”；村（居）名称的规则优先，其次按较长的地址片段。"),
    )
    district = forms.TypedChoiceField(label=_("划入选区"), coerce=int)

    def __init__(self, *args: Any, districts: list[District], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["district"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(d.code, d.name) for d in districts]


class ExceptionForm(forms.Form):
    reason = forms.ChoiceField(label=_("情况"), choices=ExceptionReason.choices)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class ReviewFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型")), *ReviewKind.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), *ReviewStatus.choices],
        initial=ReviewStatus.OPEN,
    )


class ApplyForm(forms.Form):
    evidence = forms.CharField(label=_("依据"), max_length=200)
    note = forms.CharField(label=_("处理说明"), required=False, max_length=200)


class DismissForm(forms.Form):
    note = forms.CharField(label=_("排除理由"), max_length=200)
