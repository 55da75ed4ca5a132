"""A web worker's memory: libraries for rare paths stay unloaded, and a log-in does not spike it.

Every module a worker imports stays in its memory for good (bench/memory.py measures the whole
worker); these tests keep the two biggest savings from coming undone.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from app import create_app
from auth.models import User
from config import Config
from tests.conftest import make_config

ROOT = Path(__file__).resolve().parents[2]
# Needed only by log-in callbacks, admin tools, feeds, the CLI, Redis set-ups or the tests.
RARE_PATH_LIBRARIES = {"alembic", "flask_migrate", "authlib", "requests", "cryptography", "lxml", "feedgen",
                       "slugify", "redis", "hypothesis", "bs4", "html5lib", "qrcode", "PIL"}
SERVE_PAGES = """
import json, sys
from app import create_app
from extensions import db
app = create_app()
with app.app_context():
    db.create_all()
client = app.test_client()
statuses = [client.get(path).status_code for path in ("/", "/login", "/healthz", "/no-such-page/")]
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(sys.argv[1])))
print(json.dumps({"statuses": statuses, "loaded": loaded}))
"""


def test_a_production_app_serving_pages_loads_no_rare_path_library(tmp_path):
    env = {"PATH": os.environ["PATH"], "BLOG_ENV": "production", "SECRET_KEY": "memory-test",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'blog.sqlite'}", "SESSION_COOKIE_SECURE": "0",
           "SITE_URL": "http://localhost"}  # the test client's host
    result = subprocess.run([sys.executable, "-c", SERVE_PAGES, json.dumps(sorted(RARE_PATH_LIBRARIES))],
                            cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    served = json.loads(result.stdout.strip().splitlines()[-1])
    assert served["statuses"] == [200, 200, 200, 404]
    assert served["loaded"] == []


def _resident_kb() -> tuple[int, int]:
    status = Path("/proc/self/status").read_text()
    return tuple(int(re.search(rf"{key}:\s+(\d+) kB", status).group(1)) for key in ("VmRSS", "VmHWM"))


def test_checking_a_password_raises_peak_memory_by_under_12_mb():
    strong = make_config(PASSWORD_HASH_METHOD=Config.PASSWORD_HASH_METHOD)  # production's, not the suite's
    with create_app(strong).app_context():
        user = User(email="owner@example.com", display_name="Owner")
        user.set_password("correct horse battery")
    Path("/proc/self/clear_refs").write_text("5")  # peak resident memory starts again from now
    before, _ = _resident_kb()
    assert user.check_password("correct horse battery")
    _, peak = _resident_kb()
    assert peak - before < 12 * 1024  # Werkzeug's default scrypt settings take 32 MB here


OPEN_MEDIA_LIBRARY = """
import json, sys
from app import create_app
from auth.models import User
from extensions import db
from tests.support.helpers import login_as
app = create_app()
with app.app_context():
    db.create_all()
    owner = User(email="owner@example.com", display_name="Owner", role="administrator", email_verified=True)
    db.session.add(owner)
    db.session.commit()
    client = app.test_client()
    login_as(client, owner)
before = "PIL" in sys.modules
status = client.get("/admin/media").status_code
print(json.dumps({"before": before, "status": status, "after": "PIL" in sys.modules}))
"""


def test_the_screens_an_upload_starts_from_load_pillow_so_the_upload_need_not(tmp_path):
    env = {"PATH": os.environ["PATH"], "BLOG_ENV": "production", "SECRET_KEY": "memory-test",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'blog.sqlite'}", "SESSION_COOKIE_SECURE": "0",
           "SITE_URL": "http://localhost", "MEDIA_ROOT": str(tmp_path / "media")}
    result = subprocess.run([sys.executable, "-c", OPEN_MEDIA_LIBRARY], cwd=ROOT, env=env, capture_output=True,
                            text=True, check=True)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"before": False, "status": 200, "after": True}
