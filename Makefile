# The Makefile is askflow's interface. Every target creates .venv from requirements.lock when it is
# missing (or older than the lock), so a fresh machine needs only Python 3.11+ and make.
PYTHON ?= python3
STACK  ?= dev
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.askflow-installed

.DEFAULT_GOAL := help
.PHONY: help venv plan test lint bench up preview destroy lock clean

help:
	@echo "make plan [STACK=dev]    plan a stack offline, no credentials (writes build/STACK/)"
	@echo "make test                run the test suite"
	@echo "make lint                ruff, mypy, and askflow lint --strict on workflows/"
	@echo "make bench               benchmarks of the offline tools (bench/results.md)"
	@echo "make preview STACK=...   pulumi preview with the policy pack (needs the Pulumi CLI + credentials)"
	@echo "make up STACK=...        pulumi up (needs the Pulumi CLI + Alibaba Cloud credentials)"
	@echo "make destroy STACK=...   pulumi destroy of a non-prod stack (prod needs CONFIRM_PROD=yes)"
	@echo "make lock                re-resolve requirements.lock from pyproject.toml"

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

venv: $(STAMP)

plan: $(STAMP)
	$(BIN)/askflow plan --stack $(STACK)

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check askflow infra policy tests bench
	$(BIN)/mypy askflow
	$(BIN)/askflow lint --strict workflows

bench: $(STAMP)
	$(BIN)/python -m bench

# The real thing. Needs the Pulumi CLI (https://www.pulumi.com/docs/install/), `pulumi login` to a
# state backend, and Alibaba Cloud credentials in the environment (see README: "Running pulumi up").
preview: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" pulumi preview --stack $(STACK) --policy-pack policy --diff

up: $(STAMP)
	$(BIN)/askflow plan --stack $(STACK) --out build/$(STACK)
	PATH="$(CURDIR)/$(BIN):$$PATH" pulumi up --stack $(STACK) --policy-pack policy

destroy: $(STAMP)
	$(BIN)/python -m askflow.stacks.guard $(STACK) $(CONFIRM_PROD)
	# vSwitch deletion can fail once while ECI ENIs are released: one retry.
	PATH="$(CURDIR)/$(BIN):$$PATH" pulumi destroy --stack $(STACK) --continue-on-error --yes || \
	  PATH="$(CURDIR)/$(BIN):$$PATH" pulumi destroy --stack $(STACK) --yes

lock:
	$(PYTHON) -m pip install --quiet pip-tools
	$(PYTHON) -m piptools compile --quiet --generate-hashes --allow-unsafe --extra dev --strip-extras \
	  -o requirements.lock pyproject.toml

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
