"""A live server for the app under test and a headless Chromium page watching it.

The server is the `app` fixture itself (same database as `factory`), served by
Werkzeug in a daemon thread. The page records console errors, uncaught page
errors and Content-Security-Policy violations; `browser_page.assert_clean()`
fails the test if any happened. A failing test leaves a screenshot in
test-artifacts/.
"""

import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from market import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"

# Runs before any page script, in every document (CDP injection, so the strict
# CSP does not apply to it). Violations go to window.__csp for the page at hand
# and to the exposed binding so that violations on earlier pages are kept too.
CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (event) {
  var report = {
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    page: document.location.href
  };
  window.__csp.push(report);
  if (typeof window.__marketReportCsp === "function") {
    window.__marketReportCsp(report);
  }
});
"""


def _missing_browser(reason: str):
    """Skip locally; on CI a missing browser is a broken build, not a skip."""
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def live_server(app):
    """The base URL of the test app, served over real HTTP on a free port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, name="live-server", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        _missing_browser(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing_browser(
            "the playwright package is not installed (pip install -e .[test])"
        )
    manager = sync_playwright().start()
    try:
        browser = manager.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
    except Exception as error:  # noqa: BLE001 - any launch failure means "no browser"
        manager.stop()
        _missing_browser(f"Chromium at {CHROMIUM} does not start: {error}")
    yield browser
    browser.close()
    manager.stop()


@dataclass
class BrowserPage:
    """A Playwright page plus everything suspicious it reported."""

    page: object
    base_url: str
    console_errors: list = field(default_factory=list)
    page_errors: list = field(default_factory=list)
    csp_violations: list = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str):
        response = self.page.goto(self.url(path))
        status = response.status if response is not None else None
        assert response is not None and response.ok, f"GET {path} -> {status}"
        return response

    def problems(self) -> list[str]:
        # Violations still sitting in the current document's window.__csp (the
        # binding normally reported them already; dedupe by content).
        try:
            current = self.page.evaluate("() => window.__csp || []")
        except Exception:  # noqa: BLE001 - page closed or navigating
            current = []
        csp = list(self.csp_violations)
        csp += [report for report in current if report not in csp]
        return (
            [f"console error: {text}" for text in self.console_errors]
            + [f"page error: {text}" for text in self.page_errors]
            + [f"CSP violation: {report}" for report in csp]
        )

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "the browser reported:\n" + "\n".join(problems)


@pytest.fixture
def browser_page(request, chromium, live_server):
    """A fresh browser context (own cookies) on the live server, in Chinese."""
    context = chromium.new_context(
        base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    session = BrowserPage(page=None, base_url=live_server)
    context.expose_function(
        "__marketReportCsp", lambda report: session.csp_violations.append(report)
    )
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    session.page = page

    def on_console(message):
        if message.type == "error":
            session.console_errors.append(f"{message.text} ({page.url})")

    page.on("console", on_console)
    page.on(
        "pageerror", lambda error: session.page_errors.append(f"{error} ({page.url})")
    )
    try:
        yield session
    finally:
        failed = any(
            getattr(getattr(request.node, f"report_{when}", None), "failed", False)
            for when in ("setup", "call")
        )
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            try:
                page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            except Exception:  # noqa: BLE001 - the screenshot is a courtesy
                pass
        context.close()
