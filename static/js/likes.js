// Like buttons without a page reload. Without this script the forms post and redirect as usual.
(function () {
  "use strict";

  // A logged-out reader is told beside the button, in its live region: the page does not move.
  function showLoginNote(box, html) {
    var note = box.querySelector("[data-like-note]");
    if (note) note.innerHTML = html;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-like-form]");
    if (!form || !window.fetch) return;
    event.preventDefault();
    var box = form.closest("[data-likes]");
    var button = form.querySelector("button");
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(function (data) {
          if (response.ok && data.html) {
            var id = box.id;
            box.outerHTML = data.html;
            var fresh = document.getElementById(id);
            var again = fresh && fresh.querySelector("button");
            if (again) again.focus();
          } else if (data.login_html) {
            showLoginNote(box, data.login_html);
            if (button) {
              button.disabled = false;
              button.focus();
            }
          } else {
            form.submit();
          }
        });
      })
      .catch(function () {
        form.submit();
      });
  });
})();
