"""Fixtures for the browser journeys: the demo award on a live server, pages in Chromium.

The live server runs in a thread of the test process, so ``settings`` changes and the
``smtp_server`` fixture apply to the requests the browser makes.
"""

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

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


class PageProblems:
    """What went wrong in the browser that no assertion on the page would notice."""

    def __init__(self) -> None:
        self.failed_responses: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []

    def record_response(self, response) -> None:
        if response.status >= 400:
            self.failed_responses.append(f"{response.status} {response.url}")

    def record_console(self, message) -> None:
        # A failed load is also logged to the console; record_response has judged it.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console_errors.append(f"console: {message.text}")

    def all(self) -> list[str]:
        return [*self.failed_responses, *self.console_errors, *self.page_errors]


@pytest.fixture
def new_page(browser, site, request) -> Iterator[Callable]:
    """``new_page(locale="de-DE")`` opens a page in a fresh browser context (own cookies).

    Every page records failed requests (status >= 400), console errors and uncaught
    script errors in ``page.problems``. When the test fails, each open page is saved to
    ``ARTIFACTS/screenshots/failures/``.
    """
    contexts = []

    def open_page(*, locale: str = "de-DE"):
        context = browser.new_context(
            base_url=site, locale=locale, viewport={"width": 1280, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.set_default_navigation_timeout(TIMEOUT_MS)
        problems = PageProblems()
        page.on("response", problems.record_response)
        page.on("console", problems.record_console)
        page.on("pageerror", lambda e: problems.page_errors.append(f"script error: {e}"))
        page.problems = problems
        return page

    yield open_page

    report = getattr(request.node, "report_call", None)
    failed = report is not None and report.failed
    for number, context in enumerate(contexts):
        if failed:
            folder = ARTIFACTS / "screenshots" / "failures"
            folder.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w.-]+", "-", request.node.name)
            for index, page in enumerate(context.pages):
                page.screenshot(path=folder / f"{name}-{number}-{index}.png", full_page=True)
        context.close()


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
