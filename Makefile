# The two commands: `make run` serves the platform with demo data, `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app market
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup translations migrate demo bench clean extract-messages

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e ".[test,production]"
	touch $@

setup: $(VENV)/.installed translations

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d market/translations -D messages --statistics 2>&1 | tail -n 2

migrate: setup
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) seed-demo
	$(FLASK) reindex

run: demo
	@$(FLASK) demo-logins
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	@for script in bench/*.py; do [ -e "$$script" ] && $(BIN)/python "$$script"; done; true

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o market/translations/messages.pot .
	$(BIN)/pybabel update -i market/translations/messages.pot -d market/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) *.egg-info
