"""What every page must pass in the browser, whatever it shows: it fits a 390 px wide screen
without sideways scrolling, and axe-core finds no serious or critical violation on it.

axe-core comes from the ``axe-playwright-python`` package (its bundled ``axe.min.js``).
"""

import importlib.util
from pathlib import Path

from playwright.sync_api import Page

from tests.services import require_service

PHONE = {"width": 390, "height": 844}


def page_width(page: Page) -> int:
    """How wide the page is: more than the window means it scrolls sideways."""
    return page.evaluate("document.documentElement.scrollWidth")


# Every table wider than the box it scrolls in: what it is called, how wide it is, and
# whether the first cell of each of its rows stays in view while it scrolls.
_SCROLLING_TABLES = """() => {
  const scrolls = (box) => ['auto', 'scroll'].includes(getComputedStyle(box).overflowX)
    && box.scrollWidth > box.clientWidth + 1;
  const name = (table, box) => table.dataset.testid
    || (table.caption && table.caption.textContent.trim())
    || box.getAttribute('aria-label')
    || table.querySelector('th') && table.querySelector('th').textContent.trim();
  return [...document.querySelectorAll('table')].flatMap((table) => {
    let box = table.parentElement;
    while (box && box !== document.body && !scrolls(box)) box = box.parentElement;
    if (!box || box === document.body || getComputedStyle(table).display !== 'table') return [];
    const rows = [...table.rows].filter((row) => row.cells.length > 1);
    const sticky = rows.every((row) => getComputedStyle(row.cells[0]).position === 'sticky');
    return [{name: name(table, box), width: box.scrollWidth, box: box.clientWidth, sticky}];
  });
}"""


def scrolling_tables(page: Page) -> list[dict]:
    """The tables that scroll inside their own box: ``name``, ``width`` (of what scrolls),
    ``box`` (the width of the box) and ``sticky`` (the first column stays in view)."""
    return page.evaluate(_SCROLLING_TABLES)


# Waits for the finite CSS transitions and animations running now (a spinner's endless one
# is left alone), at most 2 s.
SETTLED = """() => Promise.race([
  Promise.all(document.getAnimations()
    .filter((a) => a.effect && a.effect.getComputedTiming().iterations !== Infinity)
    .map((a) => a.finished.catch(() => null))),
  new Promise((resolve) => setTimeout(resolve, 2000)),
])"""


def axe_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line per rule with the
    elements it names."""
    spec = importlib.util.find_spec("axe_playwright_python")
    require_service(spec is not None, "axe-core is missing (pip install axe-playwright-python)")
    if not page.evaluate("typeof axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the page's Content-Security-Policy, which
        # rightly forbids inline scripts, does not apply.
        page.evaluate((Path(spec.origin).parent / "axe.min.js").read_text("utf-8"))
    # Colours are measured as the page settles, not half-way through a button's 0.15 s
    # transition after a click (seen as a flaky contrast finding on a loaded machine).
    page.evaluate(SETTLED)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"axe {violation['id']} ({violation['impact']}): "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def page_findings(page: Page) -> list[str]:
    """What is wrong with the page as it is shown: axe-core's serious and critical
    violations at 1280 px and at 390 px, and sideways scrolling at 390 px (the window is
    put back after)."""
    findings = [f"1280 px: {line}" for line in axe_violations(page)]
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    try:
        width, window = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        if width > window:
            findings.append(f"390 px: the page scrolls sideways ({width} px in {window} px)")
        findings += [
            f"390 px: {line}" for line in axe_violations(page) if f"1280 px: {line}" not in findings
        ]
    finally:
        page.set_viewport_size(size)
    return findings
