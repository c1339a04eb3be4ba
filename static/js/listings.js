/* Listing form: show the ratings a category needs, and read model numbers. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-listing-form]");
  if (!form) { return; }
  var specsNode = document.getElementById("category-specs");
  var categorySpecs = specsNode ? JSON.parse(specsNode.textContent) : {};
  var categorySelect = form.querySelector("[data-category-select]");
  var modelInput = form.querySelector("[data-model-input]");
  var hint = form.querySelector("[data-model-hint]");

  function showSpecsFor(slug) {
    var keys = categorySpecs[slug];
    form.querySelectorAll("[data-spec-key]").forEach(function (block) {
      var wanted = !keys || keys.indexOf(block.getAttribute("data-spec-key")) >= 0;
      var hasValue = Array.prototype.some.call(
        block.querySelectorAll("input, select"),
        function (input) { return input.type === "checkbox" ? input.checked : input.value; }
      );
      block.hidden = !(wanted || hasValue || block.classList.contains("has-error"));
    });
  }

  function fillIfEmpty(name, value) {
    var input = form.querySelector("[name='" + name + "']");
    if (!input || value === undefined || value === null) { return; }
    if (input.type === "checkbox") {
      form.querySelectorAll("[name='" + name + "']").forEach(function (box) {
        if (String(box.value) === String(value)) { box.checked = true; }
      });
      return;
    }
    if (!input.value) { input.value = value; }
  }

  var timer = null;
  function suggest() {
    var raw = modelInput.value.trim();
    if (!raw) { hint.textContent = ""; return; }
    var url = form.getAttribute("data-suggest-url") + "?model=" + encodeURIComponent(raw);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : {}; })
      .then(function (data) {
        if (!data || !data.category_slug) { hint.textContent = ""; return; }
        if (categorySelect && !categorySelect.value) {
          categorySelect.value = data.category_slug;
          showSpecsFor(data.category_slug);
        }
        var wanted = form.getAttribute("data-kind") === "wanted";
        Object.keys(data.specs || {}).forEach(function (key) {
          var value = data.specs[key];
          if (wanted && key !== "voltage_kv") {
            fillIfEmpty("spec-" + key + "-min", value);
            fillIfEmpty("spec-" + key + "-max", value);
          } else {
            fillIfEmpty("spec-" + key, value);
          }
        });
        hint.textContent = data.message || "";
        hint.classList.toggle("field-error", !!data.eliminated);
      })
      .catch(function () { /* leave the form as it is */ });
  }

  if (categorySelect) {
    categorySelect.addEventListener("change", function () { showSpecsFor(categorySelect.value); });
    showSpecsFor(categorySelect.value);
  }
  if (modelInput && hint) {
    modelInput.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, 350);
    });
  }

  /* Gallery: a thumbnail shows its photo in the main frame. */
})();

(function () {
  "use strict";
  var main = document.querySelector("[data-gallery-main]");
  if (!main) { return; }
  document.querySelectorAll("[data-gallery-thumb]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      main.src = link.getAttribute("href");
      main.parentNode.setAttribute("href", link.getAttribute("href"));
    });
  });
})();
