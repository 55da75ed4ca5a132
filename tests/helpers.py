"""Helpers that act as a browser would: read the form's hidden fields, then post it."""

from bs4 import BeautifulSoup

from blog.permalinks import post_url


def page_soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def form_fields(response, selector: str = "form#commentform") -> tuple[str, dict]:
    """The action and the hidden fields of a rendered form."""
    form = page_soup(response).select_one(selector)
    assert form is not None, f"no {selector} on the page"
    hidden = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    return form["action"], hidden


def submit_comment(client, post, ip: str = "203.0.113.7", page_url: str | None = None, **fields):
    """Open the post page and send its comment form with the given fields, as a browser would."""
    action, hidden = form_fields(client.get(page_url or post_url(post)))
    data = hidden | {"author": "Ada Reader", "email": "ada@example.com", "url": "", "comment": "Nice post."}
    data |= fields
    return client.post(action, data=data, environ_base={"REMOTE_ADDR": ip})


def login_as(client, user) -> None:
    """Log a user in through Flask-Login's own session keys, as the log-in views do."""
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
