"""End-to-end fixtures: the real server (the Procfile's gunicorn, two workers, the real model's
test index) on a free loopback port, and Debian's Chromium driven by Playwright.

Chromium and Playwright come from ``scripts/install-browser-deps.sh``. Without them these tests
skip locally but fail under CI (CI=true), so a CI machine missing them cannot pass silently."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import requests

from tests.support.live import running_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE_PATHS = [Path(__file__).parent / "vendor" / "axe.min.js",
             Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"]
EXPORT_TOKEN = "e2e-export-token"


def _missing(what: str):
    if os.environ.get("CI"):
        pytest.fail(f"{what} missing: run scripts/install-browser-deps.sh")
    pytest.skip(f"{what} missing: run scripts/install-browser-deps.sh")


class LiveServer:
    def __init__(self, url: str, state: Path):
        self.url, self.state = url, state
        self.feedback_db = state / "feedback.sqlite3"

    def exists(self, path: str) -> bool:
        return requests.get(self.url + path, timeout=10).status_code != 404


@pytest.fixture(scope="session")
def live_server(real_index_dir, tmp_path_factory):
    state = tmp_path_factory.mktemp("e2e-state")
    env = {"CHATBOT_INDEX_DIR": str(real_index_dir), "CHATBOT_FEEDBACK_DB": str(state / "feedback.sqlite3"),
           "CHATBOT_FEEDBACK_EXPORT_TOKEN": EXPORT_TOKEN, "CHATBOT_RATE_LIMIT": "600 per minute",
           "CHATBOT_ANSWER_SECRET": ""}     # unset: the two workers must share the generated secret
    with running_server(env, state / "server.log") as (url, _process):
        yield LiveServer(url, state)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright Python package")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _missing(CHROMIUM)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    for path in AXE_PATHS:
        if path.exists():
            return path.read_text(encoding="utf-8")
    _missing("axe-core")


class ConsoleWatch:
    """Console errors and uncaught exceptions of one page. A failed request to an API route the
    server does not have yet (404) is tolerated; anything else, CSP violations included, is not."""

    def __init__(self, page, server: LiveServer):
        self.errors: list[str] = []
        self.missing_routes = [p for p in ("/api/programs", "/api/match") if not server.exists(p)]
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def _console(self, message):
        if message.type != "error":
            return
        where = (message.location or {}).get("url", "")
        if "Failed to load resource" in message.text and any(route in where for route in self.missing_routes):
            return
        self.errors.append(f"{message.text} @ {where}")


@pytest.fixture
def make_page(browser, live_server):
    contexts = []

    def _make(path: str = "/demo", width: int = 1280, height: int = 800, locale: str = "ko-KR"):
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        watch = ConsoleWatch(page, live_server)
        page.goto(live_server.url + path)
        page.locator(".root").wait_for(state="attached")
        page.wait_for_function("() => { const h = document.querySelector('seoul-finder-widget');"
                               " return h && !h.shadowRoot.querySelector('.root').hidden; }")
        return page, watch

    yield _make
    for context in contexts:
        context.close()
