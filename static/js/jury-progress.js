/* Keeps the organisers' jury progress page current while its round is open.
 *
 * Loaded with <script src> (no inline script, so a strict Content-Security-Policy holds).
 * Every 30 s, while the tab is visible, the page is fetched again and each element with
 * data-live (and an id) is replaced by its fresh copy, unless the organiser is using a
 * control inside it. Without JavaScript the page is the same, only reloaded by hand.
 */
(function () {
  "use strict";

  var INTERVAL = 30000;
  if (!document.querySelector("[data-live][id]")) {
    return;
  }

  function schedule() {
    window.setTimeout(refresh, INTERVAL);
  }

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    document.querySelectorAll("[data-live][id]").forEach(function (element) {
      var replacement = fresh.getElementById(element.id);
      if (replacement && !element.contains(document.activeElement)) {
        element.replaceWith(document.importNode(replacement, true));
      }
    });
  }

  function refresh() {
    if (document.hidden) {
      schedule();
      return;
    }
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(swap)
      .catch(function () {
        /* A failed refresh leaves the page as it is; the next one may succeed. */
      })
      .then(schedule);
  }

  schedule();
})();
