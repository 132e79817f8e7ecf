# The two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAGE ?= dev
SAM_TRANSLATOR := 1.115.0

.PHONY: run test lint package deploy benchmark-package bench-live clean chromium

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
# used). Installed here where apt-get can; elsewhere install it yourself or set CHROMIUM.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || [ -n "$$CHROMIUM" ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "==> installing Chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "warning: Chromium is missing and cannot be installed here (not root or no apt-get);" \
	    "install it (e.g. sudo apt-get install chromium, brew install --cask chromium) or set CHROMIUM=/path"; fi; }

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

bench-live: $(VENV)/.installed
	$(PY) benchmarks/live_fanout.py

deploy: $(VENV)/.installed
	STAGE=$(STAGE) bash infra/deploy.sh

benchmark-package: $(VENV)/.installed
	$(PY) benchmarks/package_and_coldstart.py --stage $(STAGE)

clean:
	rm -rf $(VENV) .pytest_cache build
