#!/usr/bin/env bash
# The whole suite: ruff, then pytest on SQLite (always) and on PostgreSQL (when DATABASE_URL is
# set or a local server answers). Browser tests run once, on SQLite, in a process of their own.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export QIHANG_DATA_DIR="${QIHANG_TEST_DATA_DIR:-$(mktemp -d -t qihang-test-XXXXXX)}"
export QIHANG_TASKS_BACKEND=django.tasks.backends.immediate.ImmediateBackend
mkdir -p test-artifacts
# Hypothesis profile (tests/conftest.py): "ci" under CI=true (deterministic, no example database),
# otherwise "default" (explores new examples, replays failures saved in .hypothesis/).
if [ "${CI:-}" = true ]; then export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"; fi
echo "== Hypothesis profile: ${HYPOTHESIS_PROFILE:-default}"

echo "== ruff"
$BIN/ruff check .
$BIN/ruff format --check .

echo "== pytest on SQLite"
env -u DATABASE_URL $BIN/python -m pytest -n "${QIHANG_TEST_WORKERS:-2}" -m "not browser" "$@"

# Apart from the rest: Playwright's sync API keeps an event loop running in the worker, which
# Django's async-safety check would then see in every later test of that process.
echo "== browser tests (Debian's Chromium) on SQLite"
env -u DATABASE_URL $BIN/python -m pytest -m browser "$@"

pg_url="${DATABASE_URL:-}"
if [ -z "$pg_url" ] && command -v pg_isready >/dev/null && pg_isready -q -h localhost -p 5432; then
  pg_url="postgres://postgres@localhost:5432/qihang"
fi
if [ -n "$pg_url" ]; then
  echo "== pytest on PostgreSQL"
  DATABASE_URL="$pg_url" $BIN/python -m pytest -n "${QIHANG_TEST_WORKERS:-2}" -m "not browser" "$@"
else
  echo "== PostgreSQL not available: skipped (set DATABASE_URL to run it)"
fi
