/* The post form's "Make /go/ links of affiliate URLs" (blog/admin/go_links.py): the body is
   sent as the form holds it, and comes back with every affiliate address pointing at the
   site's /go/ link for it (made if missing). The text is replaced as if typed, so the
   browser's undo brings the old one back; nothing is saved until the editor saves the post.
   Without this script the button is not there, and the form works as before. */
"use strict";

(function () {
  function replaceText(textarea, text) {
    textarea.focus();
    textarea.select();
    let typed = false;
    try {
      typed = document.execCommand("insertText", false, text); // keeps the undo history
    } catch {
      typed = false;
    }
    if (!typed || textarea.value !== text) {
      textarea.value = text;
      textarea.dispatchEvent(new Event("input", { bubbles: true })); // the live preview follows
    }
    textarea.setSelectionRange(0, 0);
  }

  function described(links) {
    return links.map((link) =>
      `${link.address} (${link.name}${link.active ? "" : ", retired: shown as plain text"})`
    ).join(", ");
  }

  function start(root) {
    const form = root.closest("form");
    const body = form && form.elements.namedItem("body");
    if (!body || body.tagName !== "TEXTAREA") return;
    const csrfToken = form.elements.namedItem("csrfmiddlewaretoken").value;
    const button = Object.assign(document.createElement("button"), {
      type: "button",
      className: "button go-links__button",
      textContent: "Make /go/ links of affiliate URLs",
    });
    const status = Object.assign(document.createElement("p"), { className: "help go-links__status" });
    status.setAttribute("aria-live", "polite");
    const row = body.closest(".form-row") || body.parentElement;
    row.append(button, status);

    button.addEventListener("click", async () => {
      button.disabled = true;
      status.textContent = "Looking for affiliate addresses…";
      const sent = body.value;
      try {
        const response = await fetch(root.dataset.url, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
          body: JSON.stringify({ body: sent }),
        });
        const json = (response.headers.get("Content-Type") || "").startsWith("application/json");
        const answer = json ? await response.json() : {};
        if (response.redirected) {
          status.textContent = "You are logged out: log in again in another tab, then try again.";
        } else if (!response.ok || !json) {
          status.textContent = `Not changed: ${answer.error || "the server refused it."}`;
        } else if (body.value !== sent) {
          status.textContent = "Not changed: the body was edited meanwhile. Press the button again.";
        } else if (answer.links.length === 0) {
          status.textContent = "No affiliate address found in the links of the body.";
        } else {
          if (answer.body !== body.value) replaceText(body, answer.body);
          status.textContent = `Now linking to ${described(answer.links)}. Save the post to keep it (undo brings the old text back).`;
        }
      } catch {
        status.textContent = "Not changed: the server cannot be reached.";
      } finally {
        button.disabled = false;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const root = document.getElementById("go-links");
    if (root) start(root);
  });
})();
