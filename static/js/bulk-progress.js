/* Live progress of an announcement (bulk send).
 *
 * Loaded with <script src> (no inline script, so a strict Content-Security-Policy holds).
 * Each element with data-progress-url polls that URL every 2 s and updates its bar segments
 * ([data-segment]) and numbers ([data-count]) until the JSON says "done".
 */
(function () {
  "use strict";

  var INTERVAL = 2000;
  var MAX_INTERVAL = 30000;
  var SEGMENTS = ["sent", "failed", "queued"];
  // The page's language decides the digit grouping, as Django's localisation does on the
  // server: "1.500" in German, "1,500" in English.
  var numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);

  function percent(part, total) {
    return total > 0 ? (100 * part) / total : 0;
  }

  function update(root, data) {
    var total = data.sent + data.failed + data.queued;
    SEGMENTS.forEach(function (name) {
      var segment = root.querySelector('[data-segment="' + name + '"]');
      if (segment) {
        segment.style.width = percent(data[name], total).toFixed(2) + "%";
        segment.setAttribute("aria-valuenow", String(data[name]));
        segment.setAttribute("aria-valuemax", String(data.total));
      }
      var count = root.querySelector('[data-count="' + name + '"]');
      var shown = numbers.format(data[name]);
      if (count && count.textContent !== shown) {
        count.textContent = shown;
      }
    });
    var stalled = document.querySelector("[data-state-stalled]");
    if (stalled) {
      stalled.hidden = !data.stalled;
    }
    var done = root.querySelector("[data-state-done]");
    if (done) {
      done.hidden = !data.done;
    }
    root.dataset.done = data.done ? "true" : "false";
  }

  function watch(root) {
    var url = root.dataset.progressUrl;
    var delay = INTERVAL;

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          update(root, data);
          delay = INTERVAL;
          if (!data.done) {
            window.setTimeout(poll, delay);
          }
        })
        .catch(function () {
          // The server or the network is away for a moment: ask again, less often.
          delay = Math.min(delay * 2, MAX_INTERVAL);
          window.setTimeout(poll, delay);
        });
    }

    if (url && root.dataset.done !== "true") {
      window.setTimeout(poll, INTERVAL);
    }
  }

  function start() {
    document.querySelectorAll("[data-progress-url]").forEach(watch);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
