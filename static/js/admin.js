/* Admin progressive enhancement: row actions in place, inline reply and quick edit, keyboard
   shortcuts (WordPress's j/k/a/u/s/d/r/q) with a help overlay. Every action also works as a plain
   form post without this script. */
(function () {
  "use strict";
  var strings = {};  // this tag's data-strings (core/js_strings.py), else English
  try { strings = JSON.parse(document.currentScript.dataset.strings).messages; } catch (e) {}
  function text(key, english, values) {
    return (strings[key] || english).replace(/%\((\w+)\)[sd]/g, function (all, name) { return values[name]; });
  }

  var live = document.getElementById("admin-live");
  var help = document.getElementById("shortcuts-help");
  var current = null;

  function announce(message) {
    if (!live) return;
    live.textContent = "";
    window.setTimeout(function () { live.textContent = message; }, 50);
  }

  function tableOf(el) { return el.closest(".comments-table"); }

  function rows() { return Array.prototype.slice.call(document.querySelectorAll(".comments-table .comment-row")); }

  function belongsInTab(table, status) {
    var tab = table.dataset.tab;
    if (!status) return false;
    return tab === "all" ? status === "pending" || status === "approved" : tab === status;
  }

  function updateCounts(data) {
    if (data.counts) {
      Object.keys(data.counts).forEach(function (tab) {
        document.querySelectorAll('[data-count="' + tab + '"]').forEach(function (el) { el.textContent = data.counts[tab]; });
      });
    }
    if (typeof data.pending === "number") {
      document.querySelectorAll("[data-pending-count]").forEach(function (el) { el.textContent = data.pending; });
      document.querySelectorAll("[data-pending-badge]").forEach(function (el) { el.hidden = data.pending === 0; });
    }
    if (data.post_id) {
      document.querySelectorAll('[data-post-pending="' + data.post_id + '"]').forEach(function (el) {
        el.textContent = data.post_pending;
        el.parentElement.classList.toggle("zero", data.post_pending === 0);
      });
    }
  }

  function nearestRow(row) {
    // The comment row to move to once `row` leaves: the next one, else the previous one.
    var list = rows(), index = list.indexOf(row);
    return list[index + 1] || list[index - 1] || null;
  }

  function rowFrom(html, like) {
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    var fresh = holder.content.firstElementChild;
    // The dashboard's rows have no checkbox column.
    var check = fresh.querySelector(".check-column");
    if (check && !like.closest("table").querySelector("thead .check-column")) check.remove();
    return fresh;
  }

  function showEmpty(table) {
    var empty = table.querySelector(".no-items");
    if (table.querySelector(".comment-row")) {
      if (empty) empty.remove();
    } else if (!empty) {
      empty = document.createElement("tr");
      empty.className = "no-items";
      var cell = empty.insertCell();
      cell.colSpan = 5;
      cell.textContent = text("no_comments", "No comments found.");
      table.tBodies[0].appendChild(empty);
    }
  }

  // Replace `row` with the answer's row, or with the Undo line (or nothing) once it left the tab.
  // Returns the row now in its place, if any.
  function applyResult(row, data) {
    updateCounts(data);
    var table = tableOf(row);
    var fresh = null;
    closeEditor();
    if (!belongsInTab(table, data.status)) {
      var next = nearestRow(row);
      if (data.undo) {
        var undo = rowFrom(data.undo, row);
        undo.cells[0].colSpan = row.cells.length;
        row.replaceWith(undo);
      } else {
        row.remove();
      }
      if (next) setCurrent(next);
      else if (current === row) { current = null; table.focus(); }  // focus never falls to <body>
    } else if (data.row) {
      fresh = rowFrom(data.row, row);
      row.replaceWith(fresh);
      if (current === row) setCurrent(fresh);
    }
    showEmpty(table);
    announce(data.message || text("done", "Done."));
    return fresh;
  }

  // Undo: the comment's row comes back where its Undo line was, and takes the focus.
  function applyUndo(line, data) {
    var table = tableOf(line);
    var fresh = applyResult(line, data);
    if (fresh) setCurrent(fresh);
    else table.focus();
  }

  // The administrator's reply shows right under the comment it answers.
  function insertReply(parent, data) {
    if (!parent || !data.reply_row || !belongsInTab(tableOf(parent), "approved")) return;
    var reply = rowFrom(data.reply_row, parent);
    parent.after(reply);
    setCurrent(reply);
  }

  function post(form, onSuccess) {
    var token = document.querySelector('meta[name="csrf-token"]');
    var busy = form.closest("tr") || form;
    busy.classList.add("is-busy");
    // getAttribute: a field named "action" (the Undo form has one) shadows form.action.
    return fetch(form.getAttribute("action"), {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json", "X-CSRFToken": token ? token.content : "" },
      credentials: "same-origin"
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) throw new Error("not json");
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      busy.classList.remove("is-busy");
      if (!result.ok || !result.data.ok) {
        var error = form.querySelector(".inline-error");
        var message = result.data.error || text("failed", "That did not work.");
        if (error) error.textContent = message;
        announce(message);
        return;
      }
      onSuccess(result.data);
    }).catch(function () {
      // Anything unexpected (logged out, a proxy page): fall back to the plain form post.
      HTMLFormElement.prototype.submit.call(form);
    });
  }

  /* Row actions */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var row = form.closest(".comments-table .comment-row");
    var line = form.closest(".comments-table .undo-row");
    if (row && form.classList.contains("row-action")) {
      event.preventDefault();
      post(form, function (data) {
        if (form.dataset.action === "block") { announce(data.message); return; }
        applyResult(row, data);
      });
    } else if (line && form.classList.contains("undo-form")) {
      event.preventDefault();
      post(form, function (data) { applyUndo(line, data); });
    } else if (form.classList.contains("inline-form-reply")) {
      event.preventDefault();
      var parent = form.closest("tr").previousElementSibling;
      post(form, function (data) { insertReply(applyResult(parent, data), data); });
    } else if (form.classList.contains("inline-form-edit")) {
      event.preventDefault();
      var target = form.closest("tr").previousElementSibling;
      post(form, function (data) { applyResult(target, data); });
    }
  });

  /* Inline reply and quick edit */
  function closeEditor() {
    document.querySelectorAll(".inline-editor").forEach(function (el) {
      var row = el.previousElementSibling;
      el.remove();
      if (row) setCurrent(row);
    });
  }

  function openEditor(row, kind) {
    if (!row || row.dataset.status === "spam" || row.dataset.status === "trash") return;
    closeEditor();
    var template = document.getElementById(kind + "-template");
    if (!template) return;
    var editor = template.content.firstElementChild.cloneNode(true);
    var form = editor.querySelector("form");
    if (kind === "reply") {
      form.action = row.dataset.replyUrl;
    } else {
      form.action = row.dataset.editUrl;
      form.elements.author_name.value = row.dataset.author;
      form.elements.author_email.value = row.dataset.email;
      form.elements.author_url.value = row.dataset.url;
      form.elements.body.value = row.dataset.body;
      form.elements.status.value = row.dataset.status;
    }
    editor.querySelector(".cancel").addEventListener("click", closeEditor);
    row.after(editor);
    form.querySelector("textarea, input[type=text]").focus();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".comments-table .reply-link");
    if (link && document.getElementById("reply-template")) {
      event.preventDefault();
      openEditor(link.closest(".comment-row"), "reply");
    }
  });

  /* Current row and keyboard shortcuts */
  function setCurrent(row) {
    if (current) current.classList.remove("is-current");
    current = row;
    if (!row) return;
    row.classList.add("is-current");
    row.tabIndex = -1;
    row.focus();
  }

  function move(step) {
    var list = rows();
    if (!list.length) return;
    var index = list.indexOf(current);
    index = index === -1 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, index + step));
    setCurrent(list[index]);
  }

  function press(key) {
    if (!current) return;
    var button = current.querySelector('button[data-key="' + key + '"]');
    if (button) button.click();
  }

  function typing(el) {
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable) return true;
    return tag === "INPUT" && !/^(checkbox|radio|button|submit|reset)$/.test(el.type);
  }

  // Single-key shortcuts act only while focus is in a comment list, not in a field of it
  // (WCAG 2.1.4): typing or speech input anywhere else never approves or trashes a comment.
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && document.querySelector(".inline-editor")) { closeEditor(); return; }
    var inList = event.target.closest && event.target.closest(".comments-table");
    if (!inList || typing(event.target) || event.target.closest(".inline-editor")) return;
    if (help && help.open) return;
    if (!rows().length && event.key !== "?") return;
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "a": case "u": case "s": case "d": case "z": press(event.key); break;
      case "r": openEditor(current, "reply"); break;
      case "q": openEditor(current, "quickedit"); break;
      case "x":
        var box = current && current.querySelector("input[type=checkbox]");
        if (box) box.checked = !box.checked;
        break;
      case "?":
        if (help && help.showModal) help.showModal();
        break;
      default: return;
    }
    event.preventDefault();
  });

  document.addEventListener("focusin", function (event) {
    var row = event.target.closest && event.target.closest(".comment-row");
    if (row && row !== current) {
      if (current) current.classList.remove("is-current");
      current = row;
      row.classList.add("is-current");
    }
  });

  /* Things that exist only with JavaScript */
  var toggle = document.querySelector(".shortcuts-toggle");
  if (toggle && help && help.showModal) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () { help.showModal(); });
  }
  var all = document.querySelector(".select-all");
  if (all) {
    all.hidden = false;
    all.addEventListener("change", function () {
      document.querySelectorAll('.comments-table input[name="ids"]').forEach(function (box) { box.checked = all.checked; });
    });
  }

  /* Tools -> Import: say at once that a file is over the upload limit instead of sending it (the
     server answers such an upload with 413 all the same). */
  var importForm = document.querySelector("form[data-max-bytes]");
  var importFile = importForm && importForm.querySelector("input[type=file]");
  if (importFile) {
    importFile.addEventListener("change", function () {
      var file = importFile.files[0];
      var tooBig = file && file.size > Number(importForm.dataset.maxBytes);
      importFile.setCustomValidity(!tooBig ? "" : text("file_too_big",
        "This file is larger than the upload limit (%(limit)s). Import it on the server with flask wxr import instead.",
        {limit: importForm.dataset.maxLabel}));
      importFile.reportValidity();
    });
  }
})();
