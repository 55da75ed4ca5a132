"""What each role may do (auth.roles), with WordPress's meanings and a Moderator for comments only."""

from types import SimpleNamespace

import pytest

from auth.models import User
from auth.roles import (
    ACCESS_ADMIN,
    ADMINISTRATOR,
    AUTHOR,
    CAPABILITIES,
    CONTRIBUTOR,
    EDIT_OTHERS_POSTS,
    EDIT_POSTS,
    EDITOR,
    IMPORT_EXPORT,
    MANAGE_CATEGORIES,
    MANAGE_OPTIONS,
    MANAGE_USERS,
    MODERATE_COMMENTS,
    MODERATOR,
    PUBLISH_POSTS,
    REVIEW_COMMENTS,
    ROLE_LABELS,
    SUBSCRIBER,
    UPLOAD_FILES,
    may_edit_post,
    may_moderate_comments_on,
    role_can,
)

EVERYTHING = {ACCESS_ADMIN, EDIT_POSTS, PUBLISH_POSTS, EDIT_OTHERS_POSTS, MODERATE_COMMENTS, REVIEW_COMMENTS,
              MANAGE_OPTIONS, MANAGE_USERS, IMPORT_EXPORT, MANAGE_CATEGORIES, UPLOAD_FILES}


def _user(role: str, user_id: int = 7) -> User:
    return User(id=user_id, display_name=role, role=role)


def _post(author_id: int, status: str = "published"):
    return SimpleNamespace(author_id=author_id, status=status)


def test_every_role_has_a_label_and_a_capability_set():
    assert set(ROLE_LABELS) == set(CAPABILITIES)
    assert CAPABILITIES[ADMINISTRATOR] == EVERYTHING


@pytest.mark.parametrize(("role", "allowed"), [
    (EDITOR, {ACCESS_ADMIN, EDIT_POSTS, PUBLISH_POSTS, EDIT_OTHERS_POSTS, MODERATE_COMMENTS, REVIEW_COMMENTS,
              MANAGE_CATEGORIES, UPLOAD_FILES}),
    (AUTHOR, {ACCESS_ADMIN, EDIT_POSTS, PUBLISH_POSTS, REVIEW_COMMENTS, UPLOAD_FILES}),
    (CONTRIBUTOR, {ACCESS_ADMIN, EDIT_POSTS}),
    (MODERATOR, {ACCESS_ADMIN, MODERATE_COMMENTS, REVIEW_COMMENTS}),
    (SUBSCRIBER, set()),
])
def test_roles_hold_wordpress_capabilities(role, allowed):
    assert {cap for cap in EVERYTHING if _user(role).can(cap)} == allowed


def test_an_unknown_role_holds_nothing():
    assert not role_can("superuser", ACCESS_ADMIN) and not role_can(None, ACCESS_ADMIN)


def test_who_edits_which_post():
    assert may_edit_post(_user(EDITOR), _post(author_id=1))
    assert may_edit_post(_user(AUTHOR), _post(author_id=7)) and not may_edit_post(_user(AUTHOR), _post(author_id=1))
    assert may_edit_post(_user(CONTRIBUTOR), _post(author_id=7, status="draft"))
    assert not may_edit_post(_user(CONTRIBUTOR), _post(author_id=7, status="published"))
    assert not may_edit_post(_user(MODERATOR), _post(author_id=7))


def test_who_moderates_comments_on_which_post():
    assert may_moderate_comments_on(_user(MODERATOR), _post(author_id=1))
    assert may_moderate_comments_on(_user(EDITOR), _post(author_id=1))
    assert may_moderate_comments_on(_user(AUTHOR), _post(author_id=7))
    assert not may_moderate_comments_on(_user(AUTHOR), _post(author_id=1))
    assert not may_moderate_comments_on(_user(AUTHOR), None)
    assert not may_moderate_comments_on(_user(CONTRIBUTOR), _post(author_id=7))
