# The two front-door commands: `make run` serves the line, `make test` runs the tests.
# Both set up the virtual environment first; nothing needs installing by hand.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: run test bench check call audio clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

run: $(STAMP)
	PORT=$(PORT) $(PY) -m ivr.devserver

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) -m ivr.bench

check: $(STAMP)
	$(VENV)/bin/ivr check

call: $(STAMP)
	$(VENV)/bin/ivr call --url http://127.0.0.1:$(PORT)

clean:
	rm -rf $(VENV) instance
