/*
 * Ledger import: upload with a progress bar, then "checking every row…" until the
 * server answers; the answer (the same full page a plain form post gets) replaces
 * the page's <main>. Without JavaScript the form posts normally.
 * No inline code, no document.write (strict CSP); loaded with `defer`.
 */
(function () {
  "use strict";

  var busy = false;

  function supported() {
    return typeof window.XMLHttpRequest === "function" &&
      typeof window.FormData === "function" &&
      typeof window.DOMParser === "function";
  }

  function parts(form) {
    var box = form.querySelector("[data-ledger-progress]");
    return {
      box: box,
      bar: box ? box.querySelector("progress") : null,
      status: box ? box.querySelector("[role=status]") : null,
      button: form.querySelector("button[type=submit], input[type=submit]")
    };
  }

  function setBusy(form, ui, on) {
    busy = on;
    form.setAttribute("aria-busy", on ? "true" : "false");
    if (ui.button) {
      ui.button.disabled = on;
    }
    if (ui.box) {
      if (on) {
        ui.box.removeAttribute("hidden");
      } else {
        ui.box.setAttribute("hidden", "");
      }
    }
  }

  function showUpload(form, ui, loaded, total) {
    if (!ui.bar) {
      return;
    }
    var percent = total > 0 ? Math.round((loaded / total) * 100) : 0;
    ui.bar.max = 100;
    ui.bar.value = percent;
    if (ui.status) {
      ui.status.textContent = (form.getAttribute("data-uploading") || "") + " " + percent + "%";
    }
  }

  function showChecking(form, ui) {
    if (ui.bar) {
      ui.bar.removeAttribute("value"); /* indeterminate while the server checks */
    }
    if (ui.status) {
      ui.status.textContent = form.getAttribute("data-checking") || "";
    }
  }

  function showFailure(form, ui) {
    setBusy(form, ui, false);
    if (ui.box && ui.status) {
      ui.box.removeAttribute("hidden");
      if (ui.bar) {
        ui.bar.setAttribute("hidden", "");
      }
      ui.status.textContent = form.getAttribute("data-failed") || "";
    }
  }

  /* Put the answer's <main> in place of ours; false when the answer has none. */
  function swapMain(html, url) {
    var incoming = new DOMParser().parseFromString(html, "text/html");
    var next = incoming.querySelector("main.container");
    var current = document.querySelector("main.container");
    if (!next || !current) {
      return false;
    }
    /* Nodes of a parsed document never run scripts when moved: nothing to re-run. */
    current.replaceChildren.apply(current, Array.prototype.slice.call(next.childNodes));
    if (incoming.title) {
      document.title = incoming.title;
    }
    if (url && url !== window.location.href) {
      window.history.pushState(null, "", url);
    }
    var target = current.querySelector("#ledger-errors, #ledger-result") ||
      current.querySelector("h1");
    if (target) {
      if (!target.hasAttribute("tabindex")) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus();
    }
    window.scrollTo(0, 0);
    return true;
  }

  function send(form) {
    var ui = parts(form);
    var xhr = new XMLHttpRequest();
    var token = form.querySelector('input[name="csrf_token"]');
    xhr.open("POST", form.action || window.location.href);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    if (token) {
      xhr.setRequestHeader("X-CSRFToken", token.value);
    }
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        showUpload(form, ui, event.loaded, event.total);
      }
    });
    xhr.upload.addEventListener("load", function () {
      showChecking(form, ui);
    });
    xhr.addEventListener("load", function () {
      busy = false;
      var type = xhr.getResponseHeader("Content-Type") || "";
      if (type.indexOf("text/html") === 0 && swapMain(xhr.responseText, xhr.responseURL)) {
        return;
      }
      showFailure(form, ui);
    });
    xhr.addEventListener("error", function () {
      showFailure(form, ui);
    });
    xhr.addEventListener("abort", function () {
      showFailure(form, ui);
    });
    setBusy(form, ui, true);
    showUpload(form, ui, 0, 1);
    xhr.send(new FormData(form));
  }

  /* Delegated, so a form that arrives with a swapped <main> is enhanced too. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-ledger-upload")) {
      return;
    }
    if (!supported()) {
      return; /* the browser posts the form itself */
    }
    event.preventDefault();
    if (busy) {
      return;
    }
    var input = form.querySelector('input[type="file"]');
    if (!input || !input.files || !input.files.length) {
      form.submit(); /* no file: the server says what is missing */
      return;
    }
    send(form);
  });

  /* Back after a swap: the URL changed without a page load, so load it properly. */
  window.addEventListener("popstate", function () {
    window.location.reload();
  });
})();
