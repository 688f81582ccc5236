# Two commands for a newcomer: `make demo` and `make test`. Both set themselves up.
PYTHON ?= python3
# uv on PATH, else as a module of $(PYTHON), else from a private tool venv (installed with pip).
UV = $(shell command -v uv 2>/dev/null || ($(PYTHON) -m uv --version >/dev/null 2>&1 && echo "$(PYTHON) -m uv") || echo .tools/bin/uv)
# The real interpreter, not a pyenv shim: uv rebuilds a venv whose base differs from UV_PYTHON.
export UV_PYTHON ?= $(shell $(PYTHON) -c 'import sys; print(sys.executable)' 2>/dev/null)
export UV_PYTHON_DOWNLOADS = never
VENV = .venv

.PHONY: help demo test run setup setup-dev lint clean uv

help:
	@echo "make demo   set up and run one monitoring cycle offline on the bundled demo site"
	@echo "make test   set up and run the whole test suite"
	@echo "make run    one cycle against the real source catalogue (needs internet)"
	@echo "make lint   ruff and mypy"

uv:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || test -x .tools/bin/uv || \
		{ echo "installing uv with pip into .tools/"; $(PYTHON) -m venv .tools && .tools/bin/pip install --quiet uv; }

setup: uv
	$(UV) sync --frozen --no-dev

setup-dev: uv
	$(UV) sync --frozen --extra airflow --group dev

demo: setup
	$(VENV)/bin/libya-monitor demo

run: setup
	$(VENV)/bin/libya-monitor run

test: setup-dev
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

lint: setup-dev
	$(VENV)/bin/ruff check pipeline scrapers dags tests bench
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .tools .pytest_cache .mypy_cache .ruff_cache
