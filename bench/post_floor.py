"""The floor of the stack for a guest comment POST: what the same work costs with nothing else.

A Flask app on the libraries the blog must use (Flask-WTF's form with its CSRF check, Flask-Limiter,
Flask-SQLAlchemy on the same database engine and connection set-up) that runs the statements a held
guest comment needs at the least: the post (is it there, open), the author's recent comments (the
flood check), the INSERT of the comment and the INSERT of the mail to the owner, in one transaction,
then a 303 to the comment. No ORM objects, settings, moderation lists, page cache, request log or
security headers. `make bench` serves it under the same gunicorn settings and times its POSTs
alone, in turn with the blog's and WordPress's: how close the blog comes to what this stack can do.
"""

import os
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, abort, redirect, render_template_string
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Email

from core.db_connections import configure_engine
from core.dbtypes import utcnow

POST_ID = 1
FLOOD_SECONDS = 15  # WordPress's, and the blog's default

db = SQLAlchemy()
limiter = Limiter(key_func=get_remote_address, storage_uri="memory://")


class FloorPost(db.Model):
    __tablename__ = "floor_posts"
    id = sa.Column(sa.Integer, primary_key=True)
    comments_open = sa.Column(sa.Boolean, nullable=False)


class FloorComment(db.Model):
    __tablename__ = "floor_comments"
    __table_args__ = (sa.Index("ix_floor_comments_email_created", "author_email", "created_at"),)
    id = sa.Column(sa.Integer, primary_key=True)
    post_id = sa.Column(sa.Integer, sa.ForeignKey("floor_posts.id"), nullable=False)
    author_name = sa.Column(sa.String(245), nullable=False)
    author_email = sa.Column(sa.String(100), nullable=False)
    body = sa.Column(sa.Text, nullable=False)
    status = sa.Column(sa.String(20), nullable=False)
    created_at = sa.Column(sa.DateTime(timezone=True), nullable=False)


class FloorMail(db.Model):
    __tablename__ = "floor_mails"
    id = sa.Column(sa.Integer, primary_key=True)
    comment_id = sa.Column(sa.Integer, nullable=False)
    subject = sa.Column(sa.String(200), nullable=False)


class FloorForm(FlaskForm):
    author = StringField(validators=[DataRequired()])
    email = StringField(validators=[DataRequired(), Email()])
    comment = TextAreaField(validators=[DataRequired()])


FORM_PAGE = '<form id="commentform" action="/posts/{{ post_id }}/comments" method="post">{{ form.csrf_token }}</form>'


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY=os.environ["SECRET_KEY"], SQLALCHEMY_DATABASE_URI=os.environ["DATABASE_URL"])
    db.init_app(app)
    limiter.init_app(app)
    with app.app_context():
        configure_engine(db.engine, ping_after_idle_seconds=60)  # the blog's pragmas and pool checks
        db.create_all()
        if db.session.get(FloorPost, POST_ID) is None:
            db.session.add(FloorPost(id=POST_ID, comments_open=True))
        db.session.commit()
        db.engine.dispose()  # gunicorn forks the workers from here: each opens connections of its own

    @app.get("/posts/<int:post_id>/")
    def post_page(post_id: int):
        return render_template_string(FORM_PAGE, form=FloorForm(), post_id=post_id)

    @app.post("/posts/<int:post_id>/comments")
    @limiter.limit("1000000 per minute")
    def comment_post(post_id: int):
        if not db.session.execute(sa.select(FloorPost.comments_open).where(FloorPost.id == post_id)).scalar():
            abort(404)
        form = FloorForm()
        if not form.validate():
            abort(400)
        now = utcnow()
        recent = db.session.execute(sa.select(sa.func.count()).where(
            FloorComment.author_email == form.email.data,
            FloorComment.created_at >= now - timedelta(seconds=FLOOD_SECONDS))).scalar()
        if recent:
            abort(429)
        comment_id = db.session.execute(sa.insert(FloorComment).values(
            post_id=post_id, author_name=form.author.data, author_email=form.email.data, body=form.comment.data,
            status="pending", created_at=now).returning(FloorComment.id)).scalar()
        db.session.execute(sa.insert(FloorMail).values(comment_id=comment_id, subject="Please moderate"))
        db.session.commit()
        return redirect(f"/posts/{post_id}/#comment-{comment_id}", 303)

    return app
