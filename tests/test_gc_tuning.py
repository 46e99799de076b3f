"""`wsgi.py` sets the garbage collector for a long-running process: the loaded app frozen, higher thresholds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tasktrack.gc_tuning import THRESHOLDS

ROOT = Path(__file__).resolve().parents[1]


def test_a_process_that_loads_wsgi_has_its_app_frozen_and_the_thresholds_raised(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'gc.db'}", "UPLOAD_DIR": str(tmp_path / "u"),
           "TASKTRACK_TODAY": "2024-07-18", "PYTHONPATH": str(ROOT)}
    probe = "import gc, json, wsgi; print(json.dumps([gc.get_freeze_count(), gc.get_threshold()]))"
    out = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    frozen, thresholds = json.loads(out.strip().splitlines()[-1])
    assert frozen > 50_000  # the loaded app, out of the collector's sight
    assert tuple(thresholds) == THRESHOLDS
    assert THRESHOLDS[0] > 700  # above CPython's default
