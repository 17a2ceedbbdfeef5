"""A screenshot tour of Renda for people: every main page as each demo account sees it.

Needs a running server with the demo data (``make run`` starts one on http://127.0.0.1:8000)
and Debian's Chromium at /usr/bin/chromium. Writes full-page PNGs at 1366x900 to
``var/screenshots/<user>-<page>.png`` and prints one line per page with its HTTP status.

    .venv/bin/python scripts/screenshots.py [--url http://127.0.0.1:8000] [--users jiangan dazhi]

Pages a user may not open are skipped (their status is printed), except the deliberate 404.
The tour only reads, with two exceptions that create nothing an operator would miss: a failed
login with a made-up user name (so the lockout page has a row) and, when no import run exists
yet, an account import whose sheet has a bad row (a failed run, no accounts created).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # A Chinese desktop: CJK default fonts, and native widget text (file and date inputs) in
    # Chinese where the chromium-l10n package is installed (without it they stay English).
    "--lang=zh-CN",
]
VIEWPORT: ViewportSize = {"width": 1366, "height": 900}
# The demo accounts' published password (renda.demo.builder.PASSWORD; not imported, so the tour
# needs no Django settings).
PASSWORD = "Renda@2026"  # noqa: S105
USERS = ("jiangan", "dazhi", "dengji", "hubei", "sysadmin", "auditadmin", "secadmin")

PROVINCE = 420000000000  # 湖北省
CITY = 420100000000  # 武汉市
COUNTY = 420102000000  # 江岸区
TOWNSHIP = 420102002000  # 大智街道
DISTRICT = 420102002001  # 大智街道第一选区

# (name in the file, path); each is shot if the user gets a 200.
PAGES = (
    ("home", "/"),
    ("region-province", f"/regions/{PROVINCE}/"),
    ("region-city", f"/regions/{CITY}/"),
    ("region-county", f"/regions/{COUNTY}/"),
    ("region-township", f"/regions/{TOWNSHIP}/"),
    ("district", f"/regions/districts/{DISTRICT}/"),
    ("accounts", "/accounts/"),
    ("account-import", "/accounts/import/"),
    ("imports", "/imports/"),
    ("audit", "/audit/"),
    ("lockouts", "/accounts/lockouts/"),
    ("api-tokens", "/api-tokens/"),
)
BAD_SHEET = (
    "用户名,姓名,手机号码,角色,区划代码\n"
    f"tour_ok01,导览甲,,选区登记员,{DISTRICT}\n"
    "tour bad,导览乙,123,不存在的角色,12345\n"
)


@dataclass
class Tour:
    base: str
    out: Path
    lines: list[str] = field(default_factory=list)

    def shoot(self, page: Page, name: str) -> None:
        path = self.out / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.lines.append(f"  wrote {path}")

    def visit(self, page: Page, user: str, name: str, path: str, *, expect: int = 200) -> bool:
        response = page.goto(self.base + path)
        status = response.status if response else 0
        page.wait_for_load_state("networkidle")
        if status != expect:
            self.lines.append(f"  {user:<10} {name:<22} {status} (skipped)")
            return False
        self.lines.append(f"  {user:<10} {name:<22} {status}")
        self.shoot(page, f"{user}-{name}")
        return True


def log_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(base + "/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


def anonymous(tour: Tour, browser: Browser) -> None:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    tour.visit(page, "anonymous", "login", "/login/")
    log_in(page, tour.base, "no-such-user", "wrong-password")
    tour.shoot(page, "anonymous-login-error")
    context.close()


def import_run(tour: Tour, page: Page, user: str) -> None:
    """The newest import run the user can see; one with a bad row is made if there is none."""
    page.goto(tour.base + "/imports/")
    link = page.locator("table a[href^='/imports/']").first
    if link.count() == 0:
        response = page.goto(tour.base + "/accounts/import/")
        if response is None or response.status != 200:
            tour.lines.append(f"  {user:<10} {'import-run':<22} none visible, may not import")
            return
        with tempfile.TemporaryDirectory() as folder:
            sheet = Path(folder) / "导览-有误的账号表.csv"
            sheet.write_text(BAD_SHEET, encoding="utf-8")
            page.locator("input[type=file]").set_input_files(sheet)
            page.get_by_role("button", name="上传并检查").click()
            page.wait_for_load_state("networkidle")
    else:
        link.click()
    progress = page.get_by_test_id("run-progress")
    progress.wait_for()
    page.wait_for_function(
        "() => ['succeeded', 'failed', 'cancelled'].includes("
        "document.querySelector('[data-testid=run-progress]').dataset.state)",
        timeout=60_000,
    )
    page.wait_for_load_state("networkidle")
    tour.lines.append(f"  {user:<10} {'import-run':<22} {page.url}")
    tour.shoot(page, f"{user}-import-run")


def account_create(tour: Tour, page: Page, user: str) -> None:
    if not tour.visit(page, user, "account-create", "/accounts/new/"):
        return
    page.get_by_role("button", name="创建账号").click()
    page.wait_for_load_state("networkidle")
    tour.shoot(page, f"{user}-account-create-errors")


def account_detail(tour: Tour, page: Page, user: str) -> None:
    page.goto(tour.base + "/accounts/?q=dengji")
    link = page.locator("[data-testid=account-table] a[href^='/accounts/']").first
    if link.count():
        href = link.get_attribute("href") or ""
        tour.visit(page, user, "account-detail", href)


def english_home(tour: Tour, page: Page, user: str) -> None:
    page.goto(tour.base + "/")
    with page.expect_navigation():
        page.locator("header select[name=language]").select_option("en")
    page.wait_for_load_state("networkidle")
    tour.shoot(page, f"{user}-home-en")
    with page.expect_navigation():
        page.locator("header select[name=language]").select_option("zh-hans")


def user_tour(tour: Tour, browser: Browser, user: str) -> None:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    log_in(page, tour.base, user, PASSWORD)
    if "/login/" in page.url or "/password/" in page.url:
        tour.lines.append(f"  {user:<10} could not log in (ended on {page.url}); skipped")
        context.close()
        return
    for name, path in PAGES:
        ok = tour.visit(page, user, name, path)
        if name == "accounts" and ok:
            account_create(tour, page, user)
            account_detail(tour, page, user)
        if name == "imports" and ok:
            import_run(tour, page, user)
    tour.visit(page, user, "404", "/no-such-page/", expect=404)
    english_home(tour, page, user)
    context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running server")
    parser.add_argument("--out", type=Path, default=Path("var/screenshots"))
    parser.add_argument("--users", nargs="+", default=list(USERS), metavar="USER")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"needs Chromium at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    tour = Tour(base=args.url.rstrip("/"), out=args.out)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        anonymous(tour, browser)
        for user in args.users:
            print(f"{user} …", flush=True)
            user_tour(tour, browser, user)
        browser.close()
    print("\n".join(tour.lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
