"""Forms of the transfer, conflict and self-service pages (staff side and the public /self/)."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib.sessions.backends.base import SessionBase
from django.utils.translation import gettext_lazy as _

from renda.regions.models import District
from renda.voters.ethnicity import CHOICES as ETHNICITY_CHOICES
from renda.voters.forms import district_label
from renda.voters.models import EvidenceKind, ResidenceKind

ID_WIDGET = forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})
# What a registrar may give as evidence by hand (conflicts and self-service have their own).
TYPED_EVIDENCE = [
    (k.value, k.label)
    for k in (EvidenceKind.RESIDENCE, EvidenceKind.CERTIFICATE, EvidenceKind.HOUSEHOLD)
]


class FindPersonForm(forms.Form):
    id_number = forms.CharField(label=_("公民身份号码"), max_length=24, widget=ID_WIDGET)


class TransferRequestForm(FindPersonForm):
    """The destination asks for a person found by ID number."""

    to_district = forms.TypedChoiceField(label=_("迁入选区（本选区）"), coerce=int)
    evidence_kind = forms.ChoiceField(label=_("依据类型"), choices=TYPED_EVIDENCE)
    evidence = forms.CharField(
        label=_("依据"),
        max_length=200,
        help_text=_("选民资格证明编号，或居住证明的名称和编号（如：居住证 4201……）。"),
    )
    residence_kind = forms.ChoiceField(
        label=_("迁入后登记类型"),
        choices=ResidenceKind.choices,
        initial=ResidenceKind.RESIDENT,
    )
    residence_address = forms.CharField(label=_("现住址"), max_length=200, required=False)
    group = forms.CharField(label=_("村（居）民小组"), max_length=64, required=False)

    def __init__(self, *args: Any, districts: list[District], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_district"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(d.code, district_label(d)) for d in districts]
        if len(districts) == 1:
            field.initial = districts[0].code
        # The number found in step 1: shown, not edited (a new number means a new search).
        self.fields["id_number"].widget = forms.TextInput(
            attrs={"readonly": True, "autocomplete": "off", "spellcheck": "false"}
        )


class TransferStartForm(forms.Form):
    """The origin hands a person over to the district they moved to."""

    to_district = forms.CharField(
        label=_("迁入选区代码"),
        min_length=12,
        max_length=12,
        help_text=_("12 位选区代码，可向迁入地选区登记员询问，或在“区划与选区”中查找。"),
    )
    evidence_kind = forms.ChoiceField(
        label=_("依据类型"),
        choices=[
            (k.value, k.label)
            for k in (EvidenceKind.HOUSEHOLD, EvidenceKind.RESIDENCE, EvidenceKind.CERTIFICATE)
        ],
    )
    evidence = forms.CharField(label=_("依据"), max_length=200)
    residence_address = forms.CharField(label=_("新住址"), max_length=200, required=False)

    def clean_to_district(self) -> int:
        text: str = self.cleaned_data["to_district"].strip()
        if not text.isascii() or not text.isdigit():
            raise forms.ValidationError(_("请输入 12 位数字的选区代码。"))
        return int(text)


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("拒绝理由"), max_length=200)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("撤回原因"), max_length=200, required=False)


class AcceptForm(forms.Form):
    residence_kind = forms.ChoiceField(
        label=_("登记类型"), choices=ResidenceKind.choices, initial=ResidenceKind.RESIDENT
    )
    group = forms.CharField(label=_("村（居）民小组"), max_length=64, required=False)
    certificate_number = forms.CharField(
        label=_("选民资格证明编号"),
        max_length=32,
        required=False,
        help_text=_("申请人持原选区开具的选民资格证明时填写。"),
    )


class RejectForm(forms.Form):
    note = forms.CharField(
        label=_("不予登记的理由"),
        max_length=200,
        help_text=_("请同时电话告知申请人。"),
    )


# --- Public pages ---------------------------------------------------------------------------

CHALLENGE_KEY = "self_challenge"


def new_challenge(session: SessionBase) -> str:
    """A sum of two small numbers, kept in the session; the question shown to the person."""
    a, b = 1 + secrets.randbelow(9), 1 + secrets.randbelow(9)
    session[CHALLENGE_KEY] = a + b
    return f"{a} + {b} = ?"


class ChallengeMixin(forms.Form):
    """An arithmetic check against scripted use: one answer per question, whatever it was."""

    answer = forms.IntegerField(label=_("验证：请计算"), min_value=0, max_value=99)

    def __init__(self, *args: Any, session: SessionBase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The question this answer belongs to; the page then always asks a new one.
        self.expected = session.pop(CHALLENGE_KEY, None) if self.is_bound else None

    def ask(self, question: str) -> None:
        self.fields["answer"].label = _("验证：请计算 %(q)s") % {"q": question}
        self["answer"].label = self.fields[
            "answer"
        ].label  # a bound field made before keeps its own
        if self.is_bound:  # never show the old answer next to the new question
            data = dict(self.data.items())
            data["answer"] = ""
            self.data = data

    def clean_answer(self) -> int:
        value: int = self.cleaned_data["answer"]
        if self.expected is None or value != self.expected:
            raise forms.ValidationError(_("验证答案不正确，请按新题目重新计算。"))
        return value


class SelfCheckForm(ChallengeMixin):
    name = forms.CharField(label=_("姓名"), max_length=64)
    id_number = forms.CharField(label=_("公民身份号码"), max_length=24, widget=ID_WIDGET)
    field_order = ["name", "id_number", "answer"]


class SelfRequestForm(ChallengeMixin):
    district = forms.TypedChoiceField(label=_("申请登记的选区"), coerce=int)
    name = forms.CharField(label=_("姓名"), max_length=64)
    id_number = forms.CharField(label=_("公民身份号码"), max_length=24, widget=ID_WIDGET)
    ethnicity = forms.TypedChoiceField(
        label=_("民族"), choices=ETHNICITY_CHOICES, coerce=int, initial=1
    )
    phone = forms.CharField(label=_("联系电话"), max_length=20)
    residence_address = forms.CharField(label=_("现住址"), max_length=200)
    household_address = forms.CharField(label=_("户籍地址"), max_length=200, required=False)
    evidence = forms.CharField(
        label=_("居住证明"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：居住证（编号……），居住满一年；或房产证、租赁合同。"),
    )
    evidence_file = forms.FileField(
        label=_("证明材料扫描件"),
        required=False,
        help_text=_("可选；PDF、JPG 或 PNG，不超过 5 MB。"),
    )
    field_order = [
        "district",
        "name",
        "id_number",
        "ethnicity",
        "phone",
        "residence_address",
        "household_address",
        "evidence",
        "evidence_file",
        "answer",
    ]

    def __init__(self, *args: Any, districts: list[District], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["district"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(d.code, f"{d.township.name}{d.name}") for d in districts]
        if len(districts) == 1:
            field.initial = districts[0].code
