"""The mail that tells readers what became of the comment they reported."""

from blog import protected_posts
from blog.models import Comment, Post
from blog.permalinks import comment_mail_link, post_url
from blog.spam.models import CommentReport
from blog.spam.reports import REASON_LABELS
from core.i18n import gettext as _
from core.i18n import in_language
from core.i18n import lazy_gettext as _l
from extensions import db
from notify import mailer
from notify.mailer import normalize_email

# The outcome in plain words, as the mail's subject and its first line say it.
OUTCOME_WORDS = {
    "removed": _l("A moderator removed the comment you reported."),
    "kept": _l("A moderator looked at the comment you reported and decided to keep it on the site."),
}


def reports_resolved(comment: Comment, reports: list[CommentReport], outcome: str) -> None:
    """Queue one mail to each reporter who left an email, in the caller's transaction."""
    post = db.session.get(Post, comment.post_id)
    told: set[str] = set()
    with mailer.site_links(), in_language(None):  # readers' mails: the site's language
        for report in reports:
            email = normalize_email(report.reporter_email)
            if not email or email in told:
                continue
            told.add(email)
            mailer.enqueue(
                email, _("Your report of a comment on “%(title)s”", title=protected_posts.display_title(post)),
                "report_outcome",
                post=post, post_title=protected_posts.display_title(post), outcome=outcome,
                outcome_words=str(OUTCOME_WORDS[outcome]), reason=REASON_LABELS.get(report.reason, report.reason),
                reported_at=report.created_at, name=report.reporter_name,
                # A removed comment has no page any more: the post is where the reader goes.
                link=comment_mail_link(comment.id) if outcome == "kept" else post_url(post, _external=True),
            )
