"""Browser fixtures: one headless Chromium per session, a fresh context (cookies) per test.

The browser is Debian's Chromium (``/usr/bin/chromium``), never one Playwright downloads. Tests
skip only when that binary is absent; CI installs it, so there they always run.

Set ``RENDA_SCREENSHOTS=/some/folder`` to keep a full-page PNG of every step.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

# Playwright's sync API runs an asyncio loop in the main thread; Django then refuses ORM calls
# from that thread (build_cast, assertions on the database) unless told it is safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT: ViewportSize = {"width": 1366, "height": 900}
TIMEOUT_MS = 15_000


class Shots:
    """Numbered full-page screenshots of one test, kept only when RENDA_SCREENSHOTS is set."""

    def __init__(self, page: Page, folder: Path | None, prefix: str) -> None:
        self.page = page
        self.folder = folder
        self.prefix = prefix
        self.count = 0

    def __call__(self, step: str) -> None:
        if self.folder is None:
            return
        self.count += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{self.prefix}-{self.count:02d}-{step}.png"
        self.page.screenshot(path=str(self.folder / name), full_page=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORT, locale="zh-CN", accept_downloads=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def shot(page: Page, request: pytest.FixtureRequest) -> Shots:
    folder = os.environ.get("RENDA_SCREENSHOTS", "").strip()
    prefix = re.sub(r"[^A-Za-z0-9_-]+", "_", request.node.name)
    return Shots(page, Path(folder) if folder else None, prefix)
