// Moves the reply form under the comment being answered, as WordPress's comment-reply script does.
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
    var below = document.getElementById(link.dataset.belowelement);
    if (!below) return false;
    below.parentNode.insertBefore(respond, below.nextSibling);
    parentInput.value = link.dataset.commentid;
    titleText.textContent = link.dataset.replyto;
    cancel.hidden = false;
    var textarea = document.getElementById("comment");
    if (textarea) textarea.focus();
    return true;
  }

  function restoreForm() {
    placeholder.parentNode.insertBefore(respond, placeholder);
    parentInput.value = "0";
    titleText.textContent = defaultTitle;
    cancel.hidden = true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".comment-reply-link");
    if (link && moveForm(link)) {
      event.preventDefault();
    } else if (event.target === cancel) {
      event.preventDefault();
      restoreForm();
      var replyLink = document.querySelector(".comment-reply-link[data-commentid]");
      if (replyLink) replyLink.focus();
    }
  });
})();
