"""Imported WordPress content renders as WordPress shows it: paragraphs, captions, entities."""

import sqlalchemy as sa

from blog.models import Post
from blog.permalinks import post_url
from blog.rendering import render_comment, render_post_body
from blog.wp_content import autop, expand_shortcodes
from extensions import db
from tests.support.helpers import page_soup
from tests.support.wxr import import_bytes

CLASSIC_WP_ID = 5  # "follow-up-email-template": classic editor, [caption], list, blockquote
BLOCK_WP_ID = 4  # "what-do-you-do-when-you-hate-to-network": block editor, the pingback


def imported_post(wp_id: int) -> Post:
    return db.session.scalar(sa.select(Post).where(Post.wp_id == wp_id))


def post_page(app, post: Post):
    with app.test_request_context():
        url = post_url(post)
    response = app.test_client().get(url)
    assert response.status_code == 200
    return page_soup(response)


def html(text: str) -> str:
    return render_post_body(text, "html")


# -- the real sample, imported and shown -------------------------------------------------------


def test_classic_post_gets_paragraphs_and_a_captioned_figure(wxr_app, sample_bytes):
    import_bytes(sample_bytes)
    post = imported_post(CLASSIC_WP_ID)
    assert "<p>" not in post.body and "[caption" in post.body  # stored as WordPress had it
    body = post_page(wxr_app, post).select_one(".entry-content")
    figure = body.select_one("figure")
    assert figure.select_one("img")["alt"] == "A pile of blank name tags"
    assert figure.select_one("figcaption").get_text() == (
        "Blank name tags: the most intimidating stationery ever made."
    )
    paragraphs = [p.get_text() for p in body.select("p")]
    assert paragraphs[0].startswith("Every few months someone asks me")
    assert "The whole thing fits in three short paragraphs:" in paragraphs
    assert "For example:" in paragraphs
    assert body.select_one("blockquote > p").get_text().startswith("Hi Sam,")
    assert len(body.select("ul > li")) == 3 and not body.select("li p")
    text = body.get_text()
    assert "[caption" not in text and "[/caption]" not in text and "—" in text  # &mdash;


def test_block_editor_post_keeps_its_paragraphs_and_loses_the_block_comments(wxr_app, sample_bytes):
    import_bytes(sample_bytes)
    post = imported_post(BLOCK_WP_ID)
    rendered = render_post_body(post.body, "html")
    assert "wp:paragraph" not in rendered and "<!--" not in rendered
    assert rendered.count("<p>") == post.body.count("<p>")  # none added, none lost
    assert "<br>" not in rendered
    assert "<h3>Get clear on how networking really works</h3>" in rendered


def test_no_imported_post_renders_a_script_or_a_block_comment(wxr_app, sample_bytes):
    hostile = sample_bytes.replace(
        b"Here it is, more or less word for word.",
        b"Here it is.<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>",
    )
    import_bytes(hostile)
    for post in db.session.scalars(sa.select(Post)):
        rendered = render_post_body(post.body, post.body_format)
        assert "<script" not in rendered and "onerror" not in rendered and "<!--" not in rendered
    assert "an event. Here it is.</p>" in render_post_body(
        imported_post(CLASSIC_WP_ID).body, "html"
    )


def test_imported_comments_show_entities_as_characters(wxr_app, sample_bytes):
    import_bytes(sample_bytes)
    soup = post_page(wxr_app, imported_post(BLOCK_WP_ID))
    pingback = next(
        li
        for li in soup.select("ol.comment-list li")
        if "Career Corner" in li.select_one(".fn").get_text()
    )
    assert pingback.select_one(".fn").get_text() == (
        "Career Corner » Five posts that changed how I think about networking"
    )
    text = pingback.select_one(".comment-content").get_text()
    assert text.startswith("[…] Ruth Calloway’s “What Do You Do When You Hate to Network?”")
    assert "&#8230;" not in text and "&#8217;" not in text and "&raquo;" not in soup.get_text()


def test_comment_html_and_entities_render_once():
    rendered = render_comment(
        "Great post&#8230; <b>really</b> &amp; AT&T <script>x()</script>\n\nSecond"
    )
    assert rendered == "<p>Great post… <b>really</b> &amp; AT&amp;T </p><p>Second</p>"


# -- paragraphs ----------------------------------------------------------------------------------


def test_blank_lines_make_paragraphs_and_single_newlines_line_breaks():
    assert autop("One\nstill one\n\n\nTwo") == "<p>One<br>\nstill one</p>\n<p>Two</p>"


def test_an_existing_break_is_not_doubled():
    assert autop("One<br />\nTwo") == "<p>One<br />\nTwo</p>"


def test_preformatted_text_is_left_alone():
    code = "<pre>def f():\n\n    return 1\n</pre>"
    assert autop(f"Code:\n\n{code}\n\nDone") == f"<p>Code:</p>\n{code}\n<p>Done</p>"


def test_headings_and_list_items_get_line_breaks_not_paragraphs():
    assert autop("<h2>Long\ntitle</h2>") == "<h2>Long<br>\ntitle</h2>"
    assert (
        autop("<ul>\n\t<li>a\nb</li>\n\t<li>c</li>\n</ul>")
        == "<ul>\n<li>a<br>\nb</li>\n<li>c</li>\n</ul>"
    )


def test_a_div_gets_paragraphs_only_when_its_text_has_a_blank_line():
    assert autop("<div>one line</div>") == "<div>one line</div>"
    assert autop("<div>one\n\ntwo</div>") == "<div>\n<p>one</p>\n<p>two</p>\n</div>"
    assert autop("<blockquote>quoted</blockquote>") == "<blockquote>\n<p>quoted</p>\n</blockquote>"


def test_newlines_inside_a_tag_and_a_lone_less_than_sign_are_not_markup():
    assert (
        autop('See <a\nhref="/x">this</a> if a < b') == '<p>See <a href="/x">this</a> if a < b</p>'
    )


def test_the_more_marker_leaves_no_empty_paragraph():
    assert autop("Teaser\n\n<!--more-->\n\nRest") == "<p>Teaser</p>\n<p>Rest</p>"


# -- shortcodes ----------------------------------------------------------------------------------


def test_caption_with_a_linked_image_and_the_older_caption_attribute():
    image = '<a href="/big.jpg"><img src="/s.jpg" alt="" /></a>'
    linked = expand_shortcodes(f'[caption id="a" width="300"]{image} Hi[/caption]')
    assert linked == f"<figure>{image}<figcaption>Hi</figcaption></figure>"
    older = expand_shortcodes('[caption caption="Old &amp; gold"]<img src="/o.jpg">[/caption]')
    assert older == '<figure><img src="/o.jpg"><figcaption>Old & gold</figcaption></figure>'
    assert expand_shortcodes('[caption]<img src="/n.jpg">[/caption]') == '<img src="/n.jpg">'


def test_media_shortcodes_become_players_and_links_and_galleries_go():
    assert html(
        '[video mp4="https://v.example/a.mp4" poster="https://v.example/p.jpg"][/video]'
    ) == (
        '<p><video controls="" src="https://v.example/a.mp4" poster="https://v.example/p.jpg"></video></p>'
    )
    assert html("[audio src='https://v.example/a.mp3']") == (
        '<p><audio controls="" src="https://v.example/a.mp3"></audio></p>'
    )
    assert html("[embed]https://v.example/watch?v=1[/embed]") == (
        '<p><a href="https://v.example/watch?v=1" rel="noopener">https://v.example/watch?v=1</a></p>'
    )
    assert html('Before\n\n[gallery ids="1,2,3"]\n\nAfter') == "<p>Before</p>\n<p>After</p>"


def test_unsafe_shortcode_urls_are_dropped_by_the_sanitizer():
    rendered = html('[video src="javascript:alert(1)"][/video] [embed]javascript:x()[/embed]')
    assert rendered == '<p><video controls=""></video> javascript:x()</p>'  # no src, no link


def test_unknown_shortcodes_and_escaped_ones_stay_as_text():
    assert html('[contact-form-7 id="4"] and [sic] and [[caption]]') == (
        '<p>[contact-form-7 id="4"] and [sic] and [caption]</p>'
    )
