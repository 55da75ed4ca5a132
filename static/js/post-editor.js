// The post editor's Publish box and its images, each described where it starts.
(function () {
  "use strict";
  var catalogue = {};  // this tag's data-strings (core/js_strings.py), else English
  try { catalogue = JSON.parse(document.currentScript.dataset.strings); } catch (e) {}
  var strings = catalogue.messages || {};

  function fill(template, values) {
    return template.replace(/%\((\w+)\)[sd]/g, function (all, name) { return values[name]; });
  }

  function text(key, english, values) {
    return fill(strings[key] || english, values);
  }

  // A plural message: the catalogue has a form per plural category of its locale (CLDR's, as Intl's).
  function plural(key, count, one, other) {
    var forms = strings[key];
    if (!forms) return fill(count === 1 ? one : other, {num: count});
    var category = count === 1 ? "one" : "other";
    try { category = new Intl.PluralRules(catalogue.locale).select(count); } catch (e) { /* no Intl */ }
    return fill(forms[category] || forms.other || other, {num: count});
  }

  publishBox();
  editorMedia();

  // The Publish box, as WordPress's: the password field shows with "Password protected" only, and
  // the main button says Schedule for a future date. Without this script every field shows and the
  // server decides (a future date schedules the post whatever the button says).
  function publishBox() {
    var form = document.getElementById("post");
    if (!form) return;
    var password = document.getElementById("password-span");
    var date = document.getElementById("published_at");
    var button = document.getElementById("publish");

    function visibility() {
      var checked = form.querySelector("input[name=visibility]:checked");
      return checked ? checked.value : "public";
    }

    function update() {
      var shown = visibility() === "password";
      if (password) password.hidden = !shown && !password.querySelector("[aria-invalid=true]");
      // datetime-local values and data-local-now are both "YYYY-MM-DDTHH:MM" in the blog's time zone.
      if (button && button.dataset.localNow) {
        var later = date && date.value && date.value > button.dataset.localNow && visibility() !== "private";
        button.textContent = later ? text("schedule", "Schedule") : text("publish", "Publish");
        button.value = button.textContent;
      }
    }

    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();

    // Tags: a <datalist> suggests whole values, so after a comma its suggestions would replace the
    // tags already typed. Each suggestion is rewritten to carry them, and to leave out those chosen.
    var tags = document.getElementById("tags_text");
    var list = document.getElementById("tag-suggestions");
    if (tags && list) {
      var names = Array.prototype.map.call(list.options, function (option) { return option.value; });
      tags.addEventListener("input", function () {
        var parts = tags.value.split(",");
        parts.pop();
        var typed = parts.map(function (part) { return part.trim(); }).filter(Boolean);
        var head = typed.length ? typed.join(", ") + ", " : "";
        var chosen = typed.map(function (name) { return name.toLowerCase(); });
        list.textContent = "";
        names.forEach(function (name) {
          if (chosen.indexOf(name.toLowerCase()) !== -1) return;
          var option = document.createElement("option");
          option.value = head + name;
          list.appendChild(option);
        });
      });
    }
  }

  // Images in the editor: Add Media, dropping image files on the content or pasting one uploads it
  // (POST /admin/media/upload), waits for a queued image to be ready, asks for its alt text and
  // inserts ![alt](url) at the cursor. Without this script the Media Library uploads them.
  function editorMedia() {
    var box = document.getElementById("media-buttons");
    var body = document.getElementById("body");
    var notice = document.getElementById("alt-notice");
    var noticeText = document.getElementById("alt-notice-text");
    var POLL_MS = 1000;
    var POLL_TRIES = 120;

    function missingAlt() {
      var found = body.value.match(/!\[\s*\]\(/g);
      return found ? found.length : 0;
    }

    function updateAltNotice() {
      if (!notice || !body) return;
      var count = missingAlt();
      notice.hidden = count === 0;
      if (count) {
        noticeText.textContent = plural("images_without_alt", count,
          "%(num)d image has no alt text (![](…)): describe each image between the brackets for readers who cannot see it.",
          "%(num)d images have no alt text (![](…)): describe each image between the brackets for readers who cannot see it.");
      }
    }

    if (body) {
      body.addEventListener("input", updateAltNotice);
      updateAltNotice();
    }
    if (!box || !body || !window.fetch || !window.FormData) return;

    var token = document.querySelector("meta[name=csrf-token]").content;
    var fileInput = document.getElementById("editor-media-file");
    var statusList = document.getElementById("editor-upload-status");
    var dialog = document.getElementById("alt-dialog");
    var altInput = document.getElementById("alt-dialog-text");
    var preview = document.getElementById("alt-dialog-preview");
    var featured = document.getElementById("featured_media_id");
    var waiting = [];  // uploaded images waiting for their alt text, one dialog at a time
    var cursor = null;  // where the text was when the upload began

    box.querySelector(".media-buttons-js").hidden = false;
    box.querySelector(".media-buttons-nojs").hidden = true;

    function say(item, message, failed) {
      item.textContent = message;
      item.className = failed ? "upload-failed" : "";
    }

    function upload(file) {
      var item = document.createElement("li");
      statusList.appendChild(item);
      say(item, text("uploading", "Uploading %(name)s…", {name: file.name}));
      var data = new FormData();
      data.append("file", file, file.name || "pasted-image.png");
      if (box.dataset.postId) data.append("post_id", box.dataset.postId);
      fetch(box.dataset.uploadUrl, {
        method: "POST", body: data, credentials: "same-origin",
        headers: {"Accept": "application/json", "X-CSRFToken": token}
      }).then(function (response) {
        return response.json().catch(function () {
          return {error: response.status === 429 ? text("too_many_uploads", "Too many uploads: wait a minute and try again.")
            : text("upload_failed_status", "The upload failed (%(status)s).", {status: response.status})};
        }).then(function (answer) {
          if (!response.ok || answer.error) throw new Error(answer.error || text("upload_failed", "The upload failed."));
          return answer;
        });
      }).then(function (media) {
        return media.status === "ready" ? media : untilReady(media, item, 0);
      }).then(function (media) {
        say(item, text("uploaded", "%(name)s uploaded.", {name: file.name}));
        offerAsFeatured(media);
        waiting.push(media);
        if (waiting.length === 1) askAlt();
      }).catch(function (error) {
        say(item, text("file_error", "%(name)s: %(error)s", {name: file.name || text("image", "Image"), error: error.message}), true);
      });
    }

    function untilReady(media, item, tries) {
      say(item, text("making_sizes", "%(name)s: making its sizes…", {name: media.title || text("image", "Image")}));
      if (media.status === "failed") return Promise.reject(new Error(media.failure || text("not_processed", "it could not be processed.")));
      if (tries >= POLL_TRIES) return Promise.reject(new Error(text("still_processing", "it is still being processed; insert it later from the Media Library.")));
      return new Promise(function (resolve) { setTimeout(resolve, POLL_MS); }).then(function () {
        return fetch(box.dataset.statusUrl.replace(/0\.json$/, media.id + ".json"),
          {credentials: "same-origin", headers: {"Accept": "application/json"}});
      }).then(function (response) { return response.json(); }).then(function (next) {
        return next.status === "ready" ? next : untilReady(next, item, tries + 1);
      });
    }

    function offerAsFeatured(media) {
      if (!featured || featured.querySelector("option[value='" + media.id + "']")) return;
      var option = document.createElement("option");
      option.value = media.id;
      option.textContent = media.title || text("image_number", "Image %(id)s", {id: media.id});
      featured.insertBefore(option, featured.options[1] || null);
    }

    function askAlt() {
      var media = waiting[0];
      preview.src = media.thumbnail;
      preview.hidden = false;
      altInput.value = media.alt_text || "";
      if (dialog.showModal) dialog.showModal(); else dialog.setAttribute("open", "");
      altInput.focus();
    }

    function closeDialog(insert) {
      var media = waiting.shift();
      if (dialog.close) dialog.close(); else dialog.removeAttribute("open");
      var alt = altInput.value.replace(/[\[\]\n]/g, " ").trim();
      if (insert && media) {
        insertImage(media, alt);
        if (alt && alt !== media.alt_text) saveAlt(media, alt);
      }
      if (waiting.length) askAlt(); else body.focus();
    }

    function saveAlt(media, alt) {
      var data = new FormData();
      data.append("alt_text", alt);
      fetch(media.edit_url.replace(/\/edit$/, "/alt"), {
        method: "POST", body: data, credentials: "same-origin",
        headers: {"Accept": "application/json", "X-CSRFToken": token}
      });
    }

    function insertImage(media, alt) {
      var start = cursor !== null ? cursor : body.selectionStart;
      var text = "![" + alt + "](" + media.url + ")";
      var before = body.value.slice(0, start);
      if (before && !/\n\n$/.test(before)) text = (/\n$/.test(before) ? "\n" : "\n\n") + text;
      text += "\n\n";
      body.value = before + text + body.value.slice(start);
      cursor = start + text.length;
      body.selectionStart = body.selectionEnd = cursor;
      body.dispatchEvent(new Event("input", {bubbles: true}));
    }

    function uploadAll(files) {
      cursor = body.selectionStart;
      Array.prototype.forEach.call(files, function (file) {
        if (/^image\//.test(file.type) || /\.(jpe?g|png|gif|webp|avif)$/i.test(file.name)) upload(file);
      });
    }

    document.getElementById("insert-media-button").addEventListener("click", function () { fileInput.click(); });
    fileInput.addEventListener("change", function () { uploadAll(fileInput.files); fileInput.value = ""; });
    document.getElementById("alt-dialog-insert").addEventListener("click", function () { closeDialog(true); });
    document.getElementById("alt-dialog-cancel").addEventListener("click", function () { closeDialog(false); });
    dialog.addEventListener("cancel", function (event) { event.preventDefault(); closeDialog(false); });
    altInput.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); closeDialog(true); }
    });

    body.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") !== -1) {
        event.preventDefault();
        body.classList.add("is-drop-target");
      }
    });
    body.addEventListener("dragleave", function () { body.classList.remove("is-drop-target"); });
    body.addEventListener("drop", function (event) {
      body.classList.remove("is-drop-target");
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      event.preventDefault();
      body.focus();
      uploadAll(event.dataTransfer.files);
    });
    body.addEventListener("paste", function (event) {
      var items = event.clipboardData ? event.clipboardData.files : [];
      if (!items || !items.length) return;
      event.preventDefault();
      uploadAll(items);
    });
  }
})();
