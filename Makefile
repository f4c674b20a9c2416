# Two entry points: `make run` (set up, start the app) and `make test` (set up, run every test).
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
# Debian packages the app and its tests need: Qt's xcb/EGL/multimedia libraries, a virtual screen
# for screenshots, and espeak-ng so the tests can speak known sentences into generated videos.
APT_PKGS := espeak-ng xvfb libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 \
            libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 \
            libxcb-render-util0 libxcb-image0 libpulse0 libasound2 postgresql openbox xdotool
# postgresql: the team-project tests start a throwaway PostgreSQL server of their own.
# openbox: a window manager on the virtual screen, so the screenshot shows a framed window and menus.
# xdotool: keys typed on the virtual screen's keyboard, for the focus test under a window manager.

.PHONY: setup run test test-fast wheel-check sysdeps bench installer lint clean interop interop-venv sdk-venv

$(STAMP): pyproject.toml requirements.lock requirements-cluster.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --no-deps -r requirements.lock -r requirements-cluster.lock 2>&1 | { grep -v "^WARNING: Location" || true; }
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e . 2>&1 | { grep -v "^WARNING: Location" || true; }
	touch $(STAMP)

sysdeps:
	@if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  missing=$$(for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; fi; \
	fi

setup: sysdeps $(STAMP)

run: setup
	$(BIN)/hhir-studio

PYTEST := QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider

# What CI runs: the house's rules, the wheel installed and run outside the checkout, then the whole
# suite with its slowest tests named (pytest's summary stays the last line).
test: setup lint sdk-venv
	$(BIN)/python installers/check_wheel.py
	$(PYTEST) --durations=15

# For developers between commits: the slow end-to-end tests left out.
test-fast: setup
	$(PYTEST) -m "not slow"

# The house's rules as tools check them (configured in pyproject.toml): import contracts (core never
# imports Qt or the app, core's layers in order, no cycles), ruff, and mypy on core and the app; its lists of
# relaxed modules only shrink (tools/mypy_lists.py --write takes off the modules that pass).
# The release workflow (.github/workflows/release.yml): actionlint and zizmor pass on it, and its per-OS locks are
# what installers/locks.py writes from pyproject.toml and requirements.lock (after changing either, run it).
lint: setup
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check --no-cache .
	$(BIN)/mypy
	$(BIN)/python tools/mypy_lists.py
	$(BIN)/actionlint
	$(BIN)/zizmor --offline --quiet .github/workflows
	$(BIN)/python installers/locks.py --check

# Exports checked by the real tools too heavy for the product's venv: a Label Studio server (own
# venv, with label-studio-sdk) takes our tasks and config on 127.0.0.1, exports them back, and both
# a fresh HHIR project and a fresh Label Studio project get the same labels (tests/interop/).
LS_VENV := .interop-venv
LS_VERSION := 1.23.2
# label-studio 1.23.2 asks for sentry-sdk>=2.16.0 with no upper bound; sentry-sdk 3 drops the
# send_default_pii option the server passes, and the server dies at start.
LS_SENTRY := sentry-sdk>=2.16.0,<3

$(LS_VENV)/.installed:
	test -x $(LS_VENV)/bin/python || $(PY) -m venv $(LS_VENV)
	$(LS_VENV)/bin/python -m pip install -q label-studio==$(LS_VERSION) "$(LS_SENTRY)" 2>&1 | { grep -v "^WARNING: Location" || true; }
	touch $@

interop-venv: $(LS_VENV)/.installed

# label-studio-sdk alone (about 500 MB: it pins its own numpy, so not in the product's venv): the
# suite checks our Label Studio tasks and config with it.
SDK_VENV := .lssdk-venv
SDK_VERSION := 2.1.2

$(SDK_VENV)/.installed:
	test -x $(SDK_VENV)/bin/python || $(PY) -m venv $(SDK_VENV)
	$(SDK_VENV)/bin/python -m pip install -q label-studio-sdk==$(SDK_VERSION) 2>&1 | { grep -v "^WARNING: Location" || true; }
	touch $@

sdk-venv: $(SDK_VENV)/.installed

interop: setup interop-venv
	LS_VENV=$(LS_VENV) $(BIN)/python tests/interop/ls_roundtrip.py

wheel-check: setup
	$(BIN)/python installers/check_wheel.py

bench: setup
	$(BIN)/python bench/run.py

installer: setup
	$(BIN)/python installers/build.py

clean:
	rm -rf $(VENV) build dist
