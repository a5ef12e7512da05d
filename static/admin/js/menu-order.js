// A menu's items in the admin: ordered by dragging a row, or with its "Move up" and "Move down"
// buttons (keyboard). With this script the rows' order is their order on screen, written into
// the order fields (hidden) when the form is sent; without it, editors number them.
"use strict";

(function () {
  const TARGETS = ["label", "post", "topic", "tag", "author", "url"];

  function rows(table) {
    return Array.from(table.querySelectorAll("tbody tr.form-row:not(.empty-form)"));
  }

  function untouched(row) {
    // A row added and left empty: not numbered, so that Django ignores it as it would.
    const id = row.querySelector("input[name$='-id']");
    if (id && id.value) {
      return false;
    }
    return TARGETS.every((name) => {
      const input = row.querySelector(`[name$='-${name}']`);
      return !input || !input.value;
    });
  }

  function renumber(table) {
    let order = 1;
    for (const row of rows(table)) {
      const input = row.querySelector("input[name$='-order']");
      if (input && !untouched(row)) {
        input.value = order;
        order += 1;
      }
    }
  }

  function announce(table, message) {
    const status = table.closest(".inline-group").querySelector(".menu-order__status");
    status.textContent = message;
  }

  function move(row, step) {
    const table = row.closest("table");
    const all = rows(table);
    const index = all.indexOf(row);
    const target = all[index + step];
    if (!target) {
      return;
    }
    if (step < 0) {
      target.before(row);
    } else {
      target.after(row);
    }
    announce(table, `Moved to position ${index + step + 1} of ${all.length}.`);
  }

  function button(label, symbol, step) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = "menu-order__move";
    element.textContent = symbol;
    element.setAttribute("aria-label", label);
    element.title = label;
    element.addEventListener("click", () => {
      const row = element.closest("tr");
      move(row, step);
      element.focus();
    });
    return element;
  }

  const KINDS = { post: "post", topic: "topic", tag: "tag", author: "author", link: "url" };

  function showTargetOf(row) {
    // Only the field the kind links through is shown: a topic item has no post, tag or address.
    const kind = row.querySelector("select[name$='-kind']");
    for (const name of Object.values(KINDS)) {
      const cell = row.querySelector(`td.field-${name}`);
      if (cell) {
        cell.classList.toggle("menu-order__unused", kind && KINDS[kind.value] !== name);
      }
    }
  }

  function prepare(row) {
    if (row.dataset.menuOrder) {
      return;
    }
    row.dataset.menuOrder = "ready";
    showTargetOf(row);
    const kind = row.querySelector("select[name$='-kind']");
    if (kind) {
      kind.addEventListener("change", () => showTargetOf(row));
    }
    row.draggable = true;
    const cell = row.querySelector("td.field-order");
    const input = row.querySelector("input[name$='-order']");
    if (input) {
      input.tabIndex = -1; // hidden: its value follows the row's place
    }
    if (cell) {
      const tools = document.createElement("span");
      tools.className = "menu-order__tools";
      const handle = document.createElement("span");
      handle.className = "menu-order__handle";
      handle.textContent = "⠿";
      handle.title = "Drag to reorder";
      tools.append(handle, button("Move up", "↑", -1), button("Move down", "↓", 1));
      cell.append(tools);
    }
  }

  function setUp(group) {
    const table = group.querySelector("table");
    if (!table) {
      return;
    }
    group.classList.add("menu-order--scripted");
    const status = document.createElement("p");
    status.className = "menu-order__status";
    status.setAttribute("role", "status");
    group.prepend(status);
    const hint = document.createElement("p");
    hint.className = "menu-order__hint";
    hint.textContent = "Drag rows by ⠿, or use ↑ and ↓, to order the menu. The menu shows items in this order.";
    group.prepend(hint);
    rows(table).forEach(prepare);
    let dragged = null;
    table.addEventListener("dragstart", (event) => {
      dragged = event.target.closest("tr.form-row");
      if (dragged) {
        dragged.classList.add("menu-order--dragging");
        event.dataTransfer.effectAllowed = "move";
      }
    });
    table.addEventListener("dragover", (event) => {
      const over = event.target.closest("tr.form-row");
      if (!dragged || !over || over === dragged) {
        return;
      }
      event.preventDefault();
      const box = over.getBoundingClientRect();
      if (event.clientY < box.top + box.height / 2) {
        over.before(dragged);
      } else {
        over.after(dragged);
      }
    });
    table.addEventListener("dragend", () => {
      if (dragged) {
        dragged.classList.remove("menu-order--dragging");
        const position = rows(table).indexOf(dragged) + 1;
        announce(table, `Moved to position ${position} of ${rows(table).length}.`);
        dragged = null;
      }
    });
    // Rows added with "Add another" get the same tools.
    new MutationObserver(() => rows(table).forEach(prepare)).observe(table.tBodies[0], {
      childList: true,
    });
    table.closest("form").addEventListener("submit", () => renumber(table));
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".inline-group.menu-items, .menu-items").forEach((element) => {
      const group = element.closest(".inline-group") || element;
      if (!group.dataset.menuOrder) {
        group.dataset.menuOrder = "ready";
        setUp(group);
      }
    });
  });
})();
