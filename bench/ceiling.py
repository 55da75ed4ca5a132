"""The ceiling of the stack: a minimal Flask app that returns a fixed string, served like the blog."""

from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def fixed():
        return "ok"

    return app
