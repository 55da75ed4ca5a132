"""What each role may open in the admin, proven by walking every rule of the admin blueprint.

For every rule in the app's URL map, every method it takes (GET, and POST with a valid CSRF
token) and, where it names a post or comment, both one of the user's own and one of another
author's, each role and an anonymous visitor send the request; the status must be the one the
table below says. The table is written out by hand: it is what the roles mean (auth.roles), not
what the views happen to declare, so a wrong declaration fails here. A new admin rule fails until
it has its rows.
"""

from dataclasses import dataclass

import pytest
from werkzeug.routing import AnyConverter

from app import create_app
from auth.models import User
from auth.roles import ADMINISTRATOR, AUTHOR, CONTRIBUTOR, EDITOR, MODERATOR, SUBSCRIBER
from blog.models import Comment, Post, Term
from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.conftest import make_config
from tests.support.admin import client_as, staff_user
from tests.support.factories import make_comment, make_post
from tests.support.helpers import form_fields

ANONYMOUS = "anonymous"
ROLES = (ADMINISTRATOR, EDITOR, AUTHOR, CONTRIBUTOR, MODERATOR, SUBSCRIBER, ANONYMOUS)
ADMIN, AUTH, CONTRIB, MOD = ADMINISTRATOR, AUTHOR, CONTRIBUTOR, MODERATOR
EVERY_ACCOUNT = (ADMIN, EDITOR, AUTH, CONTRIB, MOD, SUBSCRIBER)

# (endpoint, method, whose post or comment the request names) -> (status for the roles let in, roles let
# in). Every other logged-in role gets 403; an anonymous visitor is sent to log in (302).
EXPECTED = {
    ("admin.dashboard", "GET", ""): (200, (ADMIN, EDITOR, AUTH, CONTRIB, MOD)),
    # One's own profile: every account, Subscribers included (empty forms are let in, then refused).
    ("admin.profile", "GET", ""): (200, EVERY_ACCOUNT),
    ("admin.profile", "POST", ""): (400, EVERY_ACCOUNT),
    ("admin.profile_email", "POST", ""): (400, EVERY_ACCOUNT),
    ("admin.profile_email_confirm", "GET", ""): (400, EVERY_ACCOUNT),  # let in; "x" is no link
    ("admin.profile_email_confirm", "POST", ""): (400, EVERY_ACCOUNT),
    ("admin.profile_password", "POST", ""): (400, EVERY_ACCOUNT),
    ("admin.profile_link", "POST", ""): (404, EVERY_ACCOUNT),  # let in; "x" is no provider
    ("admin.profile_unlink", "POST", ""): (400, EVERY_ACCOUNT),  # let in; not one of theirs
    ("admin.log_out_everywhere", "POST", ""): (303, EVERY_ACCOUNT),
    ("admin.account", "GET", ""): (301, EVERY_ACCOUNT),  # the profile's old address
    # Two-factor log-in is for staff: every role that works in the admin, not Subscribers.
    ("admin.two_factor", "GET", ""): (200, (ADMIN, EDITOR, AUTH, CONTRIB, MOD)),
    ("admin.two_factor_start", "POST", ""): (303, (ADMIN, EDITOR, AUTH, CONTRIB, MOD)),
    ("admin.two_factor_confirm", "POST", ""): (400, (ADMIN, EDITOR, AUTH, CONTRIB, MOD)),  # let in; no code
    ("admin.two_factor_codes", "POST", ""): (400, (ADMIN, EDITOR, AUTH, CONTRIB, MOD)),  # let in; not enrolled
    ("admin.two_factor_off", "POST", ""): (400, (ADMIN, EDITOR, AUTH, CONTRIB, MOD)),  # let in; not enrolled
    # Posts: Editors everyone's, Authors their own, Contributors their own drafts (a published one is not).
    ("admin.posts", "GET", ""): (200, (ADMIN, EDITOR, AUTH, CONTRIB)),
    ("admin.post_new", "GET", ""): (200, (ADMIN, EDITOR, AUTH, CONTRIB)),
    ("admin.post_new", "POST", ""): (303, (ADMIN, EDITOR, AUTH, CONTRIB)),
    ("admin.post_edit", "GET", "own"): (200, (ADMIN, EDITOR, AUTH)),
    ("admin.post_edit", "GET", "others"): (200, (ADMIN, EDITOR)),
    ("admin.post_edit", "POST", "own"): (303, (ADMIN, EDITOR, AUTH)),
    ("admin.post_edit", "POST", "others"): (303, (ADMIN, EDITOR)),
    ("admin.post_delete", "GET", "own"): (200, (ADMIN, EDITOR, AUTH)),
    ("admin.post_delete", "GET", "others"): (200, (ADMIN, EDITOR)),
    ("admin.post_delete", "POST", "own"): (303, (ADMIN, EDITOR, AUTH)),
    ("admin.post_delete", "POST", "others"): (303, (ADMIN, EDITOR)),
    # Pages: as posts (auth.roles' EDIT_POSTS and may_edit_post); the request names a page.
    ("admin.pages", "GET", ""): (200, (ADMIN, EDITOR, AUTH, CONTRIB)),
    ("admin.page_new", "GET", ""): (200, (ADMIN, EDITOR, AUTH, CONTRIB)),
    ("admin.page_new", "POST", ""): (303, (ADMIN, EDITOR, AUTH, CONTRIB)),
    ("admin.page_edit", "GET", "own"): (200, (ADMIN, EDITOR, AUTH)),
    ("admin.page_edit", "GET", "others"): (200, (ADMIN, EDITOR)),
    ("admin.page_edit", "POST", "own"): (303, (ADMIN, EDITOR, AUTH)),
    ("admin.page_edit", "POST", "others"): (303, (ADMIN, EDITOR)),
    ("admin.page_delete", "GET", "own"): (200, (ADMIN, EDITOR, AUTH)),
    ("admin.page_delete", "GET", "others"): (200, (ADMIN, EDITOR)),
    ("admin.page_delete", "POST", "own"): (303, (ADMIN, EDITOR, AUTH)),
    ("admin.page_delete", "POST", "others"): (303, (ADMIN, EDITOR)),
    # Categories and tags: manage_categories, Editors' and Administrators'.
    ("admin.categories", "GET", ""): (200, (ADMIN, EDITOR)),
    ("admin.categories", "POST", ""): (303, (ADMIN, EDITOR)),
    ("admin.category_edit", "GET", ""): (200, (ADMIN, EDITOR)),
    ("admin.category_edit", "POST", ""): (303, (ADMIN, EDITOR)),
    ("admin.category_delete", "GET", ""): (200, (ADMIN, EDITOR)),
    ("admin.category_delete", "POST", ""): (303, (ADMIN, EDITOR)),
    ("admin.tags", "GET", ""): (200, (ADMIN, EDITOR)),
    ("admin.tags", "POST", ""): (303, (ADMIN, EDITOR)),
    ("admin.tag_edit", "GET", ""): (200, (ADMIN, EDITOR)),
    ("admin.tag_edit", "POST", ""): (303, (ADMIN, EDITOR)),
    ("admin.tag_delete", "GET", ""): (200, (ADMIN, EDITOR)),
    ("admin.tag_delete", "POST", ""): (303, (ADMIN, EDITOR)),
    # Comments: Moderators and Editors every one, Authors those on their own posts.
    ("admin.comments", "GET", ""): (200, (ADMIN, EDITOR, AUTH, MOD)),
    ("admin.comment_action", "POST", "own"): (303, (ADMIN, EDITOR, AUTH, MOD)),
    ("admin.comment_action", "POST", "others"): (303, (ADMIN, EDITOR, MOD)),
    ("admin.comments_bulk", "POST", "own"): (303, (ADMIN, EDITOR, AUTH, MOD)),
    ("admin.comments_bulk", "POST", "others"): (303, (ADMIN, EDITOR, MOD)),
    ("admin.comments_undo", "POST", "own"): (303, (ADMIN, EDITOR, AUTH, MOD)),
    ("admin.comments_undo", "POST", "others"): (303, (ADMIN, EDITOR, MOD)),
    ("admin.comment_reply", "GET", "own"): (200, (ADMIN, EDITOR, AUTH, MOD)),
    ("admin.comment_reply", "GET", "others"): (200, (ADMIN, EDITOR, MOD)),
    ("admin.comment_reply", "POST", "own"): (303, (ADMIN, EDITOR, AUTH, MOD)),
    ("admin.comment_reply", "POST", "others"): (303, (ADMIN, EDITOR, MOD)),
    ("admin.comment_edit", "GET", "own"): (200, (ADMIN, EDITOR, AUTH, MOD)),
    ("admin.comment_edit", "GET", "others"): (200, (ADMIN, EDITOR, MOD)),
    ("admin.comment_edit", "POST", "own"): (303, (ADMIN, EDITOR, AUTH, MOD)),
    ("admin.comment_edit", "POST", "others"): (303, (ADMIN, EDITOR, MOD)),
    # The walk names no revision of the comment: those who may restore one are told it is not there.
    ("admin.comment_restore_revision", "POST", "own"): (404, (ADMIN, EDITOR, AUTH, MOD)),
    ("admin.comment_restore_revision", "POST", "others"): (404, (ADMIN, EDITOR, MOD)),
    ("admin.comment_block", "POST", "own"): (303, (ADMIN, EDITOR, MOD)),  # a blog-wide list
    ("admin.comment_block", "POST", "others"): (303, (ADMIN, EDITOR, MOD)),
    # The commenters' ladder holds for the whole blog; a POST naming no rung is refused (400).
    ("admin.commenter", "GET", "own"): (200, (ADMIN, EDITOR, MOD)),
    ("admin.commenter", "GET", "others"): (200, (ADMIN, EDITOR, MOD)),
    ("admin.commenter", "POST", "own"): (400, (ADMIN, EDITOR, MOD)),
    ("admin.commenter", "POST", "others"): (400, (ADMIN, EDITOR, MOD)),
    # Readers' reports: the Reported tab lists (and Dismiss closes) those on posts one may moderate.
    ("admin.reported_comments", "GET", ""): (200, (ADMIN, EDITOR, AUTH, MOD)),
    ("admin.dismiss_comment_reports", "POST", "own"): (303, (ADMIN, EDITOR, AUTH, MOD)),
    ("admin.dismiss_comment_reports", "POST", "others"): (303, (ADMIN, EDITOR, MOD)),
    ("admin.comments_empty", "POST", ""): (303, (ADMIN, EDITOR, MOD)),
    ("admin.moderation_log", "GET", ""): (200, (ADMIN, EDITOR, MOD)),
    # Mentions & fediverse: its lists and Retry for comment moderators, its settings for Administrators.
    ("admin.federation", "GET", ""): (200, (ADMIN, EDITOR, MOD)),
    ("admin.federation_retry", "POST", ""): (404, (ADMIN, EDITOR, MOD)),  # let in; there is no such row
    ("admin.federation_settings", "POST", ""): (303, (ADMIN,)),  # the empty form: both off, nothing blocked
    # The blog's settings, moving the whole blog in or out, and the Users screen: Administrators only.
    ("admin.discussion_settings", "GET", ""): (200, (ADMIN,)),
    ("admin.discussion_settings", "POST", ""): (400, (ADMIN,)),  # let in; the empty form is refused
    ("admin.security_settings", "GET", ""): (200, (ADMIN,)),
    ("admin.security_settings", "POST", ""): (303, (ADMIN,)),
    # The Mail screen: the outbox, its Retry, the failing addresses and the test email.
    ("admin.mail", "GET", ""): (200, (ADMIN,)),
    ("admin.mail_retry", "POST", ""): (404, (ADMIN,)),  # let in; there is no such mail
    ("admin.mail_address_clear", "POST", ""): (404, (ADMIN,)),  # let in; there is no such address
    ("admin.mail_test", "POST", ""): (400, (ADMIN,)),  # let in; the empty form is refused
    ("admin.tools_import", "GET", ""): (200, (ADMIN,)),
    ("admin.tools_import", "POST", ""): (400, (ADMIN,)),  # let in; no file sent
    ("admin.tools_import_job", "GET", ""): (404, (ADMIN,)),  # let in; there is no such job
    ("admin.tools_export", "GET", ""): (200, (ADMIN,)),
    ("admin.tools_export_download", "GET", ""): (200, (ADMIN,)),
    ("admin.users", "GET", ""): (200, (ADMIN,)),
    ("admin.user_new", "GET", ""): (200, (ADMIN,)),
    ("admin.user_new", "POST", ""): (400, (ADMIN,)),
    ("admin.user_edit", "GET", ""): (200, (ADMIN,)),
    ("admin.user_edit", "POST", ""): (400, (ADMIN,)),
    ("admin.user_remove", "GET", ""): (200, (ADMIN,)),
    ("admin.user_remove", "POST", ""): (400, (ADMIN,)),
    # Appearance (edit_theme_options in WordPress): Administrators only.
    ("admin.menus", "GET", ""): (200, (ADMIN,)),
    ("admin.menu_add", "POST", ""): (404, (ADMIN,)),  # let in; "x" is no kind of item
    ("admin.menu_item_edit", "POST", ""): (404, (ADMIN,)),  # let in; there is no such item
    ("admin.menu_item_move", "POST", ""): (404, (ADMIN,)),
    ("admin.menu_item_remove", "POST", ""): (404, (ADMIN,)),
    ("admin.widgets", "GET", ""): (200, (ADMIN,)),
    ("admin.widgets", "POST", ""): (400, (ADMIN,)),  # let in; the empty form is refused
    # The media library: upload_files (Authors up); changing another's image also needs edit_others_posts.
    ("admin.media_library", "GET", ""): (200, (ADMIN, EDITOR, AUTH)),
    ("admin.media_upload", "POST", ""): (303, (ADMIN, EDITOR, AUTH)),  # let in; no file: back with a message
    ("admin.media_status", "GET", ""): (404, (ADMIN, EDITOR, AUTH)),  # let in; there is no such image
    ("admin.media_edit", "GET", ""): (404, (ADMIN, EDITOR, AUTH)),
    ("admin.media_edit", "POST", ""): (404, (ADMIN, EDITOR, AUTH)),
    ("admin.media_alt", "POST", ""): (404, (ADMIN, EDITOR, AUTH)),
    ("admin.media_delete", "GET", ""): (404, (ADMIN, EDITOR, AUTH)),
    ("admin.media_delete", "POST", ""): (404, (ADMIN, EDITOR, AUTH)),
    ("admin.media_settings", "GET", ""): (200, (ADMIN,)),
    ("admin.media_settings", "POST", ""): (400, (ADMIN,)),  # let in; the empty form is refused
    ("admin.privacy", "GET", ""): (200, (ADMIN,)),
    ("admin.privacy_run", "POST", ""): (400, (ADMIN,)),  # let in; the empty form is refused
}

# What each POST sends besides its CSRF token (the comment's id where the form names comments).
FORMS = {
    "admin.post_new": lambda scene: {"title": "A new post", "save_draft": "Save Draft"},
    "admin.post_edit": lambda scene: {"title": "Retitled", "status": "published", "visibility": "public",
                                      "publish": "Update"},
    "admin.page_new": lambda scene: {"title": "A new page", "parent": "0", "save_draft": "Save Draft"},
    "admin.page_edit": lambda scene: {"title": "Retitled", "status": "published", "visibility": "public",
                                      "parent": "0", "publish": "Update"},
    "admin.categories": lambda scene: {"name": f"Added by {scene.other.id}", "parent": "0"},
    "admin.category_edit": lambda scene: {"name": f"Renamed by {scene.other.id}", "parent": "0"},
    "admin.tags": lambda scene: {"name": f"Added by {scene.other.id}"},
    "admin.tag_edit": lambda scene: {"name": f"Renamed by {scene.other.id}"},
    "admin.comments_bulk": lambda scene: {"action": "approve", "comment_status": "pending", "ids": [scene.comment.id]},
    "admin.comments_undo": lambda scene: {"action": "trash", "ids": [scene.comment.id]},
    "admin.comment_reply": lambda scene: {"body": "Thank you for reading."},
    "admin.comment_edit": lambda scene: {"body": "Edited.", "author_name": "Ada", "status": "approved"},
    "admin.comment_block": lambda scene: {"what": "ip"},
}
NAMES_COMMENTS_IN_FORM = {"admin.comments_bulk", "admin.comments_undo"}
ONE_OF = {"action": "approve", "status": "spam", "job_id": 1, "identity_id": 1, "item_id": 1, "media_id": 1,
          "revision_id": 1, "message_id": 1, "address_id": 1}

_MAP_APP = create_app(make_config())
ADMIN_RULES = sorted((rule for rule in _MAP_APP.url_map.iter_rules() if rule.endpoint.startswith("admin.")),
                     key=lambda rule: (rule.rule, rule.endpoint))


def _targets(rule) -> tuple[str, ...]:
    names_one = {"post_id", "comment_id"} & set(rule.arguments) or rule.endpoint in NAMES_COMMENTS_IN_FORM
    return ("own", "others") if names_one else ("",)


CASES = [(rule.endpoint, rule.rule, method, target) for rule in ADMIN_RULES
         for method in sorted(rule.methods & {"GET", "POST"}) for target in _targets(rule)]


@dataclass
class Scene:
    """One role's world: a post of its own, another author's, and a held comment on the one asked."""

    user: User | None
    other: User  # another author, whom the Users screen may edit or remove
    post: Post  # the post the request names: the user's own or another author's
    comment: Comment  # a held comment on it
    page: Post  # the page the request names, the user's own or another author's
    terms: dict[str, Term]  # a category and a tag of its own, for the term screens


def _scene(role: str, target: str) -> Scene:
    user = None if role == ANONYMOUS else staff_user(role)
    other = staff_user(AUTHOR, name=f"Olga Other for {role}")
    own = make_post(author_id=user.id if user else None)
    theirs = make_post(author_id=other.id)
    post = theirs if target == "others" else own
    comment = make_comment(post, status="pending", author_ip="203.0.113.9")
    make_comment(theirs if post is own else own, status="spam")  # something for Empty Spam
    page = make_post(kind="page", author_id=other.id if target == "others" else user.id if user else None)
    made = {taxonomy: Term(taxonomy=taxonomy, name=f"{taxonomy} of {other.id}", slug=f"{taxonomy}-of-{other.id}")
            for taxonomy in ("category", "tag")}
    db.session.add_all(made.values())
    db.session.commit()
    return Scene(user, other, post, comment, page, made)


def _url(rule, scene: Scene) -> str:
    values = {}
    for name, converter in rule._converters.items():
        if name == "post_id":
            values[name] = scene.page.id if rule.endpoint.startswith("admin.page_") else scene.post.id
        elif name == "term_id":
            values[name] = scene.terms["tag" if rule.endpoint.startswith("admin.tag_") else "category"].id
        elif name == "comment_id":
            values[name] = scene.comment.id
        elif name == "user_id":
            values[name] = scene.other.id
        elif isinstance(converter, AnyConverter) or name in ONE_OF:
            values[name] = ONE_OF.get(name, sorted(getattr(converter, "items", ["x"]))[0])
        else:
            values[name] = "x"
    return rule.build(values)[1]


def _send(app, rule, method: str, scene: Scene):
    client = app.test_client() if scene.user is None else client_as(app, scene.user)
    url = _url(rule, scene)
    if method == "GET":
        return client.get(url)
    _, hidden = form_fields(client.get(post_url(scene.post)))  # a valid token for this client's session
    form = FORMS.get(rule.endpoint, lambda _scene: {})(scene)
    return client.post(url, data={"csrf_token": hidden["csrf_token"], **form})


def test_the_walk_covers_every_admin_screen_and_action():
    endpoints = {endpoint for endpoint, _, _, _ in CASES}
    assert {"admin.dashboard", "admin.posts", "admin.post_edit", "admin.comments", "admin.comments_bulk",
            "admin.comments_empty", "admin.discussion_settings", "admin.tools_import", "admin.account"} <= endpoints


@pytest.mark.parametrize(("endpoint", "path", "method", "target"), CASES)
def test_each_role_gets_what_the_table_says(app, endpoint, path, method, target):
    assert (endpoint, method, target) in EXPECTED, f"no expectations for {method} {path} ({target or 'no object'})"
    status, let_in = EXPECTED[endpoint, method, target]
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == path)
    save_settings({"comment_flood_seconds": 0})
    db.session.commit()
    got = {}
    for role in ROLES:
        got[role] = _send(app, rule, method, _scene(role, target)).status_code
    wanted = {role: status if role in let_in else 302 if role == ANONYMOUS else 403 for role in ROLES}
    assert got == wanted


def test_every_admin_view_declares_the_capability_it_needs(app):
    undeclared = sorted(endpoint for endpoint, view in app.view_functions.items()
                        if endpoint.startswith("admin.") and not hasattr(view, "required_capability"))
    assert undeclared == []
