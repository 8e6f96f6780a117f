# Gorodok: `make run` starts everything for development, `make test` runs the checks CI runs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SOURCE_ROOTS := platform tenants services graphql
PYTEST_ARGS ?=
EMPTY :=
SPACE := $(EMPTY) $(EMPTY)
DEV_PYTHONPATH := $(subst $(SPACE),:,$(addprefix $(CURDIR)/,$(SOURCE_ROOTS)))

.DEFAULT_GOAL := help
.PHONY: help venv lock messages makemessages run test migrate seed worker shell clean

help: ## Show this help
	@echo "Usage: make <target>"
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

venv: $(STAMP) ## Create .venv and install Gorodok with its development tools

$(BIN)/python:
	@echo "[make] creating the virtual environment $(VENV)..."
	@$(PYTHON) -m venv $(VENV)

# Exactly the locked versions, checked against their hashes; then Gorodok itself, editable.
$(STAMP): pyproject.toml requirements-dev.lock | $(BIN)/python
	@echo "[make] installing Gorodok and its tools into $(VENV) (the first time takes a minute or two; log: $(VENV)/install.log)..."
	@start=$$(date +%s); { $(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock \
		&& $(BIN)/python -m pip install --quiet --no-deps -e . ; } > $(VENV)/install.log 2>&1 \
		|| { cat $(VENV)/install.log; exit 1; }; \
		echo "[make] installed in $$(( $$(date +%s) - start ))s"
	@touch $@

lock: venv ## Re-resolve requirements.lock (image) and requirements-dev.lock (make venv) from pyproject.toml
	@$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url \
		--output-file requirements.lock pyproject.toml
	@$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --extra dev \
		--output-file requirements-dev.lock pyproject.toml

messages: venv ## Compile translation catalogs (.po -> .mo), no GNU gettext needed
	@$(BIN)/python -m gorodok_platform.i18n compile

makemessages: venv ## Extract translatable strings into the ru and en catalogs (needs GNU gettext)
	@for dir in $(addsuffix /gorodok_*,$(SOURCE_ROOTS)); do \
		if [ -d "$$dir/locale" ]; then \
			(cd "$$dir" && GORODOK_ENV=test DATABASE_URL=postgres://localhost/unused \
				PYTHONPATH="$(DEV_PYTHONPATH)" \
				$(CURDIR)/$(BIN)/django-admin makemessages -l ru -l en --no-obsolete \
				--add-location file --settings=gorodok_platform.settings) || exit 1; \
		fi; \
	done

# Development targets default to GORODOK_ENV=dev; settings alone default to production.
run migrate seed worker shell: GORODOK_ENV ?= dev

run: venv messages ## Start Gorodok (embedded PostgreSQL unless DATABASE_URL is set) on PORT (8000)
	@GORODOK_ENV=$(GORODOK_ENV) $(BIN)/python -m gorodok_platform.cli run

test: venv messages ## Lint, check layer contracts and run the test suite (PYTEST_ARGS=...)
	@$(BIN)/ruff check .
	@$(BIN)/lint-imports
	@GORODOK_ENV=test $(BIN)/python -m gorodok_graphql.snapshot --check-breaking
	@GORODOK_ENV=test $(BIN)/python manage.py upgrade lint > $(VENV)/migration-lint.log 2>&1 \
		|| { cat $(VENV)/migration-lint.log; exit 1; }
	@GORODOK_ENV=test $(BIN)/pytest $(PYTEST_ARGS)

migrate: venv ## Migrate the public schema and every municipality's schema
	@GORODOK_ENV=$(GORODOK_ENV) $(BIN)/python manage.py migrate_schemas --shared --noinput -v 0
	@GORODOK_ENV=$(GORODOK_ENV) $(BIN)/python manage.py migrate_schemas --tenant --noinput -v 0

seed: migrate ## Create the demo region (idempotent)
	@GORODOK_ENV=$(GORODOK_ENV) $(BIN)/python manage.py seed_region

worker: venv ## Process jobs from BROKER_URL
	@GORODOK_ENV=$(GORODOK_ENV) $(BIN)/python manage.py worker

shell: venv ## Django shell
	@GORODOK_ENV=$(GORODOK_ENV) $(BIN)/python manage.py shell

clean: ## Remove .venv and compiled catalogs (keeps var/, the development data)
	@rm -rf $(VENV)
	@find $(SOURCE_ROOTS) -path '*/locale/*/LC_MESSAGES/*.mo' -delete
