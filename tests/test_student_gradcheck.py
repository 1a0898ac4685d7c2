"""Gradient checks for a layer a student wrote: the API and the command line.

The classic backward mistakes (a transposed weight gradient, a forgotten bias
gradient, a ReLU without its mask) must fail the check and name the wrong tensor;
bad command lines must fail with a message that says what to fix.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minicnn import gradcheck

ROOT = Path(__file__).resolve().parents[1]

STUDENT_FILE = textwrap.dedent('''
    import numpy as np
    import minicnn as mc


    class Dense(mc.Layer):
        """y = x Wᵀ + b, written by a student the way minicnn's layers are written
        (Parameter attributes, save_for_backward); subclasses below break one line."""

        def __init__(self, n_in, n_out):
            rng = np.random.default_rng(0)
            self.weight = mc.Parameter(rng.standard_normal((n_out, n_in)), "weight")
            self.bias = mc.Parameter(rng.standard_normal(n_out), "bias")

        def forward(self, x):
            y = x @ self.weight.data.T + self.bias.data
            self.save_for_backward(x, y.shape)
            return y

        def backward(self, dout):
            x = self.saved_cache(dout)
            self.weight.grad += dout.T @ x
            self.bias.grad += dout.sum(axis=0)
            return dout @ self.weight.data


    class TransposedDense(Dense):
        def backward(self, dout):
            x = self.saved_cache(dout)
            self.weight.grad += x.T @ dout           # bug: (in, out), not (out, in)
            self.bias.grad += dout.sum(axis=0)
            return dout @ self.weight.data


    class NoBiasGradDense(Dense):
        def backward(self, dout):
            self.weight.grad += dout.T @ self.saved_cache(dout)  # bug: bias.grad not filled
            return dout @ self.weight.data


    class UnregisteredBiasDense(Dense):
        def parameters(self):                        # bug: bias is not yielded
            yield self.weight


    class MyReLU(mc.Layer):
        def forward(self, x):
            mask = x > 0
            y = x * mask
            self.save_for_backward(mask, y.shape)
            return y

        def backward(self, dout):
            return dout * self.saved_cache(dout)


    class MasklessReLU(MyReLU):
        def backward(self, dout):
            return dout                              # bug: forgot the mask


    class NotALayer:
        pass


    # -- the mistakes the checker explains (tests/test_student_gradcheck.py) --

    class NoReturnReLU(MyReLU):
        def backward(self, dout):
            dx = dout * self.saved_cache(dout)       # bug: forgot `return dx`


    class Float32ReLU(MyReLU):
        def backward(self, dout):
            return (dout * self.saved_cache(dout)).astype(np.float32)   # bug: casts


    class BatchAxisBiasDense(Dense):
        def backward(self, dout):
            self.weight.grad += dout.T @ self.saved_cache(dout)
            self.bias.grad = dout                    # bug: forgot .sum(axis=0)
            return dout @ self.weight.data


    class InPlaceReLU(mc.Layer):
        def forward(self, x):
            x[x < 0] = 0                             # bug: changes the caller's x
            self.save_for_backward(x, x.shape)
            return x

        def backward(self, dout):
            return dout * (self.saved_cache(dout) > 0)   # correct


    class InPlaceDoutReLU(MyReLU):
        def backward(self, dout):
            dout[~self.saved_cache(dout)] = 0        # bug: changes the caller's dout
            return dout


    class StaleReLU(MyReLU):
        first_mask = None

        def forward(self, x):
            if self.first_mask is None:              # bug: cached on the first call only
                self.first_mask = x > 0
            y = x * (x > 0)
            self.save_for_backward(self.first_mask, y.shape)
            return y


    class StaleDense(Dense):
        def forward(self, x):
            if not hasattr(self, "first_x"):         # bug: cached on the first call only
                self.first_x = x
            y = x @ self.weight.data.T + self.bias.data
            self.save_for_backward(self.first_x, y.shape)
            return y


    class SignFlippedDense(Dense):
        def backward(self, dout):
            self.weight.grad += dout.T @ self.saved_cache(dout)
            self.bias.grad += dout.sum(axis=0)
            return -dout @ self.weight.data          # bug: minus


    class MeanBiasDense(Dense):
        def backward(self, dout):
            self.weight.grad += dout.T @ self.saved_cache(dout)
            self.bias.grad += dout.mean(axis=0)      # bug: averaged, not summed
            return dout @ self.weight.data


    class HalfMaskReLU(mc.Layer):
        def forward(self, x):
            y = x * (x > 0)
            self.save_for_backward(x, y.shape)
            return y

        def backward(self, dout):
            return dout * (self.saved_cache(dout) > 0.5)   # bug: blocks 0 < x <= 0.5


    class IdentityReLU(mc.Layer):
        def forward(self, x):                        # bug: forgot the max(0, x)
            return x.copy()

        def backward(self, dout):
            return dout.copy()                       # consistent with that forward


    class AvgPool(mc.Layer):
        """A correct 2x2 average pooling: passes the gradient check, but it is not a
        max pooling, which only the comparison with mc.MaxPool2D can tell."""

        def __init__(self, k):
            self.k = k

        def forward(self, x):
            N, C, H, W = x.shape
            k = self.k
            return x.reshape(N, C, H // k, k, W // k, k).mean(axis=(3, 5))

        def backward(self, dout):
            k = self.k
            return np.repeat(np.repeat(dout, k, axis=2), k, axis=3) / (k * k)


    class OddNamesDense(mc.Layer):
        """Correct, but its attributes are not PyTorch's names weight and bias."""

        def __init__(self, n_in, n_out):
            rng = np.random.default_rng(0)
            self.W = mc.Parameter(rng.standard_normal((n_out, n_in)))
            self.b = mc.Parameter(rng.standard_normal(n_out))

        def forward(self, x):
            y = x @ self.W.data.T + self.b.data
            self.save_for_backward(x, y.shape)
            return y

        def backward(self, dout):
            self.W.grad += dout.T @ self.saved_cache(dout)
            self.b.grad += dout.sum(axis=0)
            return dout @ self.W.data


    class MySoftmaxCE:
        """A student's softmax cross-entropy: not a Layer, just forward and backward."""

        def forward(self, scores, labels):
            shifted = scores - scores.max(axis=1, keepdims=True)
            p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
            self.p, self.labels = p, labels
            return -np.log(p[np.arange(len(labels)), labels]).mean()

        def backward(self):
            d = self.p.copy()
            d[np.arange(len(self.labels)), self.labels] -= 1
            return d / len(self.labels)


    class NoMeanCE(MySoftmaxCE):
        def backward(self):
            d = self.p.copy()
            d[np.arange(len(self.labels)), self.labels] -= 1
            return d                                 # bug: forgot / N


    class SumCE(MySoftmaxCE):
        def forward(self, scores, labels):
            return super().forward(scores, labels) * len(labels)   # a sum, not a mean

        def backward(self):
            return super().backward() * len(self.labels)
''')


@pytest.fixture
def student(tmp_path):
    """A student's file, my_layers.py, in a fresh directory."""
    path = tmp_path / "my_layers.py"
    path.write_text(STUDENT_FILE, encoding="utf-8")
    return path


def cli(*args, cwd):
    """Run ``python -m minicnn.gradcheck`` with this interpreter and this checkout."""
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
    )
    return subprocess.run(
        [sys.executable, "-m", "minicnn.gradcheck", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def failing_tensors(table: str) -> set[str]:
    """Tensor column of the rows marked FAIL in the printed table."""
    return {line.split()[1] for line in table.splitlines() if line.rstrip().endswith("FAIL")}


# -- the API -----------------------------------------------------------------------


def load(student, name):
    return gradcheck.load_layer_class(f"{student}:{name}")


def test_correct_layer_passes(student):
    report = gradcheck.check_layer(load(student, "Dense")(4, 3), (5, 4))
    assert report.passed
    assert [r.tensor for r in report.results] == ["input", "weight", "bias"]
    assert max(r.max_rel_error for r in report.results) < 1e-8


@pytest.mark.parametrize(
    "name, shape, wrong",
    [
        ("TransposedDense", (5, 4), "weight"),  # square weight: the shapes cannot give it away
        ("NoBiasGradDense", (5, 4), "bias"),
        ("MasklessReLU", (3, 6), "input"),
    ],
)
def test_mistake_is_caught_and_named(student, name, shape, wrong):
    cls = load(student, name)
    layer = cls(4, 4) if "Dense" in name else cls()
    report = gradcheck.check_layer(layer, shape)
    assert not report.passed
    assert {r.tensor for r in report.failures()} == {wrong}
    assert report.failures()[0].max_rel_error > 1e-2  # off by O(1), not by rounding


def test_transposed_non_square_gradient_reports_the_shape(student):
    cls = load(student, "TransposedDense")

    class Assigning(cls):
        def backward(self, dout):  # = instead of +=, so no broadcasting error hides it
            self.weight.grad = self.saved_cache(dout).T @ dout
            self.bias.grad += dout.sum(axis=0)
            return dout @ self.weight.data

    report = gradcheck.check_layer(Assigning(4, 3), (5, 4))
    [failure] = report.failures()
    assert failure.tensor == "weight"
    assert "shape (4, 3), but weight has shape (3, 4)" in failure.message
    assert "transposed" in failure.message


def test_unregistered_parameter_is_explained(student):
    report = gradcheck.check_layer(load(student, "UnregisteredBiasDense")(4, 3), (2, 4))
    assert not report.passed
    [problem] = report.problems
    assert problem.startswith("Parameter not registered: UnregisteredBiasDense.bias")
    assert "delete your parameters() method" in problem and "`self.bias`" in problem
    assert [r.tensor for r in report.results] == ["input", "weight", "bias"]  # still checked


def test_parameters_in_a_list_are_explained():
    import minicnn as mc

    class ListDense(mc.Layer):
        def __init__(self):
            self.params = [mc.Parameter(np.ones((2, 2))), mc.Parameter(np.zeros(2))]

        def forward(self, x):
            y = x @ self.params[0].data.T + self.params[1].data
            self.save_for_backward(x, y.shape)
            return y

        def backward(self, dout):
            self.params[0].grad += dout.T @ self.saved_cache(dout)
            self.params[1].grad += dout.sum(axis=0)
            return dout @ self.params[0].data

    report = gradcheck.check_layer(ListDense(), (3, 2))
    [problem] = report.problems
    assert problem.startswith("Parameter not registered: ListDense keeps Parameters in 'params'")
    assert "store each Parameter as its own attribute" in problem


def test_unnamed_parameter_is_named_by_its_attribute():
    import minicnn as mc

    class Scale(mc.Layer):
        def __init__(self):
            self.gain = mc.Parameter(np.array([2.0, 3.0]))  # no name given

        def forward(self, x):
            return x * self.gain.data

        def backward(self, dout):
            return dout * self.gain.data  # bug: forgot gain.grad

    report = gradcheck.check_layer(Scale(), (3, 2))
    assert [r.tensor for r in report.failures()] == ["gain"]


def test_verbose_prints_the_table(student, capsys):
    report = gradcheck.check_layer(load(student, "NoBiasGradDense")(3, 3), (2, 3), verbose=True)
    printed = capsys.readouterr().out
    assert printed.strip() == str(report)
    assert printed.splitlines()[0].split() == [
        "layer",
        "tensor",
        "max",
        "rel",
        "error",
        "worst",
        "index",
        "analytic",
        "numerical",
        "result",
    ]
    assert failing_tensors(printed) == {"bias"}


@pytest.mark.parametrize("text, shape", [("2,3,8,8", (2, 3, 8, 8)), ("(4, 5)", (4, 5))])
def test_parse_shape(text, shape):
    assert gradcheck.parse_shape(text) == shape


@given(st.lists(st.integers(1, 10_000), min_size=1, max_size=6), st.sampled_from([",", ", "]))
def test_parse_shape_round_trips(shape, sep):
    assert gradcheck.parse_shape(sep.join(map(str, shape))) == tuple(shape)


@pytest.mark.parametrize("text", ["", "2,x", "2,0,3", "2,,3"])
def test_parse_shape_rejects(text):
    with pytest.raises(gradcheck.UsageError, match="--input-shape"):
        gradcheck.parse_shape(text)


def test_parse_arguments_uses_literals_only():
    assert gradcheck.parse_arguments("3, 4", "{'stride': 2}") == ((3, 4), {"stride": 2})
    assert gradcheck.parse_arguments("3", None) == ((3,), {})
    with pytest.raises(gradcheck.UsageError, match="literals"):
        gradcheck.parse_arguments("__import__('os').getcwd()", None)
    with pytest.raises(gradcheck.UsageError, match="dict"):
        gradcheck.parse_arguments(None, "[1, 2]")


# -- the diagnostics: each typical mistake is said in plain words ---------------------


def check(student, name, shape, *args, **kwargs):
    return gradcheck.check_layer(load(student, name)(*args), shape, **kwargs)


def test_backward_returning_none_is_said_plainly(student):
    report = check(student, "NoReturnReLU", (3, 4))
    [failure] = report.failures()
    assert failure.tensor == "input"
    assert failure.message == (
        "backward returned None: end backward with `return dx`, dL/dx of shape (3, 4) "
        "(the shape of x)"
    )
    assert "shape None" not in str(report)  # what the checker used to print


def test_wrong_dtype_is_said_plainly(student):
    [failure] = check(student, "Float32ReLU", (3, 4)).failures()
    assert failure.message.startswith(
        "backward returned dtype float32, but the check runs in float64"
    )


def test_a_gradient_that_kept_the_batch_axis_is_said_plainly(student):
    [failure] = check(student, "BatchAxisBiasDense", (5, 4), 4, 3).failures()
    assert failure.tensor == "bias"
    assert "shape (5, 3), but bias has shape (3,)" in failure.message
    assert "still has the batch axis: sum over axis 0" in failure.message


def test_forward_that_modifies_its_input_is_named_and_backward_is_not_blamed(student):
    report = check(student, "InPlaceReLU", (3, 4))
    assert report.problems == [gradcheck.FORWARD_CHANGED_INPUT]
    assert [r.passed for r in report.results] == [True]  # its backward is right
    assert not report.passed
    assert "(layer)" in str(report) and "forward modified its input x in place" in str(report)


def test_backward_that_modifies_dout_fails(student):
    report = check(student, "InPlaceDoutReLU", (3, 4))
    assert report.problems == [gradcheck.BACKWARD_CHANGED_DOUT]
    assert [r.passed for r in report.results] == [True]


def test_why_dout_must_stay_intact_a_residual_gets_the_wrong_gradient(student):
    """The same layer inside a Residual: the shortcut receives the zeroed dout."""
    import minicnn as mc

    report = gradcheck.check_layer(mc.Residual(load(student, "InPlaceDoutReLU")()), (3, 4))
    assert [r.tensor for r in report.failures()] == ["input"]


@pytest.mark.parametrize(
    "name, args, tensor", [("StaleReLU", (), "input"), ("StaleDense", (4, 4), "weight")]
)
def test_a_cache_set_only_on_the_first_call_is_stale(student, name, args, tensor):
    report = check(student, name, (5, 4), *args)
    assert all(r.passed for r in report.results)  # one input alone cannot tell
    [problem] = report.problems
    assert problem.startswith(
        f"stale cache: after a forward pass on a second, different input, the gradient of {tensor}"
    )
    assert "`self.save_for_backward(cache, y.shape)`" in problem  # the idiom of minicnn's layers


def test_a_layer_that_breaks_on_its_second_call_is_reported_not_crashed():
    import minicnn as mc

    class OneInputOnly(mc.Layer):
        """Breaks once forward has seen more calls than one check of a (2, 3) input
        makes: the first call, then two per input element for the central differences."""

        calls = 0

        def forward(self, x):
            self.calls += 1
            if self.calls > 1 + 2 * 6:
                raise RuntimeError("forward already ran")
            return 2 * x

        def backward(self, dout):
            return 2 * dout

    report = gradcheck.check_layer(OneInputOnly(), (2, 3))
    [problem] = report.problems
    assert problem.startswith(
        "a second forward and backward pass, on a different input, raised RuntimeError: "
        "forward already ran"
    )


@pytest.mark.parametrize(
    "name, args, shape, tensor, hint",
    [
        (
            "SignFlippedDense",
            (4, 3),
            (5, 4),
            "input",
            "sign flipped: the analytic gradient is minus",
        ),
        (
            "MeanBiasDense",
            (4, 3),
            (5, 4),
            "bias",
            "off by the batch size: the analytic gradient is 1/5",
        ),
        ("TransposedDense", (4, 4), (5, 4), "weight", "transposed: the analytic gradient is"),
        ("HalfMaskReLU", (), (3, 6), "input", "zero where a mask should pass"),
        ("MasklessReLU", (), (3, 6), "input", "a mask is missing"),
        ("NoBiasGradDense", (4, 3), (5, 4), "bias", "the analytic gradient is zero everywhere"),
    ],
)
def test_the_worst_index_shows_both_values_and_a_hint(student, name, args, shape, tensor, hint):
    report = check(student, name, shape, *args)
    [failure] = report.failures()
    assert failure.tensor == tensor
    assert failure.message.startswith(hint)
    assert abs(failure.analytic - failure.numeric) > 1e-3
    explained = report.explain()
    assert (
        f"worst at index {failure.worst_index}: analytic {failure.analytic:.6g}, "
        f"numerical {failure.numeric:.6g}" in explained
    )
    assert f"    hint: {failure.message}" in explained


def test_the_values_side_by_side_are_the_two_gradients(student):
    [failure] = check(student, "SignFlippedDense", (5, 4), 4, 3).failures()
    assert failure.analytic == pytest.approx(-failure.numeric, rel=1e-6)
    [failure] = check(student, "MeanBiasDense", (5, 4), 4, 3).failures()
    assert failure.analytic * 5 == pytest.approx(failure.numeric, rel=1e-6)


def test_hints_for_kernels_and_constant_factors():
    rng = np.random.default_rng(0)
    n = rng.standard_normal((2, 3, 3, 3))
    hint = gradcheck.gradient_hint
    assert hint(n[..., ::-1, ::-1], n).startswith("rotated by 180°")
    square = rng.standard_normal((3, 3, 2, 2))
    assert hint(square.swapaxes(0, 1), square).startswith("axes swapped")
    assert "counted 2 times" in hint(2 * n, n)
    assert "1/9 of the numerical one: backward divides by 9" in hint(n / 9, n)
    assert "0.37 times" in hint(0.37 * n, n)
    assert hint(n / 4, n, batch=4).startswith("off by the batch size")
    assert hint(4 * n, n, batch=4).startswith(
        "off by the batch size: the analytic gradient is 4 times"
    )
    assert hint(rng.standard_normal(n.shape), n) == ""  # nothing known fits: say nothing
    # With N = 2 a factor of 2 is not blamed on the batch (it may be a halved square).
    assert "batch" not in hint(n / 2, n, batch=2) and "1/2 of" in hint(n / 2, n, batch=2)
    assert "batch" not in hint(2 * n, n, batch=2) and "counted 2 times" in hint(2 * n, n, batch=2)


def test_reference_catches_a_wrong_forward(student):
    import minicnn as mc

    layer = load(student, "AvgPool")(2)
    assert gradcheck.check_layer(layer, (2, 3, 4, 4)).passed  # consistent, but not max pooling
    report = gradcheck.check_layer(layer, (2, 3, 4, 4), reference=mc.MaxPool2D(2))
    [problem] = report.problems
    assert problem.startswith("forward differs from the reference MaxPool2D(kernel_size=(2, 2)")
    assert re.search(r"at index \(\d, \d, \d, \d\) yours is -?[\d.]+, the reference's", problem)


def test_reference_hint_for_a_forward_without_its_mask(student):
    import minicnn as mc

    report = check(student, "IdentityReLU", (3, 4), reference=mc.ReLU())
    [problem] = report.problems
    assert "hint: a mask is missing: your output is non-zero" in problem


def test_reference_uses_the_layers_parameters_copied_by_name(student):
    import minicnn as mc

    # Dense draws its own weights; only the copy makes the outputs comparable
    assert check(student, "Dense", (5, 4), 4, 3, reference=mc.Linear(4, 3)).passed
    report = check(student, "OddNamesDense", (5, 4), 4, 3, reference=mc.Linear(4, 3))
    assert all(r.passed for r in report.results)
    weight, bias = report.problems
    assert "has a parameter 'weight' of shape (3, 4)" in weight
    assert "name yours 'weight'" in weight and "name yours 'bias'" in bias


def test_reference_must_be_an_instance(student):
    import minicnn as mc

    with pytest.raises(TypeError, match=r"reference=mc\.MaxPool2D\(2\)"):
        check(student, "AvgPool", (1, 1, 2, 2), 2, reference=mc.MaxPool2D)


def test_a_students_loss_class_is_checked_and_named_by_its_class(student):
    import minicnn as mc

    cls = load(student, "MySoftmaxCE")
    assert gradcheck.is_loss(cls) and gradcheck.is_loss(mc.MulticlassSVM)
    assert not gradcheck.is_loss(load(student, "Dense"))
    report = gradcheck.check_loss(cls(), 4, 5, reference=mc.SoftmaxCrossEntropy())
    assert report.passed, str(report)
    assert report.name == "MySoftmaxCE"
    assert [r.tensor for r in report.results] == ["scores"]


def test_a_loss_whose_backward_forgets_the_mean(student):
    [failure] = gradcheck.check_loss(load(student, "NoMeanCE")(), 4, 5).failures()
    assert failure.message.startswith("off by the batch size: the analytic gradient is 4 times")


def test_a_loss_that_sums_is_caught_by_the_reference(student):
    import minicnn as mc

    loss = load(student, "SumCE")()
    assert gradcheck.check_loss(loss, 4, 5).passed  # consistent with itself
    report = gradcheck.check_loss(loss, 4, 5, reference=mc.SoftmaxCrossEntropy())
    [problem] = report.problems
    assert problem.startswith("forward differs from the reference SoftmaxCrossEntropy")
    assert "hint: off by the batch size: your output is 4 times the reference's" in problem
    assert "SumCE  (loss)" in gradcheck.format_table([report])


# -- the command line ----------------------------------------------------------------


def test_cli_correct_layer_exits_zero(student):
    out = cli(f"{student.name}:Dense", "--input-shape", "5,4", "--args", "4, 3", cwd=student.parent)
    assert out.returncode == 0, out.stderr
    assert failing_tensors(out.stdout) == set()
    assert "Dense" in out.stdout and "matches central differences" in out.stdout


@pytest.mark.parametrize(
    "target, args, wrong",
    [
        ("TransposedDense", ["--args", "4, 4"], "weight"),
        ("NoBiasGradDense", ["--kwargs", "{'n_in': 4, 'n_out': 3}"], "bias"),
        ("MasklessReLU", [], "input"),
    ],
)
def test_cli_names_the_wrong_tensor(student, target, args, wrong):
    # a path with a directory part, a plain file name and a dotted module all work
    for module in (str(student), student.name, student.stem):
        out = cli(f"{module}:{target}", "--input-shape", "5,4", *args, cwd=student.parent)
        assert out.returncode == 1, out.stdout + out.stderr
        assert failing_tensors(out.stdout) == {wrong}
        assert f"  {wrong}: dL/d" in out.stdout


@pytest.mark.parametrize(
    "target, extra, message",
    [
        ("missing.py:Dense", ["--input-shape", "2,4"], "no such file"),
        ("no_such_module:Dense", ["--input-shape", "2,4"], "cannot import module"),
        ("my_layers.py:Dens", ["--input-shape", "2,4"], "has no 'Dens'.*'Dense'"),
        ("my_layers.py:NotALayer", ["--input-shape", "2,4"], "not a subclass of mc.Layer"),
        ("my_layers.py", ["--input-shape", "2,4"], "module:ClassName"),
        ("my_layers.py:Dense", ["--input-shape", "2,x", "--args", "4, 3"], "--input-shape"),
        ("my_layers.py:Dense", ["--input-shape", "2,4", "--args", "os.getcwd()"], "literals"),
        ("my_layers.py:Dense", ["--input-shape", "2,4"], "TypeError.*n_in"),
        ("my_layers.py:Dense", [], "needs --input-shape"),
        (
            "my_layers.py:Dense",
            ["--input-shape", "2,4", "--args", "4, 3", "--reference", "mc.Nope"],
            "--reference must name a minicnn layer or loss",
        ),
        (
            "my_layers.py:Dense",
            ["--input-shape", "2,4", "--args", "4, 3", "--reference", "mc.ReLU"],
            "cannot be built with your layer's arguments",
        ),
        (
            "my_layers.py:MySoftmaxCE",
            ["--input-shape", "2,3,4"],
            "is a loss: --input-shape is the shape of its scores",
        ),
    ],
)
def test_cli_errors_say_what_to_fix(student, target, extra, message):
    out = cli(target, *extra, cwd=student.parent)
    assert out.returncode == 2, out.stdout + out.stderr
    assert re.search(message, out.stderr), out.stderr


def test_cli_without_target_checks_every_layer(tmp_path):
    out = cli(cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.startswith("gradient checks on the")
    n_cases = len(gradcheck.CASES) + len(gradcheck.LOSS_CASES)
    assert f"{n_cases} passed, 0 failed" in out.stdout


def test_cli_checks_a_students_loss(student):
    out = cli(
        "my_layers.py:MySoftmaxCE", "--reference", "mc.SoftmaxCrossEntropy", cwd=student.parent
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "MySoftmaxCE" in out.stdout and "matches central differences" in out.stdout
    out = cli("my_layers.py:NoMeanCE", "--input-shape", "6,3", cwd=student.parent)
    assert out.returncode == 1, out.stdout + out.stderr
    assert failing_tensors(out.stdout) == {"scores"}
    assert "hint: off by the batch size: the analytic gradient is 6 times" in out.stdout


def test_cli_reference_catches_a_wrong_forward(student):
    out = cli(
        "my_layers.py:AvgPool",
        "--input-shape",
        "2,3,4,4",
        "--args",
        "2",
        "--reference",
        "mc.MaxPool2D",
        cwd=student.parent,
    )
    assert out.returncode == 1, out.stdout + out.stderr
    assert failing_tensors(out.stdout) == {"(layer)"}
    assert "  - forward differs from the reference MaxPool2D" in out.stdout


def test_cli_says_plainly_that_backward_returned_none(student):
    out = cli("my_layers.py:NoReturnReLU", "--input-shape", "3,4", cwd=student.parent)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "  input: backward returned None: end backward with `return dx`" in out.stdout
    assert "shape None" not in out.stdout


def test_dx_without_rot180_is_named_although_the_flip_is_not_exact():
    """The classic conv mistake: dX = dY full-correlated with K itself. Its dX is no
    exact flip of the true one (gradient_hint's test), so it is detected as what it is:
    the true dX of the same layer with its kernel rotated."""
    import minicnn as mc
    import minicnn.functional as F

    class NoRot180(mc.Layer):
        def __init__(self):
            rng = np.random.default_rng(0)
            self.weight = mc.Parameter(rng.standard_normal((3, 2, 3, 3)), "weight")
            self.bias = mc.Parameter(rng.standard_normal(3), "bias")

        def forward(self, x):
            y, cache = F.conv2d_forward(x, self.weight.data, self.bias.data, 1, 1)
            self.save_for_backward((x, cache), y.shape)
            return y

        def backward(self, dout):
            x, cache = self.saved_cache(dout)
            _, dw, db = F.conv2d_backward(dout, cache)
            self.weight.grad += dw
            self.bias.grad += db
            flipped = self.weight.data[:, :, ::-1, ::-1].copy()
            _, flipped_cache = F.conv2d_forward(x, flipped, self.bias.data, 1, 1)
            return F.conv2d_backward(dout, flipped_cache)[0]  # dY ⋆full K: no rot180

    report = gradcheck.check_layer(NoRot180(), (2, 2, 5, 5))
    dx = report.results[0]
    assert not dx.passed and dx.tensor == "input"
    assert dx.message.startswith("dX without rot180")
    assert all(r.passed for r in report.results[1:])


def test_cli_speaks_korean(student):
    out = cli("my_layers.py:NoMeanCE", "--input-shape", "6,3", "--lang", "ko", cwd=student.parent)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "힌트: 배치 크기만큼 틀렸습니다" in out.stdout and "중앙 차분과 다릅니다" in out.stdout
