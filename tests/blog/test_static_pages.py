"""WordPress's static pages: /<slug>/ and /<parent>/<child>/, with comments when the page takes them."""

from blog.models import Comment, Post
from extensions import db
from tests.support.factories import make_post
from tests.support.helpers import form_fields, page_soup


def make_page(slug: str, parent: Post | None = None, **fields) -> Post:
    return make_post(kind="page", slug=slug, title=fields.pop("title", slug.title()),
                     parent_id=parent and parent.id, **fields)


def test_a_page_lives_at_its_slug_and_a_child_under_its_parent(client):
    about = make_page("about", body="Who we are.")
    team = make_page("team", parent=about, body="The people.")
    page = client.get("/about/")
    assert page.status_code == 200 and "Who we are." in page.get_data(as_text=True)
    assert "The people." in client.get("/about/team/").get_data(as_text=True)
    assert client.get("/team/").headers["Location"] == "/about/team/"  # WordPress's guess for a child's slug
    assert client.get("/about/team/more/").status_code == 404
    assert team.id  # the child exists: its address is the only thing refused above


def test_a_page_shows_no_date_byline_or_post_navigation(client):
    make_post(title="A post")
    soup = page_soup(client.get(f"/{make_page('contact').slug}/"))
    assert "page" in soup.body["class"]
    assert soup.select_one(".entry-date") is None and soup.select_one(".post-navigation") is None


def test_draft_and_private_pages_are_404(client):
    make_page("secret", status="draft")
    make_page("hidden", status="private")
    assert client.get("/secret/").status_code == 404
    assert client.get("/hidden/").status_code == 404


def test_a_reader_comments_on_a_page_and_lands_on_it(app, client):
    from blog.settings import save_settings

    save_settings({"comment_flood_seconds": 0, "comment_previously_approved": False})
    db.session.commit()
    page = make_page("guestbook")
    action, hidden = form_fields(client.get("/guestbook/"))
    response = client.post(action, data=hidden | {"author": "Ada", "email": "ada@example.com",
                                                  "comment": "Lovely page."})
    assert response.status_code == 303 and response.headers["Location"].startswith("/guestbook/")
    assert db.session.query(Comment).filter_by(post_id=page.id).one().body == "Lovely page."


def test_a_page_with_comments_off_shows_no_form(client):
    make_page("colophon", comments_open=False)
    assert page_soup(client.get("/colophon/")).select_one("form#commentform") is None


def test_a_page_cannot_shadow_the_blog_s_own_addresses(client):
    make_page("feed", body="Not the feed.")
    make_post(title="In the feed")
    response = client.get("/feed/")
    assert response.mimetype == "application/rss+xml"


def test_a_post_slug_at_the_top_level_still_redirects_to_the_post(client):
    post = make_post(slug="hello-world")
    response = client.get("/hello-world/")
    assert response.status_code == 301 and response.headers["Location"].endswith(f"/{post.slug}/")
