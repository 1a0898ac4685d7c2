"""mc.to_torch / mc.from_torch: the same function on both sides, in float64, for the
zoo's networks and every layer the bridge knows; clear errors for the rest."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import minicnn as mc
from minicnn import zoo

TOL = {"rtol": 0, "atol": 1e-12}


def randomise_buffers_and_affine(model, seed: int = 0) -> None:
    """BatchNorm's γ = 1, β = 0, μ = 0, σ² = 1 at initialisation would hide a mistake."""
    rng = np.random.default_rng(seed)
    for layer in model.modules():
        if isinstance(layer, (mc.BatchNorm1D, mc.BatchNorm2D)):
            c = layer.num_features
            layer.weight.data[...] = rng.uniform(0.5, 1.5, c)
            layer.bias.data[...] = 0.1 * rng.standard_normal(c)
            layer.running_mean[...] = 0.1 * rng.standard_normal(c)
            layer.running_var[...] = rng.uniform(0.5, 2.0, c)


def tiny_two_tower_alexnet(num_classes: int = 5) -> mc.Sequential:
    """alexnet(groups=2)'s layer pattern at a size that runs in milliseconds: conv2,
    conv4 and conv5 are grouped (two towers), LRN after the first two convolutions."""
    return mc.Sequential(
        mc.Conv2D(3, 8, 5, stride=2),
        mc.ReLU(),
        zoo.paper_lrn(),
        mc.MaxPool2D(3, 2),
        mc.Conv2D(8, 16, 3, padding=1, groups=2),
        mc.ReLU(),
        zoo.paper_lrn(),
        mc.MaxPool2D(3, 2),
        mc.Conv2D(16, 24, 3, padding=1),
        mc.ReLU(),
        mc.Conv2D(24, 24, 3, padding=1, groups=2),
        mc.ReLU(),
        mc.Conv2D(24, 16, 3, padding=1, groups=2),
        mc.ReLU(),
        mc.Flatten(),
        mc.Dropout(0.5),
        mc.Linear(16 * 3 * 3, 32),
        mc.ReLU(),
        mc.Linear(32, num_classes),
    )


def everything_else() -> mc.Sequential:
    """The layers the zoo models above do not use."""
    return mc.Sequential(
        mc.Concat(
            mc.Identity(),
            mc.Sequential(mc.Conv2D(3, 4, 3, padding=2, dilation=2, bias=False), mc.Tanh()),
            mc.Sequential(mc.AvgPool2D(3, 1, 1), mc.Conv2D(3, 2, 1)),
        ),
        mc.LeakyReLU(0.1),
        mc.ConvTranspose2D(9, 4, 3, stride=2, padding=1, output_padding=1),
        mc.Upsample(2, mode="bilinear"),
        mc.MaxPool2D(2),
        mc.Sigmoid(),
        mc.Upsample((1, 2)),
        mc.Residual(
            mc.Sequential(mc.Conv2D(4, 6, 3, stride=2, padding=1), mc.BatchNorm2D(6)),
            mc.PadShortcut(4, 6, 2),
        ),
        mc.GlobalAvgPool2D(),
        mc.BatchNorm1D(6),
        mc.Linear(6, 3, bias=False),
    )


MODELS = {
    "lenet5": (lambda: zoo.lenet5(), (4, 1, 28, 28)),
    "resnet20": (lambda: zoo.cifar_resnet(20), (2, 3, 32, 32)),
    "resnet8-B": (lambda: zoo.cifar_resnet(8, shortcut="B"), (2, 3, 16, 16)),
    "alexnet-two-towers": (tiny_two_tower_alexnet, (2, 3, 35, 35)),
    "everything-else": (everything_else, (2, 3, 6, 6)),
}


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("training", [False, True], ids=["eval", "train"])
def test_to_torch_computes_the_same_function(torch, name, training):
    make, shape = MODELS[name]
    mc.manual_seed(0)
    model = make().to(np.float64)
    randomise_buffers_and_affine(model)
    model.train(training)
    if training:  # dropout draws differ between the two libraries: compare without it
        for layer in model.modules():
            if isinstance(layer, mc.Dropout):
                layer.p = 0.0
    module = mc.to_torch(model)
    assert module.training is training
    assert all(p.dtype == torch.float64 for p in module.parameters())
    x = np.random.default_rng(1).standard_normal(shape)
    ours = model.forward(x)
    theirs = module(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(ours, theirs, **TOL)
    if training:  # BatchNorm updated its running statistics alike on both sides
        for key, value in module.state_dict().items():
            np.testing.assert_allclose(model.state_dict()[key], value.numpy(), **TOL)


@pytest.mark.parametrize("name", MODELS)
def test_from_torch_brings_back_the_same_model(torch, name):
    make, shape = MODELS[name]
    mc.manual_seed(0)
    model = make().to(np.float64).eval()
    randomise_buffers_and_affine(model)
    back = mc.from_torch(mc.to_torch(model))
    assert repr(back) == repr(model)
    assert back.training is False
    state, again = model.state_dict(), back.state_dict()
    assert state.keys() == again.keys()
    for key in state:
        assert again[key].dtype == state[key].dtype, key
        np.testing.assert_array_equal(again[key], state[key])
    x = np.random.default_rng(1).standard_normal(shape)
    np.testing.assert_allclose(back.forward(x), model.forward(x), **TOL)


def test_from_torch_reads_a_plain_pytorch_lenet(torch):
    nn = torch.nn
    torch.manual_seed(0)
    module = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )  # fmt: skip
    model = mc.from_torch(module)
    assert model.state_dict().keys() == zoo.lenet5().state_dict().keys()
    assert next(iter(model.parameters())).dtype == np.float32
    x = np.random.default_rng(0).random((3, 1, 28, 28), dtype=np.float32)
    expected = module(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(model.forward(x), expected, rtol=1e-5, atol=1e-5)


class Doubler(mc.Layer):
    def forward(self, x):
        return 2 * x


def test_unsupported_layers_are_named(torch):
    with pytest.raises(TypeError, match=r"no PyTorch counterpart for Doubler.*supported: "):
        mc.to_torch(mc.Sequential(mc.ReLU(), Doubler()))
    with pytest.raises(TypeError, match=r"GRU .*has no minicnn layer"):
        mc.from_torch(torch.nn.Sequential(torch.nn.GRU(3, 3)))
    with pytest.raises(TypeError, match=r"padding='same'"):
        mc.from_torch(torch.nn.Conv2d(1, 1, 3, padding="same"))
    with pytest.raises(TypeError, match="ceil_mode"):
        mc.from_torch(torch.nn.MaxPool2d(2, ceil_mode=True))
    with pytest.raises(TypeError, match="expected a torch.nn.Module"):
        mc.from_torch(zoo.lenet5())


def test_without_torch_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match="pip install torch"):
        mc.to_torch(zoo.lenet5())
