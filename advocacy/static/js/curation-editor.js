// Relais: "Add a variant" in the content editor. Without JavaScript the
// editor still works: two empty boxes per network follow the last text, and
// saving adds more. This only adds a box at once, numbered like the others
// (texts_x-3, texts_x-4, ...) so the server reads it the same way.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-add-variant]").forEach((button) => {
    const group = button.closest("[data-variants]");
    if (!group) return;
    // The server reads at most this many boxes per network.
    const max = Number(group.dataset.maxVariants) || Infinity;
    const full = () => group.querySelectorAll(".variant").length >= max;
    button.hidden = full();
    button.addEventListener("click", () => {
      const fields = group.querySelectorAll(".variant");
      const last = fields[fields.length - 1];
      if (!last || full()) return;
      const network = group.dataset.variants;
      const index = fields.length;
      const id = `texts_${network}-${index}`;
      const copy = last.cloneNode(true);
      copy.classList.remove("has-error");
      copy.querySelectorAll(".error").forEach((el) => el.remove());
      const textarea = copy.querySelector("textarea");
      textarea.id = id;
      textarea.name = id;
      textarea.value = "";
      textarea.removeAttribute("aria-invalid");
      textarea.setAttribute("aria-describedby", `${id}-count`);
      const label = copy.querySelector("label");
      label.htmlFor = id;
      label.textContent = group.dataset.variantLabel.replace("__N__", String(index + 1));
      const counter = copy.querySelector("[data-counter-for]");
      counter.id = `${id}-count`;
      counter.setAttribute("data-counter-for", id);
      last.after(copy);
      if (window.RelaisText) window.RelaisText.attach(copy);
      textarea.focus();
      button.hidden = full();
    });
  });
});
