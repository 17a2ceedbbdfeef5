"""The settings read the environment once: blank means the default, a bad value names itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

PROBE = "import config.settings as s; print(s.DATABASES['default']['ENGINE'], s.ALLOWED_HOSTS)"


def _settings_with(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Import the production settings in a fresh interpreter with ``env`` set."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("RENDA_", "DATABASE_"))}
    return subprocess.run(  # noqa: S603 — our own interpreter on our own settings
        [sys.executable, "-c", PROBE],
        env={**clean, "RENDA_VAR_DIR": str(tmp_path), **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_blank_database_url_means_the_embedded_sqlite(tmp_path: Path) -> None:
    result = _settings_with(tmp_path, DATABASE_URL="", RENDA_ALLOWED_HOSTS=" ")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "django.db.backends.sqlite3"
    assert "'127.0.0.1', 'localhost'" in result.stdout


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://root@localhost/renda"),
        ("DATABASE_URL", "not a url"),
        ("RENDA_LOCKOUT_FAILURES", "five"),
        ("RENDA_IDLE_TIMEOUT_MINUTES", "0"),
        ("RENDA_DEBUG", "maybe"),
        ("RENDA_DATA_KEY", "c2hvcnQ="),
    ],
)
def test_a_bad_value_stops_with_a_message_naming_the_variable(
    tmp_path: Path, name: str, value: str
) -> None:
    result = _settings_with(tmp_path, **{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr
