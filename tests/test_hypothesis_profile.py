"""CI runs of Hypothesis are deterministic, local runs keep exploring (tests/conftest.py).

A counter-example once saved in .hypothesis/ was replayed by every later run and kept `make
test` red; under CI=true no example database is read or written and the examples are the same
on every run.
"""

import os
import subprocess
import sys
from pathlib import Path

from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]


def test_report_profile():
    """Prints the profile in force; the test below runs it in a fresh process."""
    current = settings.default
    print(f"PROFILE derandomize={current.derandomize} no_database={current.database is None}")


def profile_in(env: dict[str, str]) -> str:
    result = subprocess.run(  # noqa: S603 — our own interpreter and this file
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-s",
            "-p",
            "no:cacheprovider",
            "-n",
            "0",
            f"{__file__}::test_report_profile",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return next(line for line in result.stdout.splitlines() if "PROFILE" in line)


def test_ci_profile_is_derandomised_without_a_database_and_local_runs_explore():
    base = {k: v for k, v in os.environ.items() if k not in ("CI", "HYPOTHESIS_PROFILE")}
    assert profile_in({**base, "CI": "true"}).endswith("derandomize=True no_database=True")
    assert profile_in(base).endswith("derandomize=False no_database=False")
