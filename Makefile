# One command each: `make demo` runs the main job, `make test` runs every test.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export AMQP_URI ?= amqp://guest:guest@localhost:5672/

.PHONY: install servers lint format typecheck test unit integration demo up bench bench-workspace clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# The workspace's front-end packages (htmx), exactly as package-lock.json says; never a CDN.
NODE_STAMP := node_modules/.package-lock.json
$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund

install: $(STAMP) $(NODE_STAMP)

servers:
	@scripts/ensure-servers

.PHONY: deploy-tools
deploy-tools: install
	VENV=$(VENV) PYTHON=$(PYTHON) scripts/install-deploy-tools

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# mypy, strict: the shared library and every service's domain/ (pure rules).
DOMAINS := $(filter-out services/common/%,$(wildcard services/*/*/domain))
typecheck: install
	$(BIN)/mypy services/common/grantflow $(DOMAINS)

.PHONY: browser
browser:
	@scripts/install-browser

test: install servers lint typecheck deploy-tools browser
	$(BIN)/python -m pytest -q tests

unit: install
	$(BIN)/python -m pytest -q tests/unit

integration: install servers browser
	$(BIN)/python -m pytest -q tests/integration tests/e2e tests/browser

demo: install
	$(BIN)/python scripts/demo.py

up: install
	$(BIN)/python scripts/demo.py --stay-up

bench: install servers
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/validate.py

bench-workspace: install servers
	$(BIN)/python bench/workspace.py

clean:
	rm -rf var .pytest_cache
