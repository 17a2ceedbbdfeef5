"""Forms of county-level districts: name and seats, and the township districts in one.

Forms only parse input; ``services.county_districts`` decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from renda.regions.models import District, Region
from renda.voters.models import CountyDistrictPart
from renda.voters.services.county_districts import MAX_SEATS, NOTE_LENGTH


class CountyDistrictForm(forms.Form):
    name = forms.CharField(
        label=_("县级选区名称"),
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": _("如：第一选区")}),
    )
    seats = forms.TypedChoiceField(
        label=_("应选代表名额"),
        choices=[(n, str(n)) for n in range(1, MAX_SEATS + 1)],
        coerce=int,
        initial=1,
    )


@dataclass(frozen=True)
class PartRow:
    """One township district in the parts editor, with its inputs and where else it goes."""

    district: District
    include: forms.BoundField
    partial: forms.BoundField
    note: forms.BoundField
    elsewhere: list[CountyDistrictPart]


class CountyDistrictPartsForm(forms.Form):
    """For each township district of the county: included or not, whole or only some work
    units (named in the note)."""

    def __init__(
        self,
        *args: Any,
        districts: list[District],
        current: list[CountyDistrictPart],
        elsewhere: dict[int, list[CountyDistrictPart]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.districts, self.elsewhere = districts, elsewhere
        for d in districts:
            self.fields[f"include_{d.code}"] = forms.BooleanField(required=False, label=d.name)
            self.fields[f"partial_{d.code}"] = forms.BooleanField(
                required=False, label=_("部分（按单位）")
            )
            self.fields[f"note_{d.code}"] = forms.CharField(
                required=False,
                max_length=NOTE_LENGTH,
                label=_("划入部分说明"),
                widget=forms.TextInput(attrs={"placeholder": _("划入的单位，如：某某公司")}),
            )
        for part in current:
            self.initial[f"include_{part.district_id}"] = True
            self.initial[f"partial_{part.district_id}"] = not part.whole
            self.initial[f"note_{part.district_id}"] = part.note

    def _row(self, d: District) -> PartRow:
        return PartRow(
            district=d,
            include=self[f"include_{d.code}"],
            partial=self[f"partial_{d.code}"],
            note=self[f"note_{d.code}"],
            elsewhere=self.elsewhere.get(d.code, []),
        )

    def townships(self) -> list[tuple[Region, list[PartRow]]]:
        """The rows grouped by township, in code order."""
        return [
            (township, [self._row(d) for d in group])
            for township, group in groupby(self.districts, key=lambda d: d.township)
        ]

    def parts(self) -> list[tuple[District, bool, str]]:
        data = self.cleaned_data
        return [
            (d, not data[f"partial_{d.code}"], data[f"note_{d.code}"])
            for d in self.districts
            if data[f"include_{d.code}"]
        ]
