"""Browser tests: Playwright's sync API driving Debian's chromium against pytest-django's
live_server. One browser per test session, a fresh context (cookies, viewport) per test.

    @pytest.mark.e2e
    def test_something(page, live_server, demo_data):
        login(page, live_server, "anna")
        ...

Never run `playwright install`: the browser is /usr/bin/chromium from apt.
"""

import os
from io import StringIO

import pytest
from django.core.management import call_command

from .helpers import (  # re-exported for tests that import from conftest
    DESKTOP,
    assert_accessible,
    axe_violations,
    login,
    logout,
    screenshot,
)

__all__ = ["assert_accessible", "axe_violations", "login", "logout", "screenshot"]

# Playwright's sync API runs an event loop in this thread, and Django refuses database calls
# from a thread with a running loop; the tests and the live server are synchronous, so allow it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--lang=sv-SE",  # the browser's own widgets (date pickers, file chooser) in Swedish
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A new page in its own context: desktop size, Swedish browser, 10 s timeouts."""
    context = browser.new_context(viewport=DESKTOP, locale="sv-SE")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo_data(live_server):
    """The demo organisation and users from seed_demo (password: settings.DEMO_PASSWORD)."""
    call_command("seed_demo", stdout=StringIO())
