"""A web worker's memory: libraries for rare paths stay unloaded, and a log-in does not spike it.

Every module a worker imports stays in its memory for good (bench/memory.py measures the whole
worker); these tests keep the two biggest savings from coming undone.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Needed only by log-in callbacks, admin tools, feeds, the CLI, Redis set-ups or the tests.
RARE_PATH_LIBRARIES = {"alembic", "flask_migrate", "authlib", "requests", "cryptography", "lxml", "feedgen",
                       "slugify", "redis", "hypothesis", "bs4", "html5lib"}
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
           "DATABASE_URL": f"sqlite:///{tmp_path / 'blog.sqlite'}", "SESSION_COOKIE_SECURE": "0"}
    result = subprocess.run([sys.executable, "-c", SERVE_PAGES, json.dumps(sorted(RARE_PATH_LIBRARIES))],
                            cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    served = json.loads(result.stdout.strip().splitlines()[-1])
    assert served["statuses"] == [200, 200, 200, 404]
    assert served["loaded"] == []
