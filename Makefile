# The two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAGE ?= dev

.PHONY: run test lint deploy clean bench-live

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found (Boxoffice needs Python 3.11); set PYTHON=/path/to/python3.11"; exit 1; }
	@echo "==> creating $(VENV) and installing pinned dependencies"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

run: $(VENV)/.installed
	PORT=$(PORT) $(PY) -m chalicelib.local

test: $(VENV)/.installed lint
	$(PY) -m pytest -q tests

lint: $(VENV)/.installed
	@echo "==> cfn-lint infra/template.yaml"
	$(VENV)/bin/cfn-lint infra/template.yaml

bench-live: $(VENV)/.installed
	$(PY) benchmarks/live_fanout.py

deploy: $(VENV)/.installed
	STAGE=$(STAGE) bash infra/deploy.sh

clean:
	rm -rf $(VENV) .pytest_cache build
