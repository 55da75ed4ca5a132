"""The media rows' serving part: nginx over the media folder, and the medium image under load from each server."""

import os
import pwd
import shutil
import signal
import subprocess
import time
from pathlib import Path

import requests

from bench.run import free_port, wrk

SERVE_ROWS = (("medium image: app, folder storage", "folder"), ("medium image: app, database storage", "database"),
              ("medium image: nginx, alias", "nginx"))
NGINX_SKIPPED = "skipped: nginx not installed"


def nginx_binary() -> str | None:
    """nginx if installed (Debian puts it in /usr/sbin, which an ordinary user's PATH may lack)."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")


def nginx_config(public: Path, port: int, workers: int, prefix: Path) -> str:
    """nginx serving the media folder at /media/ as the README's example does (a plain alias, long
    cache headers), on a port of 127.0.0.1, with its files under `prefix`."""
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""  # root's workers read
    temp = "\n".join(f"  {kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                          "scgi"))
    return f"""{user}daemon off;
worker_processes {workers};
pid {prefix / "nginx.pid"};
events {{ worker_connections 1024; }}
http {{
  access_log off;
{temp}
  types {{ image/jpeg jpg jpeg; image/png png; image/gif gif; image/webp webp; image/avif avif; }}
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  server {{
    listen 127.0.0.1:{port};
    location /media/ {{
      alias {public}/;
      expires 1y;
      add_header X-Content-Type-Options nosniff;
    }}
  }}
}}
"""


class Nginx:
    """nginx on a free port of 127.0.0.1 serving the media folder; stops with stop()."""

    def __init__(self, binary: str, public: Path, workers: int | None, prefix: Path, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        prefix.mkdir(parents=True, exist_ok=True)
        config = prefix / "nginx.conf"
        config.write_text(nginx_config(public, self.port, workers or os.cpu_count() or 1, prefix))
        self.process = subprocess.Popen([binary, "-p", str(prefix), "-c", str(config), "-e", str(log)], cwd=prefix,
                                        stdout=subprocess.DEVNULL, stderr=log.open("a"), start_new_session=True)
        wait_for_port(self.port, self.process, log)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=20)


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    import socket

    for _ in range(100):
        if process.poll() is not None:
            break
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nginx did not start: {log.read_text(errors='replace')[-2000:]}")


def fetch_image(url: str) -> bytes:
    """One image as a browser gets it; refused unless it is a JPEG answered with 200."""
    answer = requests.get(url, timeout=30)
    if answer.status_code != 200 or answer.headers.get("Content-Type") != "image/jpeg":
        raise RuntimeError(f"{url} answered {answer.status_code} {answer.headers.get('Content-Type')}")
    return answer.content


def serve_rows(kind: str, servers: dict, key: str, seconds: int) -> list[dict]:
    """The `medium` image under load from each server (label -> base URL, None when not there)."""
    rows = []
    for label, which in SERVE_ROWS:
        base = servers.get(which)
        if base is None:
            rows.append({"media": "serve", "db": kind, "page": label, "skipped": NGINX_SKIPPED})
            continue
        url = f"{base}/media/{key}"
        size = len(fetch_image(url))
        rows.append({"media": "serve", "db": kind, "page": label, "storage": which, "kb": size / 1000,
                     **wrk(url, seconds)})
    return rows
