"""Shared test fixtures.

``torch`` is the PyTorch reference: tests that use the fixture are skipped when
PyTorch is not installed, unless MINICNN_REQUIRE_TORCH=1 (set by `make test` and
CI), where a missing PyTorch is a failure rather than a silent skip.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "minicnn",
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("minicnn")


@pytest.fixture(scope="session")
def torch():
    try:
        import torch
    except ImportError:
        if os.environ.get("MINICNN_REQUIRE_TORCH") == "1":
            pytest.fail(
                "MINICNN_REQUIRE_TORCH=1 but PyTorch is not importable; "
                "install the test extra: pip install -e '.[test]'"
            )
        pytest.skip(
            "PyTorch (the reference implementation) is not installed; "
            "pip install -e '.[test]' to run the cross-checks"
        )
    return torch


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
