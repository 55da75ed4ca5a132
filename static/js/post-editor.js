// The Publish box, as WordPress's: the password field shows with "Password protected" only, and
// the main button says Schedule for a future date. Without this script every field shows and the
// server decides (a future date schedules the post whatever the button says).
(function () {
  "use strict";

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
      button.textContent = later ? "Schedule" : "Publish";
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
})();
