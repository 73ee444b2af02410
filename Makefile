# TrialSite: `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# Every trial's protocol file: `make setup` loads each (a new trial is a new file, no code).
PROTOCOLS := $(sort $(wildcard criteria/protocols/*.json))

.PHONY: setup run test lint bench static-deps deps dev-deps migrate clean backup restore fhir-demo bench-quick docs-images \
	messages translations

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.deps: requirements.txt $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements-dev.txt requirements.txt $(VENV)/.deps
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

deps: $(VENV)/.deps static-deps
dev-deps: $(VENV)/.dev-deps static-deps
static-deps: node_modules/.package-lock.json

# The development settings, read by trialsite/settings.py: written once, never overwritten
# (a new key would end every session and invalidate every password-reset link).
.env:
	@umask 077 && printf '# Development only (make run); git-ignored. Production has no .env.\nDJANGO_DEBUG=1\nDJANGO_SECRET_KEY=%s\n' \
	  "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "wrote .env (DJANGO_DEBUG=1 and a new secret key) for development"

# The interface's translations, compiled with Babel (pure Python: no gettext to install).
translations: $(VENV)/.deps
	$(PY) -m trialsite.translations compile

# After marking new strings: add them to each app's Danish .po, then translate them there
# (docs/translating.md). The test suite fails while any is untranslated.
messages: $(VENV)/.deps
	$(PY) -m trialsite.translations update

setup: deps .env translations
	$(PY) manage.py migrate --no-input
	for protocol in $(PROTOCOLS); do $(PY) manage.py load_protocol "$$protocol" || exit 1; done
	$(PY) manage.py demo_accounts

run: setup
	$(PY) manage.py runserver 127.0.0.1:8000

# The demo FHIR server with the synthetic patients of fhir-server/data (docs/fhir.md). Runs in
# the foreground; in another terminal: FHIR_BASE_URL=http://127.0.0.1:8090/fhir/R4/ make run
fhir-demo: static-deps
	node fhir-server/server.mjs --port 8090

# The suite in one process per core (pytest-xdist): each has its own test database, live server
# and browser. worksteal: an idle process takes queued tests from a busy one, so one slow module
# does not leave a core idle at the end. TEST_WORKERS=0 runs it in this process alone.
TEST_WORKERS ?= auto
test: dev-deps translations
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal

lint: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Benchmarks (docs/performance.md): need wrk and a local PostgreSQL (127.0.0.1:5432, user
# postgres). Compare with an earlier commit: make bench BENCH_ARGS="--before a035591"
bench: dev-deps
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	@pg_isready -h 127.0.0.1 -p 5432 -q || { \
	  pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql)" main start; \
	  for _ in $$(seq 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done; }
	$(PY) bench/run.py $(BENCH_ARGS)

# A smoke run of the same harness: 2,000 decisions, 2 s a page.
bench-quick:
	$(MAKE) bench BENCH_ARGS="--decisions 2000 --seconds 2 $(BENCH_ARGS)"

# The database DATABASE_URL names (default db.sqlite3) into backups/, named by UTC time.
backup: $(VENV)/.deps
	$(PY) -m trialsite.backup create

# Stop the app servers first. The current contents are backed up before they are replaced.
restore: $(VENV)/.deps
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/trialsite-YYYYMMDDTHHMMSSZ.sqlite3"; exit 2; }
	$(PY) -m trialsite.backup restore "$(FILE)"

# The screenshots in docs/: taken by the browser tests listed in docs/images/manifest.txt.
docs-images: dev-deps
	rm -rf test-artifacts/docs
	ARTIFACTS_DIR=test-artifacts/docs REQUIRE_BROWSER=1 $(PY) -m pytest -q -p no:cacheprovider \
	  $$(sed -n 's/^# tests: //p' docs/images/manifest.txt)
	grep -v '^#' docs/images/manifest.txt | while read -r shot doc; do \
	  [ -z "$$shot" ] || cp "test-artifacts/docs/$$shot" "docs/images/$$doc" || exit 1; done

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .hypothesis
