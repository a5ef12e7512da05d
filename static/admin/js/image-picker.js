/* Images in the post form (blog/admin/post_images.py): the library picker (the toolbar's Image
   button and the featured image's "Choose from library"), uploads into the library (the picker's
   upload field, files dropped on or pasted into the body, the featured image's "Upload"), and the
   alt text asked for before an image goes into the body as `![alt](image:ID)`. Every upload goes
   to the library through the one endpoint; nothing here writes a file's address into the text. */
"use strict";

// Loaded in the page's head (the admin's form media): everything waits for the document.
document.addEventListener("DOMContentLoaded", () => {
  const dialog = document.getElementById("image-picker");
  if (!dialog) return;
  const urls = { list: dialog.dataset.listUrl, upload: dialog.dataset.uploadUrl, alt: dialog.dataset.altUrl };
  const browse = dialog.querySelector(".image-picker__browse");
  const describe = dialog.querySelector(".image-picker__describe");
  const grid = dialog.querySelector(".image-picker__grid");
  const search = dialog.querySelector(".image-picker__search");
  const fileInput = dialog.querySelector(".image-picker__file");
  const status = dialog.querySelector(".image-picker__status");
  const errors = dialog.querySelector(".image-picker__errors");
  const more = dialog.querySelector(".image-picker__more");
  const title = dialog.querySelector(".image-picker__title");
  const altInput = dialog.querySelector(".image-picker__alt");
  const chosenImage = dialog.querySelector(".image-picker__chosen img");
  const chosenName = dialog.querySelector(".image-picker__chosen-name");
  const altNote = dialog.querySelector(".image-picker__alt-note");
  const insertButton = dialog.querySelector(".image-picker__insert");

  // What the open dialog is for: {heading, askAlt, choose(image, alt)}.
  let purpose = null;
  let chosen = null;
  let page = 1;
  let asked = 0;

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function showErrors(messages) {
    errors.replaceChildren(...messages.map((text) => Object.assign(document.createElement("li"), { textContent: text })));
    errors.hidden = messages.length === 0;
  }

  // The library -------------------------------------------------------------------------------

  function card(image) {
    const item = document.createElement("li");
    item.className = "image-picker__item";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "image-picker__choose";
    button.dataset.imageId = image.id;
    const thumb = document.createElement("img");
    thumb.src = image.thumbnail;
    thumb.alt = "";
    thumb.width = image.thumbnail_width || 160;
    thumb.height = image.thumbnail_height || 120;
    thumb.loading = "lazy";
    const name = document.createElement("span");
    name.className = "image-picker__name";
    name.textContent = image.title;
    const alt = document.createElement("span");
    alt.className = image.alt_text ? "image-picker__has-alt" : "image-picker__no-alt";
    alt.textContent = image.alt_text ? `Alt: ${image.alt_text}` : "No alt text yet";
    button.append(thumb, name, alt);
    button.setAttribute("aria-label", `${image.title}: ${image.alt_text || "no alt text yet"}`);
    button.addEventListener("click", () => pick(image));
    item.append(button);
    return item;
  }

  async function load(reset) {
    const ask = (asked += 1);
    if (reset) page = 1;
    const query = search.value.trim();
    status.textContent = "Loading the library…";
    try {
      const response = await fetch(`${urls.list}?q=${encodeURIComponent(query)}&page=${page}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const answer = await response.json();
      if (ask !== asked) return;
      if (!response.ok) throw new Error(answer.error || "The library could not be read.");
      const cards = answer.images.map(card);
      if (reset) grid.replaceChildren(...cards);
      else grid.append(...cards);
      more.hidden = !answer.more;
      const shown = grid.children.length;
      status.textContent = shown
        ? `${shown} image${shown === 1 ? "" : "s"}${query ? ` matching “${query}”` : ""}${answer.more ? ", more below" : ""}.`
        : query ? `No image matches “${query}”.` : "The library is empty: upload an image.";
    } catch (error) {
      if (ask === asked) status.textContent = error.message || "The library could not be read.";
    }
  }

  let searchTimer = null;
  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => load(true), 200);
  });
  more.addEventListener("click", () => {
    page += 1;
    load(false);
  });

  // Uploads -------------------------------------------------------------------------------------

  async function upload(file, altText) {
    const data = new FormData();
    data.append("image", file, file.name || "pasted-image.png");
    if (altText) data.append("alt_text", altText);
    let response;
    try {
      response = await fetch(urls.upload, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      });
    } catch {
      throw new Error(`“${file.name}” could not be sent: check the connection and try again.`);
    }
    let answer = {};
    try { answer = await response.json(); } catch { /* not JSON: below */ }
    if (!response.ok) {
      const reasons = Array.isArray(answer.image) ? answer.image : [];
      throw new Error(reasons.join(" ") || answer.error || `“${file.name}” could not be uploaded (${response.status}).`);
    }
    return answer.image;
  }

  fileInput.addEventListener("change", async () => {
    const files = [...fileInput.files];
    fileInput.value = "";
    if (!files.length) return;
    showErrors([]);
    status.textContent = `Uploading “${files[0].name}”…`;
    try {
      const image = await upload(files[0]);
      status.textContent = `“${files[0].name}” is in the library.`;
      pick(image);
    } catch (error) {
      status.textContent = "";
      showErrors([error.message]);
    }
  });

  // Choosing, and the alt text --------------------------------------------------------------------

  function pick(image) {
    chosen = image;
    if (!purpose.askAlt) {
      purpose.choose(image, image.alt_text);
      close();
      return;
    }
    chosenImage.src = image.thumbnail;
    chosenName.textContent = image.title;
    altInput.value = image.alt_text || "";
    altNote.textContent = image.alt_text
      ? "Prefilled from the library. Change it if this post needs other words."
      : image.editable
        ? "This image has no alt text in the library yet: what you write here is kept there too."
        : "This image has no alt text in the library yet: publishing needs it here.";
    browse.hidden = true;
    describe.hidden = false;
    altInput.focus();
    altInput.select();
  }

  insertButton.addEventListener("click", (event) => {
    event.preventDefault();
    if (!chosen) return;
    purpose.choose(chosen, altInput.value.replace(/\s+/g, " ").trim());
    close();
  });
  dialog.querySelector(".image-picker__back").addEventListener("click", () => {
    describe.hidden = true;
    browse.hidden = false;
    if (!grid.children.length) load(true);
    search.focus();
  });
  dialog.querySelectorAll(".image-picker__close").forEach((button) => button.addEventListener("click", close));
  dialog.addEventListener("close", () => {
    const after = purpose && purpose.closed;
    purpose = null;
    chosen = null;
    if (after) after();
  });

  function close() {
    if (dialog.open) dialog.close();
  }

  /* Open the picker. `choose(image, alt)` is called with what was picked; `image` given (an
     upload just made) skips the library and asks for its alt text at once. */
  function open({ heading, askAlt = true, choose, closed, image = null }) {
    purpose = { heading, askAlt, choose, closed };
    title.textContent = heading;
    showErrors([]);
    status.textContent = "";
    describe.hidden = true;
    browse.hidden = false;
    if (!dialog.open) dialog.showModal();
    if (image) {
      pick(image);
    } else {
      search.value = "";
      load(true);
      search.focus();
    }
  }

  // The body: the toolbar's Image button, drops and pastes -------------------------------------

  // Brackets would end the reference's alt text early: they become parentheses.
  function markdownAlt(text) {
    return text.replace(/\[/g, "(").replace(/\]/g, ")");
  }

  function insertReference(textarea, at, image, alt) {
    const { value } = textarea;
    const before = at > 0 && value[at - 1] !== "\n" ? "\n\n" : "";
    const after = value[at] === "\n" ? "\n" : "\n\n";
    const text = `${before}![${markdownAlt(alt)}](image:${image.id})${after}`;
    textarea.focus();
    textarea.setSelectionRange(at, at);
    let done = false;
    try {
      done = document.execCommand("insertText", false, text); // Undo undoes it
    } catch { /* below */ }
    if (!done || textarea.value.slice(at, at + text.length) !== text) {
      textarea.setRangeText(text, at, at, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    const end = at + text.length;
    textarea.setSelectionRange(end, end);
    return end;
  }

  // Alt text typed for an image with none in the library is kept there too, where the writer
  // may change the image (their own upload): the next post using it starts from it.
  function keepAltText(image, alt) {
    if (!alt || image.alt_text || !image.editable) return;
    const data = new FormData();
    data.append("alt_text", alt);
    fetch(urls.alt.replace(/\/0\//, `/${image.id}/`), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    }).catch(() => { /* the reference has it; the library can be told later */ });
  }

  function bodyPicker(textarea, image = null, then = null) {
    let at = textarea.selectionEnd;
    open({
      heading: image ? "Describe the uploaded image" : "Insert an image",
      image,
      choose: (picked, alt) => {
        at = insertReference(textarea, at, picked, alt);
        keepAltText(picked, alt);
      },
      closed: () => {
        if (then) then(at);
        else textarea.focus();
      },
    });
  }

  function imageFiles(list) {
    return [...(list || [])].filter((file) => file.type.startsWith("image/") || !file.type);
  }

  function startBody(container) {
    const textarea = container.querySelector("textarea.markdownx-editor");
    if (!textarea) return;
    const hint = document.createElement("p");
    hint.className = "md-drop-hint";
    hint.id = `${textarea.id}_images`;
    hint.textContent = "Drop or paste images into the text: they go into the image library and the post, and you are asked for their alt text.";
    const problems = document.createElement("ul");
    problems.className = "errorlist md-drop-errors";
    problems.setAttribute("role", "alert");
    problems.hidden = true;
    container.before(hint, problems);
    textarea.setAttribute("aria-describedby", [textarea.getAttribute("aria-describedby"), hint.id].filter(Boolean).join(" "));

    function report(messages) {
      problems.replaceChildren(...messages.map((text) => Object.assign(document.createElement("li"), { textContent: text })));
      problems.hidden = messages.length === 0;
    }

    // One file after the other: each is uploaded, then its alt text asked for, then inserted
    // where the text's cursor was (after the previous one).
    async function take(files) {
      report([]);
      const failed = [];
      let at = textarea.selectionEnd;
      for (const file of files) {
        hint.textContent = `Uploading “${file.name || "pasted image"}” to the library…`;
        let image;
        try {
          image = await upload(file);
        } catch (error) {
          failed.push(error.message);
          continue;
        }
        textarea.setSelectionRange(at, at);
        at = await new Promise((resolve) => bodyPicker(textarea, image, resolve));
      }
      hint.textContent = "Drop or paste images into the text: they go into the image library and the post, and you are asked for their alt text.";
      report(failed);
    }

    // In the capture phase on the container, before markdownx's own handlers on the textarea:
    // its upload would insert `![](address)` with no alt text and no library image.
    container.addEventListener("dragover", (event) => {
      if (event.target !== textarea || !event.dataTransfer || ![...event.dataTransfer.types].includes("Files")) return;
      event.preventDefault();
      event.stopPropagation();
      event.dataTransfer.dropEffect = "copy";
      container.classList.add("markdownx--dropping");
    }, true);
    container.addEventListener("dragleave", () => container.classList.remove("markdownx--dropping"), true);
    container.addEventListener("drop", (event) => {
      container.classList.remove("markdownx--dropping");
      if (event.target !== textarea || !event.dataTransfer || !event.dataTransfer.files.length) return;
      event.preventDefault();
      event.stopPropagation();
      const files = imageFiles(event.dataTransfer.files);
      if (files.length) take(files);
      else report(["Only images can be dropped here (JPEG, PNG, WebP or GIF)."]);
    }, true);
    container.addEventListener("paste", (event) => {
      if (event.target !== textarea || !event.clipboardData) return;
      const files = imageFiles(event.clipboardData.files);
      if (!files.length) return; // text pastes as text
      event.preventDefault();
      event.stopPropagation();
      take(files);
    }, true);

    // The toolbar's Image button and its shortcut (post-writing.js) open the library.
    textarea.addEventListener("byline:image", (event) => {
      event.preventDefault(); // tells the toolbar the picker took it
      bodyPicker(textarea);
    });
  }

  // The featured image -------------------------------------------------------------------------

  function startFeatured(widget) {
    const input = widget.querySelector(".featured-picker__id");
    const preview = widget.querySelector(".featured-picker__preview");
    const name = widget.querySelector(".featured-picker__name");
    const remove = widget.querySelector(".featured-picker__remove");
    const file = widget.querySelector(".featured-picker__file");
    const problems = widget.querySelector(".featured-picker__errors");
    widget.querySelector(".featured-picker__actions").hidden = false;
    input.type = "hidden"; // the number stays the value; the picture and name show it
    const label = widget.querySelector(".featured-picker__id-label");
    if (label) label.hidden = true;

    function set(image) {
      input.value = image ? image.id : "";
      input.dispatchEvent(new Event("change", { bubbles: true })); // autosave hears it
      preview.hidden = !image;
      remove.hidden = !image;
      if (image) {
        preview.src = image.thumbnail;
        preview.width = image.thumbnail_width;
        preview.height = image.thumbnail_height;
        name.textContent = `${image.title}${image.alt_text ? ` (alt: ${image.alt_text})` : " (no alt text yet: publishing needs one)"}`;
      } else {
        preview.removeAttribute("src");
        name.textContent = "No featured image.";
      }
    }

    widget.querySelector(".featured-picker__choose").addEventListener("click", () => {
      open({ heading: "Choose the featured image", askAlt: false, choose: set });
    });
    remove.addEventListener("click", () => set(null));
    file.addEventListener("change", async () => {
      const chosenFile = file.files[0];
      file.value = "";
      if (!chosenFile) return;
      problems.hidden = true;
      name.textContent = `Uploading “${chosenFile.name}”…`;
      try {
        set(await upload(chosenFile));
      } catch (error) {
        name.textContent = "";
        problems.replaceChildren(Object.assign(document.createElement("li"), { textContent: error.message }));
        problems.hidden = false;
      }
    });
  }

  document.querySelectorAll("div.markdownx").forEach(startBody);
  document.querySelectorAll(".featured-picker").forEach(startFeatured);
});
