"""Uploading a voter list: the form, and the official template to fill in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from renda.accounts import access
from renda.accounts.roles import Perm
from renda.core import privatefiles
from renda.core.errors import ServiceError
from renda.core.http import AuthedRequest, xlsx_response
from renda.imports import selectors as import_selectors
from renda.imports.services import import_run_create, import_run_retry, import_run_set_options
from renda.regions.models import District
from renda.voters import selectors
from renda.voters.forms_import import VoterImportForm
from renda.voters.importing.importer import KIND

MAX_DISTRICT_CHOICES = 500


def _districts(request: AuthedRequest) -> list[District]:
    qs = access.scoped(
        request.user, Perm.VOTER_MANAGE, District.objects.select_related("township"), "code"
    ).order_by("code")
    return list(qs[:MAX_DISTRICT_CHOICES])


@login_required
def voter_import(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, Perm.VOTER_MANAGE)
    elections = list(selectors.elections_for(request.user).order_by("-election_day"))
    districts = _districts(request)
    form = VoterImportForm(
        request.POST or None, request.FILES or None, elections=elections, districts=districts
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        district = data["district"]
        if district is not None and not access.has_perm(request.user, Perm.VOTER_MANAGE, district):
            form.add_error("district", _("您无权向该选区导入选民。"))
        else:
            upload = data["file"]
            try:
                run = import_run_create(
                    actor=request.user,
                    kind=KIND,
                    region_code=district or request.user.home_code or districts[0].code,
                    filename=upload.name,
                    data=upload.read(),
                    options={
                        "election": data["election"],
                        "district": district,
                        "sheet": data["sheet"].strip(),
                        "dry_run": data["dry_run"],
                        "update": data["update"],
                    },
                )
            except ServiceError as exc:
                form.add_error("file", exc.message)
            else:
                return redirect("imports:detail", pk=run.pk)
    return render(request, "voters/import.html", {"form": form, "has_elections": bool(elections)})


@login_required
def voter_import_template(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, Perm.VOTER_MANAGE)
    from renda.voters.importing.template import voter_template_xlsx

    return xlsx_response(voter_template_xlsx(), "选民登记表模板.xlsx")


@login_required
def voter_import_columns(request: AuthedRequest, pk: int) -> HttpResponse:
    """Settle an ambiguous header (two columns that could both be the ID number, …), then
    process the run again."""
    from renda.voters.importing import reader
    from renda.voters.importing.importer import COLUMN_LABELS

    run = import_selectors.run_for(request.user, pk)
    if run.kind != KIND or not run.options.get("needs_fix") or not privatefiles.exists(run.upload):
        raise Http404
    try:
        table = reader.read_table(
            privatefiles.load(run.upload), run.original_name, sheet=run.options.get("sheet") or None
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("imports:detail", pk=run.pk)
    choices = dict(table.ambiguous)
    if request.method == "POST":
        chosen = {key: request.POST.get(key, "") for key in choices}
        if all(chosen[key] in choices[key] for key in choices):
            try:
                import_run_set_options(
                    actor=request.user,
                    run=run,
                    columns={**table.mapping, **chosen},
                    needs_fix=False,
                )
                import_run_retry(actor=request.user, run=run)
            except ServiceError as exc:
                messages.error(request, exc.message)
            return redirect("imports:detail", pk=run.pk)
        messages.error(request, _("请为每一项选择对应的列。"))
    preview = table.frame.head(5)
    return render(
        request,
        "voters/import_columns.html",
        {
            "run": run,
            "choices": [
                (key, COLUMN_LABELS.get(key, key), cands) for key, cands in choices.items()
            ],
            "headers": table.headers,
            "preview": preview.select([c for c in preview.columns if not c.startswith("__")]),
        },
    )
