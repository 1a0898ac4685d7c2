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
        """y = x Wᵀ + b, written by a student; subclasses below break one line."""

        def __init__(self, n_in, n_out):
            rng = np.random.default_rng(0)
            self.weight = mc.Parameter(rng.standard_normal((n_out, n_in)), "weight")
            self.bias = mc.Parameter(rng.standard_normal(n_out), "bias")

        def parameters(self):
            yield self.weight
            yield self.bias

        def forward(self, x):
            self.x = x
            return x @ self.weight.data.T + self.bias.data

        def backward(self, dout):
            self.weight.grad += dout.T @ self.x
            self.bias.grad += dout.sum(axis=0)
            return dout @ self.weight.data


    class TransposedDense(Dense):
        def backward(self, dout):
            self.weight.grad += self.x.T @ dout      # bug: (in, out), not (out, in)
            self.bias.grad += dout.sum(axis=0)
            return dout @ self.weight.data


    class NoBiasGradDense(Dense):
        def backward(self, dout):
            self.weight.grad += dout.T @ self.x      # bug: bias.grad never filled
            return dout @ self.weight.data


    class UnregisteredBiasDense(Dense):
        def parameters(self):                        # bug: bias is not yielded
            yield self.weight


    class MyReLU(mc.Layer):
        def forward(self, x):
            self.mask = x > 0
            return x * self.mask

        def backward(self, dout):
            return dout * self.mask


    class MasklessReLU(MyReLU):
        def backward(self, dout):
            return dout                              # bug: forgot the mask


    class NotALayer:
        pass
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
            self.weight.grad = self.x.T @ dout
            self.bias.grad += dout.sum(axis=0)
            return dout @ self.weight.data

    report = gradcheck.check_layer(Assigning(4, 3), (5, 4))
    [failure] = report.failures()
    assert failure.tensor.startswith("weight") and "(4, 3)" in failure.tensor


def test_unregistered_parameter_is_an_error(student):
    with pytest.raises(ValueError, match=r"\['bias'\].*parameters\(\)"):
        gradcheck.check_layer(load(student, "UnregisteredBiasDense")(4, 3), (2, 4))


def test_unnamed_parameter_is_named_by_its_attribute():
    import minicnn as mc

    class Scale(mc.Layer):
        def __init__(self):
            self.gain = mc.Parameter(np.array([2.0, 3.0]))  # no name given

        def parameters(self):
            yield self.gain

        def forward(self, x):
            self.x = x
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
