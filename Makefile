# The two commands: `make demo` (set up everything, load demo data, serve on :8000) and
# `make test` (the whole suite; .ci/run calls it).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo keeps its own data directory inside the checkout unless told otherwise.
export QIHANG_DATA_DIR ?= $(CURDIR)/var/demo

.PHONY: demo test setup assets serve lint format bench fixtures clean constraints

$(BIN)/qihang: pyproject.toml requirements/constraints.txt
	@test -x $(BIN)/python || "$$(scripts/find_python.sh)" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e '.[test,bench]'
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

assets: node_modules/.package-lock.json
	$(BIN)/python scripts/vendor_assets.py
	cd qihang && ../$(BIN)/qihang compilemessages -v0

setup: $(BIN)/qihang assets

# Links in invitation e-mails point at the server these targets start, whatever HOST and PORT.
demo serve: export QIHANG_BASE_URL = http://$(HOST):$(PORT)

demo: setup
	$(BIN)/qihang migrate --no-input
	$(BIN)/qihang demo
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C stops the server and the task worker)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(BIN)/qihang db_worker --interval 0.5 >/dev/null 2>&1 & \
	  $(BIN)/qihang runserver $(HOST):$(PORT)

# The production server (gunicorn, hashed and compressed static files) on the demo's data, to try
# locally what docs/deployment.md runs behind nginx. DEBUG off, no HTTPS: not for the internet.
serve: setup
	$(BIN)/qihang migrate --no-input
	@trap 'kill 0' EXIT INT TERM; \
	  $(BIN)/qihang db_worker --interval 0.5 >/dev/null 2>&1 & \
	  QIHANG_DEBUG=0 $(BIN)/qihang serve --collectstatic --bind $(HOST):$(PORT)

test: setup
	scripts/run_tests.sh

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

fixtures: setup
	$(BIN)/python scripts/make_fixtures.py

bench: setup
	$(BIN)/qihang bench --rows 100000

clean:
	rm -rf $(VENV) node_modules qihang/static/vendor var test-artifacts .hypothesis

constraints: $(BIN)/qihang
	(echo "# Pinned versions for pip's -c (no registry addresses). Regenerate: make constraints"; \
	 $(BIN)/pip freeze --exclude-editable | grep -v '^qihang') > requirements/constraints.txt
