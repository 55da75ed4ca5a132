"""Roles and what each may do, with WordPress's meanings, plus a Moderator for comments only.

A role is a name stored on the user; a capability is a named permission. Screens and actions ask
for a capability (`user.can(MODERATE_COMMENTS)`), never for a role, so a role's reach is read here
in one table. Two checks also look at the object: an Author edits and moderates only on their own
posts, and a Contributor edits only their own unpublished drafts.
"""

from core.i18n import lazy_gettext as _l

ADMINISTRATOR, EDITOR, AUTHOR, CONTRIBUTOR, MODERATOR, SUBSCRIBER = (
    "administrator", "editor", "author", "contributor", "moderator", "subscriber")

# Each role's display name (the stored key stays English), in the order the Users screen offers
# them; Subscriber is every reader who logs in to comment.
ROLE_LABELS = {
    ADMINISTRATOR: _l("Administrator"),
    EDITOR: _l("Editor"),
    AUTHOR: _l("Author"),
    CONTRIBUTOR: _l("Contributor"),
    MODERATOR: _l("Moderator"),
    SUBSCRIBER: _l("Subscriber"),
}

ACCESS_ADMIN = "access_admin"  # the dashboard and one's own profile in the admin
EDIT_POSTS = "edit_posts"  # write and edit one's own posts (Contributors: drafts only)
PUBLISH_POSTS = "publish_posts"  # publish, and edit what one has published
EDIT_OTHERS_POSTS = "edit_others_posts"  # everyone's posts, and moderating comments on them
MODERATE_COMMENTS = "moderate_comments"  # every comment, on every post
REVIEW_COMMENTS = "review_comments"  # the Comments screen: an Author's shows the comments on their posts
MANAGE_OPTIONS = "manage_options"  # the blog's settings
MANAGE_USERS = "manage_users"  # list, invite, change role, remove
IMPORT_EXPORT = "import_export"  # the WordPress tools: moving the whole blog in or out
MANAGE_CATEGORIES = "manage_categories"  # the Categories and Tags screens (the editor assigns terms with EDIT_POSTS)
UPLOAD_FILES = "upload_files"  # the media library: upload, and edit one's own images (others' need EDIT_OTHERS_POSTS)

CAPABILITIES: dict[str, frozenset[str]] = {
    ADMINISTRATOR: frozenset({ACCESS_ADMIN, EDIT_POSTS, PUBLISH_POSTS, EDIT_OTHERS_POSTS, MODERATE_COMMENTS,
                              REVIEW_COMMENTS, MANAGE_OPTIONS, MANAGE_USERS, IMPORT_EXPORT, MANAGE_CATEGORIES,
                              UPLOAD_FILES}),
    EDITOR: frozenset({ACCESS_ADMIN, EDIT_POSTS, PUBLISH_POSTS, EDIT_OTHERS_POSTS, MODERATE_COMMENTS, REVIEW_COMMENTS,
                       MANAGE_CATEGORIES, UPLOAD_FILES}),
    AUTHOR: frozenset({ACCESS_ADMIN, EDIT_POSTS, PUBLISH_POSTS, REVIEW_COMMENTS, UPLOAD_FILES}),
    CONTRIBUTOR: frozenset({ACCESS_ADMIN, EDIT_POSTS}),
    MODERATOR: frozenset({ACCESS_ADMIN, MODERATE_COMMENTS, REVIEW_COMMENTS}),
    SUBSCRIBER: frozenset(),
}


def role_can(role: str | None, capability: str) -> bool:
    """Whether the role holds the capability; an unknown role holds none."""
    return capability in CAPABILITIES.get(role or "", frozenset())


def may_edit_post(user, post) -> bool:
    """Editors and Administrators edit every post; Authors their own; Contributors their own drafts."""
    if user.can(EDIT_OTHERS_POSTS):
        return True
    if not user.can(EDIT_POSTS) or post.author_id != user.id:
        return False
    return user.can(PUBLISH_POSTS) or post.status == "draft"


def may_moderate_comments_on(user, post) -> bool:
    """Moderators, Editors and Administrators moderate every comment; an Author those on their posts."""
    if user.can(MODERATE_COMMENTS):
        return True
    return user.can(REVIEW_COMMENTS) and post is not None and post.author_id == user.id
