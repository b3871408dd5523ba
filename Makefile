# The README's two commands: `make demo` and `make test`. Everything else here serves them.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SANITY_VENV := build/sanity-venv
COLLECTIONS := build/collections
export PATH := $(CURDIR)/$(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/$(COLLECTIONS)
export ANSIBLE_NOCOLOR := 1
export ANSIBLE_FORCE_COLOR := 0
export PY_COLORS := 0

.PHONY: help setup demo test lint format sanity ansible-lint changelog-lint pytest clean

help:
	@echo "make demo   set up, start the simulator, run the main job against it"
	@echo "make test   every check: ruff, changelog lint, ansible-test sanity, ansible-lint, pytest"

$(STAMP): requirements/runtime.txt requirements/test.txt pyproject.toml
	rm -rf $(VENV)
	"$$(scripts/find-python)" -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/test.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# The collection is used in place: build/collections/ansible_collections/hairpin/routeros -> repo.
$(COLLECTIONS)/ansible_collections/hairpin/routeros:
	mkdir -p $(dir $@)
	ln -sfn ../../../.. $@

setup: $(STAMP) $(COLLECTIONS)/ansible_collections/hairpin/routeros

demo: setup
	$(BIN)/python scripts/demo.py

test: setup lint changelog-lint sanity ansible-lint pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

changelog-lint: setup
	$(BIN)/antsibull-changelog lint

$(SANITY_VENV)/.installed: requirements/test.txt
	rm -rf $(SANITY_VENV)
	"$$(scripts/find-python)" -m venv $(SANITY_VENV)
	$(SANITY_VENV)/bin/pip install --quiet --disable-pip-version-check "$$(grep -E '^ansible-core==' requirements/test.txt)"
	touch $@

sanity: $(SANITY_VENV)/.installed
	scripts/sanity

ansible-lint: setup
	$(BIN)/ansible-lint --profile production --nocolor

pytest: setup
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache .hypothesis
