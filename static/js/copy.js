/* A button that copies the text of a field to the clipboard (e.g. the snippet that embeds
 * the winners on another website):
 *
 *   <textarea id="embed-snippet" readonly>…</textarea>
 *   <button type="button" hidden data-copy-target="embed-snippet"
 *           data-copied="Copied." data-copy-failed="Select the text and copy it.">Copy</button>
 *   <span role="status" data-copy-status="embed-snippet"></span>
 *
 * The button stays hidden without JavaScript (the field is readonly and can be selected by
 * hand); the outcome is announced in the status element. Loaded with <script src> (no inline
 * script, so a strict Content-Security-Policy holds).
 */
(function () {
  "use strict";

  function announce(id, text) {
    var status = document.querySelector('[data-copy-status="' + id + '"]');
    if (status) {
      status.textContent = "";
      window.setTimeout(function () {
        status.textContent = text;
      }, 50);
    }
  }

  function fallback(field) {
    field.focus();
    field.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function copy(button) {
    var id = button.getAttribute("data-copy-target");
    var field = document.getElementById(id);
    if (!field) {
      return;
    }
    var done = function () {
      announce(id, button.getAttribute("data-copied") || "");
    };
    var failed = function () {
      field.focus();
      field.select();
      announce(id, button.getAttribute("data-copy-failed") || "");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        if (fallback(field)) {
          done();
        } else {
          failed();
        }
      });
    } else if (fallback(field)) {
      done();
    } else {
      failed();
    }
  }

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(button);
    });
  });
})();
