"""Browser tests: Playwright for Python driving Debian's Chromium against the
live test server. Playwright's own browser download is never used."""

import os
import threading
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer

from tests.conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API keeps an event loop in the test thread; the ORM calls
# the tests make to set up data are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The live server's threads share the test's database connection (on SQLite,
# its in-memory database), so a request still answering a page's live poll when
# a test ends would meet the database being emptied ("table is locked"). Each
# connection the server is handling is counted, and a test ends only once the
# browser's connections have closed.
_connections = threading.Condition()
_open = 0
_handle = ThreadedWSGIServer.process_request_thread


def _counted(self, request, client_address):
    global _open
    with _connections:
        _open += 1
    try:
        _handle(self, request, client_address)
    finally:
        with _connections:
            _open -= 1
            _connections.notify_all()


ThreadedWSGIServer.process_request_thread = _counted


@pytest.fixture(autouse=True)
def _server_idle_at_teardown(transactional_db):
    """Torn down after the test's pages and before its database is emptied."""
    yield
    with _connections:
        _connections.wait_for(lambda: _open == 0, timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = (
            "browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
        )
        if os.environ.get("MARGINALIA_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def open_as(browser, live_server):
    """Signs a person in, in a browser of their own (`options` for its context:
    viewport, colour scheme, touch), at a URL; closed after the test."""
    contexts = []

    def open_page(user, url, **options):
        options = {"viewport": {"width": 1300, "height": 900}, **options}
        context = browser.new_context(base_url=live_server.url, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, user.email, PASSWORD)
        page.goto(url)
        return page

    yield open_page
    for context in contexts:
        context.close()


def sign_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def assert_accessible(page) -> None:
    """axe-core finds no violation of its rules on the page as it now stands."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    found = [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in violations]
    assert found == [], "\n".join(found)
