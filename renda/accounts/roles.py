"""Roles and permissions as a table you can read in ten seconds.

A role is granted on a region (or an electoral district) and holds for its whole subtree.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from renda.regions.codes import Level


class Role(models.TextChoices):
    PROVINCE_STAFF = "province_staff", _("省级工作人员")
    CITY_STAFF = "city_staff", _("市级工作人员")
    COUNTY_STAFF = "county_staff", _("县级工作人员")
    TOWNSHIP_STAFF = "township_staff", _("乡级工作人员")
    REGISTRAR = "registrar", _("选区登记员")
    COMMITTEE = "committee", _("选举委员会成员")
    DEPUTY = "deputy", _("人大代表")
    HANDLING_UNIT = "handling_unit", _("承办单位工作人员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


class Perm(models.TextChoices):
    REGION_VIEW = "region.view", _("查看区划")
    DISTRICT_VIEW = "district.view", _("查看选区")
    DISTRICT_MANAGE = "district.manage", _("管理选区")
    ACCOUNT_VIEW = "account.view", _("查看账号")
    ACCOUNT_MANAGE = "account.manage", _("管理账号")
    ADMIN_ROLE_GRANT = "account.grant_admin", _("授予管理员角色")
    SECURITY_MANAGE = "security.manage", _("安全管理（解锁、登录记录）")
    AUDIT_VIEW = "audit.view", _("查阅审计日志")
    ELECTION_MANAGE = "election.manage", _("管理换届选举")
    VOTER_VIEW = "voter.view", _("查看选民")
    VOTER_MANAGE = "voter.manage", _("登记和变更选民")
    VOTER_REVEAL_ID = "voter.reveal_id", _("查看完整身份证号码")
    VOTER_CONFIRM = "voter.confirm", _("确认不列入名单")
    LIST_PUBLISH = "list.publish", _("公布选民名单")
    APPEAL_RECEIVE = "appeal.receive", _("受理申诉")
    APPEAL_DECIDE = "appeal.decide", _("处理申诉")
    BASE_DATA_MANAGE = "base_data.manage", _("导入基础数据和比对名单")


_BROWSE = frozenset({Perm.REGION_VIEW, Perm.DISTRICT_VIEW})
_STAFF = _BROWSE | {Perm.ACCOUNT_VIEW, Perm.ACCOUNT_MANAGE, Perm.VOTER_VIEW}
# Those who register voters work with ID numbers on paper anyway; seeing one in full is still
# a deliberate, audited action. Province and city staff see figures and masked lists only.
_REGISTER = frozenset(
    {Perm.VOTER_VIEW, Perm.VOTER_MANAGE, Perm.VOTER_REVEAL_ID, Perm.APPEAL_RECEIVE}
)

PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.PROVINCE_STAFF: _STAFF | {Perm.ELECTION_MANAGE, Perm.BASE_DATA_MANAGE},
    Role.CITY_STAFF: _STAFF | {Perm.ELECTION_MANAGE, Perm.BASE_DATA_MANAGE},
    Role.COUNTY_STAFF: _STAFF | _REGISTER | {Perm.DISTRICT_MANAGE, Perm.ELECTION_MANAGE},
    Role.TOWNSHIP_STAFF: _STAFF | _REGISTER | {Perm.DISTRICT_MANAGE, Perm.LIST_PUBLISH},
    Role.REGISTRAR: _BROWSE | _REGISTER,
    Role.COMMITTEE: _BROWSE
    | _REGISTER
    | {Perm.VOTER_CONFIRM, Perm.LIST_PUBLISH, Perm.APPEAL_DECIDE},
    Role.DEPUTY: frozenset({Perm.REGION_VIEW}),
    Role.HANDLING_UNIT: frozenset({Perm.REGION_VIEW}),
    # 等保 three-way separation: the system administrator runs accounts but cannot read the
    # audit log; the security administrator grants administrator roles and handles lockouts;
    # the audit administrator can only read the audit log.
    Role.SYSTEM_ADMIN: _BROWSE | {Perm.ACCOUNT_VIEW, Perm.ACCOUNT_MANAGE},
    Role.SECURITY_ADMIN: _BROWSE | {Perm.ACCOUNT_VIEW, Perm.ADMIN_ROLE_GRANT, Perm.SECURITY_MANAGE},
    Role.AUDIT_ADMIN: frozenset({Perm.AUDIT_VIEW}),
}

ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

# The levels of region each role may be granted on.
ROLE_LEVELS: dict[Role, frozenset[int]] = {
    Role.PROVINCE_STAFF: frozenset({Level.PROVINCE}),
    Role.CITY_STAFF: frozenset({Level.CITY}),
    Role.COUNTY_STAFF: frozenset({Level.COUNTY}),
    Role.TOWNSHIP_STAFF: frozenset({Level.TOWNSHIP}),
    Role.REGISTRAR: frozenset({Level.DISTRICT}),
    Role.COMMITTEE: frozenset({Level.COUNTY, Level.TOWNSHIP}),
    Role.DEPUTY: frozenset({Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP}),
    Role.HANDLING_UNIT: frozenset({Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP}),
    Role.SYSTEM_ADMIN: frozenset({Level.PROVINCE}),
    Role.SECURITY_ADMIN: frozenset({Level.PROVINCE}),
    Role.AUDIT_ADMIN: frozenset({Level.PROVINCE}),
}
