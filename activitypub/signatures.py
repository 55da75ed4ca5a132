"""HTTP Signatures both ways: signing what the blog sends, and verifying what its inbox receives.

Two schemes: draft-cavage-http-signatures-12 (rsa-sha256 over "(request-target) host date digest",
what Mastodon and most of the fediverse send and verify) and RFC 9421 HTTP Message Signatures
(through the http-message-signatures library). The cavage signing string is built here; every
signature is made and checked by `cryptography`.
"""

import base64
import datetime
import hashlib
import hmac
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from functools import lru_cache
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature as BadRSASignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from flask import current_app
from http_message_signatures import (
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    InvalidSignature,
    algorithms,
)
from http_message_signatures.exceptions import HTTPMessageSignaturesException
from http_message_signatures.structures import CaseInsensitiveDict
from werkzeug.http import http_date

from activitypub.keys import key_id
from activitypub.models import ActorKey, RemoteActor

SCHEMES = ("cavage", "rfc9421")
RFC9421_COMPONENTS = ("@method", "@target-uri", "date")
RFC9421_REQUIRED = ("@method", "@target-uri")
CAVAGE_REQUIRED = ("(request-target)", "host", "date")
CAVAGE_ALGORITHMS = ("rsa-sha256", "hs2019")  # hs2019: the key decides; ours and theirs are RSA
CLOCK_SKEW = datetime.timedelta(minutes=1)  # how far ahead a remote server's clock may be
_CAVAGE_PARAM = re.compile(r'\s*([A-Za-z]+)\s*=\s*"([^"]*)"\s*(?:,|$)')


class SignatureRefused(Exception):
    """A request whose signature does not prove who sent it: `status` is the HTTP answer (401, 403)."""

    def __init__(self, message: str, status: int = 401):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class _Message:
    """A request as http-message-signatures reads it."""

    method: str
    url: str
    headers: CaseInsensitiveDict


class _OneKey(HTTPSignatureKeyResolver):
    """Resolves the one key a signer or verifier was made for."""

    def __init__(self, private=None, public=None):
        self.private, self.public = private, public

    def resolve_private_key(self, key_id: str):
        return self.private

    def resolve_public_key(self, key_id: str):
        return self.public


def sign_headers(method: str, url: str, body: bytes | None, key: ActorKey, scheme: str = "cavage") -> dict[str, str]:
    """The headers that sign a request from the blog actor (Host, Date, a digest of the body, the
    signature), in either scheme; the caller sends them with the request."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown signature scheme {scheme!r}")
    headers = {"Host": urlsplit(url).netloc, "Date": http_date(datetime.datetime.now(datetime.UTC))}
    private = _private_key(key.private_key_pem)
    if scheme == "rfc9421":
        message = _Message(method.upper(), url, CaseInsensitiveDict(headers))
        signer = HTTPMessageSigner(signature_algorithm=algorithms.RSA_V1_5_SHA256,
                                   key_resolver=_OneKey(private=private))
        signer.sign(message, key_id=key_id(), label="sig1", covered_component_ids=RFC9421_COMPONENTS, body=body)
        return dict(message.headers.items())
    covered = list(CAVAGE_REQUIRED)
    if body is not None:
        headers["Digest"] = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
        covered.append("digest")
    signed = cavage_signing_string(method, url, CaseInsensitiveDict(headers), covered)
    signature = private.sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256())
    headers["Signature"] = (f'keyId="{key_id()}",algorithm="rsa-sha256",headers="{" ".join(covered)}",'
                            f'signature="{base64.b64encode(signature).decode()}"')
    return headers


@lru_cache(maxsize=4)
def _private_key(pem: str):
    """The key parsed once: loading checks the RSA key, which costs far more than a signature."""
    return serialization.load_pem_private_key(pem.encode(), password=None)


def cavage_signing_string(method: str, url: str, headers, covered: list[str]) -> str:
    """The text a cavage signature signs: one "name: value" line per covered header."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = []
    for name in covered:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {target}")
        elif headers.get(name) is None:
            raise SignatureRefused(f"the signed header {name!r} is missing")
        else:
            lines.append(f"{name}: {headers[name].strip()}")
    return "\n".join(lines)


def verify_request(method: str, url: str, headers, body: bytes | None) -> RemoteActor:
    """The remote actor whose key signed this request (either scheme); raises SignatureRefused.

    `url` is the address the sender posted to (on SITE_URL). The actor's key comes from the cache
    of remote actors, fetched when unknown, and fetched again once (see actors.REFETCH_AFTER) when
    it no longer verifies, as after a key rotation.
    """
    headers = CaseInsensitiveDict(headers.items())
    if headers.get("Signature-Input"):
        check = _rfc9421_check(method, url, headers, body)
    elif headers.get("Signature") or (headers.get("Authorization") or "").startswith("Signature "):
        check = _cavage_check(method, url, headers, body)
    else:
        raise SignatureRefused("the request is not signed")
    return _with_actor_key(check)


def _with_actor_key(check) -> RemoteActor:
    """Run check(key_id -> public key) with the signer's cached key, then once more with a fresh one."""
    from activitypub import actors

    signers: list[tuple[str, RemoteActor | None]] = []

    def public_key(signer_key_id: str):
        signers.append((signer_key_id, actors.actor_for_key(signer_key_id)))
        return _public_key(signers[-1][1])

    try:
        check(public_key)
    except SignatureRefused as refused:
        if not signers or refused.status != 401:
            raise
        refreshed = actors.refresh_actor_for_key(signers[0][0])
        if refreshed is None:
            raise
        check(lambda _key_id: _public_key(refreshed))
        return refreshed
    return signers[0][1]


def _public_key(actor: RemoteActor | None) -> rsa.RSAPublicKey:
    if actor is None:
        raise SignatureRefused("the signer's actor could not be fetched")
    try:
        key = serialization.load_pem_public_key(actor.public_key_pem.encode())
    except ValueError as error:
        raise SignatureRefused("the signer's public key is unreadable") from error
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureRefused("only RSA keys are accepted")
    return key


def _cavage_check(method: str, url: str, headers, body: bytes | None):
    """A check for a draft-cavage signature: its parameters, Date, Digest, then the RSA signature."""
    value = headers.get("Signature") or headers["Authorization"].removeprefix("Signature ")
    params = dict(_CAVAGE_PARAM.findall(value))
    if not {"keyId", "signature"} <= params.keys():
        raise SignatureRefused("the Signature header lacks keyId or signature")
    if params.get("algorithm", "hs2019").lower() not in CAVAGE_ALGORITHMS:
        raise SignatureRefused(f"unsupported signature algorithm {params['algorithm']!r}")
    covered = params.get("headers", "date").lower().split()
    missing = [name for name in CAVAGE_REQUIRED if name not in covered]
    if body and "digest" not in covered:
        missing.append("digest")
    if missing:
        raise SignatureRefused(f"the signature does not cover {', '.join(missing)}")
    _check_date(headers.get("Date"))
    if body is not None and "digest" in covered:
        _check_digest(headers.get("Digest") or "", body)
    signed = cavage_signing_string(method, url, headers, covered).encode()
    try:
        signature = base64.b64decode(params["signature"], validate=True)
    except ValueError as error:
        raise SignatureRefused("the signature is not base64") from error

    def check(public_key) -> None:
        try:
            public_key(params["keyId"]).verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
        except BadRSASignature as error:
            raise SignatureRefused("the signature does not match the signer's key") from error

    return check


def _check_date(value: str | None) -> None:
    """Refuse a Date header that is missing, unreadable or further from now than the allowed age."""
    try:
        sent = parsedate_to_datetime(value or "")
    except (TypeError, ValueError):
        sent = None
    if sent is None:
        raise SignatureRefused("the Date header is missing or unreadable")
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=datetime.UTC)
    skew = abs((datetime.datetime.now(datetime.UTC) - sent).total_seconds())
    if skew > current_app.config["ACTIVITYPUB_SIGNATURE_MAX_AGE"]:
        raise SignatureRefused("the Date header is too far from now")


def _check_digest(value: str, body: bytes) -> None:
    """Refuse a Digest header that does not name the body's SHA-256 (or SHA-512)."""
    hashers = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}
    for part in value.split(","):
        name, _, encoded = part.strip().partition("=")
        hasher = hashers.get(name.lower())
        if hasher is None:
            continue
        if hmac.compare_digest(encoded.encode(), base64.b64encode(hasher(body).digest())):
            return
        raise SignatureRefused("the Digest header does not match the body")
    raise SignatureRefused("the Digest header is missing")


def _rfc9421_check(method: str, url: str, headers, body: bytes | None):
    """A check for an RFC 9421 signature: created within the allowed age, method, target URI and
    content digest covered, then the signature by http-message-signatures."""
    if headers.get("Date"):
        _check_date(headers["Date"])
    message = _Message(method.upper(), url, headers)
    max_age = datetime.timedelta(seconds=current_app.config["ACTIVITYPUB_SIGNATURE_MAX_AGE"])

    def check(public_key) -> None:
        verifier = HTTPMessageVerifier(signature_algorithm=algorithms.RSA_V1_5_SHA256,
                                       key_resolver=_KeyLookup(public_key))
        verifier.max_clock_skew = CLOCK_SKEW  # the library's few seconds refuse servers whose clocks drift
        try:
            verifier.verify(message, max_age=max_age, require_components=RFC9421_REQUIRED, body=body or b"")
        except SignatureRefused:
            raise
        except (InvalidSignature, HTTPMessageSignaturesException) as error:
            cause = error.__cause__
            if isinstance(cause, SignatureRefused):
                raise cause from None
            raise SignatureRefused(f"the signature does not verify: {error}"[:200]) from error

    return check


class _KeyLookup(HTTPSignatureKeyResolver):
    """Resolves a signer's key id through the check's lookup (the remote actor cache)."""

    def __init__(self, public_key):
        self.public_key = public_key

    def resolve_public_key(self, key_id: str):
        return self.public_key(key_id)

    def resolve_private_key(self, key_id: str):
        raise NotImplementedError("verification only")
