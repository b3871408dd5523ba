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

COMPAT_VENV := build/compat-venv
# The oldest ansible-core that meta/runtime.yml's requires_ansible admits, tested on a Python it supports.
COMPAT_CORE := ansible-core==2.17.14

.PHONY: help setup demo demo-stop test lint format sanity ansible-lint changelog-lint role-spec pytest molecule compat clean

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

# The router `make demo` leaves running for you to try commands on.
demo-stop: setup
	$(BIN)/python scripts/demo.py stop

test: setup lint changelog-lint role-spec sanity ansible-lint pytest molecule compat

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

# The role's defaults and meta/argument_specs.yml must name the same variables.
role-spec: setup
	$(BIN)/python scripts/check-role-spec.py

# The role against the simulator as molecule's platform (extensions/molecule/default).
molecule: setup
	$(BIN)/molecule test

ansible-lint: setup
	$(BIN)/ansible-lint --profile production --nocolor

pytest: setup
	$(BIN)/python -m pytest

$(COMPAT_VENV)/.installed: requirements/runtime.txt Makefile
	rm -rf $(COMPAT_VENV)
	"$$(scripts/find-python 3.10 3.12)" -m venv $(COMPAT_VENV)
	$(COMPAT_VENV)/bin/pip install --quiet --disable-pip-version-check "$(COMPAT_CORE)" -r requirements/runtime.txt
	touch $@

# requires_ansible says ">=2.17.0": the NAT module and role tests again with ansible-core 2.17 driving them.
compat: setup $(COMPAT_VENV)/.installed
	HAIRPIN_ANSIBLE_BIN=$(CURDIR)/$(COMPAT_VENV)/bin $(BIN)/python -m pytest tests/integration/test_nat_modules.py \
	  tests/integration/test_role.py -q \
	  -k "seed_scenario or second_run or check_mode or changed_port or bad_input or rendered or vault or without_purge"

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache .hypothesis
