// Small progressive enhancements; every page works without them (CSP: no inline scripts).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // After "Periksa" or an error, bring the person to what changed: the premium summary with
  // the save button, or the summary of errors at the top.
  const target = document.querySelector("[data-focus]");
  if (target) {
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "start" });
  }

  // Print buttons (invitation slips, the budget).
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }

  // "Select all" ticks every box of its form named by data-select-all.
  for (const all of document.querySelectorAll("[data-select-all]")) {
    all.hidden = false;
    const boxes = () => all.form.querySelectorAll(`input[name="${all.dataset.selectAll}"]`);
    all.addEventListener("change", () => {
      for (const box of boxes()) box.checked = all.checked;
    });
  }

  // Choosing a regency or district fills the next choice at once (without scripts, the
  // filter button does the same).
  for (const select of document.querySelectorAll("select[data-narrows]")) {
    select.addEventListener("change", () => {
      for (const name of select.dataset.narrows.split(" ")) {
        const next = select.form.elements[name];
        if (next) next.value = "";
      }
      select.form.requestSubmit();
    });
  }
});
