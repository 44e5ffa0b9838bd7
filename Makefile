# Registerwijzer. A newcomer needs two commands, `make run` and `make test`; `make cluster` is the production shape.
# Every target does its own set-up and skips what is already done.
# `make cluster` is the production shape on one machine (scripts/cluster.sh, docs/deploy.md).
.PHONY: setup train run cluster shell test test-unit lint eval bench bench-quick lock clean

export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
# Rasa sends usage statistics unless told not to; a register's assistant sends nothing anywhere.
export RASA_TELEMETRY_ENABLED := false
PY := .venv/bin/python

setup:
	@bash scripts/setup.sh

train: setup
	@bash scripts/train.sh

run: train
	@bash scripts/run.sh

# PostgreSQL, Redis, CLUSTER_REPLICAS Rasa replicas with their action servers, two helpdesk workers and
# nginx on CLUSTER_PORT (default 8000), all supervised; Ctrl-C stops them all.
cluster: train
	@bash scripts/cluster.sh

shell: train
	@bash scripts/run.sh shell

# Everything: unit tests, data validation, training and end-to-end tests against real servers.
test: train
	@REGISTERWIJZER_REQUIRE_SEEDS=1 $(PY) -m pytest

# Only the tests that need no trained model or servers.
test-unit: setup
	@REGISTERWIJZER_REQUIRE_SEEDS=1 $(PY) -m pytest -m "not e2e and not postgres"

# Answers to the frozen evaluation set (tests/eval/) from the running assistant, per topic and style:
# correct in one turn, clarification, wrong. Starts its own servers; writes results/eval.md and .json.
eval: train
	@$(PY) bench/eval_answers.py

# Benchmarks (bench/bench_assistant.py): understanding, speed and long conversations against Rasa's own
# sample assistant, cost, and the rules/store benchmarks; writes results/bench.json and results/bench.md.
# The helpdesk's e-mail triage on its frozen set (bench/eval_triage.py: results/triage-eval.*; about 1 minute).
# Then the cluster (bench/bench_cluster.py): 50 conversations for 2 minutes through nginx against 1 and
# 2 replicas (results/bench-cluster.*; about 8 minutes).
bench: train
	@$(PY) bench/bench_assistant.py --postgres "$$(bash scripts/postgres.sh start)"
	@$(PY) bench/eval_answers.py
	@$(PY) bench/eval_triage.py
	@$(PY) bench/bench_cluster.py

# The short version (results/bench-quick.*); make test only checks that it runs.
bench-quick: train
	@$(PY) bench/bench_assistant.py --quick

# ruff and mypy (strict) on bot/, actions/, channels/ and components/, configured in pyproject.toml.
# make test runs them too (tests/test_static_checks.py).
lint: setup
	@.venv/bin/ruff check .
	@$(PY) -m mypy

# Re-resolve pyproject.toml's dependencies (runtime and the dev extra) into requirements.lock, with the
# sha256 of every file (needs the package registry). pip-compile keeps each version already in the lock
# while it still fits, so adding a dependency upgrades nothing else; `make lock UPGRADE=1` re-resolves
# everything to the newest versions that fit (Rasa 3.6's pins are fragile: run make test after that).
lock:
	@bash -c 'source scripts/find_python.sh && PY=$$(find_python) && rm -rf .lock-venv && "$$PY" -m venv .lock-venv'
	@.lock-venv/bin/pip install --quiet "pip-tools==$$(sed -n 's/^pip-tools==\([^ ]*\).*/\1/p' requirements.lock)"
	@CUSTOM_COMPILE_COMMAND="make lock" .lock-venv/bin/pip-compile --quiet --generate-hashes --allow-unsafe \
	  --strip-extras --extra dev --no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade) \
	  --output-file requirements.lock pyproject.toml
	@rm -rf .lock-venv

clean:
	rm -rf models var results .stamps

# The architecture picture docs/img/architecture.svg from its text source docs/architecture.dot (Graphviz's
# dot: apt-get install graphviz); the source's hash goes into the SVG, and tests/test_docs.py checks it.
.PHONY: docs
docs:
	@command -v dot >/dev/null || { echo "[docs] Graphviz's dot not found: apt-get install graphviz" >&2; exit 1; }
	@mkdir -p docs/img
	@svg=$$(dot -Tsvg docs/architecture.dot) && printf '%s\n' "$$svg" | \
	  sed "1a <!-- source: docs/architecture.dot sha256 $$(sha256sum docs/architecture.dot | cut -d' ' -f1) -->" \
	  > docs/img/architecture.svg
	@echo "[docs] wrote docs/img/architecture.svg from docs/architecture.dot"
