# Two set-up commands (see README): `make demo` and `make test`. Both install into ./.venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint bench study clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## The main job on embedded defaults: one training run, offline.
demo: $(STAMP)
	$(BIN)/trainlca estimate --hardware "NVIDIA A100 SXM4 80 GB" --count 384 --hours 2820 --country FRA
	$(BIN)/trainlca estimate --hardware "H100 SXM5" --flop 3.8e25 --mfu 0.38 --country USA --sensitivity

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard benchmarks)
	$(BIN)/mypy

## Lint, type-check, then the whole test suite.
test: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard benchmarks)
	$(BIN)/mypy
	$(BIN)/pytest -q

## Speed and memory benchmarks (see benchmarks/README.md); a subset: make bench BENCH_ARGS="--only cards".
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
