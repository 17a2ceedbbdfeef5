"""Names of the voter register's audit actions, for the audit viewer."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from renda.voters.models import ChangeKind

LABELS: dict[str, str | Promise] = {
    **{f"voter.{kind.value}": kind.label for kind in ChangeKind},
    "voter.bulk_register": _("批量登记选民"),
    "voter.reveal_id": _("查看完整身份证号码"),
    "list.publish": _("公布选民名单"),
    "list.publish_supplement": _("公布补充名单"),
    "list.download": _("下载选民名单"),
    "appeal.receive": _("受理申诉"),
    "appeal.upheld": _("申诉成立"),
    "appeal.dismissed": _("申诉不成立"),
    "election.create": _("设置换届选举"),
    "election.update": _("修改换届选举"),
    "holiday.set": _("调整节假日"),
    "county_district.create": _("设立县级选区"),
    "county_district.update": _("修改县级选区"),
    "county_district.delete": _("删除县级选区"),
    "county_district.set_parts": _("调整县级选区划入的乡级选区"),
    "certificate.download": _("打印选民资格证明"),
    "transfer.request": _("提出转移申请"),
    "transfer.confirm": _("确认转移"),
    "transfer.refused": _("拒绝转移申请"),
    "transfer.cancelled": _("撤回转移申请"),
    "transfer.expired": _("转移申请失效"),
    "transfer.remind": _("转移申请催办"),
    "transfer.escalate": _("转移申请逾期上报"),
    "voter.find_province": _("在全省查找选民"),
    "voter.conflict": _("记录登记冲突"),
    "voter.conflicts_import": _("记录导入中的登记冲突"),
    "voter.conflict_dismiss": _("忽略登记冲突"),
    "selfservice.submit": _("提交选民自助登记申请"),
    "selfservice.accepted": _("自助登记申请审核通过"),
    "selfservice.rejected": _("自助登记申请不予登记"),
    "selfservice.evidence": _("下载自助登记申请附件"),
}
