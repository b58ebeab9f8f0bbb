/* The application form's conditions and character counters, in the applicant's form and in
 * the organisers' preview (both render templates/submissions/_form_sections.html).
 *
 * Conditions: every question sits in a wrapper [data-question=<id>] with data-show-if (the id
 * of the question it depends on, or empty) and data-show-if-values (a JSON list of values).
 * The wrappers are evaluated in document order, exactly as FormQuestions.visible does on the
 * server: a question is shown iff the question it depends on is shown and that question's
 * current value (a choice, the ticked boxes, "yes"/"no") is one of the values. A hidden
 * question gets `hidden` and its inputs are disabled (so that neither a save nor autosave
 * sends them; the server discards a hidden answer anyway); shown again, they are enabled.
 *
 * Counters: a field with data-counter=<limit> gets a live "n / limit characters" line after
 * it (aria-live polite), texts from the container's data-msg-counter / data-msg-over.
 */
(function () {
  "use strict";

  function valuesOf(wrapper) {
    var values = [];
    wrapper.querySelectorAll("input, select").forEach(function (input) {
      if (!/^q\d+$/.test(input.name || "")) {
        return;
      }
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) {
          values.push(input.value);
        }
      } else if (input.tagName === "SELECT") {
        Array.prototype.forEach.call(input.selectedOptions || [], function (option) {
          if (option.value !== "") {
            values.push(option.value);
          }
        });
      } else if (input.value !== "") {
        values.push(input.value);
      }
    });
    return values;
  }

  function wanted(wrapper) {
    try {
      return JSON.parse(wrapper.dataset.showIfValues || "[]").map(String);
    } catch (error) {
      return [];
    }
  }

  function evaluate(container) {
    var shown = {};
    var byId = {};
    container.querySelectorAll("[data-question]").forEach(function (wrapper) {
      var id = wrapper.dataset.question;
      byId[id] = wrapper;
      var parent = wrapper.dataset.showIf;
      var visible = true;
      if (parent) {
        var parentWrapper = byId[parent];
        if (!shown[parent] || !parentWrapper) {
          visible = false;
        } else {
          var values = wanted(wrapper);
          visible = valuesOf(parentWrapper).some(function (value) {
            return values.indexOf(value) !== -1;
          });
        }
      }
      shown[id] = visible;
      if (wrapper.hidden === visible) {
        wrapper.hidden = !visible;
      }
      setDisabled(wrapper, !visible);
    });
  }

  function setDisabled(wrapper, disabled) {
    var controls = wrapper.querySelectorAll("input, select, textarea, button");
    Array.prototype.forEach.call(controls, function (control) {
      if (disabled) {
        if (!control.disabled) {
          control.disabled = true;
          control.dataset.conditionDisabled = "1";
        }
      } else if (control.dataset.conditionDisabled) {
        control.disabled = false;
        delete control.dataset.conditionDisabled;
      }
    });
  }

  function startCounter(container, field) {
    var limit = parseInt(field.dataset.counter, 10);
    if (!(limit > 0) || field.dataset.counterStarted) {
      return;
    }
    field.dataset.counterStarted = "1";
    var line = document.createElement("div");
    line.className = "form-text text-end";
    line.setAttribute("aria-live", "polite");
    line.setAttribute("data-counter-for", field.name);
    var text = container.dataset.msgCounter || "{count} / {limit}";
    var over = container.dataset.msgOver || text;
    function update() {
      var count = field.value.length;
      line.textContent = (count > limit ? over : text)
        .replace("{count}", String(count))
        .replace("{limit}", String(limit));
      line.classList.toggle("text-danger", count > limit);
    }
    field.insertAdjacentElement("afterend", line);
    field.addEventListener("input", update);
    update();
  }

  function start(container) {
    evaluate(container);
    container.addEventListener("change", function () {
      evaluate(container);
    });
    container.addEventListener("input", function (event) {
      if (event.target && event.target.tagName !== "TEXTAREA") {
        evaluate(container);
      }
    });
    container.querySelectorAll("[data-counter]").forEach(function (field) {
      startCounter(container, field);
    });
  }

  function init() {
    document.querySelectorAll("[data-questions]").forEach(start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
