# The two front-door commands: `make run` serves the line, `make test` runs the tests.
# Both set up the virtual environment first; nothing needs installing by hand.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: run test bench soak check call audio browser clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

run: $(STAMP)
	PORT=$(PORT) $(PY) -m ivr.dev.devserver

# The browser tests drive Debian's chromium; install it once if the machine allows.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests (once)..."; \
	    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed and cannot be: the browser tests will be skipped"; fi; }

test: $(STAMP) browser
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) -m ivr.dev.bench

# The Procfile's web process with a real Redis, 20 signed callers for 60 s, while Redis
# is killed and frozen and a worker killed; SOAK_ARGS="--callers 50 --seconds 300" for more.
soak: $(STAMP)
	$(PY) -m ivr.dev.soak $(SOAK_ARGS)

check: $(STAMP)
	$(VENV)/bin/ivr check

audio: $(STAMP)
	$(VENV)/bin/ivr audio build

# Finds the running `make run` by itself (it writes its URL to instance/run.url);
# PORT=... or `ivr call --url ...` names another line.
call: $(STAMP)
	$(VENV)/bin/ivr call

clean:
	rm -rf $(VENV) instance
