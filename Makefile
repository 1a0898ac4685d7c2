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

# The runtime environment: minicnn alone (the 5k MNIST sample ships inside it).
$(VENV)/.run-installed: pyproject.toml setup.cfg
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The test environment adds pytest, hypothesis, ruff, the PyTorch reference and the
# docs tools (the tests build the docs site).
$(VENV)/.test-installed: $(VENV)/.run-installed
	$(BIN)/python -m pip install --quiet -e '.[test,docs]'
	touch $@

# The docs site (docs/ plus the API reference from the docstrings) in site/; warnings
# (a broken link, a reference to nothing) are errors.
docs: $(VENV)/.test-installed
	$(BIN)/mkdocs build --strict --site-dir site

demo: $(VENV)/.run-installed
	$(BIN)/python examples/train_mnist_lenet.py

LINTED := minicnn tests examples benchmarks labs mkdocs_hooks.py

test: lint docs
	MINICNN_REQUIRE_TORCH=1 $(BIN)/python -m pytest -q
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
