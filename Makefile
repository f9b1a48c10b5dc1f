# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint test-sqlite test-postgres install install-test system-packages translations messages

run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	@echo "Demo staff login: admin@vordingborg.example / bypuls-demo-2026 at http://127.0.0.1:5000/staff/login"
	$(FLASK) run --host 127.0.0.1 --port 5000

install: $(VENV)/.installed translations

install-test: system-packages $(VENV)/.installed-test translations node_modules/axe-core/axe.min.js

# Debian packages the tests drive: Chromium, zbar (QR decoding), Cairo (SVG), poppler (PDF), DejaVu
# (posters), nginx and openssl (the deployed stack), systemd-analyze (the units), Node.js for axe-core,
# GDAL's ogrinfo (reads the GeoJSON exports back as GIS software does).
# As root, `make test` installs the missing ones; otherwise it stops at once and says what to run.
TEST_DEBS := chromium libzbar0 libcairo2 poppler-utils fonts-dejavu-core nginx openssl systemd gdal-bin
system-packages:
	@missing="$$(for p in $(TEST_DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done; \
	  command -v npm >/dev/null || echo nodejs npm)"; missing="$$(echo $$missing)"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages the tests need: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "make test needs Debian packages that are missing. Run:" >&2; \
	    echo "  sudo apt-get install -y $$missing" >&2; exit 1; \
	  fi; \
	fi

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-test.txt
	touch $@

node_modules/axe-core/axe.min.js: package.json
	npm install --no-audit --no-fund --silent
	touch $@

# Catalogues are committed as .po; the compiled .mo files are made here, at install.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d translations

# For developers: collect new UI strings into the catalogues.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations

# The linter, then every test on SQLite and then on PostgreSQL (PG_URL; SKIP_POSTGRES=1 to leave it out).
test: install-test lint test-sqlite test-postgres

lint: install-test
	$(BIN)/ruff check .

test-sqlite: install-test
	$(BIN)/pytest -q $(PYTEST_ARGS)

test-postgres: install-test
ifeq ($(SKIP_POSTGRES),1)
	@echo "SKIP_POSTGRES=1: the PostgreSQL run is left out"
else
	TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q $(PYTEST_ARGS)
endif

# Speed and size figures, printed and kept in bench/last-report.md (bench/README.md says how). SQLite in a
# temp folder, PostgreSQL in its own database `bench` (BENCH_PG_URL; created if missing, wiped each run).
# BENCH_ARGS="--quick" checks the bench itself in about a minute.
.PHONY: bench
bench: install $(VENV)/.installed-bench
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx)
	@pg_isready -q -h 127.0.0.1 -p 5432 || { pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql)" main start; \
	  for n in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }
	$(BIN)/python -m bench.run $(BENCH_ARGS)

$(VENV)/.installed-bench: requirements-bench.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-bench.txt
	touch $@
