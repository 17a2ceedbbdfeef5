"""Forms of elections, publication, appeals and certificates.

Forms only parse and check input; the services decide. Field labels come from the models where a
model field exists, so a label is written once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.forms.models import fields_for_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from renda.accounts import access
from renda.accounts.roles import PERMISSIONS, Perm, Role
from renda.voters.ethnicity import CHOICES as ETHNICITY_CHOICES
from renda.voters.models import AppealKind, Election, ListOrder, Voter
from renda.voters.services.elections import EDITABLE, default_dates
from renda.voters.services.register import Person

DATE_FIELDS = ("election_day", "registration_opens", "registration_closes", "publication_deadline")
BASIC_FIELDS = ("region", "code", "name", "levels")
SETTING_FIELDS = (
    "appeal_days",
    "decision_days",
    "court_days_before",
    "feb29_rule",
    "hmt_policy",
    "shift_holidays",
    "max_proxies",
    "transfer_days",
)
DEFAULT_ELECTION_IN_DAYS = 60


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ElectionForm(forms.Form):
    """An election's dates and settings; the dates left blank take the law's defaults."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                Election, fields=EDITABLE, widgets={name: date_input() for name in DATE_FIELDS}
            )
        )
        for name in ("registration_closes", "publication_deadline"):
            self.fields[name].required = False
        self.fields["registration_closes"].help_text = _("留空则为选举日前一日。")
        self.fields["publication_deadline"].help_text = _(
            "留空则为选举日前 20 日（选举法第二十八条）。"
        )
        self.fields["appeal_days"].help_text = _("自名单公布之日起计算，公布当日不计入。")
        self.fields["transfer_days"].required = False  # blank: the default (5 working days)
        self.fields["transfer_days"].help_text = _(
            "被申请方选区应在提出申请后的若干个工作日内确认或拒绝；到期前一日催办，逾期上报县级。"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("transfer_days") is None:
            data["transfer_days"] = Election._meta.get_field("transfer_days").get_default()
        day = data.get("election_day")
        if day is not None:
            for name, value in default_dates(day).items():
                if not data.get(name):
                    data[name] = value
        return data

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields in the sections the page shows."""
        sections = [
            (_("基本信息"), [n for n in BASIC_FIELDS if n in self.fields]),
            (_("日期"), list(DATE_FIELDS)),
            (_("规则设置"), list(SETTING_FIELDS)),
        ]
        return [(str(title), [self[n] for n in names]) for title, names in sections]

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in EDITABLE}


def election_regions(user: Any) -> list[tuple[int, str]]:
    """The regions the user holds a role on that may set up elections."""
    seen: dict[int, str] = {}
    for grant in access.assignments(user):
        if grant.region is not None and Perm.ELECTION_MANAGE in PERMISSIONS[Role(grant.role)]:
            seen[grant.region.code] = grant.region.name
    return sorted(seen.items())


class ElectionCreateForm(ElectionForm):
    region = forms.TypedChoiceField(label=_("适用区域"), coerce=int)
    code = forms.SlugField(
        label=_("选举代码"),
        max_length=32,
        help_text=_("字母、数字和连字符，如 jiangan-2026。"),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        assert isinstance(region, forms.TypedChoiceField)
        region.choices = election_regions(actor)
        if not self.is_bound:
            today = timezone.localdate()
            day = today + timedelta(days=DEFAULT_ELECTION_IN_DAYS)
            self.initial.update(
                {"election_day": day, "registration_opens": today, **default_dates(day)}
            )
            if region.choices:
                self.initial.setdefault("region", region.choices[0][0])
        self.order_fields([*BASIC_FIELDS, *DATE_FIELDS, *SETTING_FIELDS])


class HolidayForm(forms.Form):
    day = forms.DateField(label=_("日期"), widget=date_input())
    is_workday = forms.TypedChoiceField(
        label=_("当日为"),
        choices=[("0", _("休息日（放假）")), ("1", _("工作日（调休上班）"))],
        coerce=lambda value: value == "1",
    )
    note = forms.CharField(
        label=_("说明"), max_length=100, required=False, help_text=_("如：2027年春节调休。")
    )


class PublishForm(forms.Form):
    order = forms.ChoiceField(label=_("排序方式"), choices=ListOrder.choices)


class AppealForm(forms.Form):
    kind = forms.ChoiceField(label=_("申诉类型"), choices=AppealKind.choices)
    appellant = forms.CharField(label=_("申诉人"), max_length=64)
    appellant_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    subject_name = forms.CharField(
        label=_("涉及人员姓名"), max_length=64, help_text=_("申诉所涉及的公民，可以是申诉人本人。")
    )
    voter = forms.ModelChoiceField(
        label=_("涉及选民"), queryset=Voter.objects.none(), required=False, widget=forms.HiddenInput
    )
    content = forms.CharField(label=_("申诉事项"), widget=forms.Textarea(attrs={"rows": 4}))
    received_on = forms.DateField(label=_("受理日期"), widget=date_input())

    def __init__(self, *args: Any, voters: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        voter = self.fields["voter"]
        assert isinstance(voter, forms.ModelChoiceField)
        voter.queryset = voters
        self.fields["received_on"].initial = timezone.localdate()


class DecisionForm(forms.Form):
    """The committee's decision; subclasses add what upholding an appeal of each kind needs."""

    upheld = forms.TypedChoiceField(
        label=_("处理结果"),
        choices=[("", "——"), ("1", _("申诉成立")), ("0", _("申诉不成立"))],
        coerce=lambda value: value == "1",
    )
    decision = forms.CharField(label=_("处理决定"), widget=forms.Textarea(attrs={"rows": 3}))
    needed_when_upheld: tuple[str, ...] = ()

    def decision_fields(self) -> list[forms.BoundField]:
        return [self["upheld"], self["decision"]]

    def upheld_fields(self) -> list[forms.BoundField]:
        """What upholding this kind of appeal needs besides the decision."""
        return [self[name] for name in self.fields if name not in ("upheld", "decision")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("upheld"):
            for name in self.needed_when_upheld:
                if not data.get(name):
                    self.add_error(name, _("申诉成立时必须填写此项。"))
        return data

    def person(self) -> Person | None:
        return None

    def corrections(self) -> dict[str, Any]:
        return {}


def _ethnicity_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_("民族"), choices=ETHNICITY_CHOICES, coerce=int, initial=1, required=False
    )


class OmittedDecisionForm(DecisionForm):
    """Upholding 'omitted': the person is registered, so the ID number and name are needed."""

    id_number = forms.CharField(label=_("公民身份号码"), max_length=24, required=False)
    name = forms.CharField(label=_("姓名"), max_length=64, required=False)
    ethnicity = _ethnicity_field()
    group = forms.CharField(label=_("村（居）民小组"), max_length=64, required=False)
    household_address = forms.CharField(label=_("户籍地址"), max_length=200, required=False)
    residence_address = forms.CharField(label=_("现住址"), max_length=200, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    needed_when_upheld = ("id_number", "name")

    def person(self) -> Person | None:
        data = self.cleaned_data
        if not data.get("upheld"):
            return None
        return Person(
            id_number=data["id_number"],
            name=data["name"],
            ethnicity=data.get("ethnicity") or 1,
            group=data["group"],
            household_address=data["household_address"],
            residence_address=data["residence_address"],
            phone=data["phone"],
        )


DETAIL_FIELDS = ("name", "ethnicity", "group", "household_address", "residence_address")


class DetailsDecisionForm(DecisionForm):
    """Upholding 'wrong details': the corrected values, pre-filled with what is registered."""

    name = forms.CharField(label=_("姓名"), max_length=64, required=False)
    ethnicity = _ethnicity_field()
    group = forms.CharField(label=_("村（居）民小组"), max_length=64, required=False)
    household_address = forms.CharField(label=_("户籍地址"), max_length=200, required=False)
    residence_address = forms.CharField(label=_("现住址"), max_length=200, required=False)
    needed_when_upheld = ("name",)

    def __init__(self, *args: Any, voter: Voter | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.voter = voter
        if voter is not None and not self.is_bound:
            self.initial.update({name: getattr(voter, name) for name in DETAIL_FIELDS})

    def corrections(self) -> dict[str, Any]:
        data = self.cleaned_data
        if not data.get("upheld") or self.voter is None:
            return {}
        new = {name: data[name] for name in DETAIL_FIELDS if data.get(name) not in (None, "")}
        return {k: v for k, v in new.items() if getattr(self.voter, k) != v}


def decision_form(kind: str, voter: Voter | None, data: Any = None) -> DecisionForm:
    if kind == AppealKind.OMITTED:
        return OmittedDecisionForm(data)
    if kind == AppealKind.WRONG_DETAILS:
        return DetailsDecisionForm(data, voter=voter)
    return DecisionForm(data)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("作废原因"), max_length=200)
