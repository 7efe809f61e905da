# The Makefile is askflow's interface. Every target creates .venv from requirements.lock when it is
# missing (or older than the lock), so a fresh machine needs only Python 3.11+ and make.
PYTHON ?= python3
STACK  ?= dev
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.askflow-installed

.DEFAULT_GOAL := help
.PHONY: help venv plan test lint scan bench fixtures up preview destroy e2e lock clean

help:
	@echo "make plan [STACK=dev]    plan a stack offline, no credentials (writes build/STACK/); AGAINST=OLD.json compares"
	@echo "make fixtures            download the upstream files the conformance tests read (sha256-verified, .cache/fixtures)"
	@echo "make test                run the test suite"
	@echo "make lint                ruff, mypy, and askflow lint --strict on workflows/"
	@echo "make scan                checkov on the prod stack's Terraform export (waivers: policy/checkov-waivers.yaml)"
	@echo "make bench               benchmarks of the offline tools, with a verdict per target (build/bench/results.md)"
	@echo "make preview STACK=...   pulumi preview with the policy pack (needs the Pulumi CLI + credentials)"
	@echo "make up STACK=...        pulumi up (needs the Pulumi CLI + Alibaba Cloud credentials)"
	@echo "make destroy STACK=...   pulumi destroy of a non-prod stack (prod needs CONFIRM_PROD=yes)"
	@echo "make e2e STACK=...       acceptance test on a throw-away copy of STACK: up, Argo, smoke workflow, no drift, destroy"
	@echo "make lock                re-resolve requirements.lock from pyproject.toml"

# Not --quiet: the first run installs for a minute or more, and pip's lines (Collecting ...,
# Installing ...) show it is working.
$(STAMP): requirements.lock pyproject.toml
	@echo "Installing askflow and its pinned dependencies into $(VENV) (requirements.lock; first run: a minute or two)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@echo "$(VENV) is ready"
	@touch $@

venv: $(STAMP)

# Mermaid's own parser for tests/test_mermaid.py (the diagrams GitHub renders). Pinned by its
# package-lock.json; without npm the test skips and says why.
MERMAID := tests/support/mermaid/node_modules/.askflow-installed

$(MERMAID): tests/support/mermaid/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix tests/support/mermaid --silent --no-audit --no-fund && touch $@; \
	else echo "npm not found: tests/test_mermaid.py will skip"; fi

# AGAINST=OLD.json (an earlier `askflow plan --json`): also say what `pulumi up` would change.
plan: $(STAMP)
	$(BIN)/askflow plan --stack $(STACK) $(if $(AGAINST),--against $(AGAINST))

test: $(STAMP) $(MERMAID)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check askflow infra policy bootstrap tests bench
	$(BIN)/mypy askflow policy/__main__.py
	cd infra && MYPYPATH=.. ../$(BIN)/mypy --config-file ../pyproject.toml components __main__.py
	cd bootstrap/program && MYPYPATH=../.. ../../$(BIN)/mypy --config-file ../../pyproject.toml __main__.py
	$(BIN)/askflow lint --strict workflows

# checkov (in its own environment, pinned in policy/checkov-requirements.lock) on the prod stack's
# Terraform export; the checks in policy/checkov-waivers.yaml are skipped, each with its reason.
CHECKOV_VENV := .venv-checkov
$(CHECKOV_VENV)/.installed: policy/checkov-requirements.lock
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r $<
	@touch $@

scan: $(STAMP) $(CHECKOV_VENV)/.installed
	$(BIN)/askflow plan --stack prod --quiet --out build/prod --terraform-json build/prod.tf.json
	$(CHECKOV_VENV)/bin/checkov -f build/prod.tf.json --framework terraform_json --compact --quiet \
	  --skip-download --skip-check "$$($(BIN)/python -m askflow.policies.waivers policy/checkov-waivers.yaml)"
	# The same checks on prod derived to every other cluster.kind (policy/kinds.py).
	$(BIN)/python policy/kinds.py build/kinds
	$(CHECKOV_VENV)/bin/checkov -d build/kinds --framework terraform_json --compact --quiet \
	  --skip-download --skip-check "$$($(BIN)/python -m askflow.policies.waivers policy/checkov-waivers.yaml)"

# Argo's examples, CRDs and schema (v4.1.2) and the chart's values (1.0.18), checked against
# tests/support/fixtures.sha256; the tests read them before ../shared.
fixtures: $(STAMP)
	$(BIN)/python -m tests.support.fixtures

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
	$(BIN)/askflow stack destroy-check --stack $(STACK) $(if $(filter yes,$(CONFIRM_PROD)),--confirm-prod)
	# --exclude-protected: protected resources and what they depend on stay (plain `pulumi destroy`
	# fails on the first protected one). vSwitch deletion can fail once while ECI ENIs are released:
	# one retry.
	# --run-program: the Kubernetes provider's kubeconfig in state is a temporary credential
	# (infra/components/cluster.py KUBECONFIG_MINUTES); running the program fetches a fresh one.
	PATH="$(CURDIR)/$(BIN):$$PATH" pulumi destroy --stack $(STACK) --run-program --exclude-protected --continue-on-error --yes || \
	  PATH="$(CURDIR)/$(BIN):$$PATH" pulumi destroy --stack $(STACK) --run-program --exclude-protected --yes

# The acceptance test on your account (README: "Acceptance test on your account"): a throw-away copy
# of STACK, up, a smoke workflow, no drift, destroyed. Same needs as `make up`. E2E_FLAGS: --dry-run,
# --keep, --yes (the cost guard stops without it), --json PATH, --suffix.
e2e: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/askflow e2e --stack $(STACK) $(E2E_FLAGS)

lock:
	$(PYTHON) -m pip install --quiet pip-tools
	$(PYTHON) -m piptools compile --quiet --generate-hashes --allow-unsafe --extra dev --strip-extras \
	  -o requirements.lock pyproject.toml

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
