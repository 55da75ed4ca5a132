// Moves the reply form under the comment answered, as WordPress's comment-reply script does: the
// Reply link names the element to follow (data-belowelement) and the comment (data-commentid).
// Without JavaScript the Reply links load ?replytocom=ID#respond, which works the same way.
(function () {
  "use strict";
  var strings = {};  // this tag's data-strings (core/js_strings.py), else English
  try { strings = JSON.parse(document.currentScript.dataset.strings).messages; } catch (e) {}
  function text(key, english, values) {
    return (strings[key] || english).replace(/%\((\w+)\)[sd]/g, function (all, name) { return values[name]; });
  }
  var respond = document.getElementById("respond");
  if (!respond) return;
  var parentInput = document.getElementById("comment_parent");
  var cancel = document.getElementById("cancel-comment-reply-link");
  var titleText = document.getElementById("reply-title-text");
  var placeholder = document.createElement("div");
  placeholder.id = "wp-temp-form-div";
  placeholder.hidden = true;
  respond.parentNode.insertBefore(placeholder, respond);

  function moveForm(link) {
    var below = document.getElementById(link.getAttribute("data-belowelement") || "");
    var commentId = link.getAttribute("data-commentid");
    if (!below || !commentId) return false;
    below.parentNode.insertBefore(respond, below.nextSibling);
    parentInput.value = commentId;
    titleText.textContent = text("reply_title_to", "Leave a Reply to %(name)s", {name: below.querySelector(".fn").textContent});
    cancel.hidden = false;
    document.getElementById("comment").focus();
    return true;
  }

  function restoreForm() {
    var parentId = parentInput.value;
    placeholder.parentNode.insertBefore(respond, placeholder);
    parentInput.value = "0";
    titleText.textContent = text("reply_title", "Leave a Reply");
    cancel.hidden = true;
    var article = document.getElementById("div-comment-" + parentId);
    var link = article && article.querySelector(".comment-reply-link");
    if (link) link.focus();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".comment-reply-link");
    if (link && moveForm(link)) {
      event.preventDefault();
    } else if (event.target === cancel) {
      event.preventDefault();
      restoreForm();
    }
  });
})();
