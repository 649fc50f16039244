// Relais: small progressive enhancements. Every page works without this file.
"use strict";

// The installable app's service worker (static/js/service-worker.js, served
// as /sw.js): it keeps the last feed and an offline page for when the
// network is gone. Where it cannot run, pages work as before.
if ("serviceWorker" in navigator && document.documentElement.dataset.serviceWorker) {
  navigator.serviceWorker.register(document.documentElement.dataset.serviceWorker).catch(() => {});
}

document.addEventListener("DOMContentLoaded", () => {
  // Mobile navigation toggle.
  const toggle = document.querySelector(".nav-toggle");
  const nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      nav.classList.toggle("open", !open);
    });
  }

  // Menu groups (<details>) work without this; with it, on a wide screen where
  // they drop down over the page, opening one closes the others, and a click
  // elsewhere or Escape closes them, as a menu does. On a phone they open in place.
  const groups = document.querySelectorAll(".nav-group");
  const dropsDown = window.matchMedia("(min-width: 44.01rem)");
  groups.forEach((group) => {
    group.addEventListener("toggle", () => {
      if (group.open && dropsDown.matches) groups.forEach((other) => { if (other !== group) other.open = false; });
    });
  });
  document.addEventListener("click", (event) => {
    if (!dropsDown.matches) return;
    groups.forEach((group) => { if (!group.contains(event.target)) group.open = false; });
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    groups.forEach((group) => {
      if (group.open) { group.open = false; group.querySelector("summary").focus(); }
    });
  });

  // Selects that submit their form on change (the language switch); the
  // form keeps a visible button for people without JavaScript.
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.requestSubmit());
  });
  document.querySelectorAll(".js-hidden").forEach((el) => { el.hidden = true; });

  // Offline, a page comes from the service worker's copy: say so.
  const offlineNotice = document.querySelector("[data-offline-notice]");
  if (offlineNotice) {
    const show = () => { offlineNotice.hidden = navigator.onLine; };
    show();
    window.addEventListener("online", show);
    window.addEventListener("offline", show);
  }

  // "Select all on this page" for bulk actions (hidden without JavaScript).
  document.querySelectorAll("[data-select-all]").forEach((button) => {
    const boxes = () => document.querySelectorAll(`input[type=checkbox][name="${button.dataset.selectAll}"]`);
    if (!boxes().length) return;
    button.hidden = false;
    button.addEventListener("click", () => {
      const all = Array.from(boxes());
      const check = !all.every((box) => box.checked);
      all.forEach((box) => { box.checked = check; });
    });
  });

  // Buttons that ask before doing something that cannot be undone.
  document.querySelectorAll("[data-confirm]").forEach((button) => {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  });
});
