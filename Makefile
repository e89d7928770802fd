# Two commands for a newcomer (see README.md):
#   make site   install, then build the site from results/ and seeds/ into site/
#   make test   install everything the tests need, then run them
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
export HF_HUB_OFFLINE := 1

.PHONY: site serve test lint audit validate bench install-site install-test browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install-site: $(BIN)/python
	$(PIP) install --quiet -e .

# torch first and pinned: its CPU build; an unpinned torch pulled in by lm-eval would be
# a multi-GB CUDA build.
install-test: $(BIN)/python
	$(PIP) install --quiet "torch==2.13.0"
	$(PIP) install --quiet -e ".[test,spotcheck]"

# The browser tests drive Debian's Chromium, and the Chinese pages need CJK fonts;
# installing them needs root (CI runs as root).
BROWSER_PACKAGES := chromium chromium-driver fonts-noto-cjk
browser:
	@if ! command -v chromium >/dev/null || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; \
	  else \
	    echo "run 'sudo apt-get install $(BROWSER_PACKAGES)' for the browser tests"; \
	  fi; \
	fi

site: install-site
	$(BIN)/reproboard build

serve: install-site
	$(BIN)/mkdocs serve

validate: install-site
	$(BIN)/reproboard validate

test: install-test browser
	$(BIN)/python -m pytest

lint: install-test
	$(BIN)/ruff check builder tests bench

# The GitHub workflows, offline: fails on any high-severity finding (as CI does).
audit: install-test
	$(BIN)/zizmor --offline --no-progress --min-severity high .github/

bench: install-test
	$(BIN)/python bench/bench_validate.py

clean:
	rm -rf site .pytest_cache
