"""Browser tests: Playwright's sync API driving Debian's Chromium against `live_server`.

The browser is the system one (`apt-get install chromium`); `playwright install` is never
run, because it downloads a browser and provincial networks have no internet. Without
/usr/bin/chromium every test here is skipped, with the reason in the summary.
Screenshots go to test-artifacts/screenshots/ (git-ignored): `shot("name")` during a
test, and a final one of every test, marked "FAILED" when it failed.
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE.parents[1] / "test-artifacts" / "screenshots"
TIMEOUT_MS = 15_000

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # requirements-dev.txt not installed
    sync_playwright = None


def _skip_reason():
    if sync_playwright is None:
        return "Playwright is not installed (pip install -r requirements-dev.txt)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _skip_reason()
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)
            if reason:
                item.add_marker(pytest.mark.skip(reason=f"browser tests skipped: {reason}"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module. Module scope, not session: while Playwright runs,
    its event loop makes Django refuse ORM calls from the (synchronous) test code unless
    DJANGO_ALLOW_ASYNC_UNSAFE is set, and that must not leak into the other tests."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()


def _file_stem(request):
    return re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser context for the test; relative URLs go to the live server."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    suffix = "FAILED" if getattr(request.node, "e2e_failed", False) else "final"
    page.screenshot(path=str(SCREENSHOTS / f"{_file_stem(request)}-{suffix}.png"), full_page=True)
    context.close()


@pytest.fixture
def shot(page, request):
    """`shot("01-login")` saves test-artifacts/screenshots/<test>-01-login.png."""

    def take(name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{_file_stem(request)}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
