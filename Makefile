# Two commands matter: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app portal
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test check install install-test translations extract-messages update-catalogs serve db clean

# gunicorn.conf.py: gevent workers, one process unless REDIS_URL is set, access log on stdout (tokens redacted).
# The jobs worker (e-mail after the commit, retries) runs beside it; Ctrl-C, or gunicorn stopping, stops both.
# Links in receipts, e-mails and QR codes name the address served (HOST, PORT) unless PORTAL_BASE_URL is given;
# served on every address (HOST=0.0.0.0 or ::), they name this machine's first address, which phones can reach.
run: install translations db  ## install, migrate, load demo data, serve on http://127.0.0.1:8000 with the jobs worker
	$(FLASK) seed-demo
	@case "$(HOST)" in 0.0.0.0|::) link=$$(hostname -I 2>/dev/null | cut -d' ' -f1);; *) link="$(HOST)";; esac; \
	case "$$link" in "") link=127.0.0.1;; *:*) link="[$$link]";; esac; \
	export PORTAL_BASE_URL="$${PORTAL_BASE_URL:-http://$$link:$(PORT)}"; \
	$(FLASK) jobs worker & worker=$$!; \
	trap 'kill -INT $$worker 2>/dev/null; wait $$worker; exit 0' INT TERM; \
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) wsgi:app; status=$$?; \
	kill -INT $$worker 2>/dev/null; wait $$worker; exit $$status

test: install-test translations  ## install test dependencies and run the whole suite
	$(BIN)/python -m pytest $(PYTEST_ARGS)

check: install-test  ## lint, formatting and types: ruff check, ruff format --check, mypy (settings in pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { echo "python3 -m venv failed: on Debian run 'apt-get install python3-venv'"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

translations: $(BIN)/python  ## compile .po to .mo (never -f: fuzzy entries must not ship)
	$(BIN)/pybabel compile -d translations --statistics 2>&1 | grep -v '^$$' || true
	@test -f translations/vi/LC_MESSAGES/messages.mo || { echo "translation compile failed"; exit 1; }

db: install
	$(FLASK) db upgrade

extract-messages: install  ## refresh translations/messages.pot from the code
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --add-comments=Translators: \
		--add-location=never --no-wrap --sort-output --project=portal --version=0.1 \
		--msgid-bugs-address=portal@localhost --copyright-holder="Sơn La portal" \
		-o translations/messages.pot portal
	sed -i '/^"POT-Creation-Date:/d' translations/messages.pot

update-catalogs: extract-messages  ## merge new strings into the vi catalog, then translate them
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-wrap --ignore-obsolete
	sed -i '/^"POT-Creation-Date:/d' translations/vi/LC_MESSAGES/messages.po

clean:
	rm -rf $(VENV) *.egg-info
