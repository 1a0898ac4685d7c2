# Every target installs what it needs into .venv/, so a fresh clone works offline
# (only the package registries are needed).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test test-fast lint format bench accuracy docs clean screenshots

# One BLAS thread unless you choose otherwise: LeNet-sized matrix products gain
# little from a second thread, and on a busy 2-core machine OpenBLAS's spinning
# workers made training ~16x slower (measured; see minicnn/recipes_pretrained.py and examples/train_mnist_lenet.py).
OPENBLAS_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS

# pip says nothing unless something fails (-qq: errors only, no notices or warnings
# about the build), so the first lines a student reads are minicnn's.
PIP := $(BIN)/python -m pip -qq --disable-pip-version-check

# The runtime environment: minicnn alone (the 5k MNIST sample ships inside it).
$(VENV)/.run-installed: pyproject.toml setup.cfg
	@echo "minicnn: installing into $(VENV)/ (NumPy, Numba, Matplotlib; once, a minute or two)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(PIP) install --upgrade pip
	@$(PIP) install -e .
	@touch $@

# PyTorch, the reference the tests compare every layer with. Without an NVIDIA GPU
# (no working nvidia-smi) its CPU build comes from PyTorch's own wheel index: about
# 200 MB, where the PyPI wheel for Linux is the multi-gigabyte CUDA build. If that index
# cannot be reached (an offline classroom with a PyPI mirror), the registry's wheel.
TORCH_VERSION   := 2.13.0
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu
$(VENV)/.torch-installed: $(VENV)/.run-installed
	@if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then \
	    echo "minicnn: NVIDIA GPU found: torch==$(TORCH_VERSION) from the package registry"; \
	    $(PIP) install torch==$(TORCH_VERSION); \
	else \
	    echo "minicnn: no NVIDIA GPU: torch==$(TORCH_VERSION), CPU build ($(TORCH_CPU_INDEX))"; \
	    $(PIP) install --timeout 15 --retries 1 --index-url $(TORCH_CPU_INDEX) \
	        torch==$(TORCH_VERSION) 2>/dev/null || { \
	    echo "minicnn: $(TORCH_CPU_INDEX) unreachable: torch==$(TORCH_VERSION) from the package registry"; \
	    $(PIP) install torch==$(TORCH_VERSION); }; \
	fi
	@touch $@

# The test environment adds pytest, hypothesis, ruff and the docs tools (the tests build
# the docs site); torch is already there, so the extra's torch pin is satisfied.
$(VENV)/.test-installed: $(VENV)/.torch-installed
	@echo "minicnn: installing the test and docs tools"
	@$(PIP) install -e '.[test,docs]'
	@touch $@

# The docs site (docs/ plus the API reference from the docstrings) in site/; warnings
# (a broken link, a reference to nothing) are errors.
docs: $(VENV)/.test-installed
	$(BIN)/mkdocs build --strict --site-dir site

demo: $(VENV)/.run-installed
	@$(BIN)/python examples/train_mnist_lenet.py

LINTED := minicnn tests examples benchmarks labs mkdocs_hooks.py

test: lint docs
	MINICNN_REQUIRE_TORCH=1 MINICNN_REQUIRE_MPI=1 $(BIN)/python -m pytest -q
	$(BIN)/python -m minicnn.gradcheck

# The edit-test loop: everything but the tests marked slow, stopping at the first failure.
test-fast: $(VENV)/.test-installed
	$(BIN)/python -m pytest -q -x -m "not slow"

# The examples' accuracy targets, wherever their data is on disk (minutes each).
accuracy: $(VENV)/.test-installed
	MINICNN_ACCURACY=1 $(BIN)/python -m pytest -q -rs tests/test_accuracy.py

lint: $(VENV)/.test-installed
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy

format: $(VENV)/.test-installed
	$(BIN)/ruff format $(LINTED)
	$(BIN)/ruff check --fix $(LINTED)

# Side by side with PyTorch CPU (about 5 minutes on 2 cores); results go to
# benchmarks/results/*.json and latest.md. One thread for BLAS, numba and torch by
# default: on a machine whose cores are shared, 2-thread BLAS and torch slow down
# 5-20x and the numbers mean nothing. On a quiet machine: make bench BENCH_ARGS=
BENCH_ARGS ?= --threads 1
bench: $(VENV)/.test-installed
	$(BIN)/python benchmarks/bench_startup.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/bench_conv.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/bench_lenet.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/bench_resnet.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info

# The README's screenshots (docs/img/): a short real training run (about a minute), its
# initial filters (seed 0, as the run drew them), then the browser tests pointed at it.
# Needs chromium and chromium-driver (apt-get install -y chromium chromium-driver).
SHOT_RUN := runs/screenshots
screenshots: $(VENV)/.test-installed
	$(BIN)/python examples/train_mnist_lenet.py --epochs 3 --out $(SHOT_RUN)
	$(BIN)/python -c "import minicnn as mc; mc.manual_seed(0); \
	mc.viz.save_initial_filters(mc.zoo.lenet5(), '$(SHOT_RUN)')"
	MINICNN_SCREENSHOTS=docs/img MINICNN_SCREENSHOT_RUN=$(SHOT_RUN) \
	MINICNN_LATENCY_JSON=$(SHOT_RUN)/stroke_latency.json \
	$(BIN)/python -m pytest -q -s tests/test_browser.py
