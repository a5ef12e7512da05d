/* The image library: uploads of many files by drag and drop (one request per file, each
   answered with the image or the reason it was refused), and the focal point picker on an
   image's edit page. No inline script or style: positions are set through the CSSOM. */
"use strict";

(function () {
  function csrfToken(root) {
    const input = root.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function listItem(list, file) {
    const item = document.createElement("li");
    item.className = "image-upload__item image-upload__item--busy";
    const name = Object.assign(document.createElement("span"), {
      className: "image-upload__name",
      textContent: file.name,
    });
    const status = Object.assign(document.createElement("span"), {
      className: "image-upload__status",
      textContent: "Waiting…",
    });
    const placeholder = Object.assign(document.createElement("span"), {
      className: "image-upload__thumb image-upload__thumb--none",
    });
    item.append(placeholder, name, status);
    list.append(item);
    return item;
  }

  function uploadOne(page, item, file) {
    const status = item.querySelector(".image-upload__status");
    status.textContent = "Uploading…";
    const body = new FormData();
    body.append("file", file);
    return fetch(page.dataset.uploadUrl, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(page), "X-Requested-With": "XMLHttpRequest" },
    })
      .then((response) => response.json().catch(() => ({})).then((data) => ({ response, data })))
      .then(({ response, data }) => {
        item.classList.remove("image-upload__item--busy");
        if (response.ok && data.id) {
          item.classList.add("image-upload__item--done");
          const thumb = Object.assign(document.createElement("img"), {
            src: data.thumbnail,
            alt: "",
            className: "image-upload__thumb",
          });
          const link = Object.assign(document.createElement("a"), {
            href: data.edit_url,
            textContent: "Add alt text and caption",
          });
          status.replaceChildren(`Uploaded (${data.width} × ${data.height}). `, link);
          item.querySelector(".image-upload__thumb--none").replaceWith(thumb);
        } else {
          item.classList.add("image-upload__item--failed");
          status.setAttribute("role", "alert");
          status.textContent = data.error || `Not uploaded: the server answered ${response.status}.`;
        }
      })
      .catch(() => {
        item.classList.remove("image-upload__item--busy");
        item.classList.add("image-upload__item--failed");
        status.setAttribute("role", "alert");
        status.textContent = "Not uploaded: the connection failed. Try this file again.";
      });
  }

  function setUpUploads(page) {
    const list = page.querySelector(".image-upload__list");
    const input = page.querySelector(".image-upload__input");
    const drop = page.querySelector(".image-upload__drop");
    let queue = Promise.resolve();
    page.classList.add("image-upload--live"); // files go as soon as they are chosen
    function send(files) {
      // One after another: each is re-encoded and rendered on the server.
      for (const file of files) {
        const item = listItem(list, file);
        queue = queue.then(() => uploadOne(page, item, file));
      }
    }
    input.addEventListener("change", () => {
      send(Array.from(input.files));
      input.value = "";
    });
    ["dragenter", "dragover"].forEach((type) =>
      drop.addEventListener(type, (event) => {
        event.preventDefault();
        drop.classList.add("image-upload__drop--over");
      }),
    );
    ["dragleave", "drop"].forEach((type) =>
      drop.addEventListener(type, () => drop.classList.remove("image-upload__drop--over")),
    );
    drop.addEventListener("drop", (event) => {
      event.preventDefault();
      send(Array.from(event.dataTransfer.files));
    });
  }

  function setUpFocalPicker(picker) {
    const image = picker.querySelector(".focal-picker__image");
    const marker = picker.querySelector(".focal-picker__marker");
    const inputX = document.getElementById("id_focal_x");
    const inputY = document.getElementById("id_focal_y");
    function place(x, y) {
      marker.style.left = `${x * 100}%`;
      marker.style.top = `${y * 100}%`;
    }
    place(parseFloat(picker.dataset.focalX), parseFloat(picker.dataset.focalY));
    if (!inputX || !inputY) return; // view only
    picker.classList.add("focal-picker--editable");
    image.addEventListener("click", (event) => {
      const box = image.getBoundingClientRect();
      const x = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
      const y = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
      inputX.value = x.toFixed(4);
      inputY.value = y.toFixed(4);
      place(x, y);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".image-upload[data-upload-url]").forEach(setUpUploads);
    document.querySelectorAll(".focal-picker").forEach(setUpFocalPicker);
  });
})();
