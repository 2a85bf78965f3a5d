# Chirp: `make run` serves the API with a worker; `make test` runs the suite.
# Both start embedded PostgreSQL and Redis under var/ unless DATABASE_URL / REDIS_URL are set.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test test-scale bench-hybrid install lint fmt migrations superuser bench bench-quick bench-deps browser-deps node-deps screenshot soak audit clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) -m devtools.dev run

test: install browser-deps node-deps
	$(PY) -m devtools.dev test

# The feed suite again with home feeds on a real Redis Cluster (3 masters, 3 replicas from
# redis-server on loopback ports, started by the tests): FEED_REDIS_CLUSTER_URL's code path.
# The browser tests (tests/system/test_browser.py) drive Debian's chromium with Playwright,
# which never downloads a browser of its own.
browser-deps:
	@test -x /usr/bin/chromium || \
	  ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium)

# openapi-typescript and tsc for the generated-client test (tests/system/test_generated_clients.py) and masto
# (masto.js) for the streaming client test (tests/system/test_stream_clients.py),
# pinned by tests/system/clients/package-lock.json, installed under var/node.
NODE_DIR := var/node
$(NODE_DIR)/.installed: tests/system/clients/package.json tests/system/clients/package-lock.json
	@command -v npm >/dev/null || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq nodejs npm)
	mkdir -p $(NODE_DIR)
	cp tests/system/clients/package.json tests/system/clients/package-lock.json $(NODE_DIR)/
	cd $(NODE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

node-deps: $(NODE_DIR)/.installed

# Lint and types: ruff, the import contracts (DESIGN.md section 1, import-linter), then mypy with
# django-stubs (config in pyproject.toml; CI runs this first).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DEBUG=1 $(VENV)/bin/mypy .  # the django plugin loads settings: DEBUG needs no .env (fresh clone)

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations: install
	$(PY) -m devtools.dev manage makemigrations

superuser: install
	$(PY) -m devtools.dev manage createsuperuser

# Benchmarks (bench/README.md): seed 10k users / 1M tweets, then feed read, fan-out, HTTP,
# post-to-feed latency and memory against their baselines. They need wrk and redis-benchmark.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
bench-deps:
	@command -v wrk >/dev/null && command -v redis-benchmark >/dev/null || \
	  ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk redis-tools)

bench: install bench-deps
	$(PY) -m bench.run $(ARGS)

bench-quick: install bench-deps
	$(PY) -m bench.run --quick $(ARGS)

# Hybrid fan-out (bench/hybrid.py): posting by accounts with 10k, 100k and 1M followers, and a
# read merging 5 large accounts against a plain one. DATABASE_URL must name a database with
# "bench" in its name (users, follows and tweets are replaced); REDIS_URL is flushed.
bench-hybrid: install
	$(PY) -m bench.hybrid $(ARGS)

# The feed suite at scale (issue 11): the hybrid fan-out merging every author at read time
# (FANOUT_FOLLOWER_LIMIT=0) and all but single-follower ones (=1), on the single Redis and on
# a real Redis Cluster the tests start (CHIRP_TEST_FEED_CLUSTER=1).
test-scale: install
	CHIRP_TEST_FEED_CLUSTER=1 $(PY) -m devtools.dev test feed
	FANOUT_FOLLOWER_LIMIT=0 $(PY) -m devtools.dev test feed
	FANOUT_FOLLOWER_LIMIT=1 $(PY) -m devtools.dev test feed
	CHIRP_TEST_FEED_CLUSTER=1 FANOUT_FOLLOWER_LIMIT=0 $(PY) -m devtools.dev test feed
	CHIRP_TEST_FEED_CLUSTER=1 FANOUT_FOLLOWER_LIMIT=1 $(PY) -m devtools.dev test feed

# The README's pictures of the home timeline (docs/screenshot-home*.png) from a real `make run`
# in var/screenshot with fresh demo data, taken in chromium (devtools/screenshot.py).
screenshot: install browser-deps
	$(PY) -m devtools.screenshot $(ARGS)

# Load soak (scripts/soak.py, README "Soak"): 100 users for 60 s through gunicorn + a worker,
# loopback only; then every posted tweet must be in every follower's feed. ARGS to change.
soak: install
	$(PY) scripts/soak.py $(ARGS)

# Known vulnerabilities in the pinned runtime requirements (SECURITY.md). Needs the PyPI
# advisory API (or OSV: ARGS="-s osv"); exits non-zero on an unexplained finding.
audit: install
	$(VENV)/bin/pip-audit -r requirements.txt --no-deps --disable-pip --strict $(shell sed -n 's/^- ignore: \([A-Za-z0-9-]*\).*/--ignore-vuln \1/p' SECURITY.md) $(ARGS)

clean:
	rm -rf var/ .pytest_cache
