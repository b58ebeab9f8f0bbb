/* Shared by the forms that post with a script: the current CSRF token, field errors from a
 * JSON answer shown at their fields (autosave.js, for entries and reviews), and the
 * confirmation before a button with data-confirm posts its form (submitting a review or a
 * ballot). Loaded first with <script src defer>; it defines window.LaurelForms.
 *
 * A confirmed submission sets data-confirmed on its form, so that a post held back (by
 * autosave.js, for an autosave under way) is not asked again; whoever drops a held post
 * calls LaurelForms.forgetConfirmation(form), so that the next click asks again. */
(function () {
  "use strict";

  function csrfFromCookie() {
    // After a new login (in another tab) the token in the page is outdated; the cookie has
    // the current one.
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }

  /* The current token, also written into the form so that a plain post uses it too. */
  function csrfToken(form) {
    var fresh = csrfFromCookie();
    var input = form.querySelector('input[name="csrfmiddlewaretoken"]');
    if (fresh && input) {
      input.value = fresh;
    }
    return fresh || (input && input.value) || "";
  }

  function clearFieldErrors(form) {
    form.querySelectorAll("[data-autosave-error]").forEach(function (node) {
      node.remove();
    });
    form.querySelectorAll("[data-autosave-marked]").forEach(function (node) {
      node.classList.remove("is-invalid");
      node.removeAttribute("data-autosave-marked");
      node.removeAttribute("aria-invalid");
    });
  }

  /* ``errors``: {field name: [message, …]}; each field is marked and its messages follow it. */
  function markFieldErrors(form, errors) {
    clearFieldErrors(form);
    Object.keys(errors || {}).forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field && !field.classList && field.length) {
        // Radio buttons and checkboxes of one question: the note follows the group.
        var first = field[0];
        field = first.closest("[data-question] fieldset, [data-question]") || first;
      }
      if (!field || !field.classList) {
        return;
      }
      field.classList.add("is-invalid");
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("data-autosave-marked", "");
      var note = document.createElement("div");
      note.className = "invalid-feedback d-block";
      note.setAttribute("data-autosave-error", "");
      note.textContent = [].concat(errors[name]).join(" ");
      field.insertAdjacentElement("afterend", note);
    });
  }

  /* Ask before a button with data-confirm (its question) posts the form; without
   * JavaScript the form simply posts. */
  function confirmSubmits(form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (form.dataset.confirmed || !button || !button.dataset.confirm) {
        return;
      }
      if (window.confirm(button.dataset.confirm)) {
        form.dataset.confirmed = "1";
      } else {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    });
  }

  function forgetConfirmation(form) {
    delete form.dataset.confirmed;
  }

  function init() {
    document.querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("[data-confirm]")) {
        confirmSubmits(form);
      }
    });
  }

  window.LaurelForms = {
    csrfToken: csrfToken,
    clearFieldErrors: clearFieldErrors,
    markFieldErrors: markFieldErrors,
    forgetConfirmation: forgetConfirmation,
  };

  // Registered before autosave.js registers its own (scripts run in order), so that a
  // question answered "no" stops the submission before autosave.js sees it.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
