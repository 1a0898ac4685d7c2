"""The check cells keep the grader's rule: the reference is out of reach in the notebook too."""

from __future__ import annotations

import importlib
import sys

import numpy as np
import pytest

import minicnn as mc
import minicnn.functional as F
from minicnn.lab import LabCheckFailed, checker, find_lab
from minicnn.lab.rules import blocking, reference_uses
from minicnn.lab.sandbox import blocked_modules


def test_a_function_that_calls_the_reference_fails_its_check():
    def conv2d_naive(x, w, b, stride=1, padding=0):
        return F.conv2d(x, w, b, stride=stride, padding=padding)

    check = checker("lab1", {"conv2d_naive": conv2d_naive, "F": F})
    with pytest.raises(LabCheckFailed, match="uses minicnn.functional.*not available in lab1"):
        check("conv2d_naive")


def test_layers_through_minicnn_attributes_and_helpers_are_found():
    def helper(x, w, b):
        return mc.Linear(w.shape[1], w.shape[0]).forward(x)

    def linear_forward(x, w, b):
        return helper(x, w, b), (x, w)

    ns = {"linear_forward": linear_forward, "helper": helper, "mc": mc}
    linear_forward.__globals__.update(ns)  # as a notebook's functions share one namespace
    with pytest.raises(LabCheckFailed, match="minicnn.layers"):
        checker("lab4", linear_forward.__globals__)("linear_forward")


def test_a_dynamic_import_inside_the_function_is_refused_in_korean():
    def conv2d_naive(x, w, b, stride=1, padding=0):
        g = importlib.import_module("minicnn." + "func" + "tional")
        return g.conv2d(x, w, b, stride=stride, padding=padding)

    check = checker("lab1", {"conv2d_naive": conv2d_naive}, lang="ko")
    with pytest.raises(ImportError, match="lab1.*쓸 수 없습니다"):
        check("conv2d_naive")


def test_lab6_may_use_the_conv_and_relu_pairs_it_provides():
    def relu_block(x):
        y, _ = F.relu_forward(x)
        return y

    def batch_norm_forward(x, gamma, beta, running_mean, running_var, training):
        return F.batch_norm_forward(x, gamma, beta, running_mean, running_var, training)

    ns = {"batch_norm_forward": batch_norm_forward, "relu_block": relu_block, "F": F}
    with pytest.raises(LabCheckFailed, match="minicnn.functional.normalization"):
        checker("lab6", ns)("batch_norm_forward")
    lab6 = blocked_modules(find_lab("lab6"), "en")
    assert reference_uses(("relu_block",), {"relu_block": relu_block}, lab6) is None


def test_blocking_hides_and_restores_the_modules():
    blocked = {"minicnn.functional": "no"}
    with blocking(blocked):
        assert "minicnn.functional" not in sys.modules
        with pytest.raises(ImportError, match="no"):
            importlib.import_module("minicnn.functional.conv")
    assert sys.modules["minicnn.functional"] is F
    np.testing.assert_array_equal(F.relu_forward(np.ones(2))[0], np.ones(2))
