/* The share row of the public results and entry pages (templates/results/public_share.html).
 *
 * "Copy link" copies the page's address with the Clipboard API and says so in the row's
 * status line (read out by screen readers). Where the browser refuses (no secure context, no
 * permission), the address appears in a read-only field, selected, with a sentence saying to
 * copy it from there. Without JavaScript the button stays hidden; the LinkedIn and mail links
 * are plain links and need no script. No script of any network is loaded.
 */
(function () {
  "use strict";

  function setUp(button) {
    var row = button.closest("[data-share]");
    if (!row) return;
    var status = row.querySelector("[data-share-status]");
    var fallback = row.querySelector("[data-share-fallback]");
    var field = fallback && fallback.querySelector("input");

    function say(text) {
      if (status) status.textContent = text;
    }

    function showField() {
      if (fallback) fallback.hidden = false;
      if (field) {
        field.focus();
        field.select();
      }
      say(button.getAttribute("data-failed"));
    }

    button.hidden = false;
    button.addEventListener("click", function () {
      var url = button.getAttribute("data-share-copy");
      if (!navigator.clipboard || !window.isSecureContext) {
        showField();
        return;
      }
      navigator.clipboard.writeText(url).then(function () {
        say(button.getAttribute("data-copied"));
      }, showField);
    });
  }

  document.querySelectorAll("[data-share-copy]").forEach(setUp);
})();
