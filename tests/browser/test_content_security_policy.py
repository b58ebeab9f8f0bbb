"""The Content-Security-Policy in Chromium: what it blocks is reported to the test (the
collector in conftest.py, which every journey runs with), the one style attribute it
allows is exactly the mail's, and the bars that lost their style="" still get their width.

Every journey already fails on any violation on its pages; these tests show that the
collector hears one, so that "no violation" means something.
"""

import pytest
from playwright.sync_api import expect

from notifications.rendering import render_html

pytestmark = [pytest.mark.browser]

FOREIGN_IMAGE = "https://cdn.example.invalid/logo.png"


def frame_with(page, html: str) -> None:
    """A sandboxed srcdoc frame as the mail previews show one (it inherits the policy)."""
    page.evaluate(
        """(html) => {
          const frame = document.createElement("iframe");
          frame.setAttribute("sandbox", "");
          frame.title = "preview";
          frame.srcdoc = html;
          document.querySelector("main").append(frame);
        }""",
        html,
    )
    page.wait_for_timeout(500)


def test_what_the_policy_blocks_reaches_the_test(new_page, site):
    page = new_page(locale="en-GB")
    response = page.goto("/")
    assert "style-src 'self'" in response.headers["content-security-policy"]

    # What a careless template or a CDN link would do.
    page.evaluate(
        """(src) => {
          const note = document.createElement("p");
          note.setAttribute("style", "color: red");
          note.textContent = "inline style";
          const image = document.createElement("img");
          image.alt = "";
          image.src = src;
          document.querySelector("main").append(note, image);
        }""",
        FOREIGN_IMAGE,
    )
    expect(page.get_by_text("inline style")).not_to_have_css("color", "rgb(255, 0, 0)")
    page.wait_for_timeout(500)

    found = page.problems.csp_violations
    assert any("style-src-attr blocked inline on " in line for line in found), found
    assert any(f"img-src blocked {FOREIGN_IMAGE}" in line for line in found), found
    page.problems.csp_violations.clear()  # provoked on purpose; anything else still fails


def test_a_mail_preview_keeps_its_style_and_nothing_else_is_allowed(new_page, site):
    page = new_page(locale="en-GB")
    page.goto("/")

    # The mail as the organisers' previews show it: its <body style> is allowed by hash.
    frame_with(page, render_html("Dear {{ name }},\n\nwelcome.", {"name": "Olga"}, []))
    assert page.problems.csp_violations == []

    # Any other style attribute in the same place is refused and reported (by the console:
    # a frame without scripts runs no collector).
    frame_with(page, '<!doctype html><html><body style="color: red"><p>x</p></body></html>')
    found = page.problems.csp_violations
    assert len(found) == 1 and "style-src-attr" in found[0], found
    page.problems.csp_violations.clear()


def test_bars_get_their_width_from_data_without_a_style_attribute(new_page, site):
    page = new_page(locale="en-GB")
    page.goto("/")

    # As jury-progress.js does: a bar that arrives after the page has loaded.
    for testid, width in (("bar-third", "33.3"), ("bar-over", "140"), ("bar-bad", "x")):
        page.evaluate(
            """([testid, width]) => {
              const bar = document.createElement("div");
              bar.className = "progress";
              bar.innerHTML = '<div class="progress-bar"></div>';
              bar.firstChild.dataset.width = width;
              bar.firstChild.dataset.testid = testid;
              document.querySelector("main").append(bar);
            }""",
            [testid, width],
        )
    share = """(bar) => Math.round(
      100 * bar.getBoundingClientRect().width / bar.parentElement.getBoundingClientRect().width
    )"""
    third = page.get_by_test_id("bar-third")
    expect(third).to_have_attribute("style", "width: 33.3%;")
    page.wait_for_timeout(700)  # Bootstrap's width transition
    assert third.evaluate(share) == 33
    expect(page.get_by_test_id("bar-over")).to_have_attribute("style", "width: 100%;")
    assert page.get_by_test_id("bar-bad").get_attribute("style") is None
    assert page.problems.all() == []
