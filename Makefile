# The two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAGE ?= dev
SAM_TRANSLATOR := 1.115.0

.PHONY: run test chromium lint fuzz demo package deploy benchmark-package bench-live bench-flash clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found (Boxoffice needs Python 3.11); set PYTHON=/path/to/python3.11"; exit 1; }
	@echo "==> creating $(VENV) and installing pinned dependencies"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@# AWS's SAM translator (run by tests on the packaged template) pins pydantic ~=2.13 but
	@# runs on the 2.14 the app pins; what else it needs is installed above.
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps aws-sam-translator==$(SAM_TRANSLATOR)
	@touch $@

run: $(VENV)/.installed
	PORT=$(PORT) $(PY) -m chalicelib.local

test: $(VENV)/.installed lint chromium
	$(PY) -m pytest -q tests

# The browser tests drive the system's Chromium (Playwright's own browser downloads are not
# used). Installed with the system package manager where there is one and we may use it;
# elsewhere install it yourself or set CHROMIUM=/path/to/chromium.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || [ -n "$$CHROMIUM" ] || { \
	  echo "==> installing the system's chromium for the browser tests"; \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  elif command -v brew >/dev/null 2>&1; then brew install --cask chromium; \
	  else echo "error: install Chromium (Debian/Ubuntu: apt-get install chromium) and put it on PATH"; exit 1; fi; }

# The stacks infra/ deploys as they are, and the app stack as `make package` builds it
# (offline, from sample stack outputs: prod, the stage with the strictest settings).
lint: $(VENV)/.installed
	@echo "==> cfn-lint infra/template.yaml infra/auth.yaml infra/webhooks.yaml infra/web.yaml"
	$(VENV)/bin/cfn-lint infra/template.yaml infra/auth.yaml infra/webhooks.yaml infra/web.yaml
	@echo "==> cfn-lint the packaged app stack (prod)"
	$(PY) -m chalicelib.tools.package --stage prod --sample-outputs --out build/lint-prod
	$(VENV)/bin/cfn-lint build/lint-prod/sam.json

# OUTPUTS=build/dev/outputs.json packages against real stacks; without it, sample outputs.
package: $(VENV)/.installed
	$(PY) -m chalicelib.tools.package --stage $(STAGE) $(if $(OUTPUTS),--outputs $(OUTPUTS),--sample-outputs)

# The README's walk-through against a running `make run` (BASE to point it elsewhere).
demo:
	BASE=$${BASE:-http://127.0.0.1:$(PORT)} bash docs/walkthrough.sh

# Longer than make test's run: 200 examples per operation, and the links followed.
fuzz: $(VENV)/.installed
	$(PY) -m chalicelib.tools.fuzz --examples 200 --stateful

bench-live: $(VENV)/.installed
	$(PY) benchmarks/live_fanout.py

# A flash sale: 40 buyers through the waiting room, best available, booking (not in `make test`).
bench-flash: $(VENV)/.installed
	$(PY) benchmarks/flash_sale.py

deploy: $(VENV)/.installed
	STAGE=$(STAGE) bash infra/deploy.sh

benchmark-package: $(VENV)/.installed
	$(PY) benchmarks/package_and_coldstart.py --stage $(STAGE)

clean:
	rm -rf $(VENV) .pytest_cache build
