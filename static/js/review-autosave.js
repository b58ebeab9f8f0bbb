/* Autosave of a juror's review (#review-form[data-autosave-url]) and the confirmation
 * before submitting a review or a ranking (buttons with data-confirm).
 *
 * Loaded with <script src> (no inline script); the texts come translated from the form's
 * data-msg-* attributes or from the server's JSON. Without JavaScript the form still works:
 * "Save draft" and "Submit review" post it, and submitting simply is not asked twice.
 *
 * 1.5 s after the last input the form is sent to the autosave address, which only ever saves
 * a draft (it never submits). The server answers
 *   200 {"ok": true, "version", "saved_at"}  the hidden version is updated, "Saved at 14:03";
 *   409 {"ok": false, "message"}             saved in another window: autosave stops and says
 *                                            so; nothing newer is overwritten;
 *   400 {"ok": false, "errors", "message", "final"}  refused values are marked at their
 *                                            fields; after the deadline or once the review is
 *                                            locked ("final") autosave stops;
 *   403 {"error"}                            the session has ended: the page stays, the next
 *                                            attempt saves once the juror has logged in again.
 */
(function () {
  "use strict";

  var DELAY = 1500;
  var RETRY = 15000;

  function confirmSubmits(form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (form.dataset.confirmed || !button || !button.dataset.confirm) {
        return;
      }
      if (window.confirm(button.dataset.confirm)) {
        // Asked once: a submission held back for an autosave under way is not asked again.
        form.dataset.confirmed = "1";
      } else {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    });
  }

  function autosave(form) {
    var url = form.dataset.autosaveUrl;
    var status = document.getElementById("autosave-status");
    var alertBox = document.querySelector("[data-autosave-alert]");
    var timer = null;
    var dirty = false;
    var inFlight = false;
    var stopped = false;
    var submitting = false;
    var pendingSubmitter;

    function say(text) {
      if (status && text) {
        status.textContent = text;
      }
    }

    function warn(text) {
      if (alertBox) {
        alertBox.textContent = text || "";
        alertBox.hidden = !text;
      }
    }

    function token() {
      return window.LaurelForms.csrfToken(form);
    }

    function schedule(delay) {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, delay);
    }

    function clearErrors() {
      window.LaurelForms.clearFieldErrors(form);
    }

    function markErrors(errors) {
      window.LaurelForms.markFieldErrors(form, errors);
    }

    function stop(message) {
      stopped = true;
      window.clearTimeout(timer);
      warn(message || form.dataset.msgStopped);
      say(form.dataset.msgStopped);
    }

    function read(response) {
      if (response.type === "opaqueredirect") {
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

    function finish() {
      inFlight = false;
      if (pendingSubmitter !== undefined) {
        var submitter = pendingSubmitter;
        pendingSubmitter = undefined;
        if (stopped) {
          delete form.dataset.confirmed;
        } else {
          submitting = true;
          token();
          if (submitter && form.requestSubmit) {
            form.requestSubmit(submitter);
          } else {
            form.submit();
          }
        }
        return;
      }
      if (dirty && !stopped) {
        schedule(DELAY);
      }
    }

    // The page's status badge follows the first autosave: the review is now a draft.
    function markDraft() {
      var badge = document.querySelector('[data-testid="review-status"]');
      if (badge && badge.dataset.status === "not_started" && form.dataset.msgDraft) {
        badge.textContent = form.dataset.msgDraft;
        badge.dataset.status = "draft";
        badge.className = "badge fs-6 text-bg-warning";
      }
    }

    function save() {
      window.clearTimeout(timer);
      if (stopped || !dirty || inFlight) {
        return;
      }
      inFlight = true;
      dirty = false;
      var body = new FormData(form);
      body.set("csrfmiddlewaretoken", token());
      say(form.dataset.msgSaving);
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        redirect: "manual",
        headers: {
          Accept: "application/json",
          "X-CSRFToken": token(),
          "X-Requested-With": "XMLHttpRequest",
        },
      })
        .then(read)
        .then(function (result) {
          var data = result.data || {};
          if (result.status === 200 && data.ok) {
            form.querySelectorAll('input[name="version"]').forEach(function (input) {
              input.value = String(data.version);
            });
            clearErrors();
            warn("");
            say(form.dataset.msgSaved.replace("{time}", data.saved_at));
            markDraft();
          } else if (result.status === 409) {
            // Newer work is stored elsewhere: never overwrite it.
            dirty = true;
            stop(data.message);
          } else if (result.status === 400 && !data.final && data.errors && Object.keys(data.errors).length) {
            markErrors(data.errors);
            say(data.message);
          } else if (result.status === 400) {
            dirty = true;
            stop(data.message);
          } else if (result.status === 403) {
            dirty = true;
            warn(data.error || data.message || form.dataset.msgOffline);
            say(form.dataset.msgPending);
            schedule(RETRY);
          } else if (result.status === 404) {
            dirty = true;
            stop(form.dataset.msgStopped);
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
      if (!target || !target.name || target.name === "csrfmiddlewaretoken") {
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
    form.addEventListener("submit", function (event) {
      window.clearTimeout(timer);
      if (submitting) {
        return;
      }
      token();
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
  }

  function init() {
    document.querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("[data-confirm]")) {
        confirmSubmits(form);
      }
      if (form.dataset.autosaveUrl) {
        autosave(form);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
