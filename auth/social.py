"""Social log-in: the round trip to a provider through Authlib, and what a reader is told when it fails.

Loaded by the two social log-in views when first called: Authlib and requests stay out of web
workers that never see a social log-in.
"""

import logging

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from flask import flash, session
from flask_login import current_user

from auth import profile_services, providers, two_factor
from auth.models import Identity
from auth.services import IDENTITY_KEY, NEXT_KEY, identity_for_profile, start_session
from core.i18n import gettext as _

log = logging.getLogger(__name__)


class LoginFailed(Exception):
    """A social log-in that did not complete; the message is for the reader."""


def begin_login(provider: providers.Provider, next_url: str, redirect_uri: str):
    """Redirect response to the provider's consent page (state, nonce and PKCE kept in session)."""
    # One log-in in flight per browser: drop the state of abandoned attempts so the
    # session cookie cannot grow with every click (Authlib keys them "_state_<name>_<state>").
    for key in [k for k in session if k.startswith("_state_")]:
        session.pop(key)
    session.pop(profile_services.LINK_KEY, None)
    session[NEXT_KEY] = next_url
    try:
        return providers.get_client(provider.name).authorize_redirect(redirect_uri)
    except Exception as error:
        raise _failure(provider, error) from error


def state_in_flight(provider_name: str) -> str | None:
    """The OAuth state of this session's log-in in flight with the provider, as begin_login left it."""
    prefix = f"_state_{provider_name}_"
    return next((key.removeprefix(prefix) for key in session if key.startswith(prefix)), None)


def begin_link(provider: providers.Provider, user, next_url: str, redirect_uri: str):
    """As begin_login, for a logged-in user adding this provider to their account: the callback
    attaches the provider account to them instead of logging anyone in."""
    response = begin_login(provider, next_url, redirect_uri)
    session[profile_services.LINK_KEY] = user.id
    return response


def complete_login(provider: providers.Provider) -> Identity:
    """Finish the provider's callback: verify it, fetch the profile, log the reader in."""
    client = providers.get_client(provider.name)
    try:
        token = client.authorize_access_token(**_id_token_checks(provider, client))
        profile = provider.fetch_profile(client, token)
    except Exception as error:
        raise _failure(provider, error) from error
    if profile_services.LINK_KEY in session:
        return _link(provider, profile, session.pop(profile_services.LINK_KEY))
    identity = identity_for_profile(profile)
    asks_name = profile_services.needs_display_name(identity, profile)
    if two_factor.is_on(identity.user):  # logged in only after the second step (auth.views)
        two_factor.await_second_step(identity.user, identity_id=identity.id)
        session[profile_services.NAME_PROMPT_KEY] = asks_name  # asked once the second step is passed
        log.info("log-in with %s: user %s waits for the second step", provider.name, identity.user_id)
        return identity
    start_session(identity.user)
    session[IDENTITY_KEY] = identity.id
    if asks_name:
        session[profile_services.NAME_PROMPT_KEY] = True
    log.info("log-in with %s: user %s identity %s", provider.name, identity.user_id, identity.id)
    return identity


def _link(provider: providers.Provider, profile, user_id) -> Identity:
    """Attach the provider account to the logged-in user who started linking it."""
    if not current_user.is_authenticated or current_user.id != user_id:
        raise LoginFailed(_("Log in again, then link your %(provider)s account from your profile.",
                            provider=provider.label))
    try:
        identity = profile_services.link_identity(current_user._get_current_object(), profile)
    except profile_services.ProfileError:
        log.warning("linking %s to user %s refused: linked to another account", provider.name, user_id)
        raise LoginFailed(_("That %(provider)s account is already linked to another account on this blog, so it "
                            "was not linked to yours.", provider=provider.label)) from None
    log.info("user %s linked %s identity %s", user_id, provider.name, identity.id)
    flash(_("Your %(provider)s account is linked: you can log in with it too.", provider=provider.label), "success")
    return identity


def _id_token_checks(provider: providers.Provider, client) -> dict:
    """Claims the ID token must carry. Authlib checks signature, expiry and nonce itself but
    the audience only when asked to, so both issuer and audience are required here."""
    if not provider.openid:
        return {}
    issuer = client.load_server_metadata()["issuer"]
    return {
        "claims_options": {
            "iss": {"essential": True, "values": [issuer]},
            "aud": {"essential": True, "values": [client.client_id]},
        }
    }


def _failure(provider: providers.Provider, error: Exception) -> LoginFailed:
    """The reader-facing message for a failed log-in; the cause goes to the log."""
    label = provider.label
    if isinstance(error, MismatchingStateError):
        message = _("That %(provider)s log-in had expired or was already used. Please try again.", provider=label)
    elif isinstance(error, OAuthError) and error.error == "access_denied":
        message = _("You did not allow the log-in with %(provider)s, so you are not logged in.", provider=label)
    elif isinstance(error, requests.Timeout):
        message = _("%(provider)s did not answer in time. Please try again in a moment.", provider=label)
    elif isinstance(error, requests.ConnectionError):
        message = _("%(provider)s could not be reached. Please try again later.", provider=label)
    elif isinstance(error, requests.HTTPError):
        message = _("%(provider)s had a problem completing the log-in. Please try again later.", provider=label)
    elif isinstance(
        error,
        (
            AuthlibBaseError,
            requests.RequestException,
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
        ),
    ):
        message = _("%(provider)s's answer could not be verified, so you are not logged in.", provider=label)
    else:
        raise error  # a bug of ours, not the provider's: let the 500 handler log it
    log.warning("log-in with %s failed: %s: %s", provider.name, type(error).__name__, error)
    return LoginFailed(message)
