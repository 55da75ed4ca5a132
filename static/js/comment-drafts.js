// The comment being written, kept in this browser per post (text, reply target, mail choices):
// put back into an empty box after a crash or a closed tab, never over the server's copy, and
// forgotten once the comment is accepted.
(function () {
  "use strict";
  var form = document.getElementById("commentform"), box = form && form.comment, store, draft, key;
  try {
    store = localStorage;
    key = "comment-draft-" + form.comment_post_ID.value;
    draft = JSON.parse(store.getItem(key));
  } catch (e) {
    return; // no comment form, or storage turned off
  }
  var choices = form.querySelectorAll(".comment-subscription-form [name]");
  var landed = /^#comment-\d+$/.test(location.hash) ? document.getElementById(location.hash.slice(1))
    : location.hash === "#content" && document.querySelector(".notice[role=status]");

  function save() {
    var kept = {text: box.value, parent: form.comment_parent.value, choices: {}};
    choices.forEach(function (f) { kept.choices[f.name] = f.type === "checkbox" ? f.checked : f.value; });
    if (box.value.trim()) store.setItem(key, JSON.stringify(kept)); else store.removeItem(key);
    return kept;
  }

  if (draft && draft.sent && Date.now() - draft.sent < 6e5 && landed && !box.value.trim()) {
    store.removeItem(key); // accepted: post/redirect/get landed on the comment (or on its notices)
  } else if (draft && !box.value.trim()) {
    box.value = draft.text;
    choices.forEach(function (f) {
      if (f.name in draft.choices) f[f.type === "checkbox" ? "checked" : "value"] = draft.choices[f.name];
    });
    var reply = document.querySelector('.comment-reply-link[data-commentid="' + parseInt(draft.parent, 10) + '"]');
    if (reply) reply.click(); // comment-reply.js moves the form under that comment
    save();
  } else if (box.value.trim()) {
    save(); // a refused send or a log-in: what the server put back is the draft now
  }
  form.addEventListener("input", save); // at every change: a crash gives no warning
  form.addEventListener("change", save);
  document.addEventListener("click", function (e) {
    if (e.target.closest(".comment-reply-link, #cancel-comment-reply-link")) setTimeout(save);
  });
  form.addEventListener("submit", function (e) {
    var kept = save();
    if (kept.text.trim() && !(e.submitter && e.submitter.hasAttribute("formaction"))) {
      kept.sent = Date.now(); // Post Comment, not a log-in button
      store.setItem(key, JSON.stringify(kept));
    }
  });
})();
