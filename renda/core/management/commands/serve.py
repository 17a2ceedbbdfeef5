"""Run the web server and one task worker together, for the embedded (one-machine) mode."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Start gunicorn and a db_worker side by side; Ctrl-C stops both."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        children = [
            subprocess.Popen(  # noqa: S603 — our own interpreter and fixed arguments
                [
                    python,
                    "-m",
                    "gunicorn",
                    "config.wsgi:application",
                    "--bind",
                    options["bind"],
                    "--workers",
                    str(options["workers"]),
                    "--threads",
                    "4",
                    "--access-logfile",
                    "-",
                    "--timeout",
                    "120",
                ]
            ),
            subprocess.Popen(  # noqa: S603
                [
                    python,
                    "-m",
                    "renda.cli",
                    "db_worker",
                    "--queue-name",
                    "default",
                    "--interval",
                    "0.5",
                ]
            ),
        ]
        self.stdout.write(f"Renda is running on http://{options['bind']}/ (Ctrl-C to stop)")

        def stop(*_: Any) -> None:
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for child in children:
                child.wait(timeout=30)
