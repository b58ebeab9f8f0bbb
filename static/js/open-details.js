/* Opens the folded section (<details>) that holds the target of the address's #fragment, so
 * that a link such as /manage/<award>/#categories-title (where the structure pages return to)
 * shows what it points at. Without JavaScript the sections are simply opened by hand.
 *
 * Loaded with <script src> (no inline script, so a strict Content-Security-Policy holds).
 */
(function () {
  "use strict";

  function reveal() {
    var id = window.location.hash.slice(1);
    if (!id) {
      return;
    }
    var target = document.getElementById(decodeURIComponent(id));
    if (!target) {
      return;
    }
    var details = target.closest("details");
    if (!details) {
      return;
    }
    while (details) {
      details.open = true;
      details = details.parentElement ? details.parentElement.closest("details") : null;
    }
    target.scrollIntoView();
  }

  reveal();
  window.addEventListener("hashchange", reveal);
})();
