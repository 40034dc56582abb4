// The admin, readable by screen readers and on a phone. Django 6.1's admin and the select2 it
// ships leave some controls without a name (axe-core: label, select-name,
// aria-input-field-name, aria-prohibited-attr, label-title-only): each gets its field's label
// here. The change lists' cells get their column's heading as data-label, which admin.css
// shows as "label: value" cards on a phone instead of a table scrolling sideways.
"use strict";
(() => {
  const FIELDS = "input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea";

  function hasName(element) {
    if (element.getAttribute("aria-label") || element.getAttribute("aria-labelledby")) {
      return true;
    }
    return [...(element.labels || [])].some(
      (label) => label.textContent.trim() || label.querySelector("img[alt]:not([alt=''])"),
    );
  }

  function text(element) {
    const copy = element.cloneNode(true);
    copy.querySelectorAll(".help-tooltip, .help, .related-widget-wrapper-link").forEach((e) => e.remove());
    copy.querySelectorAll("img[alt]").forEach((image) => image.replaceWith(image.alt));
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  // The change list's search icon says "Search" in English: say what its button says.
  function translateSearchIcon() {
    const button = document.querySelector("#changelist-search input[type=submit]");
    const icon = document.querySelector("#changelist-search label[for=searchbar] img");
    if (button && icon) icon.alt = button.value;
  }

  // A field in a tabular inline: its column heading (th.column-<name>, or the heading above
  // it, for the "Delete?" ticks) names it.
  function columnHeading(element) {
    const cell = element.closest("td");
    const table = element.closest("table");
    if (!cell || !table || !table.tHead || table.id === "result_list") return "";
    const field = [...cell.classList].find((name) => name.startsWith("field-"));
    let heading = field && table.tHead.querySelector(`th.column-${field.slice(6)}`);
    if (!heading) heading = table.tHead.rows[0].cells[cell.cellIndex];
    return heading ? text(heading) : "";
  }

  function labelFor(select) {
    if (!select || !select.id) return "";
    const label = document.querySelector(`label[for="${select.id}"]`);
    return label ? text(label) : columnHeading(select);
  }

  function nameFields(root) {
    root.querySelectorAll(FIELDS).forEach((field) => {
      if (field.getAttribute("aria-describedby") && field.labels && field.labels.length && !field.getAttribute("aria-label")) {
        // Only aria-label counts as a name next to a description (axe: label-title-only).
        const name = [...field.labels].map(text).join(" ");
        if (name) field.setAttribute("aria-label", name);
      }
      if (hasName(field)) return;
      const name = columnHeading(field) || field.getAttribute("title") || field.getAttribute("placeholder");
      if (name) field.setAttribute("aria-label", name);
    });
    // select2 replaces a <select> by a combobox named by its (empty, when nothing is chosen)
    // selection: name it after the select's label as well.
    root.querySelectorAll(".select2-container").forEach((container) => {
      const select = container.previousElementSibling;
      const name = labelFor(select && select.tagName === "SELECT" ? select : null);
      if (!name) return;
      container.querySelectorAll(".select2-selection[role=combobox], .select2-search__field").forEach((box) => {
        if (!box.getAttribute("aria-label")) box.setAttribute("aria-label", name);
        box.removeAttribute("aria-labelledby");
      });
      // The chosen value's box claims to be a text box, with no name of its own.
      container.querySelectorAll(".select2-selection__rendered[role=textbox]").forEach((box) => {
        box.removeAttribute("role");
        box.removeAttribute("aria-readonly");
      });
    });
    // The filter widget's search icon carries an aria-label on a plain span.
    root.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach((icon) => {
      icon.setAttribute("role", "img");
    });
  }

  function labelCells() {
    const table = document.getElementById("result_list");
    if (!table || !table.tHead) return;
    const headings = [...table.tHead.rows[0].cells].map((th) => text(th));
    for (const body of table.tBodies) {
      for (const row of body.rows) {
        [...row.cells].forEach((cell, index) => {
          if (!cell.hasAttribute("data-label")) cell.setAttribute("data-label", headings[index] || "");
        });
      }
    }
  }

  let pending = false;
  function update() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      nameFields(document);
    });
  }

  window.addEventListener("load", () => {
    translateSearchIcon();
    labelCells();
    nameFields(document);
    // Rows added to inlines, select2's dropdowns and the calendar appear later.
    new MutationObserver(update).observe(document.body, { childList: true, subtree: true });
  });
})();
