"""The spam filter learns in Chromium: a reader's comment it sends to the spam comes back with Not
spam, and the next comment like it goes straight onto the page."""

from playwright.sync_api import expect

from auth.models import User
from blog.models import Comment, Post
from blog.moderation import apply_action
from blog.settings import save_settings
from blog.spam import filter as spam_filter
from extensions import db
from tests.e2e.actions import log_in_as_owner
from tests.e2e.seed import comment_status, demo_post
from tests.support.factories import make_comment

SPAM = ["Make money fast, click http://cash{n}.example.net for free gift cards",
        "Check out my channel and subscribe, free followers http://boost{n}.example.com",
        "Cheap pills, free money, click here now http://pills{n}.example.biz"]
HAM = ["Networking at conferences worked for me once I started listening, thanks ({n}).",
       "I agree about the informational interviews; my first job came from one ({n}).",
       "Good point on following up with a short note a week later ({n})."]
FIRST = "Free salary negotiation notes that helped me, click http://notes.example.org for the template."
SECOND = "Free salary negotiation notes from my mentor, click http://mentor.example.org for the template."


def teach_the_filter(app, post_id: int, owner_email: str) -> None:
    """Moderators' earlier clicks, through the same moderation step the buttons take."""
    with app.test_request_context():
        owner = db.session.query(User).filter_by(email=owner_email).one()
        post = db.session.get(Post, post_id)
        for n in range(spam_filter.MIN_EXAMPLES + 2):
            spam = make_comment(post, body=SPAM[n % 3].format(n=n), status="pending")
            ham = make_comment(post, body=HAM[n % 3].format(n=n), status="pending")
            apply_action(spam, "spam", owner)
            apply_action(ham, "approve", owner)
        save_settings({"comment_previously_approved": False, "spam_filter_action": "spam"})
        db.session.commit()


def comment_by(app, author: str) -> tuple[int, float | None]:
    with app.app_context():
        comment = db.session.query(Comment).filter_by(author_name=author).one()
        return comment.id, comment.spam_score


def post_as_guest(page, post, name: str, email: str, text: str) -> None:
    page.goto(post.path)
    page.get_by_role("textbox", name="Comment", exact=True).fill(text)
    page.get_by_role("textbox", name="Name", exact=True).fill(name)
    page.get_by_role("textbox", name="Email", exact=True).fill(email)
    page.get_by_role("button", name="Post Comment").click()


def test_not_spam_teaches_the_filter_and_the_next_similar_comment_is_published(live_app, browse, owner):
    post = demo_post(live_app)
    teach_the_filter(live_app, post.id, owner[0])

    reader = browse()
    post_as_guest(reader, post, "Rita Mentor", "rita@example.com", FIRST)
    first, first_score = comment_by(live_app, "Rita Mentor")
    assert comment_status(live_app, first) == "spam" and first_score >= 0.65
    expect(reader.locator("ol.comment-list")).not_to_contain_text(FIRST)

    moderator = browse()
    log_in_as_owner(moderator, owner, "/admin/comments?comment_status=spam")
    row = moderator.locator(f"tr#comment-{first}")
    expect(row.locator(".spam-score")).to_have_text(f"Spam filter: {first_score:.2f}")
    expect(row.locator(".status-reason")).to_contain_text("spam filter:")
    moderator.screenshot(path="/tmp/work/shots/filter-spam-tab-1280.png", full_page=True)
    row.get_by_role("button", name="Not spam comment by Rita Mentor").click()
    expect(moderator.locator(f"tr#comment-{first}")).to_have_count(0)
    assert comment_status(live_app, first) == "pending"

    moderator.goto("/admin/comments?comment_status=pending")
    moderator.locator(f"tr#comment-{first}").get_by_role("button", name="Approve comment by Rita Mentor").click()
    expect(moderator.locator(f"tr#comment-{first} .status-label")).to_have_count(0)
    assert comment_status(live_app, first) == "approved"

    other = browse()
    post_as_guest(other, post, "Sam Reader", "sam@example.com", SECOND)
    expect(other.locator("ol.comment-list")).to_contain_text(SECOND)
    second, second_score = comment_by(live_app, "Sam Reader")
    assert comment_status(live_app, second) == "approved" and second_score < 0.65

    moderator.goto(f"/admin/comments/{second}/edit")
    expect(moderator.locator(".spam-filter-view")).to_contain_text(f"Scored {second_score:.2f} when it arrived")
    moderator.set_viewport_size({"width": 390, "height": 844})
    moderator.screenshot(path="/tmp/work/shots/filter-why-390.png", full_page=True)
    assert moderator.evaluate("document.documentElement.scrollWidth") <= 390
