// Moves the reply form under the comment being answered, as WordPress's comment-reply script does:
// the Reply link names the element to place it after (data-belowelement, the comment's
// article#div-comment-N) and the comment it answers (data-commentid).
// Without JavaScript the Reply links load ?replytocom=ID#respond, which works the same way.
(function () {
  "use strict";
  var respond = document.getElementById("respond");
  if (!respond) return;
  var parentInput = document.getElementById("comment_parent");
  var cancel = document.getElementById("cancel-comment-reply-link");
  var titleText = document.getElementById("reply-title-text");
  var defaultTitle = "Leave a Reply";
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
    titleText.textContent = "Leave a Reply to " + below.querySelector(".fn").textContent;
    cancel.hidden = false;
    document.getElementById("comment").focus();
    return true;
  }

  function restoreForm() {
    var parentId = parentInput.value;
    placeholder.parentNode.insertBefore(respond, placeholder);
    parentInput.value = "0";
    titleText.textContent = defaultTitle;
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
