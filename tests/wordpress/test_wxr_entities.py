"""WXR import keeps the text after an entity in titles, bodies, comments and author names."""

import sqlalchemy as sa

from auth.models import User
from blog.models import Comment, Post
from extensions import db
from tests.support.wxr import import_bytes

WXR = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE rss [<!ENTITY nbsp "&#160;"><!ENTITY company "Acme">]>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:author><wp:author_id>1</wp:author_id><wp:author_login>tom</wp:author_login>
  <wp:author_email>tom@example.com</wp:author_email>
  <wp:author_display_name>Tom &amp; Jerry&nbsp;Ltd of &company; fame</wp:author_display_name>
</wp:author>
<item>
  <title>Tom &amp; Jerry &#8211; &company; &lt;3 forever</title>
  <dc:creator>tom</dc:creator>
  <content:encoded>&lt;p&gt;Cats &amp;amp; mice&lt;/p&gt;&nbsp;and &company; after it</content:encoded>
  <wp:post_id>7</wp:post_id>
  <wp:post_date>2024-03-04 09:00:00</wp:post_date>
  <wp:post_date_gmt>2024-03-04 09:00:00</wp:post_date_gmt>
  <wp:comment_status>open</wp:comment_status>
  <wp:post_name>tom-and-jerry</wp:post_name>
  <wp:status>publish</wp:status>
  <wp:post_type>post</wp:post_type>
  <wp:comment>
    <wp:comment_id>70</wp:comment_id>
    <wp:comment_author>Anna &amp; Bob of &company; inc</wp:comment_author>
    <wp:comment_author_email>anna@example.com</wp:comment_author_email>
    <wp:comment_date>2024-03-05 10:00:00</wp:comment_date>
    <wp:comment_date_gmt>2024-03-05 10:00:00</wp:comment_date_gmt>
    <wp:comment_content>1 &lt; 2 &amp;&amp; 3 &gt; 2,&nbsp;says &company; at the end</wp:comment_content>
    <wp:comment_approved>1</wp:comment_approved>
    <wp:comment_parent>0</wp:comment_parent>
  </wp:comment>
</item>
</channel>
</rss>
"""


def test_text_after_an_entity_is_kept_in_titles_bodies_comments_and_author_names(wxr_app):
    import_bytes(WXR)
    post = db.session.scalars(sa.select(Post)).one()
    comment = db.session.scalars(sa.select(Comment)).one()
    user = db.session.scalars(sa.select(User).where(User.login == "tom")).one()
    assert post.title == "Tom & Jerry \u2013 &company; <3 forever"
    assert post.body == "<p>Cats &amp; mice</p>\xa0and &company; after it"
    assert comment.author_name == "Anna & Bob of &company; inc"
    assert comment.body == "1 < 2 && 3 > 2,\xa0says &company; at the end"
    assert user.display_name == "Tom & Jerry\xa0Ltd of &company; fame"


def test_an_imported_title_with_an_entity_shows_whole_on_the_home_page(wxr_app):
    import_bytes(WXR)
    page = wxr_app.test_client().get("/").get_data(as_text=True)
    assert "Tom &amp; Jerry \u2013 &amp;company; &lt;3 forever" in page
    assert "and &amp;company; after it" in page
