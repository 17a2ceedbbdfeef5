"""Forms of the register pages. They parse input; the services decide what the rules allow."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from renda.regions.codes import DIGITS, Level, subtree_range
from renda.regions.models import District
from renda.voters.ethnicity import CHOICES as ETHNICITY_CHOICES
from renda.voters.models import ChangeKind, RemovalReason, ResidenceKind, Sex, Status
from renda.voters.services.register import CORRECTABLE, Person

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
BLANK: list[tuple[str, Any]] = [("", "——")]
REGISTER_KIND_CHOICES = [
    (k.value, k.label)
    for k in (ChangeKind.REGISTERED, ChangeKind.NEWLY_18, ChangeKind.MOVED_IN, ChangeKind.RESTORED)
]
# The figures of the statistics dashboard that open a list filtered by their counter.
COUNTER_LABELS = {
    "listed": _("已登记（含停止行使选举权利）"),
    "male": _("男"),
    "female": _("女"),
    "age_18_35": _("18—35岁"),
    "age_36_59": _("36—59岁"),
    "age_60_plus": _("60岁以上"),
    "minority": _("少数民族"),
    "certificate_holders": _("持证登记"),
    "mobile_box": _("流动票箱"),
}
# Above this many districts a select is a scroll through hundreds; a code input is quicker.
DISTRICT_SELECT_MAX = 60


def district_label(district: District) -> str:
    return f"{district.township.name} {district.name}（{district.display_code}）"


def code_range(text: str) -> tuple[int, int] | None:
    """The code range a typed region or district code covers (2, 4, 6, 9 or 12 digits)."""
    digits = text.strip()
    levels = {n: level for level, n in DIGITS.items()}
    if not digits.isascii() or not digits.isdigit() or len(digits) not in levels:
        return None
    code = int(digits.ljust(12, "0"))
    level = levels[len(digits)]
    if level == Level.DISTRICT and code % 1000 == 0:
        level = Level.TOWNSHIP
    return subtree_range(code, level)


class VoterSearchForm(forms.Form):
    """The list's search box and filters (a GET form; every field optional)."""

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=64,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("姓名、拼音、首字母或身份证号码"),
            }
        ),
    )
    district = forms.CharField(label=_("选区或区划"), required=False, max_length=12)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *Status.choices]
    )
    kind = forms.ChoiceField(
        label=_("变动类型"), required=False, choices=[("", _("全部类型")), *ChangeKind.choices]
    )
    # Set by the statistics dashboard's links (the people behind a figure); kept when searching.
    counter = forms.ChoiceField(
        required=False, choices=[("", ""), *COUNTER_LABELS.items()], widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, districts: list[District] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if districts is not None:
            choices = [("", _("全部选区")), *((str(d.code), district_label(d)) for d in districts)]
            typed = (self.data.get("district") or "").strip() if self.is_bound else ""
            if typed and typed not in dict(choices):  # a region code, e.g. from the dashboard
                choices.append((typed, _("区划 %(code)s") % {"code": typed}))
            field = self.fields["district"]
            field.label = _("选区")
            field.widget = forms.Select(choices=choices)
        else:
            self.fields["district"].widget.attrs["placeholder"] = _("选区或区划代码")

    def clean_district(self) -> tuple[int, int] | None:
        text: str = self.cleaned_data.get("district") or ""
        if not text:
            return None
        found = code_range(text)
        if found is None:
            raise forms.ValidationError(_("请输入 6、9 或 12 位的区划或选区代码。"))
        return found


class PersonForm(forms.Form):
    """What a registrar types about a person; sex and birth date may come from the ID number."""

    id_number = forms.CharField(
        label=_("公民身份号码"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(label=_("姓名"), max_length=64)
    sex = forms.ChoiceField(label=_("性别"), required=False, choices=BLANK + Sex.choices)
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=DATE)
    ethnicity = forms.TypedChoiceField(
        label=_("民族"), choices=ETHNICITY_CHOICES, coerce=int, initial=1
    )
    household_address = forms.CharField(label=_("户籍地址"), max_length=200, required=False)
    residence_address = forms.CharField(label=_("现住址"), max_length=200, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    group = forms.CharField(label=_("村（居）民小组"), max_length=64, required=False)
    residence_kind = forms.ChoiceField(
        label=_("登记类型"), choices=ResidenceKind.choices, initial=ResidenceKind.HOUSEHOLD
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Checked as it is typed (views.register.check_id), posted so it stays out of URLs.
        self.fields["id_number"].widget.attrs.update(
            {
                "hx-post": reverse("voters:check_id"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#id-check-result",
                "hx-sync": "this:replace",
            }
        )

    def person(self) -> Person:
        data = self.cleaned_data
        return Person(
            id_number=data["id_number"],
            name=data["name"],
            sex=data["sex"] or None,
            birth_date=data["birth_date"],
            ethnicity=data["ethnicity"],
            household_address=data["household_address"],
            residence_address=data["residence_address"],
            phone=data["phone"],
            group=data["group"],
            residence_kind=data["residence_kind"],
        )


class RegisterForm(PersonForm):
    district = forms.TypedChoiceField(label=_("选区"), coerce=int)
    kind = forms.ChoiceField(
        label=_("登记事由"), choices=REGISTER_KIND_CHOICES, initial=ChangeKind.REGISTERED
    )
    court_date = forms.DateField(
        label=_("恢复政治权利日期"),
        required=False,
        widget=DATE,
        help_text=_("仅“恢复政治权利”时填写：法院或社区矫正机构文书载明的日期。"),
    )
    certificate_number = forms.CharField(
        label=_("选民资格证明编号"),
        max_length=32,
        required=False,
        help_text=_("持原选区开具的选民资格证明登记时填写。"),
    )

    field_order = ["district", "kind", "court_date", "id_number", "name", "sex", "birth_date"]

    def __init__(self, *args: Any, districts: list[District], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["district"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(d.code, district_label(d)) for d in districts]
        if len(districts) != 1:
            field.choices = BLANK + field.choices
        else:
            field.initial = districts[0].code


class CorrectForm(PersonForm):
    """The full edit form: the ID number only when it was wrong, and always a reason."""

    reason = forms.CharField(label=_("更正原因"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["id_number"].required = False
        self.fields["id_number"].help_text = _("仅在原号码有误时填写新号码；留空则不变。")

    def changes(self, current: dict[str, Any]) -> dict[str, Any]:
        """Only what differs from ``current``; an empty ID, sex or birth date means unchanged."""
        changed: dict[str, Any] = {}
        for name in CORRECTABLE:
            value = self.cleaned_data.get(name)
            if name in ("id_number", "sex", "birth_date") and not value:
                continue
            if name == "id_number" or current.get(name) != value:
                changed[name] = value
        return changed


class RemoveForm(forms.Form):
    reason = forms.ChoiceField(label=_("除名原因"), choices=RemovalReason.choices)
    evidence = forms.CharField(
        label=_("依据"),
        max_length=200,
        required=False,
        help_text=_("如死亡证明、判决书编号；死亡或被剥夺政治权利必填。"),
    )
    effective_date = forms.DateField(label=_("生效日期"), required=False, widget=DATE)


class RestoreForm(forms.Form):
    court_date = forms.DateField(label=_("恢复政治权利日期"), widget=DATE)
    evidence = forms.CharField(label=_("法院或社区矫正机构文书编号"), max_length=200)


class NotListedForm(forms.Form):
    basis = forms.CharField(label=_("确认依据"), max_length=200)
    confirmed_on = forms.DateField(label=_("选举委员会确认日期"), widget=DATE, initial=date.today)


class SuspendForm(forms.Form):
    decision = forms.CharField(label=_("检察院或法院决定文书编号"), max_length=200)


class ReinstateForm(forms.Form):
    evidence = forms.CharField(label=_("依据"), max_length=200)


class MobileBoxForm(forms.Form):
    on = forms.TypedChoiceField(
        label=_("流动票箱"),
        choices=[("1", _("使用流动票箱")), ("0", _("不使用流动票箱"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)


class ProxyForm(forms.Form):
    holder = forms.IntegerField(
        label=_("受托人"),
        min_value=1,
        help_text=_("在上方按姓名或身份证号码查找同一选区的选民，点选后自动填入其编号。"),
    )
