"""Turning each provider's user-info answer into one common Profile.

Everything here reads untrusted data from another server: each field is type-checked and
bounded, URLs must be http(s), and a missing subject is a ProfileError, never a KeyError.
"""

import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email


class ProfileError(ValueError):
    """The provider's answer did not hold a usable profile."""


@dataclass(frozen=True)
class Profile:
    provider: str
    subject: str
    display_name: str
    email: str | None
    email_verified: bool
    avatar_url: str | None
    profile_url: str | None
    name_given: bool = True  # False: display_name is a stand-in (the email's first part, "Anonymous")


_TWITTER_HANDLE = re.compile(r"^[A-Za-z0-9_]{1,15}$")


def _text(value, limit: int) -> str | None:
    # NUL cannot be stored (PostgreSQL refuses it); it is dropped as from any other input.
    if not isinstance(value, str) or not value.replace("\x00", "").strip():
        return None
    return value.replace("\x00", "").strip()[:limit]


def _has_control_characters(value: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in value)


def _url(value) -> str | None:
    if (
        isinstance(value, str)
        and len(value) <= 500
        and value.lower().startswith(("https://", "http://"))
        and not _has_control_characters(value)
    ):
        return value
    return None


def _email(value) -> str | None:
    """One address, checked as the comment form checks it ("a@x, b@y" is no email at all)."""
    if not isinstance(value, str) or not 3 <= len(value.strip()) <= 100:
        return None
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def _subject(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value).strip() == "":
        raise ProfileError("no subject identifier in the profile")
    subject = str(value)
    if len(subject) > 255:
        raise ProfileError("subject identifier too long")
    if "\x00" in subject:
        raise ProfileError("subject identifier holds a NUL character")
    return subject


def _json_object(response, *path: str) -> dict:
    response.raise_for_status()
    data = response.json()
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    if not isinstance(data, dict):
        raise ProfileError("the profile is not a JSON object")
    return data


def _verified(value) -> bool:
    # Some OpenID providers send the boolean claim as a string.
    return value is True or value == "true"


def _make(provider: str, subject, name, email, verified, avatar, profile_url) -> Profile:
    email = _email(email)
    name = _text(name, 250)
    return Profile(
        provider=provider,
        subject=_subject(subject),
        display_name=name or (email.split("@")[0] if email else "Anonymous"),
        email=email,
        email_verified=bool(email) and verified,
        avatar_url=_url(avatar),
        profile_url=_url(profile_url),
        name_given=name is not None,
    )


def oidc_profile(client, token) -> Profile:
    """OpenID Connect: the verified ID token's claims, completed by the userinfo endpoint."""
    claims = token.get("userinfo")
    if not claims:
        raise ProfileError("no ID token in the token response")
    claims = dict(claims)
    if client.load_server_metadata().get("userinfo_endpoint"):
        info = client.userinfo(token=token)
        if info.get("sub") != claims.get("sub"):
            raise ProfileError("userinfo is about another subject than the ID token")
        claims |= dict(info)
    return _make(
        client.name,
        claims.get("sub"),
        claims.get("name") or claims.get("preferred_username"),
        claims.get("email"),
        _verified(claims.get("email_verified")),
        claims.get("picture"),
        claims.get("profile"),
    )


def twitter_profile(client, token) -> Profile:
    """X: GET /2/users/me, which answers {"data": {...}} and never an email."""
    params = {"user.fields": "profile_image_url"}
    data = _json_object(client.get("2/users/me", params=params, token=token), "data")
    username = data.get("username")
    handle = username if isinstance(username, str) and _TWITTER_HANDLE.match(username) else None
    return _make(
        client.name,
        data.get("id"),
        data.get("name") or handle,
        None,
        False,
        data.get("profile_image_url"),
        f"https://x.com/{handle}" if handle else None,
    )


def facebook_profile(client, token) -> Profile:
    """Facebook Graph: me?fields=id,name,email,picture; Facebook states no email verification."""
    params = {"fields": "id,name,email,picture"}
    data = _json_object(client.get("me", params=params, token=token))
    picture = data.get("picture")
    picture = picture.get("data") if isinstance(picture, dict) else None
    return _make(
        client.name,
        data.get("id"),
        data.get("name"),
        data.get("email"),
        False,
        picture.get("url") if isinstance(picture, dict) else None,
        None,
    )


def wordpress_profile(client, token) -> Profile:
    """WordPress.com: rest/v1.1/me."""
    data = _json_object(client.get("rest/v1.1/me", token=token))
    return _make(
        client.name,
        data.get("ID"),
        data.get("display_name") or data.get("username"),
        data.get("email"),
        _verified(data.get("email_verified")),
        data.get("avatar_URL"),
        data.get("profile_URL"),
    )


def github_profile(client, token) -> Profile:
    """GitHub: `user` for the account, `user/emails` for its primary verified address."""
    data = _json_object(client.get("user", token=token))
    response = client.get("user/emails", token=token)
    response.raise_for_status()
    emails = response.json()
    if not isinstance(emails, list):
        raise ProfileError("user/emails is not a list")
    primary = (
        next((e for e in emails if isinstance(e, dict) and e.get("primary") is True), None) or {}
    )
    return _make(
        client.name,
        data.get("id"),
        data.get("name") or data.get("login"),
        primary.get("email"),
        primary.get("verified") is True,
        data.get("avatar_url"),
        data.get("html_url"),
    )
