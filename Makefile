# tvclient: one entry point for people and CI. `make help` lists the targets.
#
#   make run        set up (runtime only) and run the app on this machine's display
#   make run-xvfb   the same on a headless machine (a private Xvfb display)
#   make test       set up (everything) and run ruff, mypy and the whole pytest suite
#
# Pass arguments through: make run ARGS="--booth"   make pytest PYTEST_ARGS="-m browser -x"

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
BIN := $(VENV)/bin
TIMED := scripts/timed
ARGS ?=
PYTEST_ARGS ?=
XVFB_SCREEN ?= 1920x1080x24

# CI prints the slowest tests, to keep the suite well under its time budget.
ifdef CI
PYTEST_ARGS += --durations=25
endif

.PHONY: help setup setup-runtime run run-xvfb test lint typecheck pytest bench package clean distclean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

setup: ## install Debian packages, .venv and the project with every extra (idempotent)
	@$(TIMED) setup scripts/setup

setup-runtime: ## install only what `tvclient` needs to run
	@$(TIMED) setup scripts/setup --runtime-only

run: setup-runtime ## run the app on this machine's display (ARGS="..." for options)
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ] && [ "$$QT_QPA_PLATFORM" != offscreen ]; then \
	  echo "make run: this machine has no display (DISPLAY and WAYLAND_DISPLAY are unset)." >&2; \
	  echo "          On a headless machine use: make run-xvfb" >&2; \
	  exit 2; \
	fi
	$(BIN)/tvclient $(ARGS)

# A headless machine has no session bus and no keyring either: scripts/headless-session gives
# the app both (a private, unlocked gnome-keyring), as a desktop session would.
run-xvfb: setup-runtime ## run the app headless on a private Xvfb display (ARGS="..." for options)
	QT_QPA_PLATFORM=xcb scripts/headless-session xvfb-run --auto-servernum \
	  --server-args="-screen 0 $(XVFB_SCREEN) -nolisten tcp" $(BIN)/tvclient $(ARGS)

# Each check runs even when an earlier one failed (-k); make still exits non-zero.
test: setup ## ruff + mypy + the whole pytest suite (what CI runs)
	@$(MAKE) --no-print-directory -k lint typecheck pytest SKIP_SETUP=1

# `make lint` etc. on their own set up first; inside `make test` setup already ran.
ifndef SKIP_SETUP
lint typecheck pytest bench: setup
endif

lint: ## ruff over the whole project
	@$(TIMED) lint $(BIN)/ruff check .

# The folders come from [tool.mypy] files; ones with no Python yet are left out, because mypy
# refuses a folder without .py files (bench/ starts empty).
MYPY_PATHS = $(shell $(BIN)/python -c 'import pathlib, tomllib; \
  files = tomllib.load(open("pyproject.toml", "rb"))["tool"]["mypy"]["files"]; \
  print(" ".join(f for f in files if any(pathlib.Path(f).rglob("*.py"))))' 2>/dev/null)

typecheck: ## mypy --strict (settings from pyproject.toml)
	@$(TIMED) typecheck $(BIN)/mypy $(MYPY_PATHS)

pytest: ## the whole test suite (PYTEST_ARGS="..." to narrow it)
	@$(TIMED) pytest $(BIN)/pytest $(PYTEST_ARGS)

bench: ## run every benchmark script in bench/ (each prints ratios against its baseline)
	@shopt -s nullglob; scripts=(bench/[!_]*.py); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "bench: no benchmark scripts in bench/ yet"; exit 0; fi; \
	status=0; for script in "$${scripts[@]}"; do \
	  $(TIMED) "$$script" env PYTHONPATH=. $(BIN)/python "$$script" || status=1; \
	done; exit $$status

package: setup ## build the distributable bundle (scripts/package)
	@$(TIMED) package scripts/package

clean: ## remove build output and tool caches (keeps .venv)
	rm -rf build dist .mypy_cache .ruff_cache .pytest_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean ## clean, and remove .venv too
	rm -rf $(VENV) *.egg-info
