"""The English the blog stores and staff read, in the reader's language at display time.

Statuses, moderation steps, hold reasons and what became of a mail are kept in English in their rows
(the server log, the tests and staff of every language read the same row); templates show them with
the `stored_text` filter: `{{ comment.status_reason|stored_text("hold reason") }}`. Each kind lists
the templates its writers use (core.stored_text); a text none of them matches is shown as it is.
"""

from admin import bp
from core.i18n import N_, lazy_pgettext, pgettext
from core.i18n import lazy_gettext as _l
from core.stored_text import Named, StoredText, listed

COMMENT_STATUS = Named({
    "approved": lazy_pgettext("comment status", "approved"),
    "pending": lazy_pgettext("comment status", "pending"),
    "spam": lazy_pgettext("comment status", "spam"),
    "trash": lazy_pgettext("comment status", "trash"),
})
ANONYMOUS = StoredText([N_("Anonymous")])  # a name a commenter left empty, or one erased

# Why a comment was held, spammed or trashed: blog.discussion.judge_comment, blog.spam.checks and
# .reports, blog.comment_edits, blog.remote_replies, notify.inbound.replies.
_REPORT_REASONS = {"spam": lazy_pgettext("reported comment", "spam"), "abuse or harassment": _l("abuse or harassment"),
                   "off-topic": _l("off-topic"), "illegal content": _l("illegal content")}
HOLD_REASON = StoredText([
    N_("hidden honeypot field was filled in"),
    N_("disallowed list: %(match)s"),
    N_("a guest using the name or email of a registered user"),
    N_("manual approval of every comment is on"),
    N_("the commenter is on always hold"),
    N_("%(links)d links; limit %(limit)d"),
    N_("moderation list: %(match)s"),
    N_("new commenter: first %(num)d comments are held"),
    N_("new commenter rule: email domain %(domain)s"),
    N_("first comment from this author"),
    N_("shadow-banned commenter"),
    N_("its mail's DKIM signature failed"),
    N_("spam filter: %(score)s; words: none"),
    N_("spam filter: %(score)s; words: %(words)s"),
    N_("Akismet: spam; it advised discarding it"),
    N_("Akismet: spam"),
    N_("Akismet could not answer (%(detail)s)"),
    N_("%(num)d reader reports: %(reasons)s"),
    N_("removed at its source"),
    N_("edited: %(reason)s"),
], values={"reasons": listed(_REPORT_REASONS)}, separator="; ")
HOLD_REASON.values["reason"] = HOLD_REASON

# The moderation log (blog.models.ModerationLog): its actions, who acted when no user did, details.
LOG_ACTION = Named({
    "approve": lazy_pgettext("moderation action", "approve"),
    "unapprove": lazy_pgettext("moderation action", "unapprove"),
    "spam": lazy_pgettext("moderation action", "spam"),
    "unspam": lazy_pgettext("moderation action", "unspam"),
    "trash": lazy_pgettext("moderation action", "trash"),
    "restore": lazy_pgettext("moderation action", "restore"),
    "delete": lazy_pgettext("moderation action", "delete"),
    "undo": lazy_pgettext("moderation action", "undo"),
    "edit": lazy_pgettext("moderation action", "edit"),
    "block email": lazy_pgettext("moderation action", "block email"),
    "block ip": lazy_pgettext("moderation action", "block ip"),
    "held after edit": lazy_pgettext("moderation action", "held after edit"),
    "deleted by author": lazy_pgettext("moderation action", "deleted by author"),
    "restore revision": lazy_pgettext("moderation action", "restore revision"),
    "held after reports": lazy_pgettext("moderation action", "held after reports"),
    "reports dismissed": lazy_pgettext("moderation action", "reports dismissed"),
    "re-sent by its source": lazy_pgettext("moderation action", "re-sent by its source"),
    "removed at its source": lazy_pgettext("moderation action", "removed at its source"),
    "privacy-request": lazy_pgettext("moderation action", "privacy-request"),
    "privacy-confirm": lazy_pgettext("moderation action", "privacy-confirm"),
    "privacy-export": lazy_pgettext("moderation action", "privacy-export"),
    "privacy-erase": lazy_pgettext("moderation action", "privacy-erase"),
    # A status as the action, where a step named none (blog.moderation.set_comment_status).
    "approved": lazy_pgettext("comment status", "approved"),
    "pending": lazy_pgettext("comment status", "pending"),
})
LOG_ACTOR = StoredText([
    N_("Signed mail link"), N_("scheduled trash purge"), N_("readers' reports"), N_("Reader (signed link)"),
    N_("Reader (Your data page)"), N_("%(name)s (the comment's author)"), N_("Webmention from %(host)s"),
], values={"name": ANONYMOUS})

# What a privacy request came to (privacy.requests, privacy.personal_data.Erasure.record).
_ERASURE_COUNTS = [
    ("%(num)d comment anonymised", "%(num)d comments anonymised"),
    ("%(num)d text removed", "%(num)d texts removed"),
    ("%(num)d text kept: awaiting moderation", "%(num)d texts kept: awaiting moderation"),
    ("%(num)d subscription deleted", "%(num)d subscriptions deleted"),
    ("%(num)d like deleted", "%(num)d likes deleted"),
    ("%(num)d identity unlinked", "%(num)d identities unlinked"),
    ("%(num)d mail deleted", "%(num)d mails deleted"),
    ("%(num)d received mail deleted", "%(num)d received mails deleted"),
    ("%(num)d report anonymised", "%(num)d reports anonymised"),
    ("%(num)d commenter standing deleted", "%(num)d commenter standings deleted"),
    ("%(num)d commenter standing kept: suspensions and bans outlast erasure",
     "%(num)d commenter standings kept: suspensions and bans outlast erasure"),
]
_PRIVACY_OUTCOMES = [N_("%(kind)s asked, link mailed"), N_("link opened"), N_("export downloaded"),
                     N_("export downloaded as %(format)s"), N_("export run by the owner"), *_ERASURE_COUNTS]
_PRIVACY_KINDS = {"kind": Named({"export": lazy_pgettext("privacy request kind", "export"),
                                 "erase": lazy_pgettext("privacy request kind", "erase")})}
PRIVACY_OUTCOME = StoredText(_PRIVACY_OUTCOMES, values=_PRIVACY_KINDS, separator=", ",
                             joiner=lambda: pgettext("list separator", ", "))
# A step of a request names it; an erasure the owner ran names none.
LOG_DETAIL = StoredText([N_("privacy request %(num)d: %(detail)s"), *_PRIVACY_OUTCOMES],
                        values={"detail": PRIVACY_OUTCOME, **_PRIVACY_KINDS}, separator=", ",
                        joiner=lambda: pgettext("list separator", ", "))

# The Mail screen: the outbox's statuses and last errors, and what became of mail received.
MAIL_STATUS = Named({
    "pending": lazy_pgettext("mail status", "pending"),
    "sent": lazy_pgettext("mail status", "sent"),
    "failed": lazy_pgettext("mail status", "failed"),
})
MAIL_ERROR = StoredText([
    N_("Bounced: %(status)s %(diagnostic)s"), N_("Bounced: %(status)s"),
    N_("what the mail was about was deleted before it was written"),
    N_("Not sent: %(address)s bounced %(num)d times (last: %(last)s)"),
    N_("Not sent: %(address)s bounced %(num)d times"),
])
RECEIVED_KIND = Named({
    "unknown": lazy_pgettext("received mail kind", "unknown"),
    "bounce": lazy_pgettext("received mail kind", "bounce"),
    "moderation": lazy_pgettext("received mail kind", "moderation"),
    "reply": lazy_pgettext("received mail kind", "reply"),
})
RECEIVED_OUTCOME = Named({
    "dropped": lazy_pgettext("received mail outcome", "dropped"),
    "refused": lazy_pgettext("received mail outcome", "refused"),
    "bounce": lazy_pgettext("received mail outcome", "bounce"),
    "comment": lazy_pgettext("received mail outcome", "comment"),
    "moderated": lazy_pgettext("received mail outcome", "moderated"),
    "failed": lazy_pgettext("received mail outcome", "failed"),
})
RECEIVED_DETAIL = StoredText([
    # notify.inbound.receive
    N_("no reply token in the recipients"), N_("automatic message (%(header)s)"),
    N_("a delivery report sent to a reply address"), N_("empty envelope sender (automatic mail)"),
    N_("sent by this blog (a mail loop)"), N_("already received (same Message-ID)"),
    N_("reply token not valid for the sender's address"), N_("reply token expired"),
    N_("no new text (only quoted text or an empty message)"),
    # notify.inbound.bounces
    N_("bounce token names no message of ours"), N_("not a delivery report (%(header)s)"),
    N_("not a delivery report"), N_("delivery report: %(action)s, not a failure"),
    N_("bounce of message %(id)d already counted"), N_("message %(id)d to %(address)s bounced (%(code)s)"),
    # notify.inbound.replies
    N_("the comment replied to is gone"), N_("the discussion rules refused it: %(message)s"),
    N_("comment %(id)d (%(status)s)"), N_("the comment is gone"), N_("the sender may not moderate this comment"),
    N_("DKIM failed on a moderation reply"), N_("%(command)s comment %(id)d"),
    N_("the owner's reply was refused: %(message)s"), N_("replied with comment %(reply)d and approved comment %(id)d"),
], values={"status": COMMENT_STATUS, "command": LOG_ACTION})

LABELLERS = {
    "comment status": COMMENT_STATUS, "hold reason": HOLD_REASON, "log action": LOG_ACTION, "log actor": LOG_ACTOR,
    "log detail": LOG_DETAIL, "privacy outcome": PRIVACY_OUTCOME, "mail status": MAIL_STATUS,
    "mail error": MAIL_ERROR, "received kind": RECEIVED_KIND, "received outcome": RECEIVED_OUTCOME,
    "received detail": RECEIVED_DETAIL,
}


@bp.app_template_filter("stored_text")
def stored_text(value, kind: str) -> str:
    """A stored English value of this kind in the current language (see LABELLERS)."""
    return LABELLERS[kind](value)
