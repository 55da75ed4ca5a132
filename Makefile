# The two commands a newcomer needs: `make run` serves the blog, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# Every absolute URL (mails, feeds, redirects) is built on SITE_URL: by default where `make run` serves.
LOCAL_SITE_URL := http://$(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
# Development sign-in: a local OpenID Connect test provider stands in for every log-in provider
# without real credentials (see README), on a free port of 127.0.0.1 (DEV_SIGNIN_PORT picks one,
# and `make run` stops with a message when it is taken). Its test users:
DEV_SIGNIN_PORT ?=
FREE_PORT := import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])
PORT_IS_FREE := import socket, sys; socket.socket().bind(("127.0.0.1", int(sys.argv[1])))
DEV_SIGNIN_USERS := --user-claims '{"sub": "ada", "name": "Ada Lovelace (test user)", "email": "ada@example.com", "email_verified": true}' \
	--user-claims '{"sub": "grace", "name": "Grace Hopper (test user)", "email": "grace@example.com", "email_verified": true}'
export FLASK_APP := app

.PHONY: run test install translations extract-messages update-translations node-packages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when requirements.txt changed since the last install.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed translations

# Translations: the .po catalogues are the source (committed); the .mo files pages read are compiled
# here, with the pseudo-locale's (core/pseudo_locale.py), which reveals strings left unmarked.
translations: $(VENV)/.installed
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel compile --statistics -f -d translations 2>&1 | grep -v "^compiling" || true; fi
	@if [ -f translations/messages.pot ]; then \
		$(BIN)/python -m core.pseudo_locale translations/messages.pot translations; fi

# After marking new strings: write translations/messages.pot, then merge it into every catalogue.
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg --ignore-dirs '.* _* tests bench migrations node_modules' \
		-k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 --no-location --sort-output \
		--project blog --msgid-bugs-address "" -o translations/messages.pot .

update-translations: extract-messages
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

# axe-core for the browser tests' accessibility checks, as package-lock.json pins it. Without npm
# the accessibility tests are skipped with that reason (under CI they fail instead).
tests/node_modules/.installed: tests/package.json tests/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd tests && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else \
		echo "npm not found: axe-core not installed, accessibility tests will be skipped (apt-get install nodejs npm)."; \
	fi

node-packages: tests/node_modules/.installed

run: export SITE_URL ?= $(LOCAL_SITE_URL)
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask load-demo
	$(BIN)/flask create-demo-admin
	@signin_port="$(DEV_SIGNIN_PORT)"; \
	if [ -z "$$signin_port" ]; then signin_port=$$($(BIN)/python -c '$(FREE_PORT)'); \
	elif ! $(BIN)/python -c '$(PORT_IS_FREE)' "$$signin_port" 2>/dev/null; then \
		echo "DEV_SIGNIN_PORT=$$signin_port is taken (another make run?): choose another or leave it unset." >&2; exit 1; \
	fi; \
	echo "Development sign-in provider: http://127.0.0.1:$$signin_port"; \
	$(BIN)/oidc-provider-mock --host 127.0.0.1 --port "$$signin_port" $(DEV_SIGNIN_USERS) & \
	trap "kill $$!" EXIT; trap "exit 1" INT TERM; \
	DEV_SIGNIN_URL=http://127.0.0.1:$$signin_port $(BIN)/flask run --host $(HOST) --port $(PORT)

# Browser tests (tests/e2e) run in Debian's Chromium when /usr/bin/chromium exists; otherwise
# pytest reports them skipped, with the reason, at the end of the run.
test: install node-packages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# WordPress-comparable figures: gunicorn + wrk on SQLite and PostgreSQL (see bench/README.md).
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache tests/node_modules
