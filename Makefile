# Two commands on a fresh machine: `make run` and `make test`.
# The first interpreter that really runs and is 3.11+ (pyenv shims exist for versions that are not active).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do $$p -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
CKSUM := $(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# Everything (test extras: pytest, playwright, schemathesis, mypy, ...): lint, typecheck, pytest, bench.
STAMP := $(VENV)/.installed-$(CKSUM)
# Only what serving needs (the package's own dependencies): `make run` on a fresh clone answers sooner.
# A venv that has everything already serves as it is.
SERVE_STAMP := $(if $(wildcard $(STAMP)),$(STAMP),$(VENV)/.serving-$(CKSUM))

.PHONY: run test lint typecheck pytest browser bench soak image-test clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

$(VENV)/.serving-$(CKSUM): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	rm -f $(VENV)/.serving-* && touch $@

run: $(SERVE_STAMP)
	$(BIN)/wa-sandbox serve

lint: $(STAMP)
	$(BIN)/ruff check sandbox tests examples

typecheck: $(STAMP)
	$(BIN)/mypy
	cd examples/whatsapp-service && ../../$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

# The web inbox tests (tests/ui) drive Debian's Chromium; CI runs as root from nothing. Nothing to do when
# it is there; without root (or sudo) it says so and those tests skip.
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else echo "make: cannot install chromium without root; the web inbox tests will skip"; exit 0; fi; \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

test: lint typecheck browser pytest

# Benchmarks (docs/bench.md), not part of `make test`: several minutes; BENCH_ARGS=--quick for a smoke run.
bench: $(STAMP)
	test -x $(BIN)/py-spy || $(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Memory and delivery over a long run (docs/bench.md "Soak"): 20 min at 1,000 msg/s by default.
soak: $(STAMP)
	$(BIN)/python -m bench.soak $(SOAK_ARGS)

image-test:
	bash scripts/image-test.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
