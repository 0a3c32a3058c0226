# `make run` chats with the bot on the embedded defaults; `make test` runs the whole test suite.
# Both create .venv, install the project and compile the gettext catalogs first.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CATALOGS := $(patsubst %.po,%.mo,$(wildcard locales/*/LC_MESSAGES/messages.po))
PYBABEL_KEYWORDS := -k NP_:1c,2 -k N_ -k pgettext:1c,2 -k ngettext:1,2

.PHONY: install run chat test lint catalogs extract-messages db clean

install: $(STAMP) $(CATALOGS)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile -d locales -D messages -l $*

catalogs: $(CATALOGS)

db: install
	$(BIN)/cets-bot db upgrade

run: db
	$(BIN)/cets-bot run

chat: db
	$(BIN)/cets-bot chat

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check bot nlu kb backend_client registry tests
	$(BIN)/mypy

# After changing user-visible strings: refresh messages.pot and both catalogs, then translate.
extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg $(PYBABEL_KEYWORDS) -c Translators: \
		--no-location --sort-output --project cets-bot -o messages.pot .
	$(BIN)/pybabel update -i messages.pot -d locales -D messages --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) $(CATALOGS)
