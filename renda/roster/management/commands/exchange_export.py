"""renda exchange_export --key-file KEY --out FILE [--province CODE] [--json] — write the
voter hash exchange file of the province for another province (docs/voter-hash-exchange.md).

Every active registration (except those certified out) as HMAC-SHA256 of its ID number under
the agreed exchange key, sorted; no ID number, name or district leaves. ``--new-key FILE``
writes a fresh random key file instead (owner-only permissions) and exits. With ``--json``:

    {"province": "42", "key_id": "…", "count": n, "path": "…", "seconds": s}

Exit status 0 when written, 1 when refused (message on stderr).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from renda.core.errors import ServiceError
from renda.roster.exchange.fileformat import ExchangeKey
from renda.roster.exchange.services import exchange_export
from renda.roster.management.commands._common import key_arg, province_arg, refuse


class Command(BaseCommand):
    help = "Write the voter hash exchange file of the province (cross-province check)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--key-file", help="the agreed exchange key (base64, 32 bytes)")
        parser.add_argument("--out", help="where to write the exchange file")
        parser.add_argument("--province", help="our province code (default: the voters')")
        parser.add_argument("--new-key", metavar="FILE", help="write a new random key file")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("new_key"):
            self._new_key(Path(options["new_key"]))
            return
        if not options.get("key_file") or not options.get("out"):
            refuse(self.stderr, _("请用 --key-file 指定约定的密钥文件，用 --out 指定输出文件。"))
        try:
            key = key_arg(options["key_file"])
            province = province_arg(options.get("province"))
            result = exchange_export(
                actor=None, key=key, out=Path(options["out"]), province=province
            )
        except ServiceError as exc:
            refuse(self.stderr, exc.message)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(
            _("已导出%(p)s %(n)d 条有效登记的比对摘要到 %(f)s（密钥标识 %(k)s），用时 %(s).1f 秒。")
            % {
                "p": province.name,
                "n": result.count,
                "f": result.path,
                "k": result.key_id,
                "s": result.seconds,
            }
        )

    def _new_key(self, path: Path) -> None:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            refuse(self.stderr, _("文件“%(p)s”已存在，不会覆盖。") % {"p": path})
        except OSError:
            refuse(self.stderr, _("无法写入“%(p)s”。") % {"p": path})
        with os.fdopen(fd, "w") as f:
            f.write(ExchangeKey.generate())
        key = ExchangeKey.from_file(path)
        self.stdout.write(
            _("已生成新的交换密钥 %(p)s（密钥标识 %(k)s）。请通过线下安全渠道交给对方省份。")
            % {"p": path, "k": key.key_id}
        )
