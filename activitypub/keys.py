"""The blog actor's identity: its address and the RSA key pair it signs with."""

import sqlalchemy as sa
from flask import url_for

from activitypub.models import ActorKey
from core.dbtypes import insert_or_ignore, utcnow
from extensions import db

BLOG_ACTOR = "blog"  # ActorKey.actor of the blog's own key


def blog_key() -> ActorKey:
    """The blog actor's key pair, made on first use; commits when it made one.

    Insert-or-ignore then read: two workers making it at once keep the first one's key.
    """
    key = db.session.scalars(sa.select(ActorKey).where(ActorKey.actor == BLOG_ACTOR)).first()
    if key is not None:
        return key
    private_pem, public_pem = new_key_pair()
    insert_or_ignore(ActorKey, actor=BLOG_ACTOR, private_key_pem=private_pem, public_key_pem=public_pem,
                     created_at=utcnow())
    db.session.commit()
    return db.session.scalars(sa.select(ActorKey).where(ActorKey.actor == BLOG_ACTOR)).one()


def new_key_pair() -> tuple[str, str]:
    """A fresh RSA-2048 key pair as (private PKCS#8 PEM, public SubjectPublicKeyInfo PEM)."""
    # Imported here: a web worker serving pages never makes keys, and never loads the library.
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
    public_pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    return private_pem.decode(), public_pem.decode()


def actor_url() -> str:
    """The blog actor's absolute id (on SITE_URL)."""
    return url_for("activitypub.actor", _external=True)


def key_id() -> str:
    """The id of the blog actor's public key, as signatures name it."""
    return actor_url() + "#main-key"
