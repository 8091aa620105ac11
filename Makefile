# Two set-up commands do everything on a fresh Debian machine (as root, or with sudo):
#   make demo   -- the main job on a throwaway MariaDB with a sample school database
#   make test   -- the test suite against a real MariaDB the tests start themselves
# Both install what is missing first: Debian packages, then .venv/ with dumpcore editable.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
APT_PACKAGES := mariadb-server mariadb-client libmariadb-dev pkg-config build-essential libdeflate-dev libsodium-dev mydumper time zstd
# Debian's venv/headers only when the Python in use lacks them (a pyenv Python has its own).
PY_PACKAGES := $(shell $(PYTHON) -c 'import ensurepip, sysconfig, os; assert os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h"))' 2>/dev/null || echo python3-venv python3-dev)
STAMP := $(VENV)/.installed-stamp

.PHONY: all system venv bytecode fastspec demo test bench bench-s3rver bench-incremental clean

all: venv

system:
	@missing=""; for p in $(APT_PACKAGES) $(PY_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml setup.py dumpcore/codec/_encoder.pyx dumpcore/codec/_load_data.pxi dumpcore/codec/_chunk_scan.pxi dumpcore/codec/_statement_scan.pxi dumpcore/codec/_masking.pxi | system
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@$(MAKE) -s bytecode
	@touch $@

# An editable install has no .pyc of its own sources, and with PYTHONDONTWRITEBYTECODE set
# every `dumpcore` run compiles them again (~0.1 s of CPU): compile them once, like a wheel.
bytecode:
	@$(PY) -m compileall -q dumpcore cli bench >/dev/null

venv: $(STAMP)

# The fast path's option table (cli/fastspec.py) is derived from the typer commands:
# run this after changing an option of dump, restore or verify (a test fails while stale).
fastspec: venv
	$(PY) -m dumpcore.cli.fastgen

demo: venv
	$(VENV)/bin/dumpcore demo

test: venv
	$(PY) -m pytest -q tests

SCALE ?= small
RUNS ?= 3
BENCH_ARGS ?= --scale $(SCALE) --runs $(RUNS)

bench: venv bytecode
	$(PY) -m bench.run $(BENCH_ARGS)

# npm's s3rver (Node), a faster local S3 server than moto for the object-storage lines of
# `make bench` (BENCH_S3_SERVER=s3rver; bench/s3.py, bench/README.md)
bench-s3rver:
	cd bench && npm install --no-save --no-audit --no-fund s3rver

# dump --since after 1% of the rows changed each day, for a week (bench/README.md, issue #25)
bench-incremental: venv bytecode
	$(PY) -m bench.incremental_bench --scale $(SCALE) --chunk-size 128KiB --work bench/work/incremental/dumps

clean:
	rm -rf build dumpcore/codec/_encoder.c dumpcore/codec/*.so demo-out
