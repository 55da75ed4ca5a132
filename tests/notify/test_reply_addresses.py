"""Signed reply addresses: bound to one thing, one recipient and a time; altered ones are refused."""

import pytest

from notify import reply_addresses
from notify.reply_addresses import BOUNCE, MODERATION, READER_REPLY, BadReplyAddress


@pytest.fixture
def two_way(app_factory):
    app = app_factory(MAIL_REPLY_ADDRESS="Reply@Blog.Example")
    with app.app_context():
        yield app


def test_without_a_reply_address_configured_mails_carry_none(app):
    assert reply_addresses.address_for(READER_REPLY, 7, "ada@example.com") is None
    with pytest.raises(BadReplyAddress):
        reply_addresses.read_address("reply+r7-1-abc@blog.example")


def test_an_address_is_short_lower_case_and_reads_back_for_its_recipient_only(two_way):
    address = reply_addresses.address_for(READER_REPLY, 123456, "Ada@Example.com")
    local, _, domain = address.partition("@")
    assert domain == "blog.example" and local.startswith("reply+r") and len(local) <= 64
    assert address == address.lower()
    token = reply_addresses.read_address(f"Ada's reply <{address.upper()}>")  # servers may change the case
    assert (token.kind, token.object_id) == (READER_REPLY, 123456)
    assert token.signed_for("ada@example.com") and token.signed_for(" ADA@example.com ")
    assert not token.signed_for("eve@example.com")
    assert not token.expired()


@pytest.mark.parametrize("kind", [READER_REPLY, MODERATION, BOUNCE])
def test_a_token_moved_to_another_kind_or_object_is_refused(two_way, kind):
    address = reply_addresses.address_for(kind, 42, "ada@example.com")
    token = reply_addresses.read_address(address)
    other_kind = {READER_REPLY: MODERATION, MODERATION: READER_REPLY, BOUNCE: READER_REPLY}[kind]
    for altered in (address.replace(f"+{kind}16-", f"+{kind}17-"),  # 42 is "16" in base 36
                    address.replace(f"+{kind}", f"+{other_kind}")):
        assert altered != address
        assert not reply_addresses.read_address(altered).signed_for("ada@example.com")
    assert token.signed_for("ada@example.com")


def test_a_token_signed_with_another_secret_is_refused(app_factory):
    first = app_factory(MAIL_REPLY_ADDRESS="reply@blog.example")
    with first.app_context():
        address = reply_addresses.address_for(READER_REPLY, 5, "ada@example.com")
    second = app_factory(MAIL_REPLY_ADDRESS="reply@blog.example", SECRET_KEY="another-secret")
    with second.app_context():
        assert not reply_addresses.read_address(address).signed_for("ada@example.com")


def test_tokens_older_than_the_configured_age_have_expired(app_factory):
    app = app_factory(MAIL_REPLY_ADDRESS="reply@blog.example", MAIL_REPLY_MAX_AGE_DAYS=30)
    with app.app_context():
        address = reply_addresses.address_for(READER_REPLY, 5, "ada@example.com")
        token = reply_addresses.read_address(address)
        assert not token.expired()
        assert reply_addresses.ReplyToken(token.kind, token.object_id, token.day - 31, token.mac).expired()
        assert not reply_addresses.ReplyToken(token.kind, token.object_id, token.day - 30, token.mac).expired()


@pytest.mark.parametrize("address", [
    "reply@blog.example",  # no token
    "reply+@blog.example",
    "reply+x12-ab-cd@blog.example",  # unknown kind
    "reply+r12-ab@blog.example",  # a part missing
    "reply+r1_2-ab-cd@blog.example",  # not base 36
    "reply+r12-ab-cd@other.example",  # another domain
    "replies+r12-ab-cd@blog.example",  # another name
    "",
    "<>",
    "no at sign",
])
def test_addresses_that_are_not_reply_tokens_are_refused(two_way, address):
    with pytest.raises(BadReplyAddress):
        reply_addresses.read_address(address)


def test_is_ours_knows_the_reply_address_with_or_without_a_token(two_way):
    assert reply_addresses.is_ours("reply@blog.example")
    assert reply_addresses.is_ours("Blog <REPLY+anything@blog.example>")
    assert not reply_addresses.is_ours("reply@other.example")
    assert not reply_addresses.is_ours("ada@blog.example")
