# Two commands for a newcomer (see README.md):
#   make site   install, then build the site from results/ and seeds/ into site/
#   make test   install everything the tests need, then run them
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
export HF_HUB_OFFLINE := 1

.PHONY: site serve test lint audit validate bench install-site install-torch install-test browser axe clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install-site: $(BIN)/python
	$(PIP) install --quiet -e .

# torch first and pinned, as its CPU build: PyPI's Linux torch is the CUDA build, which
# pulls ~2.7 GB of nvidia wheels; an unpinned torch pulled in by lm-eval would be that too.
# In order: keep an installed TORCH_VERSION; else, if pip's own configuration already
# picks a +cpu build (local wheels, a mirror), install that; else install from PyTorch's
# CPU index, TORCH_INDEX (PyTorch's documented way). Only where that index cannot be
# reached (a CI that reaches PyPI alone) does it fall back to pip's configured index, saying so.
TORCH_VERSION := 2.13.0
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
install-torch: $(BIN)/python
	@if $(BIN)/python -c "import importlib.metadata as m, sys; sys.exit(m.version('torch').split('+')[0] != '$(TORCH_VERSION)')" 2>/dev/null; then \
	  :; \
	elif $(PIP) install --dry-run --no-deps --ignore-installed --quiet --report - "torch==$(TORCH_VERSION)" 2>/dev/null \
	     | $(BIN)/python -c "import json, sys; sys.exit('+cpu' not in json.load(sys.stdin)['install'][0]['metadata']['version'])" 2>/dev/null; then \
	  echo "installing torch $(TORCH_VERSION)+cpu as pip's configuration finds it"; \
	  $(PIP) install --quiet "torch==$(TORCH_VERSION)"; \
	elif $(BIN)/python -c "import urllib.request as u; u.urlopen('$(TORCH_INDEX)/torch/', timeout=15)" 2>/dev/null; then \
	  echo "installing torch $(TORCH_VERSION) from $(TORCH_INDEX)"; \
	  $(PIP) install --quiet --index-url "$(TORCH_INDEX)" "torch==$(TORCH_VERSION)"; \
	else \
	  echo "warning: $(TORCH_INDEX) cannot be reached: installing torch $(TORCH_VERSION) from pip's configured index" \
	       "(on Linux, PyPI's is the CUDA build, about 2.7 GB); set TORCH_INDEX to a CPU index you can reach to avoid it" >&2; \
	  $(PIP) install --quiet "torch==$(TORCH_VERSION)"; \
	fi

install-test: install-torch
	$(PIP) install --quiet -e ".[test,spotcheck]"

# The browser tests drive Debian's Chromium, and the Chinese pages need CJK fonts;
# installing them needs root (CI runs as root). Only the missing packages are installed,
# and --no-upgrade leaves installed ones as they are: a test run changes no system package
# that was already there.
BROWSER_PACKAGES := chromium chromium-driver fonts-noto-cjk
browser:
	@missing=$$(for package in $(BROWSER_PACKAGES); do \
	  [ "$$(dpkg-query -W -f='$${db:Status-Status}' $$package 2>/dev/null)" = installed ] || echo $$package; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing" $$missing; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-upgrade $$missing >/dev/null; \
	  else \
	    echo "run 'sudo apt-get install" $$missing"' for the browser tests"; \
	  fi; \
	fi

site: install-site
	$(BIN)/reproboard build

serve: install-site
	$(BIN)/mkdocs serve

validate: install-site
	$(BIN)/reproboard validate

# axe-core audits the built pages for accessibility in the browser tests; npm brings it
# (pinned) into the venv, never a download of its own.
AXE_VERSION := 4.14.1
AXE_CORE_JS := $(VENV)/node_modules/axe-core/axe.min.js
axe:
	@if [ ! -f $(AXE_CORE_JS) ]; then \
	  if command -v npm >/dev/null; then npm install --prefix $(VENV) --no-save --no-audit --no-fund --silent axe-core@$(AXE_VERSION); \
	  else echo "install npm (Node.js) for the accessibility tests"; fi; \
	fi

test: install-test browser axe
	AXE_CORE_JS=$(abspath $(AXE_CORE_JS)) $(BIN)/python -m pytest

lint: install-test
	$(BIN)/ruff check builder tests bench .github/scripts

# The GitHub workflows, offline: fails on any high-severity finding (as CI does).
audit: install-test
	$(BIN)/zizmor --offline --no-progress --min-severity high .github/

bench: install-test
	$(BIN)/python bench/bench_validate.py

clean:
	rm -rf site .pytest_cache
