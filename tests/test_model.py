from __future__ import annotations

import numpy as np
import pytest

import minicnn as mc


def test_lenet_summary_counts_parameters_and_multiply_adds(capsys):
    summary = mc.zoo.lenet5().summary((1, 28, 28))
    assert summary.total_params == 61_706
    # conv1 6·28·28·(1·5·5) + conv2 16·10·10·(6·5·5) + 400·120 + 120·84 + 84·10
    assert summary.total_macs == 117_600 + 240_000 + 48_000 + 10_080 + 840
    assert [r.output_shape for r in summary.rows][:3] == [(6, 28, 28), (6, 28, 28), (6, 14, 14)]
    assert sum(r.params for r in summary.rows) == summary.total_params
    printed = capsys.readouterr().out
    assert "61,706" in printed and "Conv2D" in printed and "(16, 5, 5)" in printed


def test_shape_errors_show_before_any_data_flows():
    model = mc.Sequential(mc.Conv2D(1, 6, 5), mc.Flatten(), mc.Linear(100, 10))
    with pytest.raises(ValueError, match=r"Linear\(100, 10\): expected input of shape \(N, 100\)"):
        model.summary((1, 28, 28))
    with pytest.raises(TypeError, match="not a mc.Layer"):
        mc.Sequential(mc.ReLU)


def test_sequential_is_a_nestable_layer():
    inner = mc.Sequential(mc.Linear(4, 3, seed=0), mc.ReLU())
    model = mc.Sequential(inner, mc.Dropout(0.5), mc.Linear(3, 2, seed=1))
    assert len(model) == 3 and model[0] is inner and isinstance(model[1:], mc.Sequential)
    assert [name for name, _ in model.named_parameters()] == [
        "0.0.weight",
        "0.0.bias",
        "2.weight",
        "2.bias",
    ]
    assert len(list(model.parameters())) == 4
    model.eval()
    assert not model[1].training and not inner[1].training
    model.train()
    assert model[1].training
    x = np.ones((5, 4), np.float32)
    assert model(x).shape == (5, 2) == model.output_shape(x.shape)
    assert model.backward(np.ones((5, 2), np.float32)).shape == x.shape


def test_lenet_learns_a_small_synthetic_problem():
    """Three classes of 28x28 images (a bright bar at a class-specific place plus
    noise): after a few SGD epochs the loss must fall by a clear margin."""
    rng = np.random.default_rng(0)
    mc.manual_seed(0)
    n = 96
    labels = rng.integers(0, 3, n)
    x = rng.normal(0, 0.3, (n, 1, 28, 28)).astype(np.float32)
    for i, y in enumerate(labels):
        x[i, 0, 4 + 8 * y : 8 + 8 * y, 4:24] += 1.0
    model, crit = mc.zoo.lenet5(num_classes=3), mc.SoftmaxCrossEntropy()
    opt = mc.SGD(model.parameters(), lr=0.05, momentum=0.9)

    def epoch():
        losses = []
        for start in range(0, n, 16):
            xb, yb = x[start : start + 16], labels[start : start + 16]
            opt.zero_grad()
            losses.append(crit(model(xb), yb))
            model.backward(crit.backward())
            opt.step()
        return float(np.mean(losses))

    first = epoch()
    for _ in range(6):
        last = epoch()
    assert last < 0.3 * first, (first, last)
    accuracy = (model(x).argmax(axis=1) == labels).mean()
    assert accuracy > 0.9


# -- PyTorch habits: devices ---------------------------------------------------------------


def test_to_accepts_the_cpu_as_pytorch_does():
    model = mc.zoo.lenet5()
    weight = model[0].weight
    assert model.to("cpu") is model and weight.dtype == np.float32  # nothing changes
    assert model.cpu() is model
    model.to("cpu", np.float64)
    assert weight.dtype == np.float64 and weight.grad.dtype == np.float64
    model.to(np.float32)
    assert weight.dtype == np.float32
    model.to(device="cpu", dtype="float64")
    assert weight.dtype == np.float64
    bn = mc.Sequential(mc.BatchNorm2D(3)).to("cpu:0", np.float64)
    assert bn[0].running_mean.dtype == np.float64


@pytest.mark.parametrize(
    "move", [lambda m: m.cuda(), lambda m: m.to("cuda"), lambda m: m.to("cuda:0", np.float64)]
)
def test_a_gpu_device_says_minicnn_runs_on_the_cpu(move):
    model = mc.zoo.lenet5()
    with pytest.raises(RuntimeError, match="runs on the CPU only") as info:
        move(model)
    assert "'cuda" in str(info.value) and "model.to('cpu')" in str(info.value)
    assert model[0].weight.dtype == np.float32  # nothing was cast before the error


def test_to_with_something_that_is_no_dtype_names_both_forms():
    with pytest.raises(TypeError, match=r"neither a device \('cpu'\) nor a NumPy dtype"):
        mc.zoo.lenet5().to(object())


def test_torch_devices_and_dtypes_are_understood():
    torch = pytest.importorskip("torch")
    model = mc.zoo.lenet5().to(torch.device("cpu"), torch.float64)
    assert model[0].weight.dtype == np.float64
    with pytest.raises(RuntimeError, match="runs on the CPU only"):
        model.to(torch.device("cuda"))
