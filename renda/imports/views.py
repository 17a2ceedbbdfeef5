from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from renda.core import privatefiles
from renda.core.errors import ServiceError
from renda.core.http import AuthedRequest, xlsx_response
from renda.core.pagination import keyset_page
from renda.imports import registry, selectors, services


@login_required
def run_list(request: AuthedRequest) -> HttpResponse:
    page = keyset_page(
        selectors.runs_for(request.user), cursor=request.GET.get("after"), descending=True
    )
    return render(request, "imports/list.html", {"page": page})


@login_required
def run_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    run = selectors.run_for(request.user, pk)
    importer = registry.get(run.kind)
    fix_url = ""
    if run.options.get("needs_fix") and importer.fix_url_name:
        fix_url = reverse(importer.fix_url_name, args=[run.pk])
    return render(
        request, "imports/detail.html", {"run": run, "importer": importer, "fix_url": fix_url}
    )


@login_required
def run_progress(request: AuthedRequest, pk: int) -> HttpResponse:
    """The live part of the run page, polled by htmx until the run is finished."""
    run = selectors.run_for(request.user, pk)
    response = render(request, "imports/detail.html#progress", {"run": run})
    if run.is_finished and request.htmx:
        response["HX-Refresh"] = "true"  # show the finished page with its downloads
    return response


@login_required
def run_report(request: AuthedRequest, pk: int) -> HttpResponse:
    run = selectors.run_for(request.user, pk)
    if not privatefiles.exists(run.report):
        raise Http404
    services.import_run_mark_downloaded(actor=request.user, run=run, what="report")
    return xlsx_response(privatefiles.load(run.report), f"错误报告-{run.pk}.xlsx")


@login_required
def run_output(request: AuthedRequest, pk: int) -> HttpResponse:
    """Results holding secrets (initial passwords) go only to the person who uploaded."""
    run = selectors.run_for(request.user, pk)
    if run.created_by_id != request.user.pk or not privatefiles.exists(run.output):
        raise Http404
    services.import_run_mark_downloaded(actor=request.user, run=run, what="output")
    return xlsx_response(privatefiles.load(run.output), f"导入结果-{run.pk}.xlsx")


@login_required
@require_POST
def run_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    run = selectors.run_for(request.user, pk)
    try:
        services.import_run_cancel(actor=request.user, run=run)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("imports:detail", pk=pk)


@login_required
@require_POST
def run_retry(request: AuthedRequest, pk: int) -> HttpResponse:
    run = selectors.run_for(request.user, pk)
    try:
        services.import_run_retry(actor=request.user, run=run)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("imports:detail", pk=pk)
