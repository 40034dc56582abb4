// Tables written by hand (not through templates/includes/table.html) become cards on a phone
// too: each cell gets its column's header as data-label, read by portal.css's card layout.
// Without this script those tables keep scrolling sideways inside their .table-wrap.
document.querySelectorAll(".table-wrap:not(.table-cards)").forEach((wrap) => {
  const table = wrap.querySelector("table");
  if (!table || !table.tHead) return;
  const headers = [...table.tHead.rows[0].cells].map((th) => th.textContent.trim());
  for (const body of table.tBodies) {
    for (const row of body.rows) {
      [...row.cells].forEach((cell, index) => {
        if (!cell.hasAttribute("data-label") && cell.colSpan === 1) {
          cell.setAttribute("data-label", headers[index] || "");
        }
      });
    }
  }
  wrap.classList.add("table-cards");
});
