# The two commands a newcomer needs: `make run` serves the blog, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# Development sign-in: a local OpenID Connect test provider stands in for every log-in provider
# without real credentials (see README). Its test users:
DEV_SIGNIN_PORT ?= 9400
DEV_SIGNIN_USERS := --user-claims '{"sub": "ada", "name": "Ada Lovelace (test user)", "email": "ada@example.com", "email_verified": true}' \
	--user-claims '{"sub": "grace", "name": "Grace Hopper (test user)", "email": "grace@example.com", "email_verified": true}'
export FLASK_APP := app

.PHONY: run test install bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when requirements.txt changed since the last install.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask load-demo
	$(BIN)/flask create-demo-admin
	$(BIN)/oidc-provider-mock --host 127.0.0.1 --port $(DEV_SIGNIN_PORT) $(DEV_SIGNIN_USERS) & \
	trap "kill $$!" EXIT INT TERM; \
	DEV_SIGNIN_URL=http://127.0.0.1:$(DEV_SIGNIN_PORT) $(BIN)/flask run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# WordPress-comparable figures: gunicorn + wrk on SQLite and PostgreSQL (see README, Performance).
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
