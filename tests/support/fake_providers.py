"""Local authorization servers on 127.0.0.1 that answer in each provider's own shapes.

OAuth 2.0 providers (X, Facebook, WordPress.com, GitHub) are built on Authlib's server side;
OpenID Connect providers (Google, any generic one) are oidc-provider-mock, optionally behind
IdTokenTamper, which re-signs the ID token to test each check the app must make.
"""

import base64
import functools
import json
import secrets
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector, current_token
from authlib.oauth2.rfc6749 import AuthorizationCodeGrant, ClientMixin
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, abort, jsonify, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


@contextmanager
def serve(wsgi_app):
    """Serve a WSGI app on 127.0.0.1 at a free port; yields its base URL."""
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(2)
        server.server_close()


@contextmanager
def hanging_server():
    """A port that accepts connections and never answers (the kernel backlog completes them)."""
    sock = socket.create_server(("127.0.0.1", 0), backlog=16)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


@contextmanager
def closed_port():
    """A URL on 127.0.0.1 where nothing listens."""
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    yield f"http://127.0.0.1:{port}"


# Where each provider serves what, relative to its base URL (as on the real hosts).
SHAPES = {
    "twitter": {
        "authorize": "/i/oauth2/authorize",
        "token": "/2/oauth2/token",
        "api": "/",
        "auth_method": "client_secret_basic",
    },
    "facebook": {
        "authorize": "/v19.0/dialog/oauth",
        "token": "/v19.0/oauth/access_token",
        "api": "/v19.0/",
        "auth_method": "client_secret_post",
    },
    "wordpress": {
        "authorize": "/oauth2/authorize",
        "token": "/oauth2/token",
        "api": "/",
        "auth_method": "client_secret_post",
    },
    "github": {
        "authorize": "/login/oauth/authorize",
        "token": "/login/oauth/access_token",
        "api": "/",
        "auth_method": "client_secret_post",
    },
}


@dataclass
class FakeClient(ClientMixin):
    client_id: str
    client_secret: str
    auth_method: str
    redirect_prefix: str = "http://127.0.0.1/auth/callback/"

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        return scope

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri.startswith(self.redirect_prefix)

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method == self.auth_method

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: str
    code_challenge: str | None
    code_challenge_method: str | None

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope


@dataclass
class Token:
    access_token: str
    client_id: str
    scope: str
    user: str
    expires_at: float

    def check_client(self, client):
        return client.get_client_id() == self.client_id

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return int(self.expires_at - time.time())

    def is_expired(self):
        return time.time() > self.expires_at

    def is_revoked(self):
        return False


@dataclass
class FakeOAuth2Provider:
    """One provider shape. `users` maps a user key to that provider's profile fields;
    `overrides` maps an endpoint ("token", "profile", "emails") to a canned (status, body)."""

    shape: str
    client_id: str = "blog-client"
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    users: dict = field(default_factory=dict)
    overrides: dict = field(default_factory=dict)
    codes: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    seen_challenges: list = field(default_factory=list)
    redirect_prefix: str = "http://127.0.0.1/auth/callback/"  # the app's callbacks (port included)

    def wsgi_app(self) -> Flask:
        paths = SHAPES[self.shape]
        app = Flask(f"fake_{self.shape}")
        app.config.update(
            SECRET_KEY=secrets.token_hex(8), SESSION_COOKIE_NAME=f"fake_{self.shape}_session"
        )
        client = FakeClient(
            self.client_id, self.client_secret, paths["auth_method"], self.redirect_prefix
        )
        server = AuthorizationServer(
            app,
            query_client=lambda cid: client if cid == client.client_id else None,
            save_token=self._save_token,
        )
        server.register_grant(self._grant_class(), [CodeChallenge(required=True)])
        protect = ResourceProtector()
        protect.register_token_validator(self._validator())

        @app.before_request
        def canned_answer():
            endpoint = self._endpoint_of(request.path)
            if endpoint in self.overrides:
                status, body = self.overrides[endpoint]
                return Response(body, status=status, mimetype="application/json")

        @app.route(paths["authorize"], methods=["GET", "POST"])
        def authorize():
            if self.shape == "twitter" and request.args.get("code_challenge_method") != "S256":
                abort(400, "X requires PKCE with S256")  # X refuses every client without it
            if not request.args.get("scope"):
                abort(400, "scope is required")
            grant = server.get_consent_grant(end_user=None)
            self.seen_challenges.append(request.args.get("code_challenge"))
            if request.method == "GET":
                return "<form method=post><input name=user><button>Authorize</button></form>"
            user = request.form.get("user") if request.form.get("action") != "deny" else None
            return server.create_authorization_response(grant_user=user, grant=grant)

        @app.post(paths["token"])
        def issue_token():
            return server.create_token_response()

        api = paths["api"]
        if self.shape == "twitter":

            @app.get(api + "2/users/me")
            @protect("users.read")
            def twitter_me():
                data = dict(self._user())
                if "profile_image_url" not in request.args.get("user.fields", ""):
                    data.pop("profile_image_url", None)
                return jsonify(data=data)
        elif self.shape == "facebook":

            @app.get(api + "me")
            @protect()
            def facebook_me():
                asked = set(request.args.get("fields", "id").split(",")) | {"id"}
                return jsonify({k: v for k, v in self._user().items() if k in asked})
        elif self.shape == "wordpress":

            @app.get(api + "rest/v1.1/me")
            @protect()
            def wordpress_me():
                return jsonify(self._user())
        elif self.shape == "github":

            @app.get(api + "user")
            @protect()
            def github_user():
                return jsonify({k: v for k, v in self._user().items() if k != "emails"})

            @app.get(api + "user/emails")
            @protect("user:email")
            def github_emails():
                return jsonify(self._user()["emails"])

        return app

    def _endpoint_of(self, path: str) -> str | None:
        paths = SHAPES[self.shape]
        if path == paths["token"]:
            return "token"
        if path.endswith("/emails"):
            return "emails"
        if path.startswith(paths["api"]) and path != paths["authorize"]:
            return "profile"
        return None

    def _user(self) -> dict:
        return self.users[current_token.user]

    def _save_token(self, token, req):
        self.tokens[token["access_token"]] = Token(
            token["access_token"],
            req.client.client_id,
            token.get("scope", ""),
            req.user,
            time.time() + token["expires_in"],
        )

    def _grant_class(self):
        provider = self

        class Grant(AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, req):
                provider.codes[code] = Code(
                    code,
                    req.client.client_id,
                    req.payload.redirect_uri,
                    req.payload.scope,
                    req.user,
                    req.payload.data.get("code_challenge"),
                    req.payload.data.get("code_challenge_method"),
                )

            def query_authorization_code(self, code, client):
                found = provider.codes.get(code)
                return found if found and found.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.user

        return Grant

    def _validator(self):
        provider = self

        class Validator(BearerTokenValidator):
            def authenticate_token(self, token_string):
                return provider.tokens.get(token_string)

        return Validator()


@functools.cache
def _tamper_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "tamper"})


class IdTokenTamper:
    """WSGI middleware before oidc-provider-mock: when `mutate` is set, the ID token is
    re-signed with `signing_key` after `mutate(claims)`, and /jwks publishes `published_key`."""

    def __init__(self, app):
        self.app = app
        self.mutate = None
        self.signing_key = _tamper_key()
        self.published_key = self.signing_key

    def __call__(self, environ, start_response):
        path = Request(environ).path
        if self.mutate and path == "/jwks":
            keys = {"keys": [self.published_key.as_dict(private=False)]}
            return Response(json.dumps(keys), mimetype="application/json")(environ, start_response)
        if self.mutate and path == "/oauth2/token":
            answer = Response.from_app(self.app, environ)
            data = json.loads(answer.get_data())
            if "id_token" in data:
                payload = data["id_token"].split(".")[1]
                claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
                header = {"alg": "RS256", "kid": "tamper"}
                data["id_token"] = jwt.encode(header, self.mutate(claims), self.signing_key)
            body = json.dumps(data)
            return Response(body, status=answer.status_code, mimetype="application/json")(
                environ, start_response
            )
        return self.app(environ, start_response)
