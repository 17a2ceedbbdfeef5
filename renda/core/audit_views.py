from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from renda.accounts import access
from renda.accounts.roles import Perm
from renda.core.audit import audit_record
from renda.core.audit_labels import action_label
from renda.core.forms import AuditFilterForm
from renda.core.http import AuthedRequest, xlsx_response
from renda.core.pagination import keyset_page
from renda.core.selectors import AuditFilter, audit_events_for
from renda.core.spreadsheets import write_xlsx

EXPORT_LIMIT = 100_000


def _filter(request: AuthedRequest) -> tuple[AuditFilterForm, AuditFilter]:
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        return form, AuditFilter(**form.cleaned_data)
    return form, AuditFilter()


@login_required
def audit_list(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, Perm.AUDIT_VIEW)
    form, f = _filter(request)
    page = keyset_page(
        audit_events_for(request.user, f), cursor=request.GET.get("after"), descending=True
    )
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request, "core/audit.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@login_required
def audit_export(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, Perm.AUDIT_VIEW)
    _form, f = _filter(request)
    events = audit_events_for(request.user, f).order_by("-id")[:EXPORT_LIMIT]
    rows = (
        [
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor_name,
            action_label(e.action),
            e.action,
            e.target_type,
            e.target_label,
            "" if e.region_code is None else str(e.region_code),
            e.ip or "",
            json.dumps(e.summary, ensure_ascii=False),
        ]
        for e in events.iterator()
    )
    data = write_xlsx(
        [
            "时间",
            "操作人",
            "操作",
            "操作代码",
            "对象类型",
            "对象",
            "区划代码",
            "IP 地址",
            "变更摘要",
        ],
        rows,
        sheet_name="审计日志",
        widths=[20, 16, 18, 22, 18, 30, 14, 16, 60],
    )
    audit_record(
        actor=request.user,
        action="audit.export",
        summary={"filter": {k: str(v) for k, v in vars(f).items() if v}},
    )
    return xlsx_response(data, f"审计日志-{timezone.localdate():%Y%m%d}.xlsx")
