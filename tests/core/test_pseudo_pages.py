"""Every page, admin screen and mail shown in the pseudo-locale: no English is left that is not content.

The pseudo-locale (core.pseudo_locale) turns every marked string into accented, bracketed text with
no ASCII letter left, so a word of plain ASCII letters on a page comes from one of three places: the
content the test seeded (every piece of it carries the marker "qzx"), a name or pattern allowed
below (product names, e-mail addresses, links, dates Babel writes), or a string nobody marked. That
holds inside the brackets too: a placeholder given a stored English value ("pending") is found.

Its catalogue is written from the messages extracted now (not from translations/messages.pot), so a
string marked a minute ago is already bracketed and the committed template need not be current.
"""

import io
import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pyotp
import pytest
import sqlalchemy as sa
from babel import Locale
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from bs4 import Comment as HtmlComment
from flask import render_template, render_template_string, template_rendered
from flask_babel import force_locale
from wtforms.i18n import messages_path

from admin.stored_labels import LABELLERS
from app import create_app
from auth.roles import AUTHOR, CONTRIBUTOR, EDITOR, MODERATOR, SUBSCRIBER
from auth.services import PROVIDER_PAGE_KEY
from blog.media import library
from blog.media.models import Media
from blog.models import Comment, Term
from blog.permalinks import post_url
from blog.settings import save_settings
from blog.terms import create_term, default_category_id, set_post_terms
from core.i18n import LANGUAGES
from core.pseudo_locale import PSEUDO_LOCALE
from core.stored_text import StoredText
from extensions import babel, db
from notify import reply_addresses
from notify.digests import send_digests
from notify.inbound.receive import receive_message
from notify.inbound.reply_text import REPLY_MARKER
from notify.models import OutboxMessage
from notify.sender import write_bodies
from tests.conftest import IsolatedClient, _copy_sqlite_schema, _empty_all_tables, make_config
from tests.support.admin import csrf_token_from, make_user
from tests.support.factories import make_comment, make_post
from tests.support.helpers import form_fields, login_as
from tests.support.mail import delivery_report
from tests.support.media_files import image_bytes
from tests.support.wxr import wp_post_item, wxr_with
from wordpress.wxr.jobs import ImportJob, run_queued_imports

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
MARKER = "qzx"  # every seeded name, title and text holds it; words holding it are content

# -- what may stay in ASCII letters ---------------------------------------------------------------

WORD_SPLIT = re.compile(r"[^\W_]+")
PRODUCT_NAMES = {
    "wordpress", "gravatar", "akismet", "rss", "atom", "wxr", "markdown", "oauth", "openid", "google",
    "github", "mastodon", "activitypub", "webmention", "webmentions", "indieauth", "json", "html", "xml",
    "jpeg", "jpg", "png", "gif", "webp", "avif", "svg", "exif", "smtp", "imap", "spf", "dkim", "dmarc",
    "utc", "gmt", "nodeinfo", "webfinger", "fediverse", "flask",
}
# Babel's en_US_POSIX writes English month and day names (a real locale writes its own).
DATE_WORDS = {
    *"january february march april may june july august september october november december".split(),
    *"jan feb mar apr jun jul aug sep sept oct nov dec".split(),
    *"monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun".split(),
    "am", "pm",
}
# Each shipped language is named in itself on the language menus ("Deutsch", "Français").
AUTONYMS = {word.lower() for code in LANGUAGES
            for word in WORD_SPLIT.findall(Locale.parse(code).get_display_name(code))}
ALLOWED_WORDS = PRODUCT_NAMES | DATE_WORDS | AUTONYMS | {PSEUDO_LOCALE.lower()}
# Owners moderate by answering a mail with one of these words, which the inbound parser reads in
# English (notify.inbound.replies), under a marker line it looks for (notify.inbound.reply_text).
MAIL_KEYWORDS = frozenset({"approve", "spam", "trash", *REPLY_MARKER.lower().split()})
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?"
          r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_DATE = (rf"(?:{_MONTH} \d{{1,2}}, \d{{4}}|\d{{1,2}} {_MONTH},? \d{{4}}|{_MONTH} \d{{4}}"
         r"|\d{4}[/-]\d{2}[/-]\d{2}|\d{1,2}/\d{1,2}/\d{2,4})")
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AP]M\b)?"
# Dates and times as Babel writes them in en_US_POSIX ("March 4, 2024 at 9:05 AM"), whose "at" is
# Babel's pattern, and its relative times and durations ("3 minutes ago", "in 2 days"), matched whole.
BABEL_TIMES = re.compile(rf"{_DATE}(?:,? (?:at )?{_TIME})?|{_TIME}"
                         r"|\b(?:in )?\d+ (?:second|minute|hour|day|week|month|year)s?(?: ago)?\b", re.IGNORECASE)
NOT_WORDS = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|\b[a-z][a-z0-9+.-]*://\S+"  # links
    r"|\b(?:[a-z0-9-]+\.)+(?:com|org|net|test|example|invalid|social)\b\S*"  # host names
    r"|(?<![\w/])/[\w./%~-]*"  # paths
    r"|\b(?:image|text|application)/[\w.+-]+"  # media types
    , re.IGNORECASE)
WORD = re.compile(r"[^\W_]+(?:[._-][^\W_]+)*")  # letters and digits, accented or not; "qzx.ann", "en_US"
ASCII_LETTER = re.compile(r"[A-Za-z]")

SKIPPED_ELEMENTS = ("script", "style", "code", "kbd", "samp", "template", "svg")  # svg: logos
# Read out, shown as tooltips, or shown by the style sheet or a script (a narrow table's labels).
READ_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label", "data-label", "data-max-label")
SHOWN_VALUES = "input[type=submit], input[type=button], input[type=reset]"


def visible_texts(html: str) -> list[str]:
    """The text people read on a page: its text nodes (not scripts', styles' or code's), the attributes
    read out or shown (READ_ATTRIBUTES) and the labels of submit buttons."""
    soup = BeautifulSoup(html, "html.parser")
    for element in soup(SKIPPED_ELEMENTS):
        element.decompose()
    for comment in soup.find_all(string=lambda text: isinstance(text, HtmlComment)):
        comment.extract()
    texts = [" ".join(text.split()) for text in soup.find_all(string=True)]
    for element in soup.find_all(True):
        texts += [element[name] for name in READ_ATTRIBUTES if element.get(name)]
    texts += [button.get("value", "") for button in soup.select(SHOWN_VALUES)]
    return [text for text in texts if text.strip()]


def _wtforms_messages() -> re.Pattern:
    """WTForms' own messages ("This field is required."), which it translates itself: its catalogues
    have every shipped language, not the pseudo-locale."""
    with open(Path(messages_path()) / "wtforms.pot", "rb") as pot:
        ids = [form for message in read_po(pot) if message.id
               for form in (message.id if isinstance(message.id, tuple) else (message.id,))]
    return re.compile("|".join(re.sub(r"%(?:\\\(\w+\\\))?[sd]", ".+?", re.escape(form)) for form in ids))


WTFORMS_MESSAGES = _wtforms_messages()


def unmarked_words(text: str, allowed: frozenset = frozenset()) -> list[str]:
    """The words of `text` in plain ASCII letters that are neither content nor allowed."""
    text = WTFORMS_MESSAGES.sub(" ", BABEL_TIMES.sub(" ", NOT_WORDS.sub(" ", text)))
    found = []
    for word in WORD.findall(text):
        lowered = word.lower()
        if (not ASCII_LETTER.search(word) or any(ch.isdigit() for ch in word) or len(word) == 1
                or MARKER in lowered or lowered in ALLOWED_WORDS or lowered in allowed):
            continue
        found.append(word)
    return found


def unmarked_text(texts: list[str], allowed: frozenset = frozenset()) -> list[str]:
    """Each text holding an unmarked word, once."""
    return list(dict.fromkeys(text for text in texts if unmarked_words(text, allowed)))


def unmarked_in_page(html: str, allowed: frozenset = frozenset()) -> list[str]:
    return unmarked_text(visible_texts(html), allowed)


# -- the checker itself ---------------------------------------------------------------------------


def test_the_checker_finds_english_left_unmarked_and_passes_pseudo_text_and_content():
    page = """<html><head><title>[Ţîţļé ~~~~]</title><style>p { color: red }</style></head><body>
      <p>[Ļéåṽé å Ŕéþļý ~~~~ ~~~~]</p><p>Qzxpost Qzxtitle, 4 March 2024, 3 minutes ago</p>
      <a href="/feed/">RSS</a> <span>owner@example.com</span> <script>var left = "alone";</script>
      <img alt="A photo" src="x.jpg"><input type="submit" value="Send"><input type="text" value="typed">
      <p>Posted in Qzxnews by [Ĝûéšţ]</p></body></html>"""
    assert unmarked_in_page(page) == ["Posted in Qzxnews by [Ĝûéšţ]", "A photo", "Send"]
    assert unmarked_words("[Ŕéþļý ţö name]") == ["name"]  # a placeholder given an English value


def test_a_string_left_unmarked_shows_in_a_page_of_the_pseudo_locale_blog(blog):
    with blog.app.test_request_context():
        page = render_template_string('{% extends "base.html" %}{% block content %}'
                                      '<p>{{ _("Leave a Reply") }}</p><p>Left unmarked</p>{% endblock %}')
    assert unmarked_in_page(page) == ["Left unmarked"]


def _samples(template, values: dict) -> list[str]:
    """The template as its writer fills it in: a number for %(x)d (one for a plural's singular), one
    of the names its labeller knows or a made-up one for %(x)s."""
    forms = [(template, 7)] if isinstance(template, str) else [(template[0], 1), (template[1], 7)]

    def value(match, number: int) -> str:
        name, kind = match.groups()
        if kind == "d":
            return str(number)
        return getattr(values.get(name), "choices", None) and values[name].choices[0] or f"qzx{name}"

    return [re.sub(r"%\((\w+)\)([sd])", lambda match, n=n: value(match, n), form) for form, n in forms]


def test_stored_english_is_shown_unchanged_in_english_and_translated_in_another_language(blog):
    texts = {kind: [text for template in dict.fromkeys(entry[0] for entry in labeller.templates)
                    for text in _samples(template, labeller.values)]
             for kind, labeller in LABELLERS.items() if isinstance(labeller, StoredText)}
    texts["hold reason"] += ["first comment from this author; spam filter: 0.93; words: none",
                             "edited: 2 reader reports: spam, off-topic"]
    with blog.app.test_request_context():
        with force_locale("en"):
            for kind, stored in texts.items():
                assert [LABELLERS[kind](text) for text in stored] == stored, kind
        for kind, stored in texts.items():  # in the pseudo-locale
            for text in stored:
                assert not unmarked_words(LABELLERS[kind](text)), (kind, text, LABELLERS[kind](text))


# -- the blog in the pseudo-locale, seeded once ---------------------------------------------------


@pytest.fixture(scope="module")
def blog(postgres_schema, tmp_path_factory, pseudo_translations):
    """A blog in the pseudo-locale with some of everything its pages, screens and mails show; built
    once for the module (as tests/conftest.py's app_factory builds one per test)."""
    media = tmp_path_factory.mktemp("media")
    app = create_app(make_config(
        BLOG_LANGUAGE=PSEUDO_LOCALE, BABEL_TRANSLATION_DIRECTORIES=str(pseudo_translations),
        BLOG_TITLE="Qzxblog", BLOG_TAGLINE="Qzxtagline", MAIL_DEFAULT_SENDER="Qzxblog <blog@example.com>",
        MAIL_REPLY_ADDRESS="reply@blog.example", MEDIA_ROOT=str(media / "public"),
        MEDIA_ORIGINALS_ROOT=str(media / "originals"), COMMENT_RATE_LIMIT="100000 per minute",
        # A log-in provider (never reached: no page here needs its answer), for its buttons and pages.
        GITHUB_CLIENT_ID="qzx-client", GITHUB_CLIENT_SECRET="qzx-secret",
        GITHUB_AUTHORIZE_URL="http://127.0.0.1:9/authorize", GITHUB_ACCESS_TOKEN_URL="http://127.0.0.1:9/token",
        GITHUB_API_BASE_URL="http://127.0.0.1:9/api/"))
    app.test_client_class = IsolatedClient
    with app.app_context():
        translations_cached = babel.domain_instance.cache  # Flask-Babel's, shared by every app:
    translations_cached.clear()  # another test's pseudo-locale catalogue may be in it
    rendered = set()

    def record(_app, template, context, **_extra):
        rendered.add(template.name)

    with app.app_context(), template_rendered.connected_to(record, app):
        if db.engine.dialect.name == "sqlite":
            _copy_sqlite_schema()
        with app.test_request_context():
            scene = seed(app)
        scene.rendered = rendered  # every template shown, while the module runs
        yield scene
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            _empty_all_tables()
        db.engine.dispose()
    translations_cached.clear()


def path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _follow(client, response) -> SimpleNamespace:
    """The page a response leads to, read (a streamed download holds its request open until read)."""
    while 300 <= response.status_code < 400:
        response = client.get(response.headers["Location"])
    page = SimpleNamespace(status=response.status_code, mimetype=response.mimetype,
                           text=response.get_data(as_text=True))
    response.close()
    return page


def _send(scene, client, label: str, action: str, fields: dict, form: str | None = None, page: str | None = None,
          expect=(200, 302, 303), **options):
    """Open the page, send its form with its hidden fields (the CSRF token) and `fields`, as a browser
    would, and keep the page it leads to (its message, or the form with its errors)."""
    shown = client.get(page or action)
    hidden = form_fields(shown, form)[1] if form else {"csrf_token": csrf_token_from(shown)}
    response = client.post(action, data=hidden | fields, environ_base={"REMOTE_ADDR": "203.0.113.9"}, **options)
    assert response.status_code in expect, (label, response.status_code, response.get_data(as_text=True)[:2000])
    scene.after[label] = _follow(client, response)
    return response


def seed(app) -> SimpleNamespace:
    """Content made through the blog's own forms and mail where that is cheap (so that comments are
    held, mails queued and moderation logged as readers and staff cause them); rows written directly
    where only a test's shortcut makes them (posts, approved comments)."""
    save_settings({"comment_flood_seconds": 0, "comments_notify": True, "moderation_notify": True})
    db.session.commit()
    owner = make_user(True, "Qzxowen Qzxadmin", "qzx.owner@example.com")
    owner.nicename = "qzxowen"
    staff = {role: make_user(False, f"Qzx{role} Qzxstaff", f"qzx.{role}@example.com", role=role)
             for role in (EDITOR, AUTHOR, CONTRIBUTOR, MODERATOR, SUBSCRIBER)}
    news = create_term("category", "Qzxnews")
    child = create_term("category", "Qzxlocal", parent_id=news.id)
    db.session.commit()
    post = make_post(title="Qzxfirst Qzxpost", slug="qzxfirst", body="Qzxbody qzxof qzxpost.", author_id=owner.id,
                     excerpt="Qzxexcerpt")
    set_post_terms(post, [news.id, child.id], ["Qzxtag", "Qzxother"])
    other = make_post(title="Qzxsecond", slug="qzxsecond", body="Qzxsecond qzxbody", author_id=staff[AUTHOR].id,
                      published_at=datetime(2024, 3, 5, 9, 0, tzinfo=UTC))
    draft = make_post(title="Qzxdraft", slug="qzxdraft", status="draft", author_id=staff[CONTRIBUTOR].id)
    locked = make_post(title="Qzxlocked", slug="qzxlocked", password="qzxsecret")
    page = make_post(kind="page", title="Qzxabout", slug="qzxabout", body="Qzxabout qzxpage")
    db.session.commit()
    tag = db.session.scalar(sa.select(Term).where(Term.slug == "qzxtag"))
    top = make_comment(post, author_name="Qzxann", author_email="qzx.ann@example.com", body="Qzxfirst qzxcomment")
    reply = make_comment(post, parent=top, author_name="Qzxbob", author_email="qzx.bob@example.com",
                         body="Qzxreply qzxtext")
    make_comment(post, parent=reply, author_name="Qzxcat", author_email="qzx.cat@example.com", body="Qzxdeeper")
    for n in range(3):
        make_comment(other, author_name=f"Qzxspam{n}", author_email=f"qzx.spam{n}@example.com", body="Qzxspam qzxbody")
    scene = SimpleNamespace(app=app, owner=owner, staff=staff, news=news, child=child, tag=tag, post=post,
                            other=other, draft=draft, locked=locked, page=page, top=top, reply=reply, after={})
    scene.owner_client = app.test_client()
    login_as(scene.owner_client, owner)
    scene.subscriber_client = app.test_client()
    login_as(scene.subscriber_client, staff[SUBSCRIBER])
    _seed_readers(scene)
    _seed_staff(scene)
    _seed_mail(scene)
    return scene


def _seed_readers(scene) -> None:
    post_page = path(post_url(scene.post))
    comments = f"/posts/{scene.post.id}/comments"
    guest = scene.app.test_client()
    _send(scene, guest, "a guest's first comment, held", comments, {
        "author": "Qzxguest", "email": "qzx.guest@example.com", "url": "https://qzx.example.com",
        "comment": "Qzxguest qzxcomment", "subscribe_comments": "y", "comments_delivery": "daily",
        "subscribe_blog": "y", "posts_delivery": "instant"}, form="form#commentform", page=post_page)
    scene.held = db.session.scalar(sa.select(Comment).where(Comment.author_name == "Qzxguest"))
    pending = scene.app.test_client()
    _send(scene, pending, "another guest's comment, held", comments, {
        "author": "Qzxpat", "email": "qzx.pat@example.com", "comment": "Qzxpending qzxcomment",
        "subscribe_comments": "y", "comments_delivery": "instant"}, form="form#commentform", page=post_page)
    scene.pending_client = pending
    scene.pending = db.session.scalar(sa.select(Comment).where(Comment.author_name == "Qzxpat"))
    _send(scene, pending, "an edit of one's comment refused", f"/comments/{scene.pending.id}/edit", {
        "comment": "Qzxedited", "seen": "qzxstale"}, form="form#comment-edit-form", expect=(400, 403, 409))
    _send(scene, scene.app.test_client(), "a third guest's comment, held", comments, {
        "author": "Qzxmo", "email": "qzx.mo@example.com", "comment": "Qzxmoderated qzxbymail"},
        form="form#commentform", page=post_page)
    scene.by_mail = db.session.scalar(sa.select(Comment).where(Comment.author_name == "Qzxmo"))
    _send(scene, guest, "a comment refused", comments, {"author": "", "email": "not-an-address", "comment": ""},
          form="form#commentform", page=post_page, expect=(200, 400, 422))
    _send(scene, guest, "a wrong post password", f"/posts/{scene.locked.id}/password", {"post_password": "wrong"},
          form="form.post-password-form", page=path(post_url(scene.locked)), expect=(403,))
    reporter = scene.app.test_client()
    _send(scene, reporter, "a report", f"/comments/{scene.top.id}/report", {
        "reason": "abuse", "explanation": "Qzxexplained", "name": "Qzxrae", "email": "qzx.rae@example.com"},
        form="form#report-form")
    _send(scene, reporter, "another report", f"/comments/{scene.reply.id}/report", {
        "reason": "spam", "name": "Qzxrae", "email": "qzx.rae@example.com"}, form="form#report-form")
    scene.reporter = reporter
    _send(scene, guest, "a privacy request", "/your-data/", {"email": "qzx.guest@example.com", "kind": "export"})
    _send(scene, guest, "an erasure request", "/your-data/", {"email": "qzx.ann@example.com", "kind": "erase"})
    _send(scene, guest, "a privacy request refused", "/your-data/", {"email": "nope", "kind": "export"},
          expect=(200, 400))
    scene.guest = guest


def _seed_staff(scene) -> None:
    owner = scene.owner_client
    spam = db.session.scalars(sa.select(Comment).where(Comment.author_name.like("Qzxspam%"))).all()
    for comment, action in zip(spam, ("spam", "trash", "unapprove"), strict=True):
        _send(scene, owner, f"comment {action}", f"/admin/comments/{comment.id}/{action}", {}, page="/admin/comments")
    _send(scene, owner, "comment approved", f"/admin/comments/{scene.held.id}/approve", {}, page="/admin/comments")
    _send(scene, owner, "comment edited", f"/admin/comments/{scene.reply.id}/edit", {
        "body": "Qzxreply qzxedited", "author_name": "Qzxbob", "author_email": "qzx.bob@example.com",
        "status": "approved"})
    _send(scene, owner, "staff reply", f"/admin/comments/{scene.top.id}/reply", {"body": "Qzxthanks qzxreader"})
    _send(scene, owner, "reports dismissed", f"/admin/comments/reported/{scene.reply.id}/dismiss", {},
          page="/admin/comments/reported")
    _send(scene, owner, "commenter held", f"/admin/comments/{scene.top.id}/commenter", {
        "email-level": "hold", "email-note": "Qzxnote", "email-submit": "y"})
    _send(scene, owner, "commenter refused", f"/admin/comments/{scene.top.id}/commenter", {
        "ip-level": "suspended", "ip-submit": "y"}, expect=(400,))
    _send(scene, owner, "invitation", "/admin/users/new", {"email": "qzx.invited@example.com", "role": AUTHOR})
    _send(scene, owner, "privacy export by the owner", "/admin/privacy", {"email": "qzx.cat@example.com",
                                                                          "kind": "export"})
    _send(scene, owner, "email change", "/admin/profile/email", {"email": "qzx.newowner@example.com"},
          page="/admin/profile")
    _send(scene, owner, "a category", "/admin/categories/", {"name": "Qzxadded", "parent": "0"})
    _seed_two_factor(scene)
    for label, url in FORMS_SENT_EMPTY.items():
        _send(scene, owner, f"{label} sent empty", url, {}, expect=(200, 400, 409, 422))
    token = csrf_token_from(owner.get("/admin/media"))
    upload = owner.post("/admin/media/upload", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(image_bytes((64, 48))), "qzxphoto.jpg"), "alt_text": "Qzxalt"})
    assert upload.status_code in (201, 303), upload.status_code
    library.process_queued()
    scene.after["an upload"] = _follow(owner, upload)
    items = wp_post_item(7, "Qzximported", "Qzximported qzxbody").replace("Uncategorized", "Qzxcategory") + (
        wp_post_item(8, "Qzxskipped", "Qzxskipped").replace("[CDATA[post]]", "[CDATA[qzxtype]]"))
    wxr = wxr_with(items).replace(b"Old site", b"Qzxold").replace(b"[Ruth]", b"[Qzxruth]")
    token = csrf_token_from(owner.get("/admin/tools/import"))
    queued = owner.post("/admin/tools/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(wxr), "qzxexport.xml")})
    assert queued.status_code == 303, queued.get_data(as_text=True)[:2000]
    run_queued_imports()
    db.session.expire_all()
    scene.media = db.session.scalars(sa.select(Media)).one()
    scene.job = db.session.scalars(sa.select(ImportJob)).one()
    # The default category's slug is an address made from its translated name: a slug takes the
    # accents off, so the pseudo-locale's is plain ASCII.
    scene.allowed = frozenset({db.session.get(Term, default_category_id()).slug})


def _seed_two_factor(scene) -> None:
    """An editor turns two-factor log-in on (its recovery codes' page), then logs in: the second
    step's page, and a wrong code."""
    editor = scene.staff[EDITOR]
    editor.set_password(PASSWORD)
    db.session.commit()
    client = scene.app.test_client()
    login_as(client, editor)
    _send(scene, client, "two-factor started", "/admin/profile/two-factor/start", {},
          form="form[action$='/two-factor/start']", page="/admin/profile/two-factor")
    secret = BeautifulSoup(client.get("/admin/profile/two-factor").get_data(as_text=True), "html.parser").select_one(
        "#totp-secret").get_text().replace(" ", "")
    _send(scene, client, "two-factor on", "/admin/profile/two-factor/confirm",
          {"confirm-code": pyotp.TOTP(secret).now()}, form="form[action$='/two-factor/confirm']",
          page="/admin/profile/two-factor")
    browser = scene.app.test_client()
    _send(scene, browser, "a wrong password", "/login", {"email": editor.email, "password": "qzxwrong"},
          form="form.login-form", expect=(200, 400, 401))
    _send(scene, browser, "the password step", "/login", {"email": editor.email, "password": PASSWORD},
          form="form.login-form")
    _send(scene, browser, "a wrong code", "/login/two-factor", {"code": "000000"}, form="form.login-form",
          expect=(400, 401))


PASSWORD = "qzx correct horse battery"

# Admin forms sent with nothing but their token: the page comes back with its errors.
FORMS_SENT_EMPTY = {
    "profile": "/admin/profile", "password": "/admin/profile/password", "new user": "/admin/users/new",
    "discussion settings": "/admin/settings/discussion", "media settings": "/admin/settings/media",
    "widgets": "/admin/widgets/", "privacy": "/admin/privacy", "test email": "/admin/mail/test",
    "import": "/admin/tools/import", "category": "/admin/categories/", "tag": "/admin/tags/",
}


def _seed_mail(scene) -> None:
    """Mail's round trips: links followed and their buttons pressed, replies and a bounce received,
    a new post's mail and a digest written."""
    followed = set()
    _follow_mailed_links(scene, followed)  # subscriptions confirmed: the mails below have readers
    _send(scene, scene.owner_client, "a post published", "/admin/posts/new", {
        "title": "Qzxthird", "body": "Qzxthird qzxbody", "status": "published", "visibility": "public",
        "publish": "y", "categories": str(scene.news.id)})
    _send(scene, scene.owner_client, "another staff reply", f"/admin/comments/{scene.top.id}/reply",
          {"body": "Qzxagain qzxreader"})
    make_comment(scene.post, author_name="Qzxlater", author_email="qzx.later@example.com", body="Qzxlater qzxbody")
    send_digests(datetime.now(UTC) + timedelta(days=8))
    db.session.commit()
    _follow_mailed_links(scene, followed)  # those of the mails just written
    newcomer = "qzx.newcomer@example.com"
    reader_reply = reply_addresses.address_for(reply_addresses.READER_REPLY, scene.top.id, newcomer)
    owner_reply = reply_addresses.address_for(reply_addresses.MODERATION, scene.by_mail.id, scene.owner.email)
    bounced = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).first()
    bounce = reply_addresses.address_for(reply_addresses.BOUNCE, bounced.id, bounced.to_addr)
    receive_message(_mail(newcomer, reader_reply, "Qzxnewcomer qzxreply"), envelope_from=newcomer,
                    recipients=[reader_reply])
    receive_message(_mail(scene.owner.email, owner_reply, "spam"), envelope_from=scene.owner.email,
                    recipients=[owner_reply])
    receive_message(_mail(newcomer, "nobody@blog.example", "Qzxlost"), envelope_from=newcomer,
                    recipients=["nobody@blog.example"])
    report = delivery_report(bounce, bounced.to_addr, diagnostic="smtp; 550 5.1.1 qzxunknown")
    report = report.replace(b"Undelivered Mail Returned to Sender", b"Qzxundelivered")
    receive_message(report, envelope_from="", recipients=[bounce])


def _follow_mailed_links(scene, followed: set) -> None:
    """Open each link a mail gave that was not opened yet, and press the button of the pages that
    ask for one (confirm, moderate, erase)."""
    for url in _mailed_links():
        if url in followed or not url.startswith(("/notify/", "/your-data/", "/invite/", "/admin/profile/email/")):
            continue
        followed.add(url)
        client = scene.owner_client if url.startswith("/admin/") else scene.app.test_client()
        label = f"mailed link {len(followed)}: {url.rsplit('/', 1)[0]}/…"
        page = scene.after[label] = _follow(client, client.get(url))
        if url.startswith(("/notify/confirm/", "/notify/moderate/", "/your-data/erase/")) and page.status == 200:
            _send(scene, client, f"{label}, its button pressed", url, {"erase_text": "y"})


def _mail(sender: str, to: str, text: str) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = f"Qzxsender <{sender}>", to, "Qzxre: Qzxsubject"
    message["Message-ID"] = make_msgid(domain="mail.example")
    message.set_content(text)
    return message.as_bytes()


def _mailed_links() -> list[str]:
    """The paths of the links in every queued mail."""
    return list(dict.fromkeys(path(url) for message in _outbox()
                              for url in re.findall(r"https?://\S+", message.body_text)))


def _outbox() -> list[OutboxMessage]:
    """Every queued mail, the deferred ones written as the sender writes them."""
    messages = list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))
    for message in messages:
        if message.template:
            assert write_bodies(message), message.template_data
    db.session.commit()
    return messages


# -- the walk -------------------------------------------------------------------------------------


def _walk(client, urls, allowed: frozenset = frozenset()) -> dict[str, list[str]]:
    found = {}
    for url in urls:
        response = client.get(url)
        if response.mimetype != "text/html" or 300 <= response.status_code < 400:  # Werkzeug's redirect page
            continue
        texts = unmarked_in_page(response.get_data(as_text=True), allowed)
        if texts:
            found[f"{url} ({response.status_code})"] = texts
    return found


def _report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{page}:\n" + "\n".join(f"    {text!r}" for text in texts) for page, texts in found.items())


def _reader_urls(scene) -> list[str]:
    post = scene.post
    year, month, day = path(post_url(post)).strip("/").split("/")[:3]
    return [
        "/", "/page/2/", path(post_url(post)), path(post_url(scene.locked)), path(post_url(scene.other)),
        "/qzxabout/", f"/{year}/", f"/{year}/{month}/", f"/{year}/{month}/{day}/", "/category/qzxnews/",
        "/category/qzxnews/qzxlocal/", "/tag/qzxtag/", "/author/qzxowen/", "/search/qzxbody/", "/search/qzxnothing/",
        "/no-such-page/", "/login", "/your-data/", f"/comments/{scene.top.id}/report",
    ]


def _readers_walk(scene) -> dict[str, list[str]]:
    found = _walk(scene.app.test_client(), _reader_urls(scene))
    # What a commenter sees of their own held comment, and may do with it; the report's thanks.
    found |= _walk(scene.pending_client, [path(post_url(scene.post)), f"/comments/{scene.pending.id}/edit",
                                          f"/comments/{scene.pending.id}/delete"])
    found |= _walk(scene.reporter, [f"/comments/{scene.top.id}/report/sent"])
    found |= _walk(scene.subscriber_client, ["/", "/account", "/account/delete", "/account/data.html", "/auth/name"])
    found |= _walk(scene.app.test_client(), ["/invite/qzx-not-a-token"])
    continuing = scene.app.test_client()  # on its way to the provider's log-in page
    with continuing.session_transaction() as session:
        session[PROVIDER_PAGE_KEY] = "http://127.0.0.1:9/authorize?state=qzx"
    found |= _walk(continuing, ["/auth/continue/github"])
    # What no request here can cause: the database gone (with and without a comment kept), a bug.
    for error, context in (("errors/unavailable.html", {"kept": None}),
                           ("errors/unavailable.html", {"kept": {"comment": "Qzxkept", "author": "Qzxname"},
                                                        "retry_after": 30, "csrf_token": None}),
                           ("errors/500.html", {"request_id": "qzx-request"})):
        if texts := unmarked_in_page(render_template(error, **context)):
            found[error] = texts
    return found


def _admin_urls(app, scene) -> list[str]:
    """Every admin screen a GET opens, its ids those of the seeded rows."""
    ids = {"post_id": scene.post.id, "comment_id": scene.top.id, "term_id": scene.news.id,
           "user_id": scene.staff[EDITOR].id, "media_id": scene.media.id, "job_id": scene.job.id}
    by_endpoint = {"admin.page_edit": {"post_id": scene.page.id}, "admin.page_delete": {"post_id": scene.page.id},
                   "admin.tag_edit": {"term_id": scene.tag.id}, "admin.tag_delete": {"term_id": scene.tag.id}}
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.") or "GET" not in rule.methods:
            continue
        values = ids | by_endpoint.get(rule.endpoint, {})
        if set(rule.arguments) - set(values):
            continue  # a token, which only a mail gives (walked from the mail)
        urls.append(rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1])
    return sorted(urls) + [
        f"/admin/comments?comment_status={status}" for status in ("pending", "approved", "spam", "trash")
    ] + ["/admin/posts?post_status=draft", "/admin/users?role=author", "/admin/mail?status=pending",
         f"/admin/comments/{scene.pending.id}/edit", f"/admin/comments/{scene.held.id}/commenter"]


def _admin_walk(scene) -> dict[str, list[str]]:
    client = scene.app.test_client()
    login_as(client, scene.owner)
    found = _walk(client, _admin_urls(scene.app, scene), scene.allowed)
    for role, user in scene.staff.items():  # what the other roles' dashboard and profile say
        client = scene.app.test_client()
        login_as(client, user)
        found |= {f"{role}: {page}": texts for page, texts in _walk(client, ["/admin/", "/admin/profile"]).items()}
    return found


def _after_walk(scene) -> dict[str, list[str]]:
    found = {}
    for label, page in scene.after.items():
        if page.mimetype == "text/html" and (texts := unmarked_in_page(page.text, scene.allowed)):
            found[f"{label} ({page.status})"] = texts
    return found


def _mails_walk(scene) -> dict[str, list[str]]:
    found = {}
    for message in _outbox():
        texts = (unmarked_text([message.subject]) + unmarked_in_page(message.body_html, MAIL_KEYWORDS)
                 + unmarked_text(message.body_text.splitlines(), MAIL_KEYWORDS))
        if texts:
            found[f"mail {message.id} to {message.to_addr}"] = texts
    return found


FEED_TEXT = {"title", "subtitle", "description", "encoded", "summary", "content", "creator", "name", "category"}


def _feeds_walk(scene) -> dict[str, list[str]]:
    client = scene.app.test_client()
    post = path(post_url(scene.post))
    found = {}
    for url in ("/feed/", "/feed/atom/", "/comments/feed/", "/comments/feed/atom/", f"{post}feed/",
                f"{post}feed/atom/", "/category/qzxnews/feed/", "/tag/qzxtag/feed/", "/author/qzxowen/feed/",
                "/search/qzxbody/feed/"):
        response = client.get(url)
        assert response.status_code == 200, url
        texts = []
        for element in ElementTree.fromstring(response.data).iter():
            if element.tag.rpartition("}")[2] in FEED_TEXT and element.text:
                texts += visible_texts(element.text)  # text or HTML, read alike
        if unmarked := unmarked_text(texts):
            found[url] = unmarked
    return found


@pytest.fixture(scope="module")
def walked(blog):
    """Every page, screen, mail and feed read once, with what each has left unmarked."""
    with blog.app.test_request_context():
        return SimpleNamespace(readers=_readers_walk(blog), admin=_admin_walk(blog), after=_after_walk(blog),
                               mails=_mails_walk(blog), feeds=_feeds_walk(blog))


def test_readers_pages_have_no_unmarked_text(walked):
    assert not walked.readers, "English left unmarked on readers' pages:\n" + _report(walked.readers)


def test_admin_screens_have_no_unmarked_text(walked):
    assert not walked.admin, "English left unmarked on admin screens:\n" + _report(walked.admin)


def test_messages_form_errors_and_mailed_links_pages_have_no_unmarked_text(walked):
    """Messages (flashes), forms sent back with their errors, and the pages mails link to."""
    assert not walked.after, "English left unmarked after forms and mailed links:\n" + _report(walked.after)


def test_mails_have_no_unmarked_text(walked):
    assert not walked.mails, "English left unmarked in mails:\n" + _report(walked.mails)


def test_feeds_have_no_unmarked_text(walked):
    assert not walked.feeds, "English left unmarked in feeds:\n" + _report(walked.feeds)


# Templates the walk does not see rendered, and why.
NOT_WALKED = {
    "base.html": "the readers' layout, which their pages extend",
    "admin/layout.html": "the admin's layout, which its screens extend",
    "privacy/export.html": "streamed with Jinja's generate, which tells no one; walked as /account/data.html",
}


def test_the_walk_renders_every_template(blog, walked):
    """Each page template was shown (a new screen cannot be left out of the walk unnoticed)."""
    templates = {str(page.relative_to(TEMPLATES)) for page in TEMPLATES.rglob("*.html")
                 if not page.name.startswith("_")}
    missing = templates - blog.rendered - set(NOT_WALKED)
    assert not missing, f"templates the walk never rendered: {sorted(missing)}"
