/* Shared by the autosaving forms (autosave.js for entries, review-autosave.js for reviews
 * and ballots): the current CSRF token, and field errors from a JSON answer shown at their
 * fields. Loaded before them with <script src defer>; it defines window.LaurelForms. */
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

  window.LaurelForms = {
    csrfToken: csrfToken,
    clearFieldErrors: clearFieldErrors,
    markFieldErrors: markFieldErrors,
  };
})();
