/* The editorial calendar's drag and drop (templates/admin/blog/post/calendar.html). A post
   dropped on a day (or on the tray of unplanned drafts) is sent by its own "Move" form, the
   same request as without this script, so the server's workflow rules and conflict check decide
   and the page comes back with what happened. Without this script, or without a mouse, the
   "Move" under each post does the same. */
"use strict";

(function () {
  const calendar = document.querySelector("[data-calendar]");
  if (!calendar) return;
  const status = calendar.querySelector("[data-calendar-status]");
  let dragged = null;

  function targetOf(event) {
    const target = event.target.closest("[data-day]");
    return target && calendar.contains(target) ? target : null;
  }

  function clearTargets() {
    calendar.querySelectorAll(".is-drop-target").forEach((el) => el.classList.remove("is-drop-target"));
  }

  calendar.addEventListener("dragstart", (event) => {
    const entry = event.target.closest && event.target.closest("[data-entry]");
    if (!entry) return;
    dragged = entry;
    entry.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", entry.dataset.entry); // Firefox drags only with data
  });

  calendar.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    clearTargets();
  });

  calendar.addEventListener("dragover", (event) => {
    const target = dragged && targetOf(event);
    if (!target) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!target.classList.contains("is-drop-target")) {
      clearTargets();
      target.classList.add("is-drop-target");
    }
  });

  calendar.addEventListener("dragleave", (event) => {
    const target = targetOf(event);
    if (target && !target.contains(event.relatedTarget)) target.classList.remove("is-drop-target");
  });

  calendar.addEventListener("drop", (event) => {
    const target = dragged && targetOf(event);
    if (!target) return;
    event.preventDefault();
    const entry = dragged;
    clearTargets();
    const form = entry.querySelector("form.cal-move");
    const day = form && form.elements.namedItem("day");
    if (!form || !day) return;
    const unplan = target.dataset.day === "";
    if (unplan ? !day.defaultValue : day.defaultValue === target.dataset.day) return; // no move
    if (unplan) {
      const hidden = Object.assign(document.createElement("input"), {
        type: "hidden",
        name: "unplan",
        value: "1",
      });
      form.append(hidden);
    } else {
      day.value = target.dataset.day;
    }
    entry.classList.add("is-moving");
    if (status) status.textContent = `Moving to ${target.dataset.label || target.dataset.day}…`;
    form.requestSubmit();
  });
})();
