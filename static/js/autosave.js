/* Autosave of a form (form[data-autosave-url]): an applicant's entry and a juror's review.
 *
 * A plain script, loaded with <script src defer> after form-fields.js (no inline script, so a
 * strict Content-Security-Policy holds). The texts it shows come translated from the form's
 * data-msg-* attributes or from the server's JSON. Without JavaScript the form is an ordinary
 * form with its "Save draft" button. The page is never reloaded by this script.
 *
 * When: data-autosave-delay ms (default 2000) after the last change, and at once when a field
 * loses focus. Never two requests at once: a change made during a request is sent once that
 * request is answered. When the server cannot be reached (or fails), it tries again after
 * data-autosave-retry ms (default 15000), or sooner after the next change. While a change is
 * not saved yet, leaving the page asks first (beforeunload).
 *
 * The server answers in one shape (core/http.py):
 *   200 {"ok": true, "version", "saved_at", "saved_moment"}  the hidden version is updated, and
 *     the status line says "Saved at 14:05 German time": the server's saved_moment (the time
 *     in the award's time zone, the zone named; saved_at, the time alone, if it is missing),
 *     never the device's clock, which may be in another zone than every other time on the page;
 *   4xx {"ok": false, "code", "message", "errors", "final", …}:
 *     "session" (403): logged out or an outdated CSRF token. Everything stays on the page; it
 *       tries again until the person has logged in again in another tab;
 *     final ("conflict": saved elsewhere, "closed": deadline passed or locked): autosave stops
 *       and says why; nothing is overwritten. Values in "shown" (the other person's, on a
 *       conflict) appear in the [data-conflict-for=<field>] box of each field that has one;
 *     otherwise ("invalid"): the fields named in "errors" are marked, autosave goes on.
 *   404: the form is no longer theirs to change: autosave stops.
 *
 * A submit button clicked while a request is under way (or after the session ended, which an
 * autosave checks first) waits for the answer, so that the form carries the version it
 * produced; if autosave stopped or the session is still gone, the click is dropped (the page
 * says why) and the next click posts the form as usual.
 *
 * The markup configures the rest: the status line #autosave-status, the alert box
 * [data-autosave-alert], the texts data-msg-idle, -pending, -saving, -saved ("{time}"),
 * -offline, -stopped and -empty (an empty value of the other person's), and an element with
 * data-autosave-badge that takes data-saved-text, data-saved-class and data-saved-status after
 * the first save (the review's "Not started" badge turns into "Draft").
 */
(function () {
  "use strict";

  var DELAY = 2000;
  var RETRY = 15000;
  // Fields that report every keystroke as "input": their "change" on leaving is no news.
  var TYPED = /^(textarea|text|url|email|number|search|tel|password|date|time|datetime-local)$/;

  function start(form) {
    var forms = window.LaurelForms;
    var url = form.dataset.autosaveUrl;
    var msg = form.dataset;
    var status = document.getElementById("autosave-status");
    var alertBox = document.querySelector("[data-autosave-alert]");
    var timer = null;
    var dirty = false; // a change not sent yet, or sent and not saved
    var inFlight = false;
    var stopped = false;
    var sessionLost = false;
    var retry = false; // the last attempt failed: try again after the pause
    var submitting = false;
    var heldSubmitter; // undefined: no submission waits for the request under way

    function pause(name, fallback) {
      var value = parseInt(form.dataset[name], 10);
      return value >= 0 ? value : fallback;
    }

    function say(text) {
      if (status && text) {
        status.hidden = false;
        status.textContent = text;
      }
    }

    function warn(text) {
      if (alertBox) {
        alertBox.textContent = text || "";
        alertBox.hidden = !text;
      }
    }

    function schedule(delay) {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, delay);
    }

    function stop(message) {
      stopped = true;
      dirty = true; // what is on the page is not saved
      window.clearTimeout(timer);
      warn(message || msg.msgStopped);
      say(msg.msgStopped);
    }

    function showTheirs(shown) {
      Object.keys(shown || {}).forEach(function (name) {
        var box = form.querySelector('[data-conflict-for="' + name + '"]');
        if (box) {
          box.querySelector("[data-slot=theirs]").textContent =
            shown[name] === "" ? msg.msgEmpty : shown[name];
          box.hidden = false;
        }
      });
    }

    function markSaved() {
      document.querySelectorAll("[data-autosave-badge]").forEach(function (badge) {
        badge.textContent = badge.dataset.savedText;
        badge.className = badge.dataset.savedClass;
        badge.dataset.status = badge.dataset.savedStatus;
        badge.removeAttribute("data-autosave-badge");
      });
    }

    function read(response) {
      if (response.type === "opaqueredirect") {
        // A redirect (to the login page) means the session has ended.
        return { status: 403, data: { code: "session" } };
      }
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (data) {
          return { status: response.status, data: data || {} };
        });
    }

    function answered(result) {
      var data = result.data;
      sessionLost = result.status === 403 || data.code === "session";
      if (result.status === 200 && data.ok) {
        form.querySelectorAll('input[name="version"]').forEach(function (input) {
          input.value = String(data.version);
        });
        forms.clearFieldErrors(form);
        warn("");
        // A change made during the request is not saved yet: finish() sends it.
        var time = data.saved_moment || data.saved_at;
        say(dirty ? msg.msgPending : msg.msgSaved.replace("{time}", time));
        markSaved();
      } else if (sessionLost) {
        // Keep everything and try again: once they have logged in, the next attempt saves.
        dirty = true;
        retry = true;
        warn(data.message || msg.msgOffline);
        say(msg.msgPending);
      } else if (result.status === 404) {
        stop(msg.msgStopped);
      } else if (data.ok === false && data.final) {
        stop(data.message);
        showTheirs(data.shown);
      } else if (data.ok === false) {
        forms.markFieldErrors(form, data.errors);
        say(data.message);
      } else {
        throw new Error("HTTP " + result.status);
      }
    }

    function failed() {
      dirty = true;
      retry = true;
      say(msg.msgOffline);
    }

    function finish() {
      inFlight = false;
      if (heldSubmitter !== undefined) {
        var submitter = heldSubmitter;
        heldSubmitter = undefined;
        if (stopped || sessionLost || retry) {
          // A post now would be refused or end on the login page: keep the page as it is.
          forms.forgetConfirmation(form);
        } else {
          submitting = true;
          forms.csrfToken(form);
          if (submitter && form.requestSubmit) {
            form.requestSubmit(submitter);
          } else {
            form.submit();
          }
          return;
        }
      }
      if (stopped) {
        return;
      }
      if (retry) {
        schedule(pause("autosaveRetry", RETRY));
      } else if (dirty) {
        schedule(pause("autosaveDelay", DELAY)); // changed during the request
      }
    }

    function save() {
      window.clearTimeout(timer);
      if (stopped || !dirty || inFlight) {
        return; // while in flight, finish() schedules the next save
      }
      inFlight = true;
      dirty = false;
      retry = false;
      var token = forms.csrfToken(form);
      var body = new FormData(form);
      body.set("csrfmiddlewaretoken", token);
      say(msg.msgSaving);
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        redirect: "manual",
        headers: {
          Accept: "application/json",
          "X-CSRFToken": token,
          "X-Requested-With": "XMLHttpRequest",
        },
      })
        .then(read)
        .then(answered)
        .catch(failed)
        .then(finish);
    }

    function changed(event) {
      var target = event.target;
      if (!target || !target.name || target.name === "csrfmiddlewaretoken") {
        return;
      }
      if (target.form !== form) {
        return; // a file slot's input belongs to its upload form (form="upload-<id>")
      }
      if (event.type === "change" && TYPED.test(target.type || target.tagName.toLowerCase())) {
        return;
      }
      dirty = true;
      if (!stopped) {
        say(msg.msgPending);
        schedule(pause("autosaveDelay", DELAY));
      }
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("focusout", function () {
      if (dirty && !stopped) {
        save();
      }
    });
    form.addEventListener("submit", function (event) {
      window.clearTimeout(timer);
      if (submitting) {
        return;
      }
      forms.csrfToken(form);
      if (sessionLost && !stopped && !inFlight) {
        // Check the session with an autosave first; the form is posted once it has worked.
        dirty = true;
        save();
      }
      if (inFlight) {
        // Wait for the answer, so that the form carries the version it produced.
        event.preventDefault();
        heldSubmitter = event.submitter || null;
        return;
      }
      submitting = true;
    });
    window.addEventListener("beforeunload", function (event) {
      if (!submitting && (dirty || inFlight)) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
    say(msg.msgIdle);
  }

  function init() {
    document.querySelectorAll("form[data-autosave-url]").forEach(start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
