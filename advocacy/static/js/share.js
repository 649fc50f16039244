// Relais share panel: keep each network's share link in step with the text,
// and show its length with the link included. (Copying the text for LinkedIn
// and "Did you share it?" are share-loop.js's, as on the feed.)
// The page works without this file (the first wording is used as is).
"use strict";

(function () {
  function shareUrl(network, text, link, subject, instance) {
    const withLink = (text.trim() + " " + link).trim();
    const enc = encodeURIComponent;
    switch (network) {
      case "x": return "https://x.com/intent/tweet?text=" + enc(text) + "&url=" + enc(link);
      case "bluesky": return "https://bsky.app/intent/compose?text=" + enc(withLink);
      case "mastodon": return instance ? "https://" + instance + "/share?text=" + enc(withLink) : null;
      case "linkedin": return "https://www.linkedin.com/sharing/share-offsite/?url=" + enc(link);
      case "whatsapp": return "https://wa.me/?text=" + enc(withLink);
      case "email": return "mailto:?subject=" + enc(subject) + "&body=" + enc(text.trim() + "\n\n" + link);
      default: return null;
    }
  }

  function setUp(panel) {
    const network = panel.dataset.sharePanel;
    const link = panel.dataset.shareLink;
    const textarea = panel.querySelector("textarea");
    const open = panel.querySelector("[data-share-open]");
    const counter = panel.querySelector("[data-share-counter]");

    function update() {
      const text = textarea.value;
      const url = shareUrl(network, text, link, panel.dataset.shareSubject, panel.dataset.shareInstance);
      if (open && url) open.href = url;
      if (open) open.dataset.shareText = text;  // what share-loop.js copies for LinkedIn
      if (counter && window.RelaisText) {
        // What the network will count: the text and the link (X adds it itself).
        const m = window.RelaisText.measure(network, network === "linkedin" ? text : text + " " + link);
        counter.textContent = m.limit === null ? String(m.length) : m.length + " / " + m.limit;
        counter.classList.toggle("over-limit", !m.ok);
      }
    }

    panel.querySelectorAll("input[data-variant]").forEach((radio) => {
      radio.addEventListener("change", () => { textarea.value = radio.dataset.variant; update(); });
    });
    textarea.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-share-panel]").forEach(setUp);
  });
})();
