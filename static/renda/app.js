// Renda's small behaviours. No inline scripts anywhere: the CSP forbids them.
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function applyProgress(root) {
    root.querySelectorAll("[data-progress]").forEach(function (bar) {
      bar.style.width = bar.getAttribute("data-progress") + "%";
    });
  }

  onReady(function () {
    applyProgress(document);
    document.body.addEventListener("htmx:afterSwap", function (evt) { applyProgress(evt.target); });

    // Selects that change the page when changed (language, scope).
    document.querySelectorAll(".js-autosubmit").forEach(function (el) {
      el.addEventListener("change", function () { el.form.submit(); });
    });

    // Buttons that ask first.
    document.addEventListener("submit", function (evt) {
      var msg = evt.target.getAttribute("data-confirm");
      if (msg && !window.confirm(msg)) { evt.preventDefault(); }
    });

    // Clicking a region suggestion fills the code input it belongs to.
    document.addEventListener("click", function (evt) {
      var pick = evt.target.closest("[data-fill-code]");
      if (!pick) { return; }
      evt.preventDefault();
      var input = document.getElementById(pick.getAttribute("data-fill-target"));
      if (input) { input.value = pick.getAttribute("data-fill-code"); input.focus(); }
      var box = pick.closest(".search-results");
      if (box) { box.innerHTML = ""; }
    });
  });
})();
