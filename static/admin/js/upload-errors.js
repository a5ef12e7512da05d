/* markdownx's script reads only "image_code" from the upload answer: a refused image becomes
   the words "Invalid response" in the post and the server's reason is lost. Show the reason
   above the editor instead and take those words back out. */
"use strict";

(function () {
  function reasonsList(container) {
    let list = container.previousElementSibling;
    if (!list || !list.classList.contains("upload-errors")) {
      list = document.createElement("ul");
      list.className = "errorlist upload-errors";
      list.setAttribute("role", "alert");
      container.before(list);
    }
    return list;
  }

  // markdownx dispatches its events on the editor's container without bubbling: listen in
  // the capture phase, which every event passes through.
  document.addEventListener("markdownx.fileUploadError", (event) => {
    const container = event.target;
    const editor = container.querySelector(".markdownx-editor");
    if (!editor) return;
    const answer = (event.detail || [])[0] || {};
    const reasons = Object.values(answer).flat().filter((text) => typeof text === "string");
    const text = editor.value;
    const cursor = editor.selectionStart;
    // markdownx writes its placeholder as soon as this listener returns.
    setTimeout(() => {
      editor.value = text;
      editor.selectionStart = editor.selectionEnd = cursor;
      editor.dispatchEvent(new Event("input"));
    });
    const items = (reasons.length ? reasons : ["The image could not be uploaded."]).map(
      (reason) => Object.assign(document.createElement("li"), { textContent: reason }),
    );
    reasonsList(container).replaceChildren(...items);
  }, true);

  document.addEventListener("markdownx.fileUploadEnd", (event) => {
    const list = event.target.previousElementSibling;
    if (list && list.classList.contains("upload-errors")) list.remove();
  }, true);
})();
