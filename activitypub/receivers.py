"""activitypub's receivers of blog's signals: they run in the sender's transaction (and never
commit), so the activities and deliveries they add land with the post or comment or not at all."""

from flask import Flask

from blog import signals


def post_published(_app, *, post) -> None:
    from activitypub import publish  # here: a worker serving pages never loads the publishing side

    publish.post_published(post)


def post_updated(_app, *, post) -> None:
    from activitypub import publish

    publish.post_updated(post)


def post_withdrawn(_app, *, post) -> None:
    from activitypub import publish

    publish.post_withdrawn(post)


def comment_submitted(_app, *, comment, **_data) -> None:
    if comment.user_id is not None and comment.parent_id:  # only staff's replies go out: guests' return here
        from activitypub import publish

        publish.reply_published(comment)


def comment_approved(_app, *, comment) -> None:
    from activitypub import publish

    publish.reply_published(comment)


def connect(app: Flask) -> None:
    """Connect this part's receivers to blog's signals for `app` (and only its own)."""
    signals.post_published.connect(post_published, sender=app)
    signals.post_updated.connect(post_updated, sender=app)
    signals.post_withdrawn.connect(post_withdrawn, sender=app)
    signals.comment_submitted.connect(comment_submitted, sender=app)
    signals.comment_approved.connect(comment_approved, sender=app)
