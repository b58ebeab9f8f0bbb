/* The organiser's form builder (templates/submissions/form_*.html).
 *
 * On the builder page (<ol data-form-builder>):
 *   - drag and drop: each question is dragged by its handle and dropped before or after
 *     another; the new order is sent as JSON {"order": [ids]} to the reorder address
 *     (<form data-reorder>, whose CSRF token it sends) and saved at once;
 *   - the keyboard: a handle takes Space or Enter to pick the question up, the arrow keys
 *     move it, Space or Enter drops (and saves) it, Escape puts it back;
 *   - every move and its result is announced in the aria-live region #order-status.
 *   Refused orders (a question before the question it depends on, a form changed
 *   meanwhile) are put back and the reason announced. Without JavaScript the up/down
 *   buttons (plain forms) do the same one step at a time.
 * On a question's page (<form data-question-form>): only the settings of the chosen type are
 * shown ([data-kinds]), and only the answers of the chosen deciding question.
 * In the preview (<form data-preview>): nothing is ever sent.
 */
(function () {
  "use strict";

  function format(template, values) {
    return (template || "").replace(/%\((\w+)\)s/g, function (_match, name) {
      return values[name] === undefined ? "" : values[name];
    });
  }

  // --- The builder page ---------------------------------------------------------------------

  function initBuilder(list) {
    var form = document.querySelector("form[data-reorder]");
    var status = document.getElementById("order-status");
    if (!form || !status) {
      return;
    }
    var items = function () {
      return Array.prototype.slice.call(list.querySelectorAll(":scope > li[data-question-id]"));
    };
    var label = function (item) {
      var node = item.querySelector("[data-testid=question-label]");
      return node ? node.firstChild.textContent.trim() : "";
    };
    var announce = function (text) {
      status.textContent = "";
      window.setTimeout(function () {
        status.textContent = text;
      }, 30);
    };
    var order = function () {
      return items().map(function (item) {
        return item.getAttribute("data-question-id");
      });
    };
    var position = function (item) {
      return {
        question: label(item),
        position: items().indexOf(item) + 1,
        total: items().length
      };
    };
    var refreshButtons = function () {
      var all = items();
      all.forEach(function (item, index) {
        var up = item.querySelector("[data-move=up]");
        var down = item.querySelector("[data-move=down]");
        if (up) { up.disabled = index === 0; }
        if (down) { down.disabled = index === all.length - 1; }
      });
    };
    var restore = function (ids) {
      var byId = {};
      items().forEach(function (item) {
        byId[item.getAttribute("data-question-id")] = item;
      });
      ids.forEach(function (id) {
        list.appendChild(byId[id]);
      });
      refreshButtons();
    };
    var saved = order();
    var save = function (item) {
      var now = order();
      if (now.join(",") === saved.join(",")) {
        announce(format(list.getAttribute("data-msg-dropped"), position(item)));
        return;
      }
      var token = form.querySelector("[name=csrfmiddlewaretoken]").value;
      list.setAttribute("aria-busy", "true");
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "Accept": "application/json",
          "X-CSRFToken": token
        },
        body: JSON.stringify({order: now.map(Number)})
      }).then(function (response) {
        return response.json().catch(function () {
          return {ok: false, message: list.getAttribute("data-msg-failed")};
        });
      }).then(function (answer) {
        list.removeAttribute("aria-busy");
        if (answer.ok) {
          saved = now;
          form.querySelector("[name=order]").value = now.join(",");
          refreshButtons();
          announce(format(list.getAttribute("data-msg-dropped"), position(item)) + " " + answer.message);
        } else {
          restore(saved);
          announce(answer.message || list.getAttribute("data-msg-failed"));
        }
      }).catch(function () {
        list.removeAttribute("aria-busy");
        restore(saved);
        announce(list.getAttribute("data-msg-failed"));
      });
    };

    // Drag and drop by the handle.
    var dragged = null;
    items().forEach(function (item) {
      var handle = item.querySelector("[data-drag-handle]");
      if (!handle) {
        return;
      }
      handle.hidden = false;
      item.setAttribute("draggable", "true");
    });
    list.addEventListener("dragstart", function (event) {
      var item = event.target.closest ? event.target.closest("li[data-question-id]") : null;
      if (!item) {
        return;
      }
      dragged = item;
      item.classList.add("opacity-50");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.getAttribute("data-question-id"));
    });
    list.addEventListener("dragover", function (event) {
      if (!dragged) {
        return;
      }
      event.preventDefault();
      var target = event.target.closest ? event.target.closest("li[data-question-id]") : null;
      if (!target || target === dragged) {
        return;
      }
      var box = target.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? target.nextSibling : target);
    });
    list.addEventListener("drop", function (event) {
      if (!dragged) {
        return;
      }
      event.preventDefault();
    });
    list.addEventListener("dragend", function () {
      if (!dragged) {
        return;
      }
      var item = dragged;
      dragged = null;
      item.classList.remove("opacity-50");
      save(item);
    });

    // The keyboard: pick up, move, drop.
    var grabbed = null;
    var before = null;
    var release = function (item, keep) {
      var handle = item.querySelector("[data-drag-handle]");
      handle.setAttribute("aria-pressed", "false");
      item.classList.remove("border-primary", "shadow");
      grabbed = null;
      if (keep) {
        save(item);
      } else {
        restore(before);
        handle.focus();
        announce(format(list.getAttribute("data-msg-cancelled"), position(item)));
      }
    };
    list.addEventListener("keydown", function (event) {
      var handle = event.target.closest ? event.target.closest("[data-drag-handle]") : null;
      if (!handle) {
        return;
      }
      var item = handle.closest("li[data-question-id]");
      var key = event.key;
      if (key === " " || key === "Enter") {
        event.preventDefault();
        if (grabbed === item) {
          release(item, true);
        } else {
          if (grabbed) {
            release(grabbed, true);
          }
          grabbed = item;
          before = order();
          handle.setAttribute("aria-pressed", "true");
          item.classList.add("border-primary", "shadow");
          announce(format(list.getAttribute("data-msg-grabbed"), position(item)));
        }
      } else if (grabbed === item && (key === "ArrowUp" || key === "ArrowDown")) {
        event.preventDefault();
        var all = items();
        var index = all.indexOf(item);
        if (key === "ArrowUp" && index > 0) {
          list.insertBefore(item, all[index - 1]);
        } else if (key === "ArrowDown" && index < all.length - 1) {
          list.insertBefore(item, all[index + 1].nextSibling);
        }
        handle.focus();
        announce(format(list.getAttribute("data-msg-moved"), position(item)));
      } else if (grabbed === item && (key === "Escape" || key === "Tab")) {
        if (key === "Escape") {
          event.preventDefault();
        }
        release(item, false);
      }
    });
  }

  // --- A question's page --------------------------------------------------------------------

  function initQuestionForm(form) {
    var kind = form.querySelector("[name=kind]");
    var parent = form.querySelector("[name=show_if]");
    var showKind = function () {
      var value = kind ? kind.value : "";
      form.querySelectorAll("[data-kinds]").forEach(function (box) {
        box.hidden = box.getAttribute("data-kinds").split(" ").indexOf(value) === -1;
      });
      form.querySelectorAll("[data-kinds-not]").forEach(function (box) {
        box.hidden = box.getAttribute("data-kinds-not").split(" ").indexOf(value) !== -1;
      });
    };
    var showValues = function () {
      var box = form.querySelector("[data-condition-values]");
      if (!box || !parent) {
        return;
      }
      var chosen = parent.value;
      box.hidden = !chosen;
      box.querySelectorAll("input[type=checkbox]").forEach(function (input) {
        var mine = input.value.split(":")[0] === chosen;
        var wrapper = input.closest(".form-check") || input.parentElement;
        wrapper.hidden = !mine;
        if (!mine) {
          input.checked = false;
        }
      });
      // The title of each question's group of answers (rendered before its answers):
      // hidden with them.
      box.querySelectorAll("strong").forEach(function (title) {
        var next = title.nextElementSibling;
        var shown = false;
        while (next && next.tagName !== "STRONG") {
          if (next.classList.contains("form-check") && !next.hidden) {
            shown = true;
          }
          next = next.nextElementSibling;
        }
        title.hidden = !shown;
      });
    };
    if (kind) {
      kind.addEventListener("change", showKind);
      showKind();
    }
    if (parent) {
      parent.addEventListener("change", showValues);
      showValues();
    }
  }

  function init() {
    document.querySelectorAll("[data-form-builder]").forEach(initBuilder);
    document.querySelectorAll("form[data-question-form]").forEach(initQuestionForm);
    document.querySelectorAll("form[data-preview]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
