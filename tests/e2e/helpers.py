"""Helpers for the browser tests: logging in through the real form, axe-core, screenshots.

Import them from here (or from tests.e2e.conftest, which re-exports them):

    from tests.e2e.helpers import assert_accessible, login, logout, screenshot
"""

import json
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
BLOCKING_IMPACTS = ("serious", "critical")


def demo_password() -> str:
    """The password seed_demo gives every demo user (config/settings/test.py)."""
    return settings.DEMO_PASSWORD


def login(page: Page, live_server, username: str, password: str | None = None) -> None:
    """Log in through the real login form and wait for the logged-in page.

    `password` defaults to the demo password, for users made by seed_demo.
    Fails with the page's own error text if the login is refused.
    """
    page.goto(f"{live_server.url}{reverse('login')}")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord", exact=True).fill(password or demo_password())
    with page.expect_navigation():
        page.get_by_role("button", name="Logga in").click()
    summary = page.locator(".error-summary")
    if summary.count():
        raise AssertionError(f"Login as {username!r} failed: {summary.inner_text()}")
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()


def logout(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Logga ut").click()


def axe_violations(page: Page, impacts=BLOCKING_IMPACTS) -> list[dict]:
    """Run axe-core on the current page; the violations with one of `impacts`."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => await axe.run()")
    return [v for v in result["violations"] if v["impact"] in impacts]


def describe_violations(violations: list[dict]) -> str:
    """A readable failure message: rule, impact, help and the offending elements."""
    return json.dumps(
        [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [node["target"] for node in v["nodes"]][:5],
            }
            for v in violations
        ],
        ensure_ascii=False,
        indent=2,
    )


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe found problems on {page.url}:\n{describe_violations(violations)}"


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG to test-artifacts/<name>-<width>.png (gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}-{page.viewport_size['width']}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
