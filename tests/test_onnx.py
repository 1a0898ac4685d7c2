"""mc.onnx.export and `minicnn export`: every layer the zoo uses, written as ONNX and run
by onnxruntime, gives what the layer's forward gives in eval mode."""

from __future__ import annotations

import numpy as np
import pytest

import minicnn as mc
from minicnn import cli

onnx = pytest.importorskip(
    "onnx", reason="the onnx package is not installed (pip install 'minicnn-course[onnx]')"
)
ort = pytest.importorskip(
    "onnxruntime", reason="onnxruntime is not installed (pip install 'minicnn-course[onnx]')"
)


def run_onnx(path, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"input": x})[0]


def with_statistics(model: mc.Layer, seed: int = 0) -> mc.Layer:
    """Give every BatchNorm running statistics and an affine part that are not 0/1, so
    that using the wrong ones would show."""
    rng = np.random.default_rng(seed)
    for layer in model.modules() if hasattr(model, "modules") else [model]:
        if isinstance(layer, mc.BatchNorm1D | mc.BatchNorm2D):
            n = layer.num_features
            layer.running_mean[...] = rng.normal(size=n)
            layer.running_var[...] = rng.uniform(0.5, 2.0, size=n)
            layer.weight.data[...] = rng.uniform(0.5, 1.5, size=n)
            layer.bias.data[...] = rng.normal(size=n)
    return model


def check(model: mc.Layer, input_shape, tmp_path, batch: int = 3, atol: float = 1e-4):
    """Export, run with onnxruntime, compare with forward in eval mode."""
    model.eval()
    path = mc.onnx.export(model, tmp_path / "model.onnx", input_shape)
    x = np.random.default_rng(1).normal(size=(batch, *input_shape)).astype(np.float32)
    expected = model.forward(x)
    got = run_onnx(path, x)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=atol, rtol=1e-4)
    return path


LAYERS = {
    "conv": (mc.Conv2D(3, 4, 3), (3, 9, 9)),
    "conv stride padding": (mc.Conv2D(3, 4, 3, stride=2, padding=(1, 2)), (3, 9, 10)),
    "conv dilation": (mc.Conv2D(2, 3, 3, dilation=2, padding=2), (2, 11, 11)),
    "conv groups": (mc.Conv2D(4, 6, 3, groups=2, bias=False), (4, 8, 8)),
    "conv depthwise": (mc.Conv2D(4, 4, 3, groups=4, padding=1), (4, 8, 8)),
    "conv same even kernel": (mc.Conv2D(2, 3, 4, padding="same"), (2, 9, 9)),
    "linear": (mc.Linear(7, 5), (7,)),
    "linear no bias": (mc.Linear(7, 5, bias=False), (7,)),
    "relu": (mc.ReLU(), (2, 4, 4)),
    "leaky relu": (mc.LeakyReLU(0.2), (2, 4, 4)),
    "sigmoid": (mc.Sigmoid(), (2, 4, 4)),
    "tanh": (mc.Tanh(), (2, 4, 4)),
    "max pool": (mc.MaxPool2D(2), (2, 8, 8)),
    "max pool padded": (mc.MaxPool2D(3, 2, 1), (2, 9, 9)),
    "avg pool padded": (mc.AvgPool2D(3, 2, 1), (2, 9, 9)),
    "global avg pool": (mc.GlobalAvgPool2D(), (3, 5, 6)),
    "flatten": (mc.Flatten(), (2, 3, 4)),
    "dropout": (mc.Dropout(0.5), (2, 4, 4)),
    "identity": (mc.Identity(), (2, 4, 4)),
    "batchnorm 2d": (mc.BatchNorm2D(3), (3, 5, 5)),
    "batchnorm 1d": (mc.BatchNorm1D(6), (6,)),
    "local response norm": (mc.LocalResponseNorm(5, alpha=1e-2, beta=0.75, k=2.0), (7, 4, 4)),
    "residual identity": (
        mc.Residual(mc.Sequential(mc.Conv2D(3, 3, 3, padding=1), mc.ReLU())),
        (3, 6, 6),
    ),
    "residual projection": (
        mc.Residual(
            mc.Sequential(mc.Conv2D(3, 6, 3, stride=2, padding=1), mc.BatchNorm2D(6)),
            shortcut=mc.Conv2D(3, 6, 1, stride=2),
        ),
        (3, 8, 8),
    ),
    "pad shortcut": (mc.PadShortcut(3, 8, 2), (3, 7, 7)),
    "concat": (
        mc.Concat(mc.Identity(), mc.Conv2D(3, 2, 1), mc.Sequential(mc.MaxPool2D(3, 1, 1))),
        (3, 6, 6),
    ),
    "nested sequential": (
        mc.Sequential(mc.Sequential(mc.Conv2D(1, 2, 3), mc.ReLU()), mc.Flatten(), mc.Linear(18, 4)),
        (1, 5, 5),
    ),
}


@pytest.mark.parametrize("name", LAYERS)
def test_every_layer_exports_and_matches(tmp_path, name):
    mc.manual_seed(0)
    layer, shape = LAYERS[name]
    check(with_statistics(mc.Sequential(layer)), shape, tmp_path)


def test_the_pretrained_lenet5_gives_the_same_digits(tmp_path):
    model = mc.zoo.lenet5(pretrained=True)
    path = check(model, (1, 28, 28), tmp_path, atol=1e-4)
    x, y = mc.data.MNISTSample("test").arrays()
    got = run_onnx(path, x[:200]).argmax(axis=1)
    np.testing.assert_array_equal(got, mc.predict(model, x[:200]))
    # The batch size is free, and the file says what it is.
    proto = onnx.load(str(path))
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "N" and [d.dim_value for d in dims[1:]] == [1, 28, 28]
    assert proto.opset_import[0].version == mc.onnx.OPSET


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "shape"),
    [("resnet20", (3, 32, 32)), ("googlenet", (3, 64, 64)), ("densenet121", (3, 64, 64))],
)
def test_zoo_models_with_residuals_and_concats(tmp_path, name, shape):
    mc.manual_seed(0)
    check(with_statistics(getattr(mc.zoo, name)()), shape, tmp_path, batch=2, atol=1e-3)


class Squash(mc.Layer):
    """A layer of the student's own, which has no ONNX counterpart."""

    def forward(self, x):
        return x / (1 + np.abs(x))


def test_an_unsupported_layer_is_named(tmp_path):
    model = mc.Sequential(mc.Conv2D(1, 2, 3), mc.Sequential(mc.ReLU(), Squash()))
    with pytest.raises(mc.onnx.ONNXExportError, match=r"Squash \(at 1\.1"):
        mc.onnx.export(model, tmp_path / "m.onnx", (1, 6, 6))
    with pytest.raises(mc.onnx.ONNXExportError, match="Upsample"):
        mc.onnx.export(mc.Sequential(mc.Upsample(2)), tmp_path / "m.onnx", (1, 6, 6))
    assert not (tmp_path / "m.onnx").exists()  # nothing half-written


def test_a_wrong_input_shape_is_refused(tmp_path):
    with pytest.raises(mc.onnx.ONNXExportError, match="does not take inputs of shape"):
        mc.onnx.export(mc.zoo.lenet5(), tmp_path / "m.onnx", (3, 28, 28))


def test_without_the_onnx_package_the_error_says_what_to_install(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now raises ImportError
    with pytest.raises(ImportError, match=r"minicnn-course\[onnx\]"):
        mc.onnx.export(mc.zoo.lenet5(), tmp_path / "m.onnx", (1, 28, 28))


def test_the_export_command(tmp_path, capsys):
    mc.manual_seed(4)
    model = mc.zoo.lenet5()
    mc.save(tmp_path / "ckpt.npz", model)
    out = tmp_path / "lenet.onnx"
    assert cli.main(["export", str(tmp_path / "ckpt.npz"), str(out)]) == 0
    assert f"Wrote {out}" in capsys.readouterr().out
    x = np.random.default_rng(0).random((2, 1, 28, 28), dtype=np.float32)
    np.testing.assert_allclose(run_onnx(out, x), model.forward(x), atol=1e-4)
    assert cli.main(["export", "pretrained", str(tmp_path / "p.onnx")]) == 0
    assert cli.main(["export", str(tmp_path / "none.npz"), str(out)]) == 1
    assert "there is no file" in capsys.readouterr().err
    # A checkpoint of another model: mc.load's error, in one line.
    mc.save(tmp_path / "r.npz", mc.zoo.resnet20())
    assert cli.main(["export", str(tmp_path / "r.npz"), str(out)]) == 1
    assert "minicnn export:" in capsys.readouterr().err
