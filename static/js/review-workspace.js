/* The juror's workspace on the review page (templates/jury/review.html) and the document
 * viewer of an entry (templates/jury/_entry.html, also on the finalist page).
 *
 * A plain script, loaded with <script src defer> (no inline script; the texts come translated
 * from data-* attributes). Without it the page still works: entry and form stacked, every
 * page of a document as a lazily loaded list (each links to its large image), the score
 * buttons/number boxes, and the score levels in their "What the scores mean" details.
 *
 * - Tabs "Entry" / "Scores" below Bootstrap's lg breakpoint (992 px); each tab keeps its
 *   window scroll position. From lg on both panes are shown side by side (CSS).
 * - Document viewer: one page at a time, previous/next, "Page 3 of 20", zoom (the large
 *   image), full screen (Fullscreen API; the button stays hidden where unsupported).
 * - Per criterion: the description of the level covering the chosen score (in the
 *   aria-live element #level_score_<pk>), the slider kept in step with the number box.
 * - The running total, computed exactly like results.engine.ranking.review_total and
 *   rounded like the ranking's floatformat:1 (half up on the shortest decimal form).
 * - Keys: "[" / "]" (and Page Up / Page Down while a viewer has the focus) page through the
 *   current document; Alt+ArrowLeft / Alt+ArrowRight follow the previous/next entry links;
 *   Ctrl+S / Cmd+S saves the draft. Nothing but Ctrl+S is taken while typing in a field.
 */
(function () {
  "use strict";

  var WIDE = "(min-width: 992px)";

  function typing(element) {
    if (!element) return false;
    if (element.isContentEditable) return true;
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    return !/^(radio|checkbox|button|submit|reset|range|file|image|color)$/.test(element.type);
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? String(values[key]) : all;
    });
  }

  // --- Document viewer -------------------------------------------------------------------

  var viewers = [];
  var currentViewer = null;

  function Viewer(element) {
    var self = this;
    this.element = element;
    this.pages = Array.prototype.slice.call(element.querySelectorAll(".doc-page"));
    this.total = this.pages.length;
    this.index = 0;
    this.zoomed = false;
    this.counter = element.querySelector("[data-doc-counter]");
    this.prev = element.querySelector("[data-doc-prev]");
    this.next = element.querySelector("[data-doc-next]");
    this.zoom = element.querySelector("[data-doc-zoom]");
    this.full = element.querySelector("[data-doc-fullscreen]");
    element.classList.add("is-paged");
    element.querySelector("[data-doc-toolbar]").hidden = false;
    this.prev.addEventListener("click", function () { self.go(self.index - 1); });
    this.next.addEventListener("click", function () { self.go(self.index + 1); });
    this.zoom.addEventListener("click", function () { self.setZoom(!self.zoomed); });
    this.pages.forEach(function (page) {
      var link = page.querySelector("[data-doc-large]");
      if (link) {
        link.addEventListener("click", function (event) {
          if (event.ctrlKey || event.metaKey || event.shiftKey || event.button) return;
          event.preventDefault();
          self.setZoom(!self.zoomed);
        });
      }
    });
    if (this.full && document.fullscreenEnabled && element.requestFullscreen) {
      this.full.hidden = false;
      this.full.addEventListener("click", function () {
        if (document.fullscreenElement === element) document.exitFullscreen();
        else element.requestFullscreen().catch(function () {});
      });
      document.addEventListener("fullscreenchange", function () {
        var on = document.fullscreenElement === element;
        self.full.textContent = on ? element.dataset.msgExitFullscreen : element.dataset.msgFullscreen;
      });
    }
    element.addEventListener("focusin", function () { currentViewer = self; });
    element.addEventListener("pointerdown", function () { currentViewer = self; });
    element.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
      if (event.key === "PageDown") { event.preventDefault(); self.go(self.index + 1); }
      else if (event.key === "PageUp") { event.preventDefault(); self.go(self.index - 1); }
    });
    this.go(0);
  }

  Viewer.prototype.go = function (index) {
    if (index < 0 || index >= this.total) return;
    this.index = index;
    this.pages.forEach(function (page, i) { page.classList.toggle("is-current", i === index); });
    var image = this.pages[index].querySelector("img");
    if (image) image.loading = "eager";
    this.swapImage(this.pages[index]);
    // Fetch the following page ahead, so that "next" shows at once.
    var ahead = this.pages[index + 1] && this.pages[index + 1].querySelector("img");
    if (ahead && !this.zoomed) ahead.loading = "eager";
    this.counter.textContent = format(this.element.dataset.msgPage, { page: index + 1, total: this.total });
    this.prev.disabled = index === 0;
    this.next.disabled = index === this.total - 1;
    var box = this.element.querySelector(".doc-pages");
    if (box) { box.scrollTop = 0; box.scrollLeft = 0; }
  };

  Viewer.prototype.swapImage = function (page) {
    var image = page.querySelector("img");
    if (!image) return;
    if (!image.dataset.read) image.dataset.read = image.getAttribute("src");
    var wanted = this.zoomed ? image.dataset.large : image.dataset.read;
    if (image.getAttribute("src") !== wanted) image.setAttribute("src", wanted);
  };

  Viewer.prototype.setZoom = function (on) {
    this.zoomed = on;
    this.element.classList.toggle("is-zoomed", on);
    this.zoom.setAttribute("aria-pressed", on ? "true" : "false");
    this.zoom.textContent = on ? this.element.dataset.msgZoomOut : this.element.dataset.msgZoomIn;
    this.swapImage(this.pages[this.index]);
  };

  // --- Scores: levels, slider, running total ---------------------------------------------

  function blockValue(block) {
    if (block.dataset.control === "buttons") {
      var checked = block.querySelector("input[type=radio]:checked");
      return checked ? checked.value : "";
    }
    var box = block.querySelector("input.score-input");
    return box ? box.value.trim() : "";
  }

  // A whole number within the criterion's scale, or null (as the server would refuse it).
  function scoreOf(block) {
    var raw = blockValue(block);
    if (!/^-?\d+$/.test(raw)) return null;
    var value = parseInt(raw, 10);
    if (value < parseInt(block.dataset.min, 10) || value > parseInt(block.dataset.max, 10)) return null;
    return value;
  }

  function showLevel(block) {
    var target = block.querySelector("[data-level-text]");
    if (!target) return;
    var value = scoreOf(block);
    var text = "";
    if (value !== null) {
      var items = block.querySelectorAll("[data-levels] li");
      for (var i = 0; i < items.length; i++) {
        var low = parseInt(items[i].dataset.low, 10);
        var high = parseInt(items[i].dataset.high, 10);
        if (value >= low && value <= high) {
          var description = items[i].querySelector("[data-level-description]");
          text = value + ": " + (description ? description.textContent : "");
          break;
        }
      }
    }
    if (target.textContent !== text) target.textContent = text;
  }

  // Python's float arithmetic, operation for operation (results.engine.ranking.review_total).
  function reviewTotal(blocks) {
    var weighted = 0.0;
    var weights = 0.0;
    for (var i = 0; i < blocks.length; i++) {
      var value = scoreOf(blocks[i]);
      if (value === null) return null;
      var weight = parseFloat(blocks[i].dataset.weight);
      var low = parseInt(blocks[i].dataset.min, 10);
      var span = parseInt(blocks[i].dataset.max, 10) - low;
      weighted += weight * (value - low) / span;
      weights += weight;
    }
    return weights ? 100.0 * weighted / weights : null;
  }

  // Django's floatformat:1: the shortest decimal form of the float, rounded half up.
  function oneDecimal(number, separator) {
    var text = String(Math.abs(number));
    if (text.indexOf("e") !== -1) text = Math.abs(number).toFixed(20);
    var parts = text.split(".");
    var fraction = (parts[1] || "") + "00";
    var tenths = parseInt(parts[0], 10) * 10 + parseInt(fraction.charAt(0), 10);
    if (parseInt(fraction.charAt(1), 10) >= 5) tenths += 1;
    var whole = Math.floor(tenths / 10);
    var sign = number < 0 && tenths ? "-" : "";
    return sign + whole + separator + (tenths % 10);
  }

  function startScores(form) {
    var blocks = Array.prototype.slice.call(form.querySelectorAll("[data-score-block]"));
    var output = document.querySelector("[data-running-total]");
    var separator = output ? (output.dataset.decimal || "1.5").replace(/\d/g, "") || "." : ".";

    function refresh() {
      blocks.forEach(showLevel);
      if (!output) return;
      var total = reviewTotal(blocks);
      var text;
      if (total === null) {
        var done = blocks.filter(function (b) { return scoreOf(b) !== null; }).length;
        text = format(output.dataset.msgPartial, { done: done, total: blocks.length });
      } else {
        text = oneDecimal(total, separator);
      }
      if (output.textContent !== text) output.textContent = text;
    }

    blocks.forEach(function (block) {
      var slider = block.querySelector("[data-score-slider]");
      var box = block.querySelector("input.score-input");
      if (!slider || !box) return;
      slider.hidden = false;
      slider.classList.remove("js-only");
      function fromBox() {
        var value = scoreOf(block);
        if (value !== null) slider.value = String(value);
        slider.setAttribute("aria-valuetext", box.value || "–");
      }
      slider.addEventListener("input", function () {
        box.value = slider.value;
        // The form's own field changed: autosave and the total hear of it.
        box.dispatchEvent(new Event("input", { bubbles: true }));
      });
      slider.addEventListener("change", function () {
        box.dispatchEvent(new Event("change", { bubbles: true }));
      });
      box.addEventListener("input", fromBox);
      box.addEventListener("change", fromBox);
      if (box.value === "") slider.value = String(block.dataset.min);
      fromBox();
    });

    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
    refresh();
  }

  // --- Tabs on narrow screens ------------------------------------------------------------

  function startTabs(workspace) {
    var list = workspace.querySelector("[data-workspace-tabs]");
    if (!list || !window.matchMedia) return;
    var tabs = Array.prototype.slice.call(list.querySelectorAll("[role=tab]"));
    var panes = tabs.map(function (tab) { return document.getElementById(tab.getAttribute("aria-controls")); });
    var scroll = tabs.map(function () { return null; });
    var active = 0;
    var wide = window.matchMedia(WIDE);
    var labels = panes.map(function (pane) {
      return { role: pane.getAttribute("role"), label: pane.getAttribute("aria-label"), labelledby: pane.getAttribute("aria-labelledby") };
    });

    function restoreRegion(pane, i) {
      pane.setAttribute("role", labels[i].role || "region");
      if (labels[i].label) pane.setAttribute("aria-label", labels[i].label);
      if (labels[i].labelledby) pane.setAttribute("aria-labelledby", labels[i].labelledby);
    }

    function select(index, focus) {
      if (index !== active) scroll[active] = window.scrollY;
      active = index;
      tabs.forEach(function (tab, i) {
        var on = i === index;
        tab.setAttribute("aria-selected", on ? "true" : "false");
        tab.tabIndex = on ? 0 : -1;
        tab.classList.toggle("active", on);
        panes[i].hidden = !on;
      });
      if (focus) tabs[index].focus();
      var top = scroll[index];
      window.scrollTo(0, top === null ? Math.min(window.scrollY, list.getBoundingClientRect().top + window.scrollY) : top);
    }

    function apply() {
      if (wide.matches) {
        list.hidden = true;
        panes.forEach(function (pane, i) {
          pane.hidden = false;
          pane.removeAttribute("aria-labelledby");
          restoreRegion(pane, i);
        });
        return;
      }
      list.hidden = false;
      panes.forEach(function (pane, i) {
        pane.setAttribute("role", "tabpanel");
        pane.removeAttribute("aria-label");
        pane.setAttribute("aria-labelledby", tabs[i].id);
      });
      select(active, false);
    }

    tabs.forEach(function (tab, i) {
      tab.addEventListener("click", function () { select(i, false); });
      tab.addEventListener("keydown", function (event) {
        var to = null;
        if (event.key === "ArrowRight") to = (i + 1) % tabs.length;
        else if (event.key === "ArrowLeft") to = (i - 1 + tabs.length) % tabs.length;
        else if (event.key === "Home") to = 0;
        else if (event.key === "End") to = tabs.length - 1;
        if (to === null) return;
        event.preventDefault();
        select(to, true);
      });
    });
    // A field with an error (or a link to one) lives in the scores: open that tab.
    if (document.querySelector("#review-form .is-invalid, [data-testid=form-errors]")) active = 1;
    if (wide.addEventListener) wide.addEventListener("change", apply);
    else if (wide.addListener) wide.addListener(apply);
    apply();
    workspace.showScores = function () { if (!wide.matches) select(1, false); };
  }

  // --- Keyboard --------------------------------------------------------------------------

  function startKeys(form) {
    document.addEventListener("keydown", function (event) {
      var key = event.key;
      if ((event.ctrlKey || event.metaKey) && !event.altKey && (key === "s" || key === "S")) {
        var draft = form && form.querySelector("[data-save-draft]");
        if (!draft) return;
        event.preventDefault();
        draft.click();
        return;
      }
      if (typing(event.target)) return;
      if (event.altKey && !event.ctrlKey && !event.metaKey && (key === "ArrowLeft" || key === "ArrowRight")) {
        var link = document.querySelector(key === "ArrowLeft" ? "[data-review-prev]" : "[data-review-next]");
        if (!link) return;
        event.preventDefault();
        window.location.assign(link.href);
        return;
      }
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      if ((key === "[" || key === "]") && viewers.length) {
        var viewer = currentViewer || viewers[0];
        event.preventDefault();
        viewer.go(viewer.index + (key === "]" ? 1 : -1));
      }
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-doc-viewer]"), function (element) {
      viewers.push(new Viewer(element));
    });
    var form = document.getElementById("review-form");
    if (form) startScores(form);
    var workspace = document.querySelector("[data-review-workspace]");
    if (workspace) startTabs(workspace);
    if (workspace) startKeys(form);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
