/* Forms that must not be sent twice, and a question before the few destructive buttons that
 * have no confirmation page of their own.
 *
 * Loaded on every page from base.html with <script src> (no inline script). Opt-in by
 * attribute, on the <form>:
 *   data-once               after the first submit, its buttons are disabled and any further
 *                           submit is ignored (a double click sends one request);
 *   data-confirm="question" asks with the browser's own confirm() first; cancelling sends
 *                           nothing. Such a form is sent once too.
 * The server never relies on this: every confirmed action refuses to run twice by itself.
 * Without JavaScript the forms work the same, without the question and the disabling.
 */
(function () {
  "use strict";

  var BUTTONS = "button[type=submit], button:not([type]), input[type=submit]";

  function buttons(form) {
    return form.querySelectorAll(BUTTONS);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) {
      return;
    }
    var question = form.getAttribute("data-confirm");
    if (!question && !form.hasAttribute("data-once")) {
      return;
    }
    if (form.getAttribute("data-sent") === "1") {
      event.preventDefault();
      return;
    }
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sent", "1");
    form.setAttribute("aria-busy", "true");
    // Disabled only after this event: a button disabled now would not be sent with the
    // form, and the server reads some of them (name="action").
    window.setTimeout(function () {
      buttons(form).forEach(function (button) {
        button.disabled = true;
      });
    }, 0);
  });

  // Back to a page from the browser's cache: its forms may be sent again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) {
      return;
    }
    document.querySelectorAll("form[data-sent]").forEach(function (form) {
      form.removeAttribute("data-sent");
      form.removeAttribute("aria-busy");
      buttons(form).forEach(function (button) {
        button.disabled = false;
      });
    });
  });
})();
