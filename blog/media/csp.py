"""Which other sites' images pages may show (the content security policy's img-src, core.security)."""

import re

from flask import Flask, g

LABEL = r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?"
HOST = re.compile(rf"^(?:\*\.)?{LABEL}(?:\.{LABEL})*(?::\d{{1,5}})?$")


def listed_hosts(text: str) -> list[str]:
    """The image hosts setting's valid lines (host names, "*.example.com" allowed), lower-cased."""
    return [line for line in (line.strip().lower() for line in str(text or "").splitlines()) if HOST.match(line)]


def image_sources() -> list[str]:
    """Remote avatars (Gravatar mode: any https image) or the owner's listed image hosts, when the
    page read the settings (every page that shows a post or a comment does): the policy itself never
    queries, so an error page during an outage still gets one."""
    settings = g.get("settings")
    if settings is None:
        return []
    if settings["avatar_source"] == "gravatar":
        # Gravatar's, and the pictures log-in providers give, come from many hosts.
        return ["https:"]
    return [f"https://{host}" for host in listed_hosts(settings["image_hosts"])]


def init_app(app: Flask) -> None:
    app.extensions["csp_image_sources"] = image_sources
