# `make demo` and `make test` do all the set-up on a fresh machine:
# find Python >= 3.12, create .venv, install credo with its test extras, install graphviz's `dot`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test demo examples bench bench-posteriordb lint setup clean posteriordb

setup: $(STAMP)

$(STAMP): pyproject.toml
	@bash scripts/setup.sh
	@touch $(STAMP)

test: $(STAMP)
	$(PY) -m ruff check credo tests examples bench
	$(PY) -m ruff format --check credo tests examples bench
	$(PY) -m mypy
	$(PY) -m pytest -q tests
	CREDO_FLOAT32=1 $(PY) -m pytest -q -p no:cacheprovider tests/float32

demo: $(STAMP)
	$(PY) -m examples.tutorial.demo

# The worked examples beyond the tutorial (each prints its result; plots go to out/).
examples: $(STAMP)
	$(PY) -m examples.switchpoint
	$(PY) -m examples.causal_do
	$(PY) -m examples.gp_regression
	$(PY) -m examples.hsgp
	$(PY) -m examples.lotka_volterra

bench: $(STAMP)
	bash bench/run.sh

bench-posteriordb: $(STAMP)
	$(PY) bench/posteriordb_bench.py

posteriordb: $(STAMP)
	$(PY) -m tests.statistical.posteriordb.run

lint: $(STAMP)
	$(PY) -m ruff check credo tests examples bench
	$(PY) -m ruff format --check credo tests examples bench

clean:
	rm -rf $(VENV) out
