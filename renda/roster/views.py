"""The roster's pages: overview, upload, mapping, expected lists, review queue, cross-check.

Thin views: access → form → one service → render or redirect.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renda.accounts import access
from renda.accounts.roles import Perm
from renda.core.errors import ServiceError
from renda.core.http import AuthedRequest, query_without_cursor
from renda.core.pagination import keyset_page, parse_cursor
from renda.imports.services import import_run_create
from renda.regions.codes import Level, parse_code
from renda.regions.models import District, Region
from renda.roster import selectors
from renda.roster.forms import (
    AddressRuleForm,
    ApplyForm,
    BaseUploadForm,
    DismissForm,
    ExceptionForm,
    ReviewFilterForm,
)
from renda.roster.importers import KIND
from renda.roster.models import RecordStatus, ReviewKind, ReviewStatus
from renda.roster.reports import SECTIONS
from renda.roster.services import mapping as mapping_services
from renda.roster.services import records as record_services
from renda.roster.services import review as review_services
from renda.roster.services.crosscheck import crosscheck_run
from renda.voters import pii
from renda.voters import selectors as voter_selectors
from renda.voters.views.register import election_of

PAGE = 100


def _code(raw: str | None) -> int | None:
    if not raw:
        return None
    try:
        return parse_code(raw)
    except ValueError:
        raise Http404 from None


def _ids(request: AuthedRequest) -> list[int]:
    return [int(v) for v in request.POST.getlist("record") if v.isdigit()]


# --- Overview and upload ---------------------------------------------------------------------


def _labelled(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return [(kind, str(ReviewKind(kind).label), n) for kind, n in sorted(counts.items())]


@login_required
def overview(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, Perm.VOTER_VIEW)
    page = keyset_page(
        selectors.batches_for(request.user), cursor=request.GET.get("after"), descending=True
    )
    return render(
        request,
        "roster/overview.html",
        {
            "page": page,
            "home": selectors.home_area(request.user),
            "review_counts": _labelled(selectors.review_counts(request.user)),
            "may_upload": access.has_perm(request.user, Perm.BASE_DATA_MANAGE),
        },
    )


@login_required
def upload(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, Perm.BASE_DATA_MANAGE)
    regions = selectors.upload_regions(request.user)
    elections = list(voter_selectors.elections_for(request.user).order_by("-election_day"))
    form = BaseUploadForm(
        request.POST or None, request.FILES or None, regions=regions, elections=elections
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not access.has_perm(request.user, Perm.BASE_DATA_MANAGE, data["region"]):
            raise Http404
        file = data["file"]
        try:
            run = import_run_create(
                actor=request.user,
                kind=KIND,
                region_code=data["region"],
                filename=file.name,
                data=file.read(),
                options={
                    "source": data["source"],
                    "region": data["region"],
                    "election": data["election"],
                    "reference": data["reference"].strip(),
                    "sheet": data["sheet"].strip(),
                },
            )
        except ServiceError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("imports:detail", pk=run.pk)
    return render(request, "roster/upload.html", {"form": form})


# --- Mapping ---------------------------------------------------------------------------------


@login_required
def mapping(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, Perm.DISTRICT_MANAGE)
    townships = list(selectors.townships_for(request.user)[: selectors.DISTRICT_SELECT_MAX])
    code = _code(request.GET.get("township") or request.POST.get("township"))
    if code is None and townships:
        code = townships[0].code
    if code is None:
        return render(request, "roster/mapping.html", {"townships": []})
    township = selectors.region_for(request.user, code, Perm.DISTRICT_MANAGE)
    if township.level != Level.TOWNSHIP:
        raise Http404
    districts = list(District.objects.filter(township=township).order_by("code"))
    form = AddressRuleForm(
        request.POST if request.POST.get("action") == "address" else None, districts=districts
    )
    if request.method == "POST":
        done = _mapping_post(request, township, districts, form)
        if done:
            return redirect(f"{reverse('roster:mapping')}?township={township.code}")
    return render(
        request,
        "roster/mapping.html",
        {
            "townships": townships,
            "township": township,
            "districts": districts,
            "villages": selectors.villages_of(township),
            "rules": selectors.address_rules_of(township),
            "form": form,
        },
    )


def _mapping_post(
    request: AuthedRequest, township: Region, districts: list[District], form: AddressRuleForm
) -> bool:
    by_code = {d.code: d for d in districts}
    action = request.POST.get("action")
    try:
        if action == "villages":
            choices = {
                key[2:]: by_code.get(int(value)) if value.isdigit() else None
                for key in request.POST
                if key.startswith("v:") and key[2:]
                for value in [request.POST.get(key, "")]
            }
            changed = mapping_services.district_mappings_set_villages(
                actor=request.user, township=township, choices=choices
            )
            messages.success(request, _("已保存 %(n)d 条规则，并重新划分了选区。") % {"n": changed})
            return True
        if action == "address" and form.is_valid():
            mapping_services.district_mapping_save(
                actor=request.user,
                township=township,
                kind="address",
                value=form.cleaned_data["value"],
                district=by_code[form.cleaned_data["district"]],
            )
            messages.success(request, _("规则已保存，并重新划分了选区。"))
            return True
        if action == "delete":
            rule = selectors.mapping_rule_for(request.user, int(request.POST.get("rule", "0") or 0))
            mapping_services.district_mapping_delete(actor=request.user, rule=rule)
            messages.success(request, _("规则已删除。"))
            return True
    except ServiceError as exc:
        messages.error(request, exc.message)
    return False


# --- Expected list of a district -------------------------------------------------------------


@dataclass(frozen=True)
class RecordRow:
    record: Any
    masked_id: str


def _masked(cipher: bytes | memoryview | None) -> str:
    return pii.masked(cipher) if cipher is not None else _("（无有效号码）")


@login_required
def expected(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, Perm.VOTER_VIEW)
    districts = selectors.districts_for(request.user)
    code = _code(request.GET.get("district") or request.POST.get("district"))
    if code is None and districts:
        code = districts[0].code
    if code is None:  # too many districts for a select: choose one in the report
        messages.info(request, _("请在校验比对中逐级选择选区，查看其应登记名单。"))
        return redirect("roster:report")
    district = selectors.district_for(request.user, code)
    election = election_of(request)
    if request.method == "POST":
        _expected_post(request, district, election)
        return redirect(f"{reverse('roster:expected')}?{_keep(request)}")
    status = request.GET.get("status", RecordStatus.EXPECTED)
    if status not in ("", *RecordStatus.values):
        status = RecordStatus.EXPECTED
    query = selectors.ExpectedQuery(status=status, text=request.GET.get("q", ""))
    page = keyset_page(
        selectors.expected_for(request.user, district, query),
        cursor=request.GET.get("after"),
        size=PAGE,
    )
    return render(
        request,
        "roster/expected.html",
        {
            "district": district,
            "districts": districts,
            "election": election,
            "elections": list(voter_selectors.elections_for(request.user)),
            "status": status,
            "statuses": RecordStatus.choices,
            "q": query.text,
            "page": page,
            "rows": [RecordRow(r, _masked(r.id_cipher)) for r in page.items],
            "counts": selectors.expected_counts(request.user, district),
            "exception_form": ExceptionForm(),
            "may_manage": access.has_perm(request.user, Perm.VOTER_MANAGE, district.code),
            "query": query_without_cursor(request),
        },
    )


def _keep(request: AuthedRequest) -> str:
    keep = {k: request.POST.get(k, "") for k in ("district", "status", "q", "election")}
    return urlencode({k: v for k, v in keep.items() if v})


def _expected_post(request: AuthedRequest, district: District, election: Any) -> None:
    action = request.POST.get("action")
    try:
        if action in ("confirm_selected", "confirm_all"):
            if election is None:
                raise ServiceError(_("尚未设置换届选举，不能确认登记。"))
            ids = None if action == "confirm_all" else _ids(request)
            if ids == []:
                raise ServiceError(_("请至少选择一人。"))
            result = record_services.base_records_confirm(
                actor=request.user, election=election, district=district, record_ids=ids
            )
            _report_confirm(request, result)
        elif action == "exception":
            form = ExceptionForm(request.POST)
            if not form.is_valid():
                raise ServiceError(_("请选择情况类型。"))
            n = record_services.base_records_mark_exception(
                actor=request.user,
                district=district,
                record_ids=_ids(request),
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("已说明 %(n)d 人的情况。") % {"n": n})
        elif action == "reopen":
            n = record_services.base_records_reopen(
                actor=request.user, district=district, record_ids=_ids(request)
            )
            messages.success(request, _("已撤销 %(n)d 人的情况说明。") % {"n": n})
    except ServiceError as exc:
        messages.error(request, exc.message)


def _report_confirm(request: AuthedRequest, result: record_services.ConfirmResult) -> None:
    messages.success(
        request,
        _("已确认 %(c)d 人，其中新登记 %(r)d 人、原已在本选区登记 %(h)d 人。")
        % {"c": result.confirmed, "r": result.registered, "h": result.already_here},
    )
    for conflict in result.conflicts[:20]:
        messages.warning(
            request,
            _("%(name)s：%(message)s 可发起转移或与对方选区核实。")
            % {"name": conflict.name, "message": conflict.message},
        )
    if len(result.conflicts) > 20:
        messages.warning(
            request,
            _("另有 %(n)d 人已在其他选区登记，见“校验比对”中的登记冲突。")
            % {"n": len(result.conflicts) - 20},
        )
    if result.skipped:
        messages.info(
            request,
            _("%(n)d 人未能确认（身份证号码无效或至选举日未满十八周岁），请逐人核实。")
            % {"n": len(result.skipped)},
        )


# --- Review queue ----------------------------------------------------------------------------


@login_required
def review(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, Perm.VOTER_VIEW)
    form = ReviewFilterForm(request.GET or {"status": ReviewStatus.OPEN})
    form.is_valid()
    data = form.cleaned_data
    region = _code(request.GET.get("region"))
    span = None
    if region is not None:
        span = selectors.area_for(request.user, region).subtree
    query = selectors.ReviewQuery(
        kind=data.get("kind") or "", status=data.get("status") or "", region=span
    )
    page = _ranked_page(request, query)
    return render(
        request,
        "roster/review.html",
        {
            "form": form,
            "page": page,
            "counts": _labelled(selectors.review_counts(request.user)),
            "query": query_without_cursor(request),
        },
    )


@dataclass(frozen=True)
class RankedPage:
    items: list[Any]
    next_cursor: str | None
    is_first: bool


def _ranked_page(request: AuthedRequest, query: selectors.ReviewQuery) -> RankedPage:
    """Strongest first, keyset on (strength, id): the cursor is 'strength|id'."""
    qs = selectors.review_items_for(request.user, query)
    after = request.GET.get("after", "")
    strength, _sep, raw_id = after.partition("|")
    try:
        qs = qs.filter(strength__lte=float(strength)).exclude(
            strength=float(strength), id__lte=int(raw_id)
        )
        first = False
    except ValueError:
        first = True
    items = list(qs[: PAGE + 1])
    more = len(items) > PAGE
    items = items[:PAGE]
    cursor = f"{items[-1].strength}|{items[-1].pk}" if more and items else None
    return RankedPage(items, cursor, first)


@login_required
def review_item(request: AuthedRequest, pk: int) -> HttpResponse:
    item = selectors.review_item_for(request.user, pk)
    election = item.election or election_of(request)
    apply_form = ApplyForm(
        request.POST if request.POST.get("action") == "apply" else None,
        initial={"evidence": review_services.suggested_evidence(item)},
    )
    dismiss_form = DismissForm(request.POST if request.POST.get("action") == "dismiss" else None)
    if request.method == "POST":
        item = selectors.review_item_for(request.user, pk, Perm.VOTER_MANAGE)
        try:
            if request.POST.get("action") == "apply" and apply_form.is_valid():
                if election is None:
                    raise ServiceError(_("尚未设置换届选举，不能变更名册。"))
                review_services.review_item_apply(
                    actor=request.user, item=item, election=election, **apply_form.cleaned_data
                )
                messages.success(request, _("已按建议处理。"))
                return redirect("roster:review_item", pk=pk)
            if request.POST.get("action") == "dismiss" and dismiss_form.is_valid():
                review_services.review_item_dismiss(
                    actor=request.user, item=item, note=dismiss_form.cleaned_data["note"]
                )
                messages.success(request, _("已排除。"))
                return redirect("roster:review_item", pk=pk)
        except ServiceError as exc:
            messages.error(request, exc.message)
    voter = item.voter
    record = item.base_record
    return render(
        request,
        "roster/review_item.html",
        {
            "item": item,
            "voter_id": pii.masked(voter.id_cipher) if voter is not None else "",
            "record_id": _masked(record.id_cipher) if record is not None else "",
            "apply_form": apply_form,
            "dismiss_form": dismiss_form,
            "events": [
                (e, _status_label(e.old), _status_label(e.new))
                for e in item.events.select_related("actor").order_by("id")
            ],
            "may_manage": access.has_perm(request.user, Perm.VOTER_MANAGE, item.district_id),
            "election": election,
        },
    )


def _status_label(value: str) -> str:
    return str(ReviewStatus(value).label) if value in ReviewStatus.values else value


# --- Cross-check reports ---------------------------------------------------------------------


def _report_area(request: AuthedRequest) -> selectors.Area:
    code = _code(request.GET.get("region") or request.POST.get("region"))
    if code is None:
        home = selectors.home_area(request.user)
        if home is None:
            raise Http404
        return home
    return selectors.area_for(request.user, code)


@login_required
def report(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, Perm.VOTER_VIEW)
    area = _report_area(request)
    figures = selectors.crosscheck_for(request.user, area)
    names = selectors.children_of(area)
    scope = access.regions_for(request.user, Perm.VOTER_VIEW)
    return render(
        request,
        "roster/report.html",
        {
            "region": area,
            "ancestors": [r for r in area.ancestors() if scope.covers_range(*r.subtree)],
            "report": figures,
            "rows": [
                (code, names.get(code, str(code)), row)
                for code, row in sorted(figures.rows.items())
            ],
            "child_is_district": area.level >= Level.TOWNSHIP,
            "may_run": area.level < Level.DISTRICT
            and access.has_perm(request.user, Perm.BASE_DATA_MANAGE, area.code),
        },
    )


@login_required
@require_POST
def report_run(request: AuthedRequest) -> HttpResponse:
    area = _report_area(request)
    access.require(request.user, Perm.BASE_DATA_MANAGE, area.code)
    region = Region.objects.filter(code=area.code).first()
    if region is None:
        raise Http404
    try:
        run = crosscheck_run(actor=request.user, region=region, election=election_of(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("校验比对完成（%(s).1f 秒）：新增错登核查事项 %(w)d 条、比对名单核查事项 %(r)d 条。")
            % {"s": run.seconds, "w": run.wrong_items, "r": run.reference_items},
        )
    return redirect(f"{reverse('roster:report')}?region={region.code}")


@login_required
def report_list(request: AuthedRequest, section: str) -> HttpResponse:
    if section not in SECTIONS:
        raise Http404
    access.require(request.user, Perm.VOTER_VIEW)
    region = _report_area(request)
    context: dict[str, Any] = {
        "region": region,
        "section": section,
        "query": query_without_cursor(request),
    }
    if section == "wrong":
        after = parse_cursor(request.GET.get("after")) or 0
        found = selectors.wrong_for(request.user, region, after=after, limit=PAGE + 1)
        more = len(found) > PAGE
        found = found[:PAGE]
        context["page"] = RankedPage(found, str(found[-1].voter_id) if more else None, after == 0)
        names = _district_names({w.voter_district for w in found})
        context["rows"] = [(w, names.get(w.voter_district, "")) for w in found]
    else:
        cursor = request.GET.get("after")
        if section == "conflicts":
            context["page"] = keyset_page(
                selectors.conflicts_for(request.user, region), cursor=cursor, size=PAGE
            )
        else:
            records = {
                "missing": selectors.missing_for,
                "elsewhere": selectors.elsewhere_for,
                "unassigned": selectors.unassigned_for,
            }[section](request.user, region)
            page = keyset_page(records, cursor=cursor, size=PAGE)
            context["page"] = page
            other = {r.pk: getattr(r, "other_district", None) or 0 for r in page.items}
            names = _district_names(set(other.values()))
            context["rows"] = [
                (r, _masked(r.id_cipher), names.get(other[r.pk], "")) for r in page.items
            ]
    return render(request, "roster/report_list.html", context)


def _district_names(codes: set[int]) -> dict[int, str]:
    return {
        d.code: f"{d.township.name} {d.name}"
        for d in District.objects.filter(code__in=codes).select_related("township")
    }
