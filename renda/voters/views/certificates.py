"""选民资格证明: issue from a voter's page, print with its QR code, revoke while unused."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renda.accounts import access
from renda.accounts.roles import Perm
from renda.core.audit import audit_record
from renda.core.errors import ServiceError
from renda.core.http import AuthedRequest, query_without_cursor
from renda.core.pagination import keyset_page
from renda.voters import exports, selectors, selectors_lists
from renda.voters.forms_lists import RevokeForm
from renda.voters.models import Certificate, CertificateStatus
from renda.voters.services import certificates as services
from renda.voters.services.common import today
from renda.voters.views.downloads import pdf_response


@login_required
def certificate_list(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, Perm.VOTER_VIEW)
    status = request.GET.get("status", "")
    status = status if status in CertificateStatus.values else ""
    text = request.GET.get("q", "")
    page = keyset_page(
        selectors_lists.certificates_listed(request.user, status, text),
        cursor=request.GET.get("after"),
        descending=True,
    )
    return render(
        request,
        "voters/certificates/list.html",
        {
            "page": page,
            "status": status,
            "q": text,
            "statuses": CertificateStatus.choices,
            "query": query_without_cursor(request),
        },
    )


@login_required
@require_POST
def certificate_issue(request: AuthedRequest, pk: int) -> HttpResponse:
    voter = selectors.voter_for(request.user, pk)
    elections = selectors_lists.elections_covering(request.user, voter.district)
    raw = request.POST.get("election", "")
    election = next((e for e in elections if str(e.pk) == raw), elections[0] if elections else None)
    if election is None:
        messages.error(request, _("该选区不在任何换届选举的范围内，不能开具选民资格证明。"))
        return redirect("voters:detail", pk=voter.pk)
    try:
        certificate = services.certificate_issue(actor=request.user, election=election, voter=voter)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("voters:detail", pk=voter.pk)
    messages.success(
        request, _("已开具选民资格证明，编号 %(n)s。请打印后交本人。") % {"n": certificate.number}
    )
    return redirect("voters:certificate_detail", pk=certificate.pk)


def verify_url(request: AuthedRequest, certificate: Certificate) -> str:
    return request.build_absolute_uri(reverse("verify", args=[certificate.verify_code]))


def _state(certificate: Certificate) -> str:
    if certificate.status == CertificateStatus.ISSUED and today() > certificate.valid_until:
        return "expired"
    return certificate.status


@login_required
def certificate_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    certificate = selectors_lists.certificate_for(request.user, pk)
    url = verify_url(request, certificate)
    return render(
        request,
        "voters/certificates/detail.html",
        {
            "certificate": certificate,
            "state": _state(certificate),
            "verify_url": url,
            "qr": segno.make(url, error="m").svg_data_uri(scale=4, border=2),
            "may_revoke": certificate.status == CertificateStatus.ISSUED
            and access.has_perm(request.user, Perm.VOTER_MANAGE, certificate.district_id),
            "revoke_form": RevokeForm(),
        },
    )


@login_required
def certificate_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    certificate = selectors_lists.certificate_for(request.user, pk)
    data = exports.certificate_pdf(certificate, verify_url(request, certificate))
    audit_record(
        actor=request.user,
        action="certificate.print",
        target=certificate,
        region_code=certificate.district_id,
        summary={"number": certificate.number},
    )
    filename = f"{_('选民资格证明')}-{certificate.number}.pdf"
    return pdf_response(data, filename, inline=request.GET.get("inline") == "1")


@login_required
@require_POST
def certificate_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    certificate = selectors_lists.certificate_for(request.user, pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写作废原因。"))
        return redirect("voters:certificate_detail", pk=pk)
    try:
        services.certificate_revoke(
            actor=request.user, certificate=certificate, reason=form.cleaned_data["reason"]
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("证明已作废，该选民恢复在本选区登记。"))
    return redirect("voters:certificate_detail", pk=pk)
