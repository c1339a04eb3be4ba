/*
 * 电力二手设备供需平台 — progressive enhancement.
 * Everything here is optional: every page works without JavaScript.
 * No libraries, no inline handlers (strict CSP), loaded with `defer`.
 */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.add("js");

  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  function closestField(el) {
    return el.closest(".field");
  }

  /* Submit a form the way a user would, so `submit` listeners still run. */
  function submitForm(form) {
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  /* ---------- 1. Auto-submitting selects (language switch) ---------- */
  function initAutosubmit() {
    document.addEventListener("change", function (event) {
      var select = event.target;
      if (!(select instanceof HTMLSelectElement) || !select.hasAttribute("data-autosubmit")) {
        return;
      }
      if (select.form) {
        submitForm(select.form);
      }
    });
  }

  /* ---------- 2. Province → city → district cascade ---------- */
  var REGION_URL = "/api/v1/regions/";
  var requestSerial = new WeakMap();

  function regionSelect(form, level) {
    return form ? form.querySelector('select[data-region-level="' + level + '"]') : null;
  }

  function resetSelect(select) {
    if (!select) {
      return;
    }
    var placeholder = select.getAttribute("data-placeholder") || "";
    select.options.length = 0;
    select.add(new Option(placeholder, ""));
    select.value = "";
  }

  function fillSelect(select, regions) {
    resetSelect(select);
    regions.forEach(function (region) {
      if (region && region.code != null) {
        select.add(new Option(String(region.name), String(region.code)));
      }
    });
  }

  function setFieldHidden(select, hidden) {
    var field = select && closestField(select);
    if (!field) {
      return;
    }
    if (hidden) {
      field.setAttribute("hidden", "");
    } else {
      field.removeAttribute("hidden");
    }
  }

  async function fetchRegions(code) {
    var response = await fetch(REGION_URL + encodeURIComponent(code), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    });
    if (!response.ok) {
      throw new Error("HTTP " + response.status);
    }
    var data = await response.json();
    if (!Array.isArray(data)) {
      throw new Error("Unexpected region data");
    }
    return data;
  }

  /* Load the children of `parent`'s value into `target`; ignore stale answers. */
  async function loadChildren(parent, target) {
    var serial = (requestSerial.get(target) || 0) + 1;
    requestSerial.set(target, serial);
    var code = parent.value;
    var regions;
    try {
      target.setAttribute("aria-busy", "true");
      regions = await fetchRegions(code);
    } catch (error) {
      return null; /* Network or server error: leave the selects as they are. */
    } finally {
      if (requestSerial.get(target) === serial) {
        target.removeAttribute("aria-busy");
      }
    }
    if (requestSerial.get(target) !== serial || parent.value !== code) {
      return null;
    }
    fillSelect(target, regions);
    return regions;
  }

  function cancelPending(select) {
    if (select) {
      requestSerial.set(select, (requestSerial.get(select) || 0) + 1);
      select.removeAttribute("aria-busy");
    }
  }

  async function onProvinceChange(province) {
    var form = province.form;
    var city = regionSelect(form, "city");
    var district = regionSelect(form, "district");
    if (!city) {
      return;
    }
    if (!province.value) {
      cancelPending(city);
      cancelPending(district);
      resetSelect(city);
      resetSelect(district);
      setFieldHidden(district, false);
      return;
    }
    var cities = await loadChildren(province, city);
    if (cities === null) {
      return;
    }
    cancelPending(district);
    resetSelect(district);
    setFieldHidden(district, false);
  }

  async function onCityChange(city) {
    var form = city.form;
    var district = regionSelect(form, "district");
    if (!district) {
      return;
    }
    if (!city.value) {
      cancelPending(district);
      resetSelect(district);
      setFieldHidden(district, false);
      return;
    }
    var districts = await loadChildren(city, district);
    if (districts === null) {
      return;
    }
    setFieldHidden(district, districts.length === 0);
  }

  function initRegions() {
    document.addEventListener("change", function (event) {
      var select = event.target;
      if (!(select instanceof HTMLSelectElement) || !select.form) {
        return;
      }
      var level = select.getAttribute("data-region-level");
      if (level === "province") {
        onProvinceChange(select);
      } else if (level === "city") {
        onCityChange(select);
      }
    });
  }

  /* On load: a chosen city without any districts needs no district field. */
  function hideEmptyDistricts() {
    document.querySelectorAll('select[data-region-level="district"]').forEach(function (district) {
      var city = regionSelect(district.form, "city");
      var field = closestField(district);
      var hasError = field && field.classList.contains("has-error");
      if (city && city.value && district.options.length <= 1 && !district.value && !hasError) {
        setFieldHidden(district, true);
      }
    });
  }

  /* ---------- 3. Confirm before submitting ---------- */
  function initConfirm() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) {
        return;
      }
      var message = form.getAttribute("data-confirm");
      if (!window.confirm(message)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    });
  }

  /* ---------- 4. File size check ---------- */
  var SIZE_ERROR_FLAG = "data-size-error";

  function clearSizeError(field) {
    if (!field) {
      return;
    }
    field.querySelectorAll(".field-error[" + SIZE_ERROR_FLAG + "]").forEach(function (el) {
      el.remove();
    });
    if (!field.querySelector(".field-error")) {
      field.classList.remove("has-error");
    }
  }

  function showSizeError(input, field, message) {
    clearSizeError(field);
    var error = document.createElement("p");
    error.className = "field-error";
    error.setAttribute(SIZE_ERROR_FLAG, "");
    error.setAttribute("role", "alert");
    error.textContent = message;
    error.id = (input.id || input.name || "file") + "-size-error";
    if (field) {
      field.appendChild(error);
      field.classList.add("has-error");
    } else {
      input.insertAdjacentElement("afterend", error);
    }
    var described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (described.indexOf(error.id) === -1) {
      described.push(error.id);
      input.setAttribute("aria-describedby", described.join(" "));
    }
    input.setAttribute("aria-invalid", "true");
  }

  function removeSizeErrorRef(input) {
    var errorId = (input.id || input.name || "file") + "-size-error";
    var described = (input.getAttribute("aria-describedby") || "")
      .split(/\s+/)
      .filter(function (id) {
        return id && id !== errorId;
      });
    if (described.length) {
      input.setAttribute("aria-describedby", described.join(" "));
    } else {
      input.removeAttribute("aria-describedby");
    }
  }

  function initFileSize() {
    document.addEventListener("change", function (event) {
      var input = event.target;
      if (!(input instanceof HTMLInputElement) || input.type !== "file" ||
          !input.hasAttribute("data-max-bytes")) {
        return;
      }
      var max = parseInt(input.getAttribute("data-max-bytes"), 10);
      if (!(max > 0)) {
        return;
      }
      var field = closestField(input);
      var files = Array.prototype.slice.call(input.files || []);
      var tooLarge = files.some(function (file) {
        return file.size > max;
      });
      if (tooLarge) {
        var message = input.getAttribute("data-too-large") || "File too large.";
        input.value = "";
        showSizeError(input, field, message);
      } else if (files.length) {
        var hadServerError = field && field.querySelector(".field-error:not([" + SIZE_ERROR_FLAG + "])");
        clearSizeError(field);
        removeSizeErrorRef(input);
        if (!hadServerError) {
          input.removeAttribute("aria-invalid");
        }
      }
    });
  }

  /* Delegated listeners work even before the DOM is parsed; the
     load-time district check needs the document. */
  initAutosubmit();
  initRegions();
  initConfirm();
  initFileSize();
  ready(hideEmptyDistricts);
})();
