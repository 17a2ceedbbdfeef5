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
}
