/* Autosave of an entry's form (#entry-form[data-autosave-url]).
 *
 * Loaded with <script src> (no inline script, so a strict Content-Security-Policy holds); the
 * texts it shows come translated from the form's data-msg-* attributes or from the server's
 * JSON answers. Without JavaScript the form is an ordinary form with a "Save draft" button.
 *
 * The form is sent 2 s after the last keystroke and when a field loses focus. The server
 * answers
 *   200 {"version", "saved_at"}  saved: the hidden version is updated, "Saved at 14:32";
 *   409 {"error", "shown"}       someone else saved: autosave stops, their text is shown
 *                                beside each differing field, nothing is overwritten;
 *   400 {"error", "code"}        after the deadline ("closed": autosave stops) or refused
 *                                values ("invalid": the fields are marked);
 *   403 {"error"}                the session has ended: the page stays as it is, the applicant
 *                                logs in in another tab, and the next attempt saves.
 * The page is never reloaded by this script.
 */
(function () {
  "use strict";

  var DELAY = 2000;
  var RETRY = 15000;

  function start(form) {
    var url = form.dataset.autosaveUrl;
    var status = document.getElementById("autosave-status");
    var alertBox = document.querySelector("[data-autosave-alert]");
    var timer = null;
    var dirty = false;
    var inFlight = false;
    var stopped = false;
    var sessionLost = false;
    var pendingSubmitter = undefined;
    var submitting = false;
    var timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
      hour: "2-digit",
      minute: "2-digit",
    });

    function say(text) {
      if (status) {
        status.hidden = false;
        status.textContent = text;
      }
    }

    function warn(text) {
      if (alertBox) {
        alertBox.textContent = text;
        alertBox.hidden = !text;
      }
    }

    function freshToken() {
      return window.LaurelForms.csrfToken(form);
    }

    function schedule(delay) {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, delay);
    }

    function clearFieldErrors() {
      window.LaurelForms.clearFieldErrors(form);
    }

    function markFieldErrors(errors) {
      window.LaurelForms.markFieldErrors(form, errors);
    }

    function showTheirs(shown) {
      Object.keys(shown || {}).forEach(function (name) {
        var box = form.querySelector('[data-conflict-for="' + name + '"]');
        if (!box) {
          return;
        }
        box.querySelector("[data-slot=theirs]").textContent =
          shown[name] === "" ? form.dataset.msgEmpty : shown[name];
        box.hidden = false;
      });
    }

    function finish() {
      inFlight = false;
      if (pendingSubmitter !== undefined && sessionLost) {
        // A plain post now would end on the login page and lose the text: keep the page.
        pendingSubmitter = undefined;
      }
      if (pendingSubmitter !== undefined) {
        var submitter = pendingSubmitter;
        pendingSubmitter = undefined;
        submitting = true;
        freshToken();
        if (submitter && form.requestSubmit) {
          form.requestSubmit(submitter);
        } else {
          form.submit();
        }
        return;
      }
      if (dirty && !stopped) {
        schedule(DELAY);
      }
    }

    function handle(response) {
      if (response.type === "opaqueredirect") {
        // A redirect (to the login page) means the session has ended.
        return { status: 403, data: {} };
      }
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (data) {
          return { status: response.status, data: data };
        });
    }

    function save() {
      window.clearTimeout(timer);
      if (stopped || !dirty) {
        return;
      }
      if (inFlight) {
        return; // finish() schedules the next save
      }
      inFlight = true;
      dirty = false;
      var body = new FormData(form);
      body.set("csrfmiddlewaretoken", freshToken());
      say(form.dataset.msgSaving);
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        redirect: "manual",
        headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" },
      })
        .then(handle)
        .then(function (result) {
          var data = result.data || {};
          sessionLost = result.status === 403;
          if (result.status === 200) {
            form.querySelectorAll('input[name="version"]').forEach(function (input) {
              input.value = String(data.version);
            });
            clearFieldErrors();
            warn("");
            say(form.dataset.msgSaved.replace("{time}", timeFormat.format(new Date(data.saved_at))));
          } else if (result.status === 409) {
            stopped = true;
            dirty = true;
            warn(data.error || form.dataset.msgStopped);
            showTheirs(data.shown);
            say(form.dataset.msgStopped);
          } else if (result.status === 400 && data.code === "invalid") {
            markFieldErrors(data.errors);
            say(data.error);
          } else if (result.status === 400) {
            stopped = true;
            dirty = true;
            warn(data.error || form.dataset.msgStopped);
            say(form.dataset.msgStopped);
          } else if (result.status === 403) {
            // Keep everything; try again (also on the next keystroke) once they have logged in.
            dirty = true;
            warn(data.error || form.dataset.msgOffline);
            say(form.dataset.msgPending);
            schedule(RETRY);
          } else if (result.status === 404) {
            stopped = true;
            dirty = true;
            warn(form.dataset.msgStopped);
            say(form.dataset.msgStopped);
          } else {
            throw new Error("HTTP " + result.status);
          }
        })
        .catch(function () {
          dirty = true;
          say(form.dataset.msgOffline);
          schedule(RETRY);
        })
        .then(finish);
    }

    function changed(event) {
      var target = event.target;
      if (!target || target.name === "csrfmiddlewaretoken") {
        return;
      }
      // Text fields report every keystroke as "input"; their "change" on leaving is no news.
      if (event.type === "change" && (target.tagName === "TEXTAREA" || target.type === "text" || target.type === "url")) {
        return;
      }
      dirty = true;
      if (!stopped) {
        say(form.dataset.msgPending);
        schedule(DELAY);
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
      freshToken();
      if (sessionLost && !stopped) {
        // Check the session with an autosave first; the form is posted once it has worked.
        event.preventDefault();
        pendingSubmitter = event.submitter || null;
        dirty = true;
        save();
        return;
      }
      if (inFlight) {
        // Wait for the autosave under way, so that the form carries the version it produced.
        event.preventDefault();
        pendingSubmitter = event.submitter || null;
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
    say(form.dataset.msgIdle);
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
