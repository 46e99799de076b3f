"""Browser fixtures: the app served from a thread on loopback, and Playwright driving Debian's Chromium.

`npx playwright install` cannot download browsers here; the project installs Debian's chromium
(scripts/install-system-deps.sh) and Playwright drives /usr/bin/chromium.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
OUTPUT = Path(__file__).resolve().parents[1] / "output" / "screens"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def _server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)  # a prompt shutdown()
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def live_url(_server: str) -> str:
    """Base URL of the app served on loopback (same database as the test)."""
    return _server


@pytest.fixture(scope="session")
def _browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-system-deps.sh (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(_browser: Any) -> Iterator[Any]:
    """A fresh browser page (its own cookies), 1280×900, Chinese locale."""
    context = _browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """Return a helper that saves a full-page screenshot under tests/output/screens/<test>/<name>.png."""
    folder = OUTPUT / re.sub(r"[^\w.-]+", "_", request.node.name)

    def save(pg: Any, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        pg.screenshot(path=str(path), full_page=True)
        return path

    return save


def sign_in(pg: Any, base: str, email: str, password: str) -> None:
    """Fill in and submit the login form."""
    pg.goto(f"{base}/login")
    pg.fill("#email", email)
    pg.fill("#password", password)
    pg.click("button[type=submit]")
