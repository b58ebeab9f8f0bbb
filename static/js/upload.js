/* Uploads into an entry's file slots, with a progress bar per file.
 *
 * Each file slot of the entry's form has its own upload form (form[data-upload-form=<slot
 * id>], after the entry's form: forms cannot nest); the slot's file input and button belong to
 * it through their form="upload-<id>" attribute, and its hidden "question" field names the
 * slot. Loaded with <script src>; texts come translated from data-msg-* attributes or from
 * the server's JSON. Each chosen file is sent on its own (XMLHttpRequest, for upload
 * progress) with question=<slot id>; the server answers 201 {"attachment": {..., "question"}}
 * and the file appears in its slot's list, or 400 {"error"} naming the file (and the slot,
 * when it does not take that kind) and saying why, or 503 {"error"} when the file storage did
 * not take it (nothing was kept; try again later). A refused file changes nothing else on the
 * page: the text keeps autosaving. Removing a file works the same way, without a reload (its
 * button belongs to a form[data-delete-form] after the entry's form). Without JavaScript
 * every form posts normally.
 */
(function () {
  "use strict";

  function csrfToken(form) {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) {
      return decodeURIComponent(match[1]);
    }
    var input = form.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function parse(xhr) {
    try {
      return JSON.parse(xhr.responseText);
    } catch (error) {
      return {};
    }
  }

  function start(form) {
    var slot = form.dataset.uploadForm;
    var box = document.getElementById("slot-" + slot);
    if (!box) {
      return;
    }
    var list = box.querySelector("[data-attachment-list]");
    var progressList = box.querySelector("[data-upload-progress]");
    var template = document.getElementById("attachment-template");
    var deleteTemplate = document.getElementById("delete-form-template");
    var deleteForms = document.getElementById("delete-forms");
    var noFiles = box.querySelector("[data-no-files]");
    var input = form.querySelector('input[type="file"]') || document.querySelector('input[type="file"][form="' + form.id + '"]');
    var button = document.querySelector('[data-upload-button="' + slot + '"]');
    var msg = form.dataset;

    function refreshEmpty() {
      if (noFiles) {
        noFiles.hidden = list.children.length > 0;
      }
    }

    function addToList(item) {
      var node = template.content.firstElementChild.cloneNode(true);
      node.dataset.attachment = String(item.id);
      var name = node.querySelector("[data-slot=name]");
      name.textContent = item.name;
      name.href = item.url;
      node.querySelector("[data-slot=meta]").textContent = item.kind_display + ", " + item.size_display;
      if (item.thumbnail_url) {
        var link = node.querySelector("[data-slot=thumb-link]");
        var image = node.querySelector("[data-slot=thumb]");
        link.href = item.url;
        link.hidden = false;
        image.src = item.thumbnail_url;
        image.alt = image.dataset.altTemplate.replace("{name}", item.name);
      }
      node.querySelector("[data-slot=remove-name]").textContent = " " + item.name;
      var deleteForm = deleteTemplate.content.firstElementChild.cloneNode(true);
      deleteForm.action = item.delete_url;
      deleteForm.id = "delete-" + item.id;
      deleteForms.appendChild(deleteForm);
      node.querySelector("[data-delete-button]").setAttribute("form", deleteForm.id);
      list.appendChild(node);
      refreshEmpty();
    }

    function progressRow(file) {
      var row = document.createElement("li");
      row.className = "mb-2";
      var label = document.createElement("div");
      label.className = "small text-break";
      label.textContent = file.name + " – " + msg.msgUploading;
      var bar = document.createElement("div");
      bar.className = "progress";
      bar.setAttribute("role", "progressbar");
      bar.setAttribute("aria-label", msg.msgProgress.replace("{name}", file.name));
      bar.setAttribute("aria-valuemin", "0");
      bar.setAttribute("aria-valuemax", "100");
      bar.setAttribute("aria-valuenow", "0");
      var fill = document.createElement("div");
      fill.className = "progress-bar";
      fill.style.width = "0%";
      bar.appendChild(fill);
      row.appendChild(label);
      row.appendChild(bar);
      progressList.appendChild(row);
      return {
        progress: function (percent) {
          fill.style.width = percent + "%";
          bar.setAttribute("aria-valuenow", String(percent));
        },
        done: function (text) {
          this.progress(100);
          fill.classList.add("bg-success");
          label.textContent = file.name + " – " + text;
          row.dataset.state = "done";
        },
        failed: function (text) {
          fill.classList.add("bg-danger");
          label.textContent = text;
          label.className = "small text-break text-danger fw-semibold";
          row.dataset.state = "failed";
        },
      };
    }

    function uploadOne(file) {
      return new Promise(function (resolve) {
        var row = progressRow(file);
        var body = new FormData();
        body.append("csrfmiddlewaretoken", csrfToken(form));
        body.append("question", slot);
        body.append("files", file, file.name);
        var xhr = new XMLHttpRequest();
        xhr.open("POST", form.action);
        xhr.setRequestHeader("Accept", "application/json");
        xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
        xhr.upload.onprogress = function (event) {
          if (event.lengthComputable) {
            row.progress(Math.round((100 * event.loaded) / event.total));
          }
        };
        xhr.onload = function () {
          var data = parse(xhr);
          if (xhr.status === 201 && data.attachment) {
            addToList(data.attachment);
            row.done(msg.msgDone);
          } else if (xhr.status === 403) {
            row.failed(file.name + ": " + (data.error || msg.msgSession));
          } else {
            // 400 and 503 name the file and say why; without JSON (a proxy's page), the network.
            row.failed(data.error || data.message || file.name + ": " + msg.msgNetwork);
          }
          resolve();
        };
        xhr.onerror = function () {
          row.failed(file.name + ": " + msg.msgNetwork);
          resolve();
        };
        xhr.send(body);
      });
    }

    form.addEventListener("submit", function (event) {
      if (!input.files || input.files.length === 0 || !window.FormData) {
        return; // the server says "choose a file"
      }
      event.preventDefault();
      var files = Array.prototype.slice.call(input.files);
      progressList.textContent = "";
      button.disabled = true;
      // One after another: the server counts the files of the entry for the limit.
      files
        .reduce(function (chain, file) {
          return chain.then(function () {
            return uploadOne(file);
          });
        }, Promise.resolve())
        .then(function () {
          input.value = "";
          button.disabled = false;
        });
    });

    box.addEventListener("refresh-empty", refreshEmpty);
  }

  /* Removing a file: its button belongs to a form[data-delete-form] (after the entry's form,
   * or in the list of files without a slot). */
  function startDeletes() {
    document.addEventListener("submit", function (event) {
      var deleteForm = event.target.closest && event.target.closest("[data-delete-form]");
      if (!deleteForm || !window.fetch) {
        return;
      }
      event.preventDefault();
      var item = deleteForm.closest("li") || document.querySelector('[form="' + deleteForm.id + '"]').closest("li");
      var box = item && item.closest("[data-question]");
      var progressList = box && box.querySelector("[data-upload-progress]");
      var msg = (document.querySelector("[data-upload-form]") || deleteForm).dataset;
      function notice(text) {
        if (!progressList) {
          window.alert(text);
          return;
        }
        var row = document.createElement("li");
        row.className = "small text-danger fw-semibold";
        row.textContent = text;
        progressList.textContent = "";
        progressList.appendChild(row);
      }
      var body = new FormData();
      body.append("csrfmiddlewaretoken", csrfToken(deleteForm));
      fetch(deleteForm.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        redirect: "manual",
        headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" },
      })
        .then(function (response) {
          if (response.status === 200) {
            item.remove();
            if (deleteForm.id) {
              deleteForm.remove();
            }
            if (box) {
              box.dispatchEvent(new Event("refresh-empty"));
            }
            return;
          }
          return response
            .json()
            .catch(function () {
              return {};
            })
            .then(function (data) {
              notice(data.error || (response.status === 403 ? msg.msgSession : msg.msgNetwork));
            });
        })
        .catch(function () {
          notice(msg.msgNetwork);
        });
    });
  }

  function init() {
    if (!document.getElementById("attachment-template")) {
      return;
    }
    document.querySelectorAll("form[data-upload-form]").forEach(start);
    startDeletes();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
