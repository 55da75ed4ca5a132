// A reader's own comment, edited or deleted in place. Without this script the Edit and Delete
// links open pages that do the same; any failure here falls back to those pages.
(function () {
  "use strict";
  var strings = {};  // this tag's data-strings (core/js_strings.py), else English
  try { strings = JSON.parse(document.currentScript.dataset.strings).messages; } catch (e) {}
  function text(key, english, values) {
    return (strings[key] || english).replace(/%\((\w+)\)[sd]/g, function (all, name) { return values[name]; });
  }

  function formFrom(url, selector) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error("refused");
      return response.text().then(function (html) {
        var form = new DOMParser().parseFromString(html, "text/html").querySelector(selector);
        if (!form) throw new Error("no form");
        return document.importNode(form, true);
      });
    });
  }

  function send(form) {
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (data) {
        data.ok = response.ok && data.ok;
        return data;
      });
    });
  }

  function notice(item, text, isError) {
    var note = item.querySelector(":scope > article .own-comment-notice");
    if (!note) {
      note = document.createElement("p");
      note.className = "own-comment-notice";
      note.setAttribute("role", isError ? "alert" : "status");
      item.querySelector(":scope > article").appendChild(note);
    }
    note.className = "own-comment-notice" + (isError ? " notice-error" : "");
    note.textContent = text;
  }

  function edit(link) {
    var item = link.closest("li.comment, li[id^='comment-']");
    var content = item && item.querySelector(":scope > article > .comment-content");
    if (!content || item.querySelector(":scope > article form.comment-edit-form")) return;
    formFrom(link.href, "form#comment-edit-form").then(function (form) {
      content.hidden = true;
      content.after(form);
      var box = form.querySelector("textarea");
      var cancel = form.querySelector(".comment-edit-cancel");
      cancel.addEventListener("click", function (event) {
        event.preventDefault();
        form.remove();
        content.hidden = false;
        link.focus();
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        form.querySelector("button[type=submit]").disabled = true;
        send(form).then(function (data) {
          if (!data.ok) {
            form.querySelector("button[type=submit]").disabled = false;
            notice(item, data.error || text("edit_not_saved", "Your edit was not saved."), true);
            return;
          }
          content.innerHTML = data.content;
          form.remove();
          content.hidden = false;
          markEdited(item, data);
          notice(item, data.message, false);
          link.focus();
        }).catch(function () { form.submit(); });
      });
      box.focus();
    }).catch(function () { window.location.href = link.href; });
  }

  function markEdited(item, data) {
    var meta = item.querySelector(":scope > article .comment-metadata");
    if (meta && !meta.querySelector(".comment-edited")) {
      var mark = document.createElement("span");
      mark.className = "comment-edited";
      mark.textContent = " " + text("edited_now", "Edited just now");
      meta.querySelector("a").after(mark);
    }
    if (data.status === "pending" && !item.classList.contains("unapproved")) {
      item.classList.add("unapproved");
      var awaiting = document.createElement("em");
      awaiting.className = "comment-awaiting-moderation";
      awaiting.textContent = text("awaiting_moderation", "Your comment is awaiting moderation.");
      meta.after(awaiting);
    }
  }

  function remove(link) {
    var item = link.closest("li[id^='comment-']");
    formFrom(link.href, "form#comment-delete-form").then(function (form) {
      if (!window.confirm(text("delete_confirm", "Delete your comment? This cannot be undone."))) return;
      send(form).then(function (data) {
        if (!data.ok) {
          notice(item, data.error || text("delete_failed", "Your comment was not deleted."), true);
          return;
        }
        window.location.reload();
      }).catch(function () { window.location.href = link.href; });
    }).catch(function () { window.location.href = link.href; });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-comment-edit], a[data-comment-delete]");
    if (!link || !window.fetch || !window.DOMParser) return;
    event.preventDefault();
    if (link.hasAttribute("data-comment-edit")) edit(link);
    else remove(link);
  });
})();
