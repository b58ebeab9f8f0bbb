"""Fixtures for the browser journeys: the demo award on a live server, pages in Chromium.

The live server runs in a thread of the test process, so ``settings`` changes and the
``smtp_server`` fixture apply to the requests the browser makes.

Every page runs under the site's Content-Security-Policy (config/settings/base.py), and
every violation the browser reports fails the test that caused it, whether or not the test
looks at ``page.problems``: see ``CSP_COLLECTOR``.
"""

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.services import ARTIFACTS

# Long enough for a cold CI runner, short enough that a missing element fails quickly.
TIMEOUT_MS = 15_000


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item, so a fixture can tell whether the test failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def site(live_server, settings, transactional_db) -> str:
    """The live server's URL; links in mails point to it."""
    settings.SITE_URL = live_server.url
    return live_server.url


@pytest.fixture
def demo_award(transactional_db):
    """The open current-year Lightweight Innovation Award from ``seed_demo``."""
    from awards.models import Award

    call_command("seed_demo", "--force", verbosity=0)
    return Award.objects.filter(status="open").order_by("-edition").get()


# Added to every context before its first page: each Content-Security-Policy violation in any
# document of it (pages, popups, frames, report-only too) is kept in the document's
# window.__cspViolations and handed at once to the test through the exposed binding, so that
# a violation on a page the test has since navigated away from is not lost either.
CSP_COLLECTOR = """(() => {
  const seen = (window.__cspViolations = window.__cspViolations || []);
  document.addEventListener("securitypolicyviolation", (event) => {
    const violation = {
      directive: event.effectiveDirective || event.violatedDirective,
      blocked: event.blockedURI || "(inline)",
      document: event.documentURI,
      source: event.sourceFile ? `${event.sourceFile}:${event.lineNumber}` : "",
      sample: event.sample || "",
      disposition: event.disposition,
    };
    seen.push(violation);
    if (typeof window.__laurelCspViolation === "function") {
      window.__laurelCspViolation(violation).catch(() => {});
    }
  }, true);
})();"""


def csp_line(violation: dict) -> str:
    """One violation as a line a failing test can be read by."""
    if "console" in violation:
        return f"CSP (console): {violation['console']}"
    where = f" at {violation['source']}" if violation.get("source") else ""
    sample = f" ({violation['sample']})" if violation.get("sample") else ""
    report_only = " [report-only]" if violation.get("disposition") == "report" else ""
    return (
        f"CSP{report_only}: {violation['directive']} blocked {violation['blocked']} "
        f"on {violation['document']}{where}{sample}"
    )


def wait_without_eval(page):
    """``page.wait_for_function`` that works under the policy: Playwright's own compiles a
    string predicate with ``eval`` inside the page, which ``script-src 'self'`` rightly
    refuses (and reports). This one asks the same question through ``page.evaluate``
    (DevTools, which no page policy governs) until the answer is truthy."""

    def wait_for_function(expression, *, arg=None, timeout=None, polling=None):
        limit = TIMEOUT_MS if timeout is None else timeout
        interval = polling if isinstance(polling, int | float) else 50
        deadline = time.monotonic() + limit / 1000
        while not (answer := page.evaluate(expression, arg)):
            if time.monotonic() > deadline:
                raise PlaywrightTimeoutError(f"wait_for_function: {expression} ({limit} ms)")
            page.wait_for_timeout(interval)
        return answer

    return wait_for_function


class PageProblems:
    """What went wrong in the browser that no assertion on the page would notice."""

    def __init__(self) -> None:
        self.failed_responses: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        # A test that provokes a violation on purpose removes it from this list; one already
        # seen is never added again (a document may report it twice: event and record).
        self.csp_violations: list[str] = []
        self._csp_seen: set[str] = set()

    def record_csp(self, violation: dict) -> None:
        line = csp_line(violation)
        if line not in self._csp_seen:
            self._csp_seen.add(line)
            self.csp_violations.append(line)

    def record_response(self, response) -> None:
        if response.status >= 400:
            self.failed_responses.append(f"{response.status} {response.url}")

    def record_console(self, message) -> None:
        # A failed load is also logged to the console; record_response has judged it.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            if "Content Security Policy" in message.text:
                # Also what the collector cannot hear: a frame without scripts (the mail
                # previews' sandboxed srcdoc frames) still logs its violations here.
                self.record_csp({"console": message.text})
            else:
                self.console_errors.append(f"console: {message.text}")

    def all(self) -> list[str]:
        return [
            *self.failed_responses,
            *self.console_errors,
            *self.page_errors,
            *self.csp_violations,
        ]


@pytest.fixture
def new_page(browser, site, request) -> Iterator[Callable]:
    """``new_page(locale="de-DE")`` opens a page in a fresh browser context (own cookies).

    Every page records failed requests (status >= 400), console errors, uncaught script
    errors and Content-Security-Policy violations in ``page.problems``. A CSP violation in
    any page of the context fails the test after it, even one that ignores the problems.
    When the test fails, each open page is saved to ``ARTIFACTS/screenshots/failures/``.
    """
    contexts = []

    def open_page(*, locale: str = "de-DE"):
        context = browser.new_context(
            base_url=site, locale=locale, viewport={"width": 1280, "height": 900}
        )
        problems = PageProblems()  # the context's: its popups report here too
        contexts.append((context, problems))
        context.expose_binding("__laurelCspViolation", lambda _source, v: problems.record_csp(v))
        context.add_init_script(CSP_COLLECTOR)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.set_default_navigation_timeout(TIMEOUT_MS)
        page.on("response", problems.record_response)
        page.on("console", problems.record_console)
        page.on("pageerror", lambda e: problems.page_errors.append(f"script error: {e}"))
        page.problems = problems
        page.wait_for_function = wait_without_eval(page)
        return page

    yield open_page

    # What the binding may not have delivered yet: each open document's own record.
    for context, problems in contexts:
        for page in context.pages:
            for frame in page.frames:
                try:
                    found = frame.evaluate("window.__cspViolations || []")
                except PlaywrightError:  # a frame without scripts (sandboxed) or gone
                    continue
                for violation in found:
                    problems.record_csp(violation)
    report = getattr(request.node, "report_call", None)
    failed = report is not None and report.failed
    for number, (context, _problems) in enumerate(contexts):
        if failed:
            folder = ARTIFACTS / "screenshots" / "failures"
            folder.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w.-]+", "-", request.node.name)
            for index, page in enumerate(context.pages):
                page.screenshot(path=folder / f"{name}-{number}-{index}.png", full_page=True)
        context.close()
    violations = [line for _context, problems in contexts for line in problems.csp_violations]
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def screenshot() -> Callable:
    """``screenshot(page, "01-landing-de")`` saves a full-page PNG for the journey's record."""
    folder = ARTIFACTS / "screenshots" / "foundation"
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take
