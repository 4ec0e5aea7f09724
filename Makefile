# Tasks for people who work on mqcat's code. `make` alone lists them.
# Every target runs from the repository root with the Python that has mqcat installed
# (`make install`); override it with `make test PYTHON=/path/to/python`.

PYTHON ?= python3

.DEFAULT_GOAL := help
.PHONY: help install test-fast test lint format typecheck check bench lock lock-check

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: ## install mqcat (editable) with its test and development tools
	$(PYTHON) -m pip install -e '.[test,dev]'

test-fast: ## every test that needs no browser and installs nothing, on every core (measured: 111 s on two idle cores, 214 s of CPU)
	$(PYTHON) -m pytest -m "not browser and not install" -q -n auto

test: ## the whole test suite, browser tests included (needs Chromium at /usr/bin/chromium)
	$(PYTHON) -m pytest -q

lint: ## ruff: lint and check the formatting
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

format: ## ruff: format the code and apply the safe lint fixes
	$(PYTHON) -m ruff format .
	$(PYTHON) -m ruff check --fix .

typecheck: ## mypy over the generator package (settings in pyproject.toml)
	$(PYTHON) -m mypy

check: lint typecheck test-fast ## what the pull-request workflow runs on code changes

bench: ## the benchmarks behind benchmarks/README.md, with its settings (long: an hour or more)
	$(PYTHON) benchmarks/bench_validate.py
	$(PYTHON) benchmarks/bench_build.py
	$(PYTHON) benchmarks/bench_finder.py
	$(PYTHON) benchmarks/bench_page_weight.py
	$(PYTHON) benchmarks/bench_form.py --entries 1000 10000 --repeat 1

# The lock file the workflows install from: mqcat's dependencies (and setuptools, to build it)
# pinned with SHA-256 hashes, by pip-tools. Run `make lock` after changing dependencies in
# pyproject.toml and commit requirements.lock; tests/test_lock.py fails until then.
LOCK_COMMAND = $(PYTHON) -m piptools compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--build-deps-for wheel --no-emit-index-url --no-emit-find-links pyproject.toml

lock: ## pin mqcat's dependencies with hashes into requirements.lock (pip-tools; needs PyPI)
	$(LOCK_COMMAND) --output-file requirements.lock

lock-check: ## fail if requirements.lock is not what `make lock` would write now (needs PyPI)
	@tmp=$$(mktemp -d) && cp requirements.lock "$$tmp/requirements.lock" \
	&& $(LOCK_COMMAND) --output-file "$$tmp/requirements.lock" \
	&& diff -u requirements.lock "$$tmp/requirements.lock" && rm -rf "$$tmp" \
	|| { echo "requirements.lock is stale: run make lock and commit it"; exit 1; }
