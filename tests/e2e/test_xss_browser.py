"""The hostile-input corpus, loaded in Chromium with the CSP switched off: nothing injected runs.

The CSP would stop most of it anyway; bypassing it checks the escaping and sanitizing alone.
Every payload is stored as a comment's text, author name, email and website (directly, so that
even what the form would refuse is tried), then the post page and the admin list are opened.
"""

import pytest

from blog.settings import save_settings
from extensions import db
from tests.e2e.actions import log_in_as_owner
from tests.e2e.seed import add_comment, demo_post
from tests.support.xss_check import load_payloads

# Run in the page: every element or attribute that could execute, except our own scripts.
FIND_INJECTED = """() => {
  const URL_ATTRIBUTES = ['href', 'src', 'action', 'formaction', 'xlink:href', 'poster', 'background',
                          'srcset', 'data', 'cite'];
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    const ownScript = (el.getAttribute('src') || '').startsWith('/static/js/');
    // JSON-LD in the head (blog.seo): a data block the browser never runs, its JSON escaping every "<".
    const ownData = el.type === 'application/ld+json' && !el.src && el.parentElement === document.head
      && !el.textContent.includes('<');
    if (tag === 'script' && !ownScript && !ownData) found.push('script');
    if (['iframe', 'object', 'embed', 'frame', 'base', 'math'].includes(tag)) found.push(tag);
    for (const attr of el.attributes) {
      const value = attr.value.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
      if (attr.name.startsWith('on')) found.push(tag + '[' + attr.name + ']');
      if (URL_ATTRIBUTES.includes(attr.name) && /^(javascript|vbscript|data):/.test(value)) {
        found.push(tag + '[' + attr.name + '=' + value.slice(0, 30) + ']');
      }
    }
  }
  return found.concat(window.__xss || []);
}"""


@pytest.fixture
def hostile_post(live_app):
    post = demo_post(live_app)
    with live_app.app_context():
        save_settings({"page_comments": False, "admin_comments_per_page": 1000})
        db.session.commit()
    for n, payload in enumerate(load_payloads()):
        add_comment(live_app, post.id, author_name=payload[:245], author_email=payload[:100],
                    author_url=payload[:200], body=payload)
        add_comment(live_app, post.id, status="pending", author_name=payload[:245], body=f"held {n} {payload}")
    return post


def _open_inert(page, path: str) -> None:
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.add_init_script("window.__xss = []; for (const f of ['alert', 'confirm', 'prompt']) "
                         "{ window[f] = (m) => window.__xss.push(f + ':' + m); }")
    page.goto(path)
    page.wait_for_load_state("load")
    page.mouse.move(200, 200)  # hover handlers, had any been injected
    assert dialogs == [], f"a dialog fired on {path}: {dialogs}"
    assert page.evaluate(FIND_INJECTED) == [], f"injected script on {path}"


def test_payloads_are_inert_on_the_post_page(hostile_post, browse):
    page = browse(bypass_csp=True)
    _open_inert(page, hostile_post.path)
    assert page.locator("ol.comment-list > li").count() == len(load_payloads())


def test_payloads_are_inert_in_the_admin_comment_list(hostile_post, browse, owner):
    page = browse(bypass_csp=True)
    log_in_as_owner(page, owner)
    for tab in ("all", "pending"):
        _open_inert(page, f"/admin/comments?comment_status={tab}")
    _open_inert(page, "/admin/comments?s=%3Cscript%3E")
