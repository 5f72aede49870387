"""The Makefile's promises: `make demo PORT=…` tells the app where it is served (invitation links
are built from QIHANG_BASE_URL), and `make clean` forgets Hypothesis' saved examples.

`make demo` runs for real here, with a stand-in `qihang` and `python` (BIN=…) that record how
they were called, so the test reads what the recipe really does without serving anything.
"""

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAKE = shutil.which("make") or "/usr/bin/make"
STAND_IN = """#!/bin/sh
echo "$(basename "$0") $* BASE_URL=$QIHANG_BASE_URL" >> "$CALLS"
"""


def test_make_demo_exports_the_base_url_of_its_host_and_port(tmp_path):
    bin_dir = ROOT / "test-artifacts" / f"stand-in-bin-{os.getpid()}"
    bin_dir.mkdir(parents=True, exist_ok=True)
    try:
        for name in ("qihang", "python"):
            script = bin_dir / name
            script.write_text(STAND_IN)
            script.chmod(0o755)  # newer than pyproject.toml: make does not reinstall
        calls = tmp_path / "calls.txt"
        result = subprocess.run(  # noqa: S603 — make with fixed arguments
            [
                MAKE,
                "--no-print-directory",
                "demo",
                "HOST=127.0.0.2",
                "PORT=8123",
                f"BIN={bin_dir.relative_to(ROOT)}",
            ],
            cwd=ROOT,
            env={**os.environ, "CALLS": str(calls), "QIHANG_BASE_URL": "http://stale:8000"},
            capture_output=True,
            text=True,
            timeout=120,
            start_new_session=True,  # the recipe's `kill 0` stops its own process group only
        )
        # The recipe ends with `kill 0` (its trap stops the server and the worker together),
        # which ends make too: its exit status says nothing here, the calls do.
        assert "Serving on http://127.0.0.2:8123/" in result.stdout, result.stdout + result.stderr
        lines = calls.read_text().splitlines()
    finally:
        shutil.rmtree(bin_dir)
    assert "qihang runserver 127.0.0.2:8123 BASE_URL=http://127.0.0.2:8123" in lines, lines
    assert "qihang demo BASE_URL=http://127.0.0.2:8123" in lines, lines


def test_make_clean_removes_the_hypothesis_database():
    result = subprocess.run(  # noqa: S603
        [MAKE, "--no-print-directory", "-n", "clean"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    (command,) = result.stdout.splitlines()
    assert command.startswith("rm -rf ")
    assert ".hypothesis" in command.split()
