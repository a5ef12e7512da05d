/* The post form's editing aids (blog/admin/editing.py): unsaved changes are autosaved as the
   editor's own draft a moment after they stop typing, and offered back when the form opens
   again; others who have the post open are named; leaving the form with unsaved changes asks
   first. The form's fields are kept by name, so whatever the form holds (inline rows, the
   version it was loaded from) comes back as it was. */
"use strict";

(function () {
  const AUTOSAVE_IDLE_MS = 2000; // after the last change…
  const AUTOSAVE_LATEST_MS = 10000; // …or this long after the first one not yet sent
  const NEW_POST_KEY = "byline.newPostDraftKey";
  const NOT_KEPT = /^(csrfmiddlewaretoken|_draft_key)$|-(INITIAL|MIN_NUM|MAX_NUM)_FORMS$|__prefix__/;
  const NOT_TEXT = ["file", "submit", "button", "reset", "image", "select-multiple"];

  function kept(element) {
    return Boolean(element.name) && !element.disabled && !NOT_KEPT.test(element.name) &&
      !NOT_TEXT.includes(element.type);
  }

  function fieldsOf(form) {
    const fields = {};
    for (const element of form.elements) {
      if (!kept(element)) continue;
      if (element.type === "checkbox") fields[element.name] = element.checked;
      else if (element.type !== "radio") fields[element.name] = element.value;
      else if (element.checked) fields[element.name] = element.value;
    }
    return fields;
  }

  function sameFields(fields, current) {
    return Object.keys(fields).every((name) => current[name] === fields[name]);
  }

  // Inline rows the draft had and the form has not yet are added with the inline's own
  // "Add another" link, so they come with its delete buttons and widgets.
  function addRows(form, fields) {
    for (const [name, wanted] of Object.entries(fields)) {
      const prefix = name.match(/^(.+)-TOTAL_FORMS$/);
      const total = form.elements.namedItem(name);
      if (!prefix || !total) continue;
      const add = document.querySelector(`#${CSS.escape(prefix[1])}-group .add-row a`);
      while (add && Number(total.value) < Number(wanted)) {
        const before = total.value;
        add.click();
        if (total.value === before) break; // the inline's maximum reached
      }
    }
  }

  function fill(form, fields) {
    addRows(form, fields);
    for (const [name, value] of Object.entries(fields)) {
      if (name.endsWith("-TOTAL_FORMS")) continue;
      const found = form.elements.namedItem(name);
      if (!found) continue;
      for (const element of found instanceof RadioNodeList ? [...found] : [found]) {
        if (!kept(element)) continue;
        if (element.type === "checkbox") element.checked = Boolean(value);
        else if (element.type === "radio") element.checked = element.value === value;
        else element.value = value;
        // The live preview, the slug from the title and the like follow these.
        element.dispatchEvent(new Event("input", { bubbles: true }));
        element.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
  }

  function newKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  }

  // This tab's key for the never-saved post it shows: kept across reloads of the tab.
  function tabKey() {
    try {
      const key = sessionStorage.getItem(NEW_POST_KEY) || newKey();
      sessionStorage.setItem(NEW_POST_KEY, key);
      return key;
    } catch {
      return newKey();
    }
  }

  function start(root) {
    const form = root.closest("form");
    const csrfToken = form.elements.namedItem("csrfmiddlewaretoken").value;
    const status = root.querySelector(".post-editing__status");
    const presence = root.querySelector(".post-editing__presence");
    const offer = root.querySelector(".post-editing__offer");
    const offered = document.getElementById("post-editing-draft");
    const draft = offered ? JSON.parse(offered.textContent) : null;
    // A form sent back with errors holds changes that were not saved.
    const refused = form.querySelector(".errornote") !== null;
    const newPost = !root.dataset.presenceUrl;
    let key = "";
    if (newPost) {
      key = tabKey();
      const keyInput = Object.assign(document.createElement("input"), {
        type: "hidden",
        name: "_draft_key",
        value: key,
      });
      form.append(keyInput);
      form.addEventListener("submit", () => { keyInput.value = key; });
    }

    // The status line sits beside the buttons that save: in the post bar, kept in view.
    const bar = form.querySelector(".post-bar__actions");
    const buttons = form.querySelector(".submit-row");
    if (bar) bar.prepend(status);
    else if (buttons) buttons.before(status);

    function say(text, problem = false) {
      status.textContent = text;
      status.classList.toggle("post-editing__status--problem", problem);
      status.hidden = false;
    }

    async function send(url, data, keepalive = false) {
      const response = await fetch(url, {
        method: "POST",
        keepalive,
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
        body: JSON.stringify(data),
      });
      // A session that ended is sent to the login page.
      const json = (response.headers.get("Content-Type") || "").startsWith("application/json");
      const body = json ? await response.json() : {};
      return { ok: response.ok && json, loggedOut: response.redirected, body };
    }

    // Unsaved changes: the form differs from how it was loaded ------------------------------

    const loaded = JSON.stringify(fieldsOf(form));
    let submitting = false;

    function unsaved() {
      return !submitting && (refused || JSON.stringify(fieldsOf(form)) !== loaded);
    }

    window.addEventListener("beforeunload", (event) => {
      if (!unsaved()) return;
      event.preventDefault();
      event.returnValue = ""; // older browsers ask only when this is set
    });
    form.addEventListener("submit", () => {
      submitting = true;
      clearTimeout(timer);
    });

    // Autosave --------------------------------------------------------------------------------

    let lastSent = refused ? null : loaded;
    let timer = null;
    let firstUnsent = null;
    let sending = false;

    function changed() {
      if (submitting) return;
      clearTimeout(timer);
      const now = Date.now();
      firstUnsent = firstUnsent ?? now;
      const wait = Math.min(AUTOSAVE_IDLE_MS, firstUnsent + AUTOSAVE_LATEST_MS - now);
      timer = setTimeout(autosave, Math.max(0, wait));
    }

    async function autosave() {
      timer = null;
      if (submitting) return;
      if (sending) {
        timer = setTimeout(autosave, 500); // once the one on its way is answered
        return;
      }
      const fields = fieldsOf(form);
      const text = JSON.stringify(fields);
      if (text === lastSent) {
        firstUnsent = null;
        return;
      }
      sending = true;
      firstUnsent = null;
      try {
        const answer = await send(root.dataset.draftUrl, newPost ? { key, fields } : { fields });
        if (answer.ok) {
          lastSent = text;
          say(`Autosaved at ${answer.body.saved_display} (only you see these changes until you save).`);
        } else if (answer.loggedOut) {
          say("Not autosaved: you are logged out. Log in again in another tab, then keep typing here.", true);
        } else {
          say(`Not autosaved: ${answer.body.error || "the server refused it."}`, true);
        }
      } catch {
        say("Not autosaved: the server cannot be reached. Keep this page open.", true);
      } finally {
        sending = false;
      }
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    if (refused) changed();

    // A tab closed within the wait still sends its last change (a keepalive request outlives
    // the page, up to 64 kB).
    window.addEventListener("pagehide", () => {
      if (submitting) return;
      const fields = fieldsOf(form);
      if (JSON.stringify(fields) === lastSent) return;
      send(root.dataset.draftUrl, newPost ? { key, fields } : { fields }, true).catch(() => {});
    });

    // The draft offered back ------------------------------------------------------------------

    if (draft && offer) {
      // A draft the form already holds (sent back with errors, or saved as it was) needs no offer.
      offer.hidden = sameFields(draft.fields, fieldsOf(form));
      offer.querySelector(".post-editing__restore").addEventListener("click", () => {
        if (newPost && draft.key) {
          key = draft.key; // go on with that draft rather than start another
          try { sessionStorage.setItem(NEW_POST_KEY, key); } catch { /* kept for this page */ }
        }
        fill(form, draft.fields);
        offer.className = "success post-editing__offer";
        offer.textContent = `Restored your unsaved changes from ${draft.when} — save the post to keep them.`;
      });
      offer.querySelector(".post-editing__discard").addEventListener("click", async () => {
        offer.hidden = true;
        try {
          await send(root.dataset.discardUrl, newPost ? { key: draft.key } : {});
        } catch { /* offered again next time */ }
      });
    }

    // Presence --------------------------------------------------------------------------------

    if (newPost) return;
    const every = 1000 * Number(root.dataset.heartbeatSeconds || 10);

    function showOthers(others) {
      const names = others.map((other) => `${other.name} (since ${other.since_display})`);
      const text = others.length === 1
        ? `${others[0].name} is also editing this post (since ${others[0].since_display}).`
        : `${names.slice(0, -1).join(", ")} and ${names.at(-1)} are also editing this post.`;
      presence.textContent = others.length ? text : "";
      presence.hidden = others.length === 0;
    }

    async function heartbeat() {
      try {
        const answer = await send(root.dataset.presenceUrl, {});
        if (answer.ok) showOthers(answer.body.others);
      } catch { /* shown as it was until the next one gets through */ }
      setTimeout(heartbeat, every);
    }

    heartbeat();
    window.addEventListener("pagehide", () => {
      const data = new FormData();
      data.append("csrfmiddlewaretoken", csrfToken);
      navigator.sendBeacon(root.dataset.leaveUrl, data);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const root = document.getElementById("post-editing");
    if (root) start(root);
  });
})();
