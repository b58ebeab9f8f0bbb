/* The width of every bar drawn from data: an element with data-width="37.5" is 37.5 % wide
 * (clamped to 0–100).
 *
 * Loaded with <script src> from base.html. The Content-Security-Policy (style-src 'self')
 * refuses style="" attributes in the markup, but not a width set through the CSSOM, as
 * here. Elements that arrive later (static/js/jury-progress.js swaps parts of the page) are
 * sized as they arrive. The numbers stay in the text and in aria-valuenow: without
 * JavaScript a bar is empty, nothing else is missing.
 */
(function () {
  "use strict";

  function size(element) {
    var value = parseFloat(element.getAttribute("data-width"));
    if (!isNaN(value)) {
      element.style.width = Math.min(100, Math.max(0, value)) + "%";
    }
  }

  function sizeWithin(root) {
    if (root.nodeType !== 1) {
      return;
    }
    if (root.hasAttribute("data-width")) {
      size(root);
    }
    root.querySelectorAll("[data-width]").forEach(size);
  }

  function start() {
    sizeWithin(document.documentElement);
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        if (change.type === "attributes") {
          size(change.target);
        } else {
          change.addedNodes.forEach(sizeWithin);
        }
      });
    }).observe(document.body, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["data-width"],
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
