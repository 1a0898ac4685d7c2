"""The gradient-check suite: every layer passes, every layer is covered, and the
checker really catches the classic mistakes."""

from __future__ import annotations

import ast
import inspect

import numpy as np
import pytest

import minicnn as mc
from minicnn import gradcheck


@pytest.mark.parametrize("case", gradcheck.CASES, ids=lambda c: c.name)
def test_every_layer_case_passes(case):
    report = case.run()
    assert report.passed, "\n" + str(report)
    assert all(r.max_rel_error < gradcheck.TOLERANCE for r in report.results)


@pytest.mark.parametrize("name, make", gradcheck.LOSS_CASES, ids=lambda v: str(v))
def test_every_loss_passes(name, make):
    report = gradcheck.check_loss(make(), name=name)
    assert report.passed, "\n" + str(report)


def test_every_layer_class_has_a_gradient_check():
    """A layer added to minicnn without a case in gradcheck.CASES fails here."""
    covered = {type(case.make()) for case in gradcheck.CASES}
    missing = [cls.__name__ for cls in gradcheck.layer_classes() if cls not in covered]
    assert not missing, f"layers without a gradient check in gradcheck.CASES: {missing}"
    assert mc.Conv2D in gradcheck.layer_classes()


def test_the_registry_sees_a_new_layer():
    class Doubler(mc.Layer):
        def forward(self, x):
            return 2 * x

        def backward(self, dout):
            return 2 * dout

    Doubler.__module__ = "minicnn.layers.doubler"
    try:
        assert Doubler in gradcheck.layer_classes()
    finally:
        Doubler.__module__ = __name__


class TransposedLinear(mc.Linear):
    """A Linear whose weight gradient is transposed: only visible for a square W
    with a non-uniform upstream gradient."""

    def backward(self, dout):
        x = self.saved_cache(dout).x
        self.weight.grad += (dout.T @ x).T
        self.bias.grad += dout.sum(axis=0)
        return dout @ self.weight.data


class ReLUWithoutMask(mc.ReLU):
    def backward(self, dout):
        return dout


def test_a_transposed_weight_gradient_is_caught():
    report = gradcheck.check_layer(TransposedLinear(4, 4, seed=0), (3, 4))
    assert [r.tensor for r in report.failures()] == ["weight"]
    assert report.failures()[0].max_rel_error > 0.1


def test_a_missing_relu_mask_is_caught():
    report = gradcheck.check_layer(ReLUWithoutMask(), (2, 5))
    assert not report.passed and report.failures()[0].tensor == "input"


def test_check_layer_leaves_the_callers_layer_alone():
    layer = mc.Conv2D(1, 2, 3, seed=0)
    before = layer.weight.data.copy()
    assert gradcheck.check_layer(layer, (1, 1, 4, 4)).passed
    assert layer.weight.dtype == np.float32
    np.testing.assert_array_equal(layer.weight.data, before)


def test_inputs_avoid_kinks_and_ties():
    x = gradcheck.distinct_inputs((2, 3, 5, 5), np.random.default_rng(0))
    gaps = np.diff(np.sort(x.ravel()))
    assert gaps.min() > 100 * gradcheck.EPSILON
    assert np.abs(x).min() > 10 * gradcheck.EPSILON


def test_a_float32_layer_output_is_reported():
    class Float32Layer(mc.Layer):
        def forward(self, x):
            return x.astype(np.float32)

    report = gradcheck.check_layer(Float32Layer(), (2, 2))
    assert not report.passed and report.results == []
    [problem] = report.problems
    assert problem.startswith("forward returned dtype float32 for a float64 input")
    assert "float64 end to end" in problem


def test_a_forward_without_return_is_said_plainly():
    class NoReturn(mc.Layer):
        def forward(self, x):
            y = 2 * x
            self.save_for_backward(x, y.shape)  # and forgot `return y`

    report = gradcheck.check_layer(NoReturn(), (2, 2))
    assert report.problems == ["forward returned None: end forward with `return y`"]
    assert "(layer)" in gradcheck.format_table([report])


def test_the_command_line_prints_a_table_and_exit_status(capsys):
    assert gradcheck.main([]) == 0
    out = capsys.readouterr().out
    assert "Conv2D 3x3 pad 1" in out and "pass" in out and " 0 failed" in out


def test_a_gradient_that_is_exactly_zero_is_not_a_false_failure():
    """A conv bias before batch norm cancels out: its true gradient is 0 and both
    estimates are round-off, which the noise floor must not read as a failure."""
    model = mc.Sequential(mc.Conv2D(3, 3, 3, padding=1, seed=0), mc.BatchNorm2D(3))
    report = gradcheck.check_layer(model, (4, 3, 8, 8))
    assert report.passed, "\n" + str(report)


class SlightlyWrongBias(mc.Linear):
    """A bias gradient off by 1e-4: small, but far above round-off."""

    def backward(self, dout):
        dx = super().backward(dout)
        self.bias.grad += 1e-4
        return dx


def test_the_noise_floor_still_catches_small_real_errors():
    report = gradcheck.check_layer(SlightlyWrongBias(4, 3, seed=0), (5, 4))
    assert [r.tensor for r in report.failures()] == ["bias"]


def test_the_checker_a_student_reads_stands_alone():
    """checker.py is the method, read top to bottom: it imports the hints and the
    report, never the registry or the command line, and stays short enough to read in
    one sitting (CS231n's gradient_check.py is 129 lines; ours also checks losses and
    calls the hints)."""
    from minicnn.gradcheck import checker

    source = inspect.getsource(checker)
    imported = {
        node.module
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.level == 1
    }
    assert imported <= {None, "report", "hints"}, imported
    assert len(source.splitlines()) <= 350
