/* The post form as a place to write (blog/admin/writing.py): a Markdown toolbar with keyboard
   shortcuts acting on the body's selection, the body's words and reading time counted as the
   server counts them, counters and search and social previews for the title and description,
   a wide writing mode, suggestions of existing tags, and FAQs, references and authors ordered
   by dragging or by moving them up and down. Everything here is an aid: without this script
   the form still saves as it always did. */
"use strict";

(function () {
  const WIDE_KEY = "byline.wideWriting";
  const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

  // Markdown toolbar ----------------------------------------------------------------------------

  // key: what the shortcut needs besides Ctrl (Cmd on a Mac), as KeyboardEvent.key lowercased
  // or, for digits and punctuation, KeyboardEvent.code (the same key on every layout).
  const TOOLS = [
    { action: "heading", label: "Heading", text: "H", shift: true, key: "h", shown: "H" },
    { action: "bold", label: "Bold", text: "B", key: "b", shown: "B" },
    { action: "italic", label: "Italic", text: "I", key: "i", shown: "I" },
    { action: "link", label: "Link", text: "Link", key: "k", shown: "K" },
    { action: "image", label: "Image", text: "Image", shift: true, key: "g", shown: "G" },
    { action: "list", label: "Bulleted list", text: "List", shift: true, code: "Digit8", shown: "8" },
    { action: "quote", label: "Quote", text: "Quote", shift: true, code: "Period", shown: "." },
    { action: "code", label: "Code", text: "Code", key: "e", shown: "E" },
  ];

  function keysFor(tool) {
    const shift = tool.shift ? "Shift+" : "";
    return {
      aria: `Control+${shift}${tool.shown} Meta+${shift}${tool.shown}`,
      human: `${isMac ? "⌘" : "Ctrl+"}${tool.shift ? (isMac ? "⇧" : "Shift+") : ""}${tool.shown}`,
    };
  }

  function toolFor(event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return null;
    return TOOLS.find((tool) => Boolean(tool.shift) === event.shiftKey &&
      (tool.code ? event.code === tool.code : event.key.toLowerCase() === tool.key)) || null;
  }

  // Replaces the selection with `text` through the browser's own editing, so Undo undoes it and
  // the live preview and autosave hear of it, then selects [from, to) of the new value.
  function replace(textarea, start, end, text, from, to) {
    textarea.focus();
    textarea.setSelectionRange(start, end);
    let done = false;
    try {
      done = document.execCommand("insertText", false, text);
    } catch { /* not supported: done below */ }
    if (!done || textarea.value.slice(start, start + text.length) !== text) {
      textarea.setRangeText(text, start, end, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    textarea.setSelectionRange(from, to);
  }

  function wrap(textarea, mark, placeholder) {
    const { value, selectionStart, selectionEnd } = textarea;
    let start = selectionStart;
    let end = selectionEnd;
    // A double-clicked word comes with its space: the marks go around the word only.
    while (end > start && /\s/.test(value[end - 1])) end -= 1;
    while (start < end && /\s/.test(value[start])) start += 1;
    const selected = value.slice(start, end);
    const n = mark.length;
    if (value.slice(start - n, start) === mark && value.slice(end, end + n) === mark) {
      replace(textarea, start - n, end + n, selected, start - n, end - n); // marked: unmark
      return;
    }
    if (selected.length >= 2 * n && selected.startsWith(mark) && selected.endsWith(mark)) {
      const inner = selected.slice(n, -n);
      replace(textarea, start, end, inner, start, start + inner.length);
      return;
    }
    const inner = selected || placeholder;
    replace(textarea, start, end, mark + inner + mark, start + n, start + n + inner.length);
  }

  // Each selected line gets `prefix`, or loses it if every one has it.
  function prefixLines(textarea, prefix) {
    const { value, selectionStart, selectionEnd } = textarea;
    const start = value.lastIndexOf("\n", selectionStart - 1) + 1;
    let end = value.indexOf("\n", selectionEnd === selectionStart ? selectionEnd : selectionEnd - 1);
    if (end === -1) end = value.length;
    const lines = value.slice(start, end).split("\n");
    const all = lines.every((line) => line.startsWith(prefix));
    const changed = lines.map((line) => {
      if (all) return line.slice(prefix.length);
      if (prefix.startsWith("#")) return prefix + line.replace(/^#{1,6}\s+/, "");
      return prefix + line;
    }).join("\n");
    if (selectionStart === selectionEnd) {
      const caret = Math.max(start, selectionStart + changed.length - (end - start));
      replace(textarea, start, end, changed, caret, caret);
    } else {
      replace(textarea, start, end, changed, start, start + changed.length);
    }
  }

  function link(textarea, image) {
    const { value, selectionStart: start, selectionEnd: end } = textarea;
    const selected = value.slice(start, end);
    const bang = image ? "!" : "";
    if (/^https?:\/\/\S+$/.test(selected)) {
      const text = image ? "alt text" : "link text";
      const from = start + bang.length + 1;
      replace(textarea, start, end, `${bang}[${text}](${selected})`, from, from + text.length);
      return;
    }
    const text = selected || (image ? "Describe the image" : "link text");
    const from = start + bang.length + text.length + 3;
    replace(textarea, start, end, `${bang}[${text}](https://)`, from, from + "https://".length);
  }

  function code(textarea) {
    const { value, selectionStart: start, selectionEnd: end } = textarea;
    const selected = value.slice(start, end);
    if (!selected.includes("\n")) {
      wrap(textarea, "`", "code");
      return;
    }
    const before = start > 0 && value[start - 1] !== "\n" ? "\n" : "";
    const block = `${before}\`\`\`\n${selected.replace(/\n$/, "")}\n\`\`\`\n`;
    replace(textarea, start, end, block, start + before.length + 4, start + block.length - 5);
  }

  const ACTIONS = {
    heading: (textarea) => prefixLines(textarea, "## "),
    bold: (textarea) => wrap(textarea, "**", "bold text"),
    italic: (textarea) => wrap(textarea, "_", "italic text"),
    link: (textarea) => link(textarea, false),
    // The image library's picker (image-picker.js) when the form has one.
    image: (textarea) => {
      const asked = new CustomEvent("byline:image", { cancelable: true });
      if (textarea.dispatchEvent(asked)) link(textarea, true);
    },
    list: (textarea) => prefixLines(textarea, "- "),
    quote: (textarea) => prefixLines(textarea, "> "),
    code,
  };

  function toolbar(textarea) {
    const bar = document.createElement("div");
    bar.className = "md-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Formatting");
    bar.setAttribute("aria-controls", textarea.id);
    TOOLS.forEach((tool, index) => {
      const keys = keysFor(tool);
      const button = document.createElement("button");
      button.type = "button";
      button.className = `md-toolbar__button md-toolbar__button--${tool.action}`;
      button.dataset.action = tool.action;
      button.textContent = tool.text;
      button.setAttribute("aria-label", tool.label);
      button.setAttribute("aria-keyshortcuts", keys.aria);
      button.title = `${tool.label} (${keys.human})`;
      button.tabIndex = index === 0 ? 0 : -1; // one stop in the tab order; arrows move within
      button.addEventListener("click", () => ACTIONS[tool.action](textarea));
      bar.append(button);
    });
    bar.addEventListener("keydown", (event) => {
      const buttons = [...bar.querySelectorAll("button")];
      const at = buttons.indexOf(document.activeElement);
      const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 }[event.key];
      if (to === undefined || at === -1) return;
      event.preventDefault();
      const next = buttons[(to + buttons.length) % buttons.length];
      buttons.forEach((button) => { button.tabIndex = button === next ? 0 : -1; });
      next.focus();
    });
    return bar;
  }

  function startEditor(container) {
    const textarea = container.querySelector("textarea.markdownx-editor");
    const preview = container.querySelector(".markdownx-preview");
    if (!textarea) return;
    const bar = toolbar(textarea);
    const stats = document.createElement("p");
    stats.className = "md-stats";
    stats.id = `${textarea.id}_stats`;
    const hint = document.createElement("span");
    hint.className = "md-toolbar__hint";
    hint.textContent = "Esc then Tab leaves the text.";
    bar.append(hint);
    const top = document.createElement("div");
    top.className = "md-top";
    top.append(bar, stats);
    container.before(top);
    textarea.setAttribute(
      "aria-describedby",
      [textarea.getAttribute("aria-describedby"), stats.id].filter(Boolean).join(" "),
    );
    if (preview) {
      preview.classList.add("prose");
      preview.setAttribute("aria-label", "Preview");
      preview.setAttribute("role", "region");
      preview.tabIndex = 0; // it scrolls: the keyboard must reach it
    }

    // Before markdownx's own handlers on the textarea: shortcuts, and a way out for the
    // keyboard (markdownx makes Tab indent).
    let leaving = false;
    container.addEventListener("keydown", (event) => {
      if (event.target !== textarea) return;
      if (event.key === "Escape") {
        leaving = true;
        return;
      }
      if (event.key === "Tab" && leaving) {
        event.stopPropagation(); // markdownx never sees it: the browser moves focus on
        leaving = false;
        return;
      }
      leaving = false;
      const tool = toolFor(event);
      if (!tool) return;
      event.preventDefault();
      event.stopPropagation();
      ACTIONS[tool.action](textarea);
    }, true);

    // Words and reading time as save() counts them (blog/rendering.py count_words,
    // reading_minutes): words of the rendered body's text, at so many a minute, at least one.
    const perMinute = Number(document.getElementById("post-writing").dataset.wordsPerMinute);
    const WORD = /[\p{L}\p{N}_]+(?:['’-][\p{L}\p{N}_]+)*/gu;
    function count() {
      const text = preview && preview.textContent.trim() ? preview.textContent : "";
      const words = (text.match(WORD) || []).length;
      const minutes = Math.max(1, Math.ceil(words / perMinute));
      stats.textContent = `${words.toLocaleString()} word${words === 1 ? "" : "s"} · ${minutes} min read`;
    }
    if (preview) new MutationObserver(count).observe(preview, { childList: true, subtree: true, characterData: true });
    count();
  }

  // Counters and previews of how the post shows elsewhere ----------------------------------------

  function counter(input, guide, overText) {
    const note = document.createElement("p");
    note.className = "char-count";
    note.id = `${input.id}_count`;
    input.after(note);
    input.setAttribute(
      "aria-describedby",
      [input.getAttribute("aria-describedby"), note.id].filter(Boolean).join(" "),
    );
    function update() {
      const length = [...input.value].length;
      const over = length > guide;
      note.textContent = `${length} / ${guide} characters${over ? `: ${overText}` : ""}`;
      note.classList.toggle("char-count--over", over);
    }
    input.addEventListener("input", update);
    update();
  }

  function clip(text, length) {
    const chars = [...text.trim()];
    return chars.length > length ? `${chars.slice(0, length - 1).join("").trimEnd()}…` : chars.join("");
  }

  function startPreviews(settings) {
    const field = (name) => document.getElementById(`id_${name}`);
    const title = field("title");
    const seoTitle = field("seo_title");
    const description = field("description");
    const slug = field("slug");
    const body = document.querySelector(".markdownx-preview");
    if (description) counter(description, 155, "search results cut off the rest");
    if (seoTitle) counter(seoTitle, 60, "search results cut off the rest");
    const box = document.getElementById("sharing-preview");
    if (!box || !title) return;
    const saved = {
      title: box.querySelector(".serp__title").textContent,
      description: box.querySelector(".serp__description").textContent,
    };

    function update() {
      const headline = title.value.trim();
      const pageTitle = (seoTitle && seoTitle.value.trim()) || headline || saved.title;
      if (seoTitle) seoTitle.placeholder = headline ? `Blank: “${clip(headline, 60)}”` : "";
      const excerpt = body && body.textContent.trim() ? body.textContent.replace(/\s+/g, " ") : "";
      const summary = (description && description.value.trim()) || excerpt || saved.description;
      const path = (slug && slug.value.trim()) || "…";
      const address = settings.address.replace(settings.slugStandIn, path);
      box.querySelector(".serp__name").textContent = settings.siteName;
      box.querySelector(".serp__url").textContent = address.replace(/^https?:\/\//, "").replace(/\/$/, "").split("/").join(" › ");
      box.querySelector(".serp__title").textContent = clip(`${pageTitle} · ${settings.siteName}`, 60);
      box.querySelector(".serp__description").textContent = clip(summary, 158);
      box.querySelector(".social-card__host").textContent = settings.siteHost;
      box.querySelector(".social-card__title").textContent = clip(pageTitle, 90);
      box.querySelector(".social-card__description").textContent = clip(summary, 120);
    }
    for (const input of [title, seoTitle, description, slug]) {
      if (input) input.addEventListener("input", update);
    }
    if (body) new MutationObserver(update).observe(body, { childList: true, subtree: true });
    update();
  }

  // Wide writing mode ---------------------------------------------------------------------------

  function startWide() {
    const button = document.querySelector(".post-bar__wide");
    if (!button) return;
    function set(wide) {
      document.body.classList.toggle("post-writing--wide", wide);
      button.setAttribute("aria-pressed", String(wide));
      try { localStorage.setItem(WIDE_KEY, wide ? "1" : "0"); } catch { /* this page only */ }
    }
    let stored = null;
    try { stored = localStorage.getItem(WIDE_KEY); } catch { /* not kept */ }
    set(stored === "1");
    button.hidden = false;
    button.addEventListener("click", () => set(button.getAttribute("aria-pressed") !== "true"));
  }

  // Tag suggestions -----------------------------------------------------------------------------

  // As the server writes names (blog/tag_strings.py): one with a comma, a quote or a space is
  // quoted, its quotes doubled.
  function quoted(name) {
    return /[," ]/.test(name) ? `"${name.replaceAll("\"", "\"\"")}"` : name;
  }

  // The tags typed before the one being typed (up to its comma, outside quotes), and that one.
  function split(value) {
    let inQuote = false;
    let comma = -1;
    for (let i = 0; i < value.length; i += 1) {
      if (value[i] === "\"") inQuote = !inQuote;
      else if (value[i] === "," && !inQuote) comma = i;
    }
    const head = value.slice(0, comma + 1);
    return {
      head: head && !head.endsWith(" ") ? `${head} ` : head,
      typing: value.slice(comma + 1).trim().replace(/^"/, ""),
      names: head.split(",").map((name) => name.trim().replace(/^"|"$/g, "").replaceAll("\"\"", "\"")).filter(Boolean),
    };
  }

  function startTags(url) {
    const input = document.getElementById("id_tags");
    if (!input || !url) return;
    const list = document.createElement("datalist");
    list.id = "id_tags_suggestions";
    input.after(list);
    input.setAttribute("list", list.id);
    input.setAttribute("autocomplete", "off");
    let timer = null;
    let asked = 0;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const { head, typing, names } = split(input.value);
        const ask = (asked += 1);
        if (!typing) {
          list.replaceChildren();
          return;
        }
        try {
          const response = await fetch(`${url}?q=${encodeURIComponent(typing)}`, { credentials: "same-origin" });
          if (!response.ok || ask !== asked) return;
          const { tags } = await response.json();
          list.replaceChildren(...tags.filter((name) => !names.includes(name)).map((name) => {
            const option = document.createElement("option");
            option.value = `${head}${quoted(name)}, `;
            option.label = name;
            return option;
          }));
        } catch { /* no suggestions this time */ }
      }, 150);
    });
  }

  // Rows in order by dragging, or by moving them up and down ------------------------------------

  function startOrdering(group) {
    const live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    group.append(live);
    const noun = (group.querySelector(".inline-heading") || {}).textContent || "Row";

    function rows() {
      return [...group.querySelectorAll("input[data-row-order]")]
        .map((input) => input.closest("tr.form-row, .inline-related"))
        .filter((row) => row && !row.classList.contains("empty-form") && !row.id.endsWith("-empty"));
    }

    let renumbering = false;
    function renumber() {
      renumbering = true;
      try {
        rows().forEach((row, index) => {
          const input = row.querySelector("input[data-row-order]");
          if (input.value !== String(index + 1)) {
            input.value = String(index + 1);
            input.dispatchEvent(new Event("change", { bubbles: true })); // autosave hears it
          }
        });
      } finally {
        renumbering = false;
      }
    }

    function move(row, by) {
      const all = rows();
      const at = all.indexOf(row);
      const to = at + by;
      if (to < 0 || to >= all.length) return;
      if (by < 0) all[to].before(row);
      else all[to].after(row);
      renumber();
      live.textContent = `Moved to position ${to + 1} of ${all.length}.`;
    }

    function controls(row) {
      if (row.querySelector(".row-order")) return;
      const box = document.createElement("span");
      box.className = "row-order";
      const handle = document.createElement("span");
      handle.className = "row-order__handle";
      handle.title = "Drag to reorder";
      handle.setAttribute("aria-hidden", "true");
      handle.textContent = "⠿";
      const up = document.createElement("button");
      const down = document.createElement("button");
      for (const [button, by, text] of [[up, -1, "↑"], [down, 1, "↓"]]) {
        button.type = "button";
        button.className = "row-order__move";
        button.textContent = text;
        button.addEventListener("click", () => {
          move(row, by);
          button.focus();
        });
      }
      up.setAttribute("aria-label", "Move up");
      down.setAttribute("aria-label", "Move down");
      box.append(handle, up, down);
      const place = row.matches("tr") ? row.querySelector("td.original") : row.querySelector("h3");
      (place || row).prepend(box);

      // Dragged by the handle (pointer events: mouse, pen and touch alike); the row follows
      // the pointer among its siblings and the numbers are set when it is let go.
      handle.addEventListener("pointerdown", (event) => {
        if (event.button !== 0) return;
        event.preventDefault();
        handle.setPointerCapture(event.pointerId);
        row.classList.add("row-order--dragging");
      });
      handle.addEventListener("pointermove", (event) => {
        if (!row.classList.contains("row-order--dragging")) return;
        const over = rows().find((other) => {
          const box = other.getBoundingClientRect();
          return other !== row && event.clientY >= box.top && event.clientY <= box.bottom;
        });
        if (!over) return;
        const box = over.getBoundingClientRect();
        if (event.clientY < box.top + box.height / 2) over.before(row);
        else over.after(row);
      });
      const drop = () => {
        if (!row.classList.contains("row-order--dragging")) return;
        row.classList.remove("row-order--dragging");
        renumber();
        const all = rows();
        live.textContent = `Moved to position ${all.indexOf(row) + 1} of ${all.length}.`;
      };
      handle.addEventListener("pointerup", drop);
      handle.addEventListener("pointercancel", drop);
    }

    // A row added with "Add another" goes last; a draft restored puts the rows in its order.
    document.addEventListener("formset:added", (event) => {
      if (!group.contains(event.target)) return;
      controls(event.target);
      renumber();
    });
    group.addEventListener("change", (event) => {
      if (renumbering || !event.target.matches("input[data-row-order]")) return;
      const all = rows();
      if (!all.length) return;
      const number = (row) => Number(row.querySelector("input[data-row-order]").value) || Infinity;
      const sorted = all.map((row, index) => [number(row), index, row]);
      sorted.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      const anchor = document.createComment("");
      all[0].before(anchor);
      sorted.forEach(([, , row]) => anchor.before(row));
      anchor.remove();
    });
    rows().forEach(controls);
    group.classList.add("row-order-group");
  }

  document.addEventListener("DOMContentLoaded", () => {
    const root = document.getElementById("post-writing");
    if (!root) return;
    const settings = {
      siteName: root.dataset.siteName,
      siteHost: root.dataset.siteHost,
      address: root.dataset.address,
      slugStandIn: root.dataset.slugStandIn,
    };
    document.querySelectorAll("div.markdownx").forEach(startEditor);
    startPreviews(settings);
    startWide();
    startTags(root.dataset.tagsUrl);
    const groups = new Set(
      [...document.querySelectorAll("input[data-row-order]")].map((input) => input.closest(".inline-group")),
    );
    groups.forEach((group) => group && startOrdering(group));
  });

  // The topics chooser (SelectFilter2, made on load) labels its search icons with aria-label on
  // a bare span, which names nothing: they are images.
  window.addEventListener("load", () => setTimeout(() => {
    document.querySelectorAll(".search-label-icon[aria-label]:not([role])").forEach((icon) => {
      icon.setAttribute("role", "img");
    });
  }));
})();
