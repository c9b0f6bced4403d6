# The two commands a newcomer runs: `make scenario` and `make test`. Everything else is set up by them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEBIAN_TOOLS := tshark redis-server redis-cli redis-benchmark dumpcap chromium nft haproxy ip strace openssl
DEBIAN_PACKAGES := tshark redis-server redis-tools chromium nftables haproxy iproute2 strace openssl
NAME ?=
TARGET ?= bundled
# the second column of reports/latest/index.html: the same scenarios on real Redis, when it is installed
ALSO ?= redis-server-if-installed
PYTEST_ARGS ?=

.PHONY: setup system-deps scenario test lint types bench training clean

setup: system-deps $(STAMP)

# Re-install only when the dependency list changes.
$(STAMP): pyproject.toml server/_resp_fast.c
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Debian tools: installed when we are root, otherwise named so the user can install them.
system-deps:
	@missing=""; for t in $(DEBIAN_TOOLS); do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian packages ($(DEBIAN_PACKAGES)) for:$$missing"; \
	  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBIAN_PACKAGES) >/dev/null; \
	else \
	  echo "NOTE: missing tools:$$missing. Install them with: sudo apt-get install $(DEBIAN_PACKAGES)"; \
	  echo "      Tests and scenarios that need them will be skipped and say why."; \
	fi

scenario: setup
	$(BIN)/tlslab run $(if $(NAME),$(NAME),--default) --target $(TARGET) $(if $(NAME),,--also $(ALSO))

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .

types: setup
	$(BIN)/mypy

bench: setup
	$(BIN)/tlslab bench

training: setup
	$(BIN)/tlslab course

clean:
	rm -rf captures/*/ reports/*/ reports/latest .pytest_cache .mypy_cache .ruff_cache
