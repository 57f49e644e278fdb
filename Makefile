# The two commands of the README: `make lab` and `make test`; `make check` for the edit-test loop.
# `make lab` installs only what the notebooks need into .venv; `make test` adds the test tools.
# Each install reruns when pyproject.toml (the one list of dependencies) is newer than its stamp.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
LAB_STAMP := $(VENV)/.installed-lab
TEST_STAMP := $(VENV)/.installed-test
# The JupyterLite edition's build tools, in a venv of their own (pyproject.toml's `lite` group).
LITE_VENV := .cache/lite/venv
LITE_STAMP := $(LITE_VENV)/.installed
# Enables the kit's Jupyter server extension (kernel culling: workshop/settings.py) for an
# editable install, which does not install the data file a wheel does; Binder (binder/start) too.
KIT_JUPYTER_CONFIG := $(CURDIR)/jupyter-config
# JupyterLab refuses to run as root without this flag (containers, CI).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
# The browser tests drive Debian's Chromium (never a browser downloaded by a test tool).
# Elsewhere, point KIT_CHROMIUM at a Chromium or Chrome binary.
KIT_CHROMIUM ?= /usr/bin/chromium
export KIT_CHROMIUM
# The npm projects the tests run (each with a committed package-lock.json); their node_modules
# stay beside them, ignored by git, and are reinstalled only when the lockfile changes.
NODE_PROJECTS := tests/clients tests/oidc_provider stripe-app sandbox/dashboard_js
NODE_STAMPS := $(addsuffix /node_modules/.installed,$(NODE_PROJECTS))
# The sandbox Dashboard's own scripts (its page's and the app iframe's runtime), built once for the
# checkout, as the real Dashboard serves them ready-made; only an app's bundle is built when it is opened
# (sandbox/app_page.py builds them again, there, if their sources changed since).
DASHBOARD_JS := sandbox/dashboard_js/dist/.built
# The JupyterLite edition's Pyodide, from npm, the same way (tools/lite_site.py copies it into the site).
LITE_PYODIDE := lite/node_modules/.installed
# The kit's own modules byte-compiled, as pip does when it installs the kit's wheel for learners. An
# editable install leaves that to Python at import, which an environment that sets PYTHONDONTWRITEBYTECODE
# (as some CI images do) never does: every kernel and sandbox would compile them again, about 30 ms a
# notebook under nbval (bench/notebooks.py). compileall writes only what changed since.
BYTECODE := $(PY) -m compileall -q -x node_modules helpers sandbox workshop notebooks
# The room sheet's test reads the committed PDF's pages and text with poppler's tools.
PDFTOTEXT := /usr/bin/pdftotext

.PHONY: lab test test-under-load check lint bench bench-room notebooks workshop lite room-sheet stop clean

$(LAB_STAMP): pyproject.toml setup.py
	@started=$$(date +%s); \
	$(PYTHON) -m venv $(VENV) && \
	$(PY) -m pip install --quiet --upgrade pip && \
	$(PY) -m pip install --quiet -e . && \
	touch $@ && \
	echo "Installed the kit into $(VENV) in $$(( $$(date +%s) - started )) s."

$(TEST_STAMP): $(LAB_STAMP)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# What builds the JupyterLite edition (jupyterlite-core, its Pyodide kernel), apart from the kit's
# venv, whose JupyterLab would load the Pyodide kernel's labextension and fail on it.
$(LITE_STAMP): pyproject.toml
	$(PYTHON) -m venv $(LITE_VENV)
	$(LITE_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LITE_VENV)/bin/python -m pip install --quiet --group lite
	touch $@

%/node_modules/.installed: %/package-lock.json %/package.json
	cd $* && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(DASHBOARD_JS): $(LAB_STAMP) sandbox/dashboard_js/node_modules/.installed sandbox/dashboard_js/build.mjs \
		$(wildcard sandbox/dashboard_js/src/*)
	$(PY) -c "from sandbox.app_page import dashboard_scripts; dashboard_scripts()"
	touch $@

lab: $(LAB_STAMP)
	$(BYTECODE)
	JUPYTER_CONFIG_PATH="$${JUPYTER_CONFIG_PATH:+$$JUPYTER_CONFIG_PATH:}$(KIT_JUPYTER_CONFIG)" \
	$(VENV)/bin/pkce-kit-lab $(ROOT_FLAG) notebooks/00-index.ipynb

# ruff (lint, import order, format) and mypy (strict on helpers/ and sandbox/): settings in pyproject.toml.
lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy sandbox workshop

# pytest-xdist: two worker processes, each with its own sandbox folder (conftest.py). A test file
# stays on one worker (loadfile), so a module's servers start once.
XDIST := -n 2 --dist loadfile

# Lint, then the unit and API tests: no browser, no hub, no notebook runs (under a minute on 2 cores).
check: lint $(NODE_STAMPS) $(DASHBOARD_JS) $(PDFTOTEXT)
	$(BYTECODE)
	$(PY) -m pytest tests -m "not browser and not hub and not lite and not slow" -q $(XDIST)

# Everything, in three runs: the tests that need no browser or hub on two workers; the notebooks in
# order against one sandbox (nbval); and the browser, hub and JupyterLite tests on two workers, a test
# file to each (tests/lite builds the Lite site itself, as `make lite` does, and serves it). That last
# run took 5 min 45 s on two workers against 7 min 49 s on one (4 December 2026, this 2-core machine):
# its tests wait on servers, kernels and Chromium more than they compute.
test: lint $(KIT_CHROMIUM) $(NODE_STAMPS) $(DASHBOARD_JS) $(PDFTOTEXT) $(LITE_STAMP) $(LITE_PYODIDE)
	$(BYTECODE)
	$(PY) -m pytest tests -m "not browser and not hub and not lite" $(XDIST)
	$(PY) -m pytest notebooks
	$(PY) -m pytest tests -m "browser or hub or lite" $(XDIST)

# `make test` beside two CPU-bound processes, as on a shared 2-core machine (tools/under_load.py).
test-under-load: $(TEST_STAMP)
	$(PY) tools/under_load.py --busy 2 -- $(MAKE) test

/usr/bin/chromium:
	$(SUDO) apt-get update -qq
	$(SUDO) apt-get install -y -qq --no-install-recommends chromium

/usr/bin/pdftotext:
	$(SUDO) apt-get update -qq
	$(SUDO) apt-get install -y -qq --no-install-recommends poppler-utils

# Every bench but the room, one learner's memory through 00-08 included (about 10 minutes of it);
# their verdict lines, one a figure, again at the end (bench/all.py). Each bench runs as a module from
# here, so it imports tests.support and tools as packages.
bench: $(TEST_STAMP) $(KIT_CHROMIUM) $(NODE_STAMPS) $(DASHBOARD_JS) $(LITE_STAMP) $(LITE_PYODIDE)
	$(BYTECODE)
	$(PY) -m bench.all

# A room of 30 learners on one hub (docs/workshop.md, Sizing): a quiet machine, about 9 minutes and
# 8 GiB of memory; it prints its verdict lines last.
bench-room: $(TEST_STAMP)
	$(BYTECODE)
	$(PY) -m bench.room

# After editing a notebook: run them all in a fresh sandbox and save their outputs,
# which `make test` (nbval) then compares.
notebooks: $(TEST_STAMP) $(DASHBOARD_JS)
	$(PY) -m tools.run_notebooks

# The learner edition for a room: outputs cleared, optional parts folded, with the room sheet, the
# handout and the app the notebooks link to (docs/workshop.md).
workshop: $(TEST_STAMP)
	$(PY) -m tools.learner_edition

# The JupyterLite edition into build/lite/: a static site of notebooks 00-08 whose Python runs in the
# browser (README, "No install"). Always built clean; downloads are cached in .cache/lite/.
lite: $(LAB_STAMP) $(LITE_STAMP) $(LITE_PYODIDE)
	$(PY) -m tools.lite_site

# After editing docs/room-sheet/: docs/room-sheet.html and .pdf again, printed in Chromium; commit both.
room-sheet: $(TEST_STAMP) $(KIT_CHROMIUM)
	$(PY) -m tools.room_sheet

stop: $(LAB_STAMP)
	$(PY) -c "import sandbox; print('sandbox stopped' if sandbox.stop() else 'no sandbox was running')"

clean: stop
	rm -rf .sandbox
