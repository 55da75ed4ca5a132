// The Media Library: several files at once, dropped anywhere on the screen or chosen, each uploaded
// by fetch with its progress, then the page reloads to show them; the edit screen's Copy URL.
// Without this script the upload form sends one file and the server answers with a notice.
(function () {
  "use strict";
  var strings = {};  // this tag's data-strings (core/js_strings.py), else English
  try { strings = JSON.parse(document.currentScript.dataset.strings).messages; } catch (e) {}
  function text(key, english, values) {
    return (strings[key] || english).replace(/%\((\w+)\)[sd]/g, function (all, name) { return values[name]; });
  }

  var copy = document.querySelector(".copy-url");
  if (copy && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      var field = document.getElementById(copy.dataset.copy);
      var status = copy.parentNode.querySelector(".copy-status");
      navigator.clipboard.writeText(field.value).then(function () {
        status.textContent = text("copied", "Copied.");
      }, function () {
        field.select();
        status.textContent = text("copy_by_hand", "Select the address and copy it.");
      });
    });
  }

  var form = document.getElementById("media-upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var input = form.querySelector("input[type=file]");
  var list = document.getElementById("media-upload-status");
  var token = form.querySelector("input[name=csrf_token]").value;
  var pending = 0;
  var uploaded = 0;

  input.multiple = true;
  form.querySelector(".media-drop-hint").hidden = false;

  function upload(file) {
    var item = document.createElement("li");
    var label = document.createElement("span");
    var bar = document.createElement("progress");
    label.textContent = text("file_uploading", "%(name)s: uploading…", {name: file.name});
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", text("upload_of", "Upload of %(name)s", {name: file.name}));
    item.appendChild(label);
    item.appendChild(bar);
    list.appendChild(item);
    pending += 1;
    var data = new FormData();
    data.append("file", file, file.name);
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("X-CSRFToken", token);
    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) bar.value = Math.round(100 * event.loaded / event.total);
    });
    request.addEventListener("loadend", function () {
      var answer = {};
      try { answer = JSON.parse(request.responseText); } catch (ignored) { answer = {}; }
      bar.remove();
      if (request.status === 201) {
        uploaded += 1;
        label.textContent = answer.status === "ready" ? text("file_uploaded", "%(name)s: uploaded.", {name: file.name})
          : text("file_uploaded_sizing", "%(name)s: uploaded; its sizes are being made.", {name: file.name});
      } else {
        item.className = "upload-failed";
        var error = answer.error || (request.status === 429
          ? text("too_many_uploads", "too many uploads, wait a minute and try again.")
          : text("upload_failed_status", "the upload failed (%(status)s).", {status: request.status}));
        label.textContent = text("file_error", "%(name)s: %(error)s", {name: file.name, error: error});
      }
      pending -= 1;
      if (!pending && uploaded) {
        var reload = document.createElement("li");
        var link = document.createElement("a");
        link.href = window.location.pathname;
        link.textContent = text("show_new_images", "Show the new images");
        reload.appendChild(link);
        list.appendChild(reload);
      }
    });
    request.send(data);
  }

  function uploadAll(files) {
    uploaded = 0;
    Array.prototype.forEach.call(files, upload);
  }

  form.addEventListener("submit", function (event) {
    if (!input.files.length) return;  // the server says to choose a file
    event.preventDefault();
    uploadAll(input.files);
    input.value = "";
  });

  function hasFiles(event) {
    return event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") !== -1;
  }
  document.addEventListener("dragover", function (event) {
    if (!hasFiles(event)) return;
    event.preventDefault();
    document.body.classList.add("is-dropping");
  });
  document.addEventListener("dragleave", function (event) {
    if (!event.relatedTarget) document.body.classList.remove("is-dropping");
  });
  document.addEventListener("drop", function (event) {
    document.body.classList.remove("is-dropping");
    if (!hasFiles(event)) return;
    event.preventDefault();
    uploadAll(event.dataTransfer.files);
  });
})();
