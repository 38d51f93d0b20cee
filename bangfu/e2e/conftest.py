"""Browser tests: Debian's Chromium driven by Playwright against a live server.

Outside CI they skip when Chromium is absent; with CI=true they must run.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("BANGFU_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("BANGFU_E2E_ARTIFACTS", "test-artifacts"))
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


@pytest.fixture(scope="session")
def browser():
    if not _chromium_available():
        if IN_CI:
            pytest.fail(f"Chromium not found at {CHROMIUM}: browser tests must run in CI")
        pytest.skip("Chromium not installed")
    # Playwright's sync API runs an event loop in this thread; Django's ORM
    # calls from the test body are still synchronous and safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield page
    context.close()
    # Every page the test walked must work under the policy (no inline scripts or styles).
    assert violations == []


def shot(page, name: str) -> None:
    """Keep a screenshot of what the user saw (looked at by people, not asserted)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def login(page, username: str, password: str = "pw-Test-1234") -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
