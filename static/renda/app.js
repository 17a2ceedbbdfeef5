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

  // The server marks the nav entry whose address is the page's; on the pages beneath one
  // (a region, a new account, an import run) mark the entry with the longest matching prefix.
  function markNav() {
    var links = document.querySelectorAll(".sidebar .nav-link");
    if (!links.length || document.querySelector(".sidebar .nav-link.active")) { return; }
    var here = window.location.pathname, best = null, bestLength = 1;
    links.forEach(function (link) {
      var path = new URL(link.href, window.location.href).pathname;
      if (path.length > bestLength && here.indexOf(path) === 0) { best = link; bestLength = path.length; }
    });
    if (best) { best.classList.add("active"); best.setAttribute("aria-current", "page"); }
  }

  onReady(function () {
    markNav();
    applyProgress(document);
    document.body.addEventListener("htmx:afterSwap", function (evt) { applyProgress(evt.target); });

    // A checked ID number fills the birth date and sex inputs its box names, unless the person
    // typed into them on this page: then they stay, and the register cross-checks them.
    document.body.addEventListener("htmx:afterSwap", function (evt) {
      var box = evt.target, found = box.querySelector("[data-id-birth]");
      if (!found) { return; }
      [["data-birth-input", "data-id-birth"], ["data-sex-input", "data-id-sex"]].forEach(function (pair) {
        var input = document.getElementById(box.getAttribute(pair[0]) || "");
        if (input && !input.hasAttribute("data-touched")) { input.value = found.getAttribute(pair[1]); }
      });
    });
    document.addEventListener("input", function (evt) {
      if (evt.isTrusted && evt.target.setAttribute) { evt.target.setAttribute("data-touched", ""); }
    });

    // Selects that change the page when changed (language, scope).
    document.querySelectorAll(".js-autosubmit").forEach(function (el) {
      el.addEventListener("change", function () { el.form.submit(); });
    });

    // Buttons that ask first (the form's data-confirm, or the button's that submitted it).
    document.addEventListener("submit", function (evt) {
      var msg = (evt.submitter && evt.submitter.getAttribute("data-confirm")) ||
        evt.target.getAttribute("data-confirm");
      if (msg && !window.confirm(msg)) { evt.preventDefault(); }
    });

    // A "select all" checkbox ticks every checkbox of its form.
    document.querySelectorAll(".js-check-all").forEach(function (all) {
      all.addEventListener("change", function () {
        all.form.querySelectorAll("input[type=checkbox]").forEach(function (box) {
          if (box !== all) { box.checked = all.checked; }
        });
      });
    });

    // Clicking a region suggestion fills the code input it belongs to.
    document.addEventListener("click", function (evt) {
      var pick = evt.target.closest("[data-fill-code]");
      if (!pick) { return; }
      evt.preventDefault();
      var input = document.getElementById(pick.getAttribute("data-fill-target"));
      if (input) { input.value = pick.getAttribute("data-fill-code"); input.focus(); }
      var label = document.getElementById(pick.getAttribute("data-fill-label-target") || "");
      if (label) { label.textContent = pick.getAttribute("data-fill-label"); }
      var box = pick.closest(".search-results");
      if (box) { box.innerHTML = ""; }
    });
  });
})();
