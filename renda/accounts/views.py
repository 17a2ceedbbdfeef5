"""Thin views: access → form → one service → render or redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renda.accounts import access, selectors, services
from renda.accounts.forms import (
    AccountCreateForm,
    AccountEditForm,
    AccountImportForm,
    PasswordChangeForm,
    ScopedRoleForm,
)
from renda.accounts.importers import KIND, template_workbook
from renda.accounts.roles import Perm, Role
from renda.accounts.scopes import place_from_text
from renda.core.errors import ServiceError
from renda.core.http import AuthedRequest, query_without_cursor, xlsx_response
from renda.core.pagination import keyset_page
from renda.imports.services import import_run_create


@login_required
def account_list(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, Perm.ACCOUNT_VIEW)
    text = request.GET.get("q", "")
    page = keyset_page(
        selectors.accounts_for(request.user, text=text).prefetch_related(
            "assignments__region", "assignments__district__township"
        ),
        cursor=request.GET.get("after"),
    )
    return render(
        request,
        "accounts/list.html",
        {
            "page": page,
            "q": text,
            "query": query_without_cursor(request),
            "may_create": access.has_perm(request.user, Perm.ACCOUNT_MANAGE)
            or access.has_perm(request.user, Perm.ADMIN_ROLE_GRANT),
            "may_import": access.has_perm(request.user, Perm.ACCOUNT_MANAGE),
        },
    )


def _form_error(form: Any, exc: ServiceError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@login_required
def account_create(request: AuthedRequest) -> HttpResponse:
    if not (
        access.has_perm(request.user, Perm.ACCOUNT_MANAGE)
        or access.has_perm(request.user, Perm.ADMIN_ROLE_GRANT)
    ):
        raise Http404
    form = AccountCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = services.user_create(
                actor=request.user,
                username=data["username"],
                real_name=data["real_name"],
                phone=data["phone"],
                role=Role(data["role"]),
                place=place_from_text(data["scope"]),
            )
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            return render(request, "accounts/created.html", {"account": user, "password": password})
    return render(request, "accounts/create.html", {"form": form})


@login_required
def account_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    account = selectors.account_for(request.user, pk)
    may_manage = access.regions_for(request.user, Perm.ACCOUNT_MANAGE).covers(account.home_code)
    return render(
        request,
        "accounts/detail.html",
        {
            "account": account,
            "assignments": selectors.assignments_of(account),
            "may_manage": may_manage and account.pk != request.user.pk,
            "may_grant": access.has_perm(request.user, Perm.ACCOUNT_MANAGE)
            or access.has_perm(request.user, Perm.ADMIN_ROLE_GRANT),
            "grant_form": ScopedRoleForm(actor=request.user),
            "edit_form": AccountEditForm(
                initial={"real_name": account.real_name, "phone": account.phone}
            ),
        },
    )


def _run(request: HttpRequest, pk: int, action: Callable[[], object]) -> HttpResponse:
    """Call one service; show its refusal or a success message; back to the account."""
    try:
        action()
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("操作已完成。"))
    return redirect("accounts:detail", pk=pk)


@login_required
@require_POST
def account_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    account = selectors.account_for(request.user, pk)
    form = AccountEditForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请检查姓名和手机号码。"))
        return redirect("accounts:detail", pk=pk)
    return _run(
        request,
        pk,
        lambda: services.user_update(actor=request.user, user=account, **form.cleaned_data),
    )


@login_required
@require_POST
def account_set_active(request: AuthedRequest, pk: int) -> HttpResponse:
    account = selectors.account_for(request.user, pk)
    active = request.POST.get("active") == "1"
    return _run(
        request,
        pk,
        lambda: services.user_set_active(actor=request.user, user=account, active=active),
    )


@login_required
@require_POST
def account_reset_password(request: AuthedRequest, pk: int) -> HttpResponse:
    account = selectors.account_for(request.user, pk)
    try:
        password = services.user_reset_password(actor=request.user, user=account)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:detail", pk=pk)
    return render(
        request, "accounts/created.html", {"account": account, "password": password, "reset": True}
    )


@login_required
@require_POST
def role_grant(request: AuthedRequest, pk: int) -> HttpResponse:
    account = selectors.account_for(request.user, pk)
    form = ScopedRoleForm(request.POST, actor=request.user)
    if not form.is_valid():
        messages.error(request, _("请选择角色并填写区划或选区代码。"))
        return redirect("accounts:detail", pk=pk)
    return _run(
        request,
        pk,
        lambda: services.role_grant(
            actor=request.user,
            user=account,
            role=Role(form.cleaned_data["role"]),
            place=place_from_text(form.cleaned_data["scope"]),
        ),
    )


@login_required
@require_POST
def role_revoke(request: AuthedRequest, pk: int, assignment_pk: int) -> HttpResponse:
    assignment = selectors.assignment_for(request.user, assignment_pk)
    if assignment.user_id != pk:
        raise Http404
    return _run(
        request, pk, lambda: services.role_revoke(actor=request.user, assignment=assignment)
    )


@login_required
def account_import(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, Perm.ACCOUNT_MANAGE)
    form = AccountImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        home = (
            request.user.home_code
            or access.regions_for(request.user, Perm.ACCOUNT_MANAGE).ranges[0][0]
        )
        try:
            run = import_run_create(
                actor=request.user,
                kind=KIND,
                region_code=home,
                filename=upload.name,
                data=upload.read(),
            )
        except ServiceError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("imports:detail", pk=run.pk)
    return render(request, "accounts/import.html", {"form": form})


@login_required
def account_import_template(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, Perm.ACCOUNT_MANAGE)
    return xlsx_response(template_workbook(), "账号导入模板.xlsx")


@login_required
def password_change(request: AuthedRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=request.user, new_password=form.cleaned_data["new_password1"]
            )
        except ServiceError as exc:
            form.add_error("new_password1", exc.message)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改。"))
            return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def lockouts(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, Perm.SECURITY_MANAGE)
    attempts = AccessAttempt.objects.order_by("-attempt_time")[:200]
    return render(
        request,
        "accounts/lockouts.html",
        {"attempts": attempts, "limit": settings.AXES_FAILURE_LIMIT},
    )


@login_required
@require_POST
def lockout_reset(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, Perm.SECURITY_MANAGE)
    username = request.POST.get("username", "")
    services.lockout_reset(actor=request.user, username=username, reset=axes_reset)
    messages.success(request, _("已解除账号“%(u)s”的锁定。") % {"u": username})
    return redirect("accounts:lockouts")
