"""Every write to accounts and role assignments."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from renda.accounts import access
from renda.accounts.models import RoleAssignment, User
from renda.accounts.passwords import generate_initial_password, initial_password_hash
from renda.accounts.roles import ADMIN_ROLES, ROLE_LEVELS, Perm, Role
from renda.accounts.scopes import Place
from renda.core.audit import audit_record
from renda.core.errors import ServiceError

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,150}$")
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def grant_problem(actor: access.AnyUser, role: Role, place: Place) -> str | None:
    """Why ``actor`` may not grant ``role`` on ``place`` — or None if they may."""
    if place.level not in ROLE_LEVELS[role]:
        return _("“%(role)s”不能授予在%(level)s单位上。") % {
            "role": role.label,
            "level": _level_name(place.level),
        }
    perm = Perm.ADMIN_ROLE_GRANT if role in ADMIN_ROLES else Perm.ACCOUNT_MANAGE
    if not access.regions_for(actor, perm).covers_range(*place.subtree):
        return _("您无权在“%(place)s”授予“%(role)s”角色。") % {
            "place": place.name,
            "role": role.label,
        }
    return None


def _level_name(level: int) -> str:
    from renda.regions.codes import Level

    return str(Level(level).label)


def check_identity(username: str, real_name: str, phone: str) -> list[tuple[str, str]]:
    """Field problems of a new account, as (field, message) pairs."""
    problems: list[tuple[str, str]] = []
    if not USERNAME_RE.match(username):
        problems.append(("username", _("用户名须为 3 至 150 位字母、数字或 _ . @ -。")))
    if not real_name.strip() or len(real_name) > 64:
        problems.append(("real_name", _("请填写姓名（不超过 64 字）。")))
    if phone and not PHONE_RE.match(phone):
        problems.append(("phone", _("手机号码格式不正确：%(phone)s") % {"phone": phone}))
    return problems


def _assignment(user: User, role: Role, place: Place, actor: User) -> RoleAssignment:
    return RoleAssignment(
        user=user, role=role, region=place.region, district=place.district, granted_by=actor
    )


def user_create(
    *,
    actor: User,
    username: str,
    real_name: str,
    phone: str,
    role: Role,
    place: Place,
) -> tuple[User, str]:
    """Create an account holding one role; returns it with its one-time initial password."""
    username, real_name, phone = username.strip(), real_name.strip(), phone.strip()
    for field, message in check_identity(username, real_name, phone):
        raise ServiceError(message, field=field)
    problem = grant_problem(actor, role, place)
    if problem:
        raise ServiceError(problem, field="role")
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError(_("用户名“%(u)s”已被使用。") % {"u": username}, field="username")
    password = generate_initial_password()
    try:
        with transaction.atomic():
            user = User.objects.create(
                username=username,
                real_name=real_name,
                phone=phone,
                password=initial_password_hash(password),
                must_change_password=True,
                created_by=actor,
                home_code=place.code,
            )
            _assignment(user, role, place, actor).save()
            audit_record(
                actor=actor,
                action="account.create",
                target=user,
                region_code=place.code,
                summary={"role": role.value, "scope": place.code, "real_name": real_name},
            )
    except IntegrityError:
        raise ServiceError(
            _("用户名“%(u)s”已被使用。") % {"u": username}, field="username"
        ) from None
    return user, password


def role_grant(*, actor: User, user: User, role: Role, place: Place) -> RoleAssignment:
    problem = grant_problem(actor, role, place)
    if problem:
        raise ServiceError(problem, field="role")
    try:
        with transaction.atomic():
            assignment = _assignment(user, role, place, actor)
            assignment.save()
            audit_record(
                actor=actor,
                action="role.grant",
                target=user,
                region_code=place.code,
                summary={"role": role.value, "scope": place.code},
            )
    except IntegrityError:
        raise ServiceError(_("该账号已拥有此角色。")) from None
    access.forget(user)
    return assignment


def role_revoke(*, actor: User, assignment: RoleAssignment) -> None:
    from renda.accounts.scopes import place_of

    target = assignment.district or assignment.region
    assert target is not None
    problem = grant_problem(actor, Role(assignment.role), place_of(target))
    if problem:
        raise ServiceError(problem)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="role.revoke",
            target=assignment.user,
            region_code=assignment.scope_code,
            summary={"role": assignment.role, "scope": assignment.scope_code},
        )
        assignment.delete()
    access.forget(assignment.user)


def _require_manage(actor: User, user: User) -> None:
    if user.pk == actor.pk:
        raise ServiceError(_("不能对自己的账号执行此操作。"))
    if not access.regions_for(actor, Perm.ACCOUNT_MANAGE).covers(user.home_code):
        raise ServiceError(_("您无权管理该账号。"))


def user_set_active(*, actor: User, user: User, active: bool) -> User:
    _require_manage(actor, user)
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="account.activate" if active else "account.deactivate",
            target=user,
            region_code=user.home_code,
        )
    return user


def user_reset_password(*, actor: User, user: User) -> str:
    """A new one-time password; the person must change it at the next login."""
    _require_manage(actor, user)
    password = generate_initial_password()
    with transaction.atomic():
        user.password = initial_password_hash(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        audit_record(
            actor=actor,
            action="account.reset_password",
            target=user,
            region_code=user.home_code,
        )
    return password


def user_update(*, actor: User, user: User, real_name: str, phone: str) -> User:
    _require_manage(actor, user)
    real_name, phone = real_name.strip(), phone.strip()
    for field, message in check_identity(user.username, real_name, phone):
        raise ServiceError(message, field=field)
    before = {"real_name": user.real_name, "phone": user.phone}
    with transaction.atomic():
        user.real_name, user.phone = real_name, phone
        user.save(update_fields=["real_name", "phone"])
        audit_record(
            actor=actor,
            action="account.update",
            target=user,
            region_code=user.home_code,
            summary={"before": before, "after": {"real_name": real_name, "phone": phone}},
        )
    return user


def password_change(*, user: User, new_password: str) -> None:
    """The person sets their own password (checked against the policy)."""
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="new_password1") from None
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        audit_record(
            actor=user, action="account.change_password", target=user, region_code=user.home_code
        )


def lockout_reset(*, actor: User, username: str, reset: Any) -> int:
    """Lift a login lockout (security administrator); ``reset`` is axes' reset function."""
    with transaction.atomic():
        count = int(reset(username=username) or 0)
        audit_record(actor=actor, action="security.unlock", summary={"username": username})
    return count
