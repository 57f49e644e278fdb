# The two commands of the README: `make lab` and `make test`.
# Each first creates .venv and installs the kit into it, when .venv is missing
# or older than pyproject.toml (the one list of dependencies).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# JupyterLab refuses to run as root without this flag (containers, CI).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
# The browser tests drive Debian's Chromium (never a browser downloaded by a test tool).
# Elsewhere, point KIT_CHROMIUM at a Chromium or Chrome binary.
KIT_CHROMIUM ?= /usr/bin/chromium
export KIT_CHROMIUM

.PHONY: lab test bench notebooks stop clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab $(ROOT_FLAG) notebooks/00-index.ipynb

test: $(STAMP) $(KIT_CHROMIUM)
	$(PY) -m pytest

/usr/bin/chromium:
	$(SUDO) apt-get update -qq
	$(SUDO) apt-get install -y -qq chromium

bench: $(STAMP) $(KIT_CHROMIUM)
	$(PY) bench/sandbox_flow.py
	$(PY) bench/notebooks.py
	$(PY) bench/browser.py

# After editing a notebook: run them all in a fresh sandbox and save their outputs,
# which `make test` (nbval) then compares.
notebooks: $(STAMP)
	$(PY) -m tests.notebooks.execute

stop: $(STAMP)
	$(PY) -c "import sandbox; print('sandbox stopped' if sandbox.stop() else 'no sandbox was running')"

clean: stop
	rm -rf .sandbox
