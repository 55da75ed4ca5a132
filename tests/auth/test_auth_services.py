"""Rules of auth.services and auth.profiles tested directly."""

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auth.models import Identity, User
from auth.profiles import Profile, ProfileError, _make
from auth.services import identity_for_profile, is_admin_email, safe_next
from tests.support.oauth import rows


@given(st.text())
def test_safe_next_only_ever_returns_a_path_on_this_site(target):
    result = safe_next(target)
    assert result.startswith("/") and not result.startswith("//")
    assert urlsplit(result).netloc == "" and "\\" not in result


@pytest.mark.parametrize("target", ["/", "/2024/03/04/a-post/", "/about/?page=2#respond"])
def test_safe_next_keeps_site_paths(target):
    assert safe_next(target) == target


def test_profile_fields_from_a_provider_are_checked_and_bounded():
    profile = _make(
        "github", 7, "x" * 400, "not-an-email", True, "javascript:alert(1)", "data:text/html,hi"
    )
    assert profile.subject == "7" and len(profile.display_name) == 250
    assert profile.email is None and profile.email_verified is False
    assert profile.avatar_url is None and profile.profile_url is None


@pytest.mark.parametrize("subject", [None, "", True, 1.5, {"id": 1}, "9" * 256])
def test_profile_without_a_usable_subject_is_refused(subject):
    with pytest.raises(ProfileError):
        _make("github", subject, "Name", None, False, None, None)


def test_admin_emails_match_without_regard_to_case_or_spaces(app_factory):
    app = app_factory(ADMIN_EMAILS=" Owner@Example.com ,, ")
    with app.app_context():
        assert is_admin_email("owner@example.COM")
        assert not is_admin_email("") and not is_admin_email(None)
        assert not is_admin_email("other@example.com")


def test_unverified_email_never_joins_an_existing_account(app):
    verified = Profile("google", "g-1", "Ada", "ada@example.com", True, None, None)
    claimed = Profile("facebook", "f-1", "Not Ada", "ADA@example.com", False, None, None)
    first, second = identity_for_profile(verified), identity_for_profile(claimed)
    assert first.user_id != second.user_id
    assert len(rows(app, User)) == 2 and len(rows(app, Identity)) == 2
