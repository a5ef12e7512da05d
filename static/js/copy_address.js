// The subscribe pages' copy buttons: each copies the feed address it names (data-copy: the id
// of the element holding it). Without this script the buttons stay hidden and the addresses
// are text to select. Loaded as a file: the site's policy allows no inline script.
"use strict";

(function () {
  const status = document.querySelector(".copy-status");

  function say(message) {
    if (status) {
      status.textContent = "";
      window.setTimeout(() => { status.textContent = message; }, 50);
    }
  }

  function selectText(element) {
    const range = document.createRange();
    range.selectNodeContents(element);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  async function copy(button) {
    const source = document.getElementById(button.dataset.copy);
    if (!source) {
      return;
    }
    const address = source.textContent.trim();
    try {
      await navigator.clipboard.writeText(address);
      button.textContent = "Copied";
      say(`Copied ${address}`);
      window.setTimeout(() => { button.textContent = "Copy"; }, 2000);
    } catch (error) {
      // No clipboard (an insecure origin, or permission refused): select it for the reader.
      selectText(source);
      say("The address is selected: copy it with your device's copy command.");
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const button of document.querySelectorAll("button[data-copy]")) {
      button.hidden = false;
      button.addEventListener("click", () => copy(button));
    }
  });
})();
