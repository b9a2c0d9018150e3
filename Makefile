# The two commands: `make run` starts the app on the bundled sample; `make test` runs every test.
#
# Any Python 3.11 or newer works: PYTHON is the first of python3, python3.13, python3.12, python3.11 on PATH that is
# at least 3.11 (or set PYTHON=... yourself). A .venv made by an older Python is rebuilt, with a one-line note.
# `make run` installs what the app needs; `make test` adds the test tools.
FIND_PYTHON := for p in python3 python3.14 python3.13 python3.12 python3.11; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done
PYTHON ?= $(shell $(FIND_PYTHON))
VENV := .venv
BIN := $(VENV)/bin
HASH := $(shell cat pyproject.toml | cksum | cut -d' ' -f1)
APP_STAMP := $(VENV)/.installed-app-$(HASH)
TEST_STAMP := $(VENV)/.installed-test-$(HASH)
# setuptools reports an editable install with an informational warning block; it is not a problem, so the build
# step runs with warnings off (pip's own errors still show).
PIP := PYTHONWARNINGS=ignore $(BIN)/python -m pip --disable-pip-version-check
# glibc's malloc arenas: 2, not its default of 8 per core, so memory freed when officers' sessions close is reused
# by the next sessions instead of keeping many heaps from shrinking (see app/memory.py). glibc reads it only at
# start-up, so it is set here for the app server and for every server the tests and benchmarks start.
export MALLOC_ARENA_MAX ?= 2

.PHONY: run test install install-test venv browser-deps postgres-deps lint bench sample clean

venv:
	@if [ -z "$(PYTHON)" ]; then echo "pprr needs Python 3.11 or newer on PATH (python3 --version is older)."; exit 1; fi
	@if [ -e $(BIN)/python ] && ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
		echo "Rebuilding .venv: it was made by $$($(BIN)/python --version 2>&1 || echo a Python that no longer runs), pprr needs 3.11 or newer."; \
		rm -rf $(VENV); \
	fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)

$(APP_STAMP): pyproject.toml
	$(PIP) install --quiet -e .
	@rm -f $(VENV)/.installed-app-* && touch $(APP_STAMP)

$(TEST_STAMP): pyproject.toml
	$(PIP) install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-* && touch $(APP_STAMP) $(TEST_STAMP)

# The .venv is checked first, on every call (a wrong one is removed with its stamps), then installed into.
install:
	@$(MAKE) --no-print-directory venv
	@$(MAKE) --no-print-directory $(APP_STAMP)

install-test:
	@$(MAKE) --no-print-directory venv
	@$(MAKE) --no-print-directory $(TEST_STAMP)

run: install
	$(BIN)/streamlit run streamlit_app.py

# Chromium (browser tests) and poppler-utils (PDF pages to PNG) come from the system's package manager.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! command -v pdftoppm >/dev/null; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium poppler-utils >/dev/null; \
	fi

# PostgreSQL (the store's tests start their own server on a free port in a temporary folder) from Debian's package.
postgres-deps:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; \
	fi

test: install-test browser-deps postgres-deps
	$(BIN)/python -m pytest

lint: install-test
	$(BIN)/ruff check .

bench: install-test
	$(BIN)/python -m bench.run

sample: install
	$(BIN)/python sample_data/build_samples.py

clean:
	rm -rf $(VENV) .pytest_cache bench/.cache
