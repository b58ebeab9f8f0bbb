/* Passkeys (WebAuthn): adding one on the security page, logging in with one on the login page
 * and at the second step of a login. The server side is accounts/views_passkeys.py.
 *
 * A plain script loaded with <script src defer> by the partials that need it (no inline
 * script, so the strict Content-Security-Policy holds). Progressive enhancement: the blocks
 * marked [data-passkey-block] stay hidden, and [data-passkey-unsupported] stays shown, unless
 * the browser can use passkeys (window.PublicKeyCredential).
 *
 * Markup:
 *   form[data-passkey-add] with an input name="name" and a submit button[data-passkey-register]
 *     data-options-url, data-url: the endpoints; data-next: where the security page leads;
 *   button[data-passkey-login] with data-options-url, data-url and data-next (the login page's);
 *   each button's texts come translated from its data-msg-* attributes (cancelled, failed,
 *   exists, network), shown in the [data-passkey-alert] (role="alert") of its block.
 *
 * Every request is a POST with JSON, the CSRF token in X-CSRFToken (from the cookie, else
 * from the block's csrfmiddlewaretoken input). The server answers {"options": …} or
 * {"redirect": url} or {"message": …} with 4xx; on success the page goes to the redirect.
 */
(function () {
  "use strict";

  if (window.LaurelPasskeys) {
    return; // loaded twice (two partials on one page): one set of listeners is enough
  }
  window.LaurelPasskeys = true;

  var supported = !!(window.PublicKeyCredential && navigator.credentials);

  function toBuffer(value) {
    var text = String(value).replace(/-/g, "+").replace(/_/g, "/");
    while (text.length % 4) {
      text += "=";
    }
    var binary = window.atob(text);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    if (!buffer) {
      return null;
    }
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i += 1) {
      binary += String.fromCharCode(bytes[i]);
    }
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function csrfToken(block) {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) {
      return decodeURIComponent(match[1]);
    }
    var input = block.querySelector('input[name="csrfmiddlewaretoken"]') ||
      document.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function post(url, body, block) {
    return window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrfToken(block),
      },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().catch(function () {
        return {};
      }).then(function (data) {
        if (!response.ok) {
          var error = new Error(data.message || "");
          error.fromServer = true;
          throw error;
        }
        return data;
      });
    });
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return Object.assign({}, item, { id: toBuffer(item.id) });
    });
  }

  function creationOptions(options) {
    var publicKey = Object.assign({}, options);
    publicKey.challenge = toBuffer(options.challenge);
    publicKey.user = Object.assign({}, options.user, { id: toBuffer(options.user.id) });
    publicKey.excludeCredentials = descriptors(options.excludeCredentials);
    return publicKey;
  }

  function requestOptions(options) {
    var publicKey = Object.assign({}, options);
    publicKey.challenge = toBuffer(options.challenge);
    publicKey.allowCredentials = descriptors(options.allowCredentials);
    return publicKey;
  }

  function credentialJSON(credential) {
    var response = credential.response;
    var json = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults
        ? credential.getClientExtensionResults()
        : {},
      response: { clientDataJSON: toBase64url(response.clientDataJSON) },
    };
    if (response.attestationObject) {
      json.response.attestationObject = toBase64url(response.attestationObject);
      json.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      json.response.authenticatorData = toBase64url(response.authenticatorData);
      json.response.signature = toBase64url(response.signature);
      json.response.userHandle = toBase64url(response.userHandle);
    }
    return json;
  }

  function blockOf(button) {
    return button.closest("[data-passkey-block]") || document.body;
  }

  function show(button, text) {
    var alertBox = blockOf(button).querySelector("[data-passkey-alert]");
    if (alertBox) {
      alertBox.textContent = text || "";
      alertBox.hidden = !text;
    }
  }

  function failed(button, error) {
    var msg = button.dataset;
    var text;
    if (error && error.fromServer && error.message) {
      text = error.message;
    } else if (error && error.name === "NotAllowedError") {
      text = msg.msgCancelled;
    } else if (error && error.name === "InvalidStateError" && msg.msgExists) {
      text = msg.msgExists;
    } else if (error instanceof TypeError) {
      text = msg.msgNetwork || msg.msgFailed;
    } else {
      text = msg.msgFailed;
    }
    show(button, text);
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }

  function busy(button) {
    show(button, "");
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
  }

  function register(form, button) {
    var block = blockOf(button);
    var nameInput = form.querySelector('[name="name"]');
    var next = button.dataset.next || "";
    busy(button);
    post(button.dataset.optionsUrl, {}, block)
      .then(function (data) {
        return navigator.credentials.create({ publicKey: creationOptions(data.options) });
      })
      .then(function (credential) {
        return post(button.dataset.url, {
          credential: credentialJSON(credential),
          name: nameInput ? nameInput.value : "",
          next: next,
        }, block);
      })
      .then(function (data) {
        window.location.assign(data.redirect);
      })
      .catch(function (error) {
        failed(button, error);
      });
  }

  function logIn(button) {
    var block = blockOf(button);
    busy(button);
    post(button.dataset.optionsUrl, { next: button.dataset.next || "" }, block)
      .then(function (data) {
        return navigator.credentials.get({ publicKey: requestOptions(data.options) });
      })
      .then(function (credential) {
        return post(button.dataset.url, { credential: credentialJSON(credential) }, block);
      })
      .then(function (data) {
        window.location.assign(data.redirect);
      })
      .catch(function (error) {
        failed(button, error);
      });
  }

  function start() {
    document.querySelectorAll("[data-passkey-block]").forEach(function (block) {
      block.hidden = !supported;
    });
    document.querySelectorAll("[data-passkey-unsupported]").forEach(function (note) {
      note.hidden = supported;
    });
    if (!supported) {
      return;
    }
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-passkey-add")) {
        return;
      }
      event.preventDefault();
      var button = form.querySelector("[data-passkey-register]");
      if (button && !button.disabled) {
        register(form, button);
      }
    });
    document.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("[data-passkey-login]");
      if (button && !button.disabled) {
        event.preventDefault();
        logIn(button);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
