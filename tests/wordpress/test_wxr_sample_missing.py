"""Without the shared WordPress sample export (../shared/wxr) its tests skip, saying why, instead of erroring."""

import os
import subprocess
import sys

import pytest

from tests.support import wxr


def test_reading_a_missing_sample_skips_with_the_folder_it_looked_in(monkeypatch, tmp_path):
    monkeypatch.setattr(wxr, "WXR_DIR", tmp_path / "no-shared-folder")
    with pytest.raises(pytest.skip.Exception, match="the WordPress sample export is not in .*no-shared-folder"):
        wxr.read_shared(wxr.SAMPLE.name)


def test_a_run_without_the_shared_folder_skips_the_sample_tests_and_errors_on_none(tmp_path):
    # On in-memory SQLite: the inner run empties its database when it ends, which must not be ours.
    env = {name: value for name, value in os.environ.items() if name != "TEST_DATABASE_URL"}
    env["WXR_SAMPLE_DIR"] = str(tmp_path / "no-shared-folder")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-ra", "-p", "no:cacheprovider",
                          "tests/wordpress/test_wxr_export.py"],
                         cwd=wxr.PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    summary = run.stdout.strip().splitlines()[-1]
    assert run.returncode == 0, run.stdout[-3000:]
    assert "skipped" in summary and "error" not in summary and "failed" not in summary
    assert "the WordPress sample export is not in" in run.stdout
