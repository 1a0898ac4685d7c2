"""State dicts with PyTorch's keys: a PyTorch twin of each zoo model exchanges weights
with the minicnn model both ways, and both compute the same outputs (1e-5, float32).

The twins are written here with torch.nn, module for module, so that their
``state_dict()`` keys are exactly minicnn's: ``0.weight``, ``1.0.0.body.1.running_mean``,
``...num_batches_tracked``."""

from __future__ import annotations

import numpy as np
import pytest

import minicnn as mc
from minicnn import weights

TOL = {"rtol": 1e-5, "atol": 1e-5}


def torch_lenet5(nn):
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, 10),
    )


def torch_cifar_resnet(torch, depth: int = 20, shortcut: str = "A"):
    """mc.zoo.cifar_resnet(depth, shortcut=...) in torch.nn, with the same module tree."""
    nn = torch.nn

    class Residual(nn.Module):  # mc.Residual: relu is outside, in the block
        def __init__(self, body, shortcut=None):
            super().__init__()
            self.body, self.shortcut = body, shortcut

        def forward(self, x):
            return self.body(x) + (x if self.shortcut is None else self.shortcut(x))

    class PadShortcut(nn.Module):  # option A: subsample, append zero channels
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.cin, self.cout, self.stride = cin, cout, stride

        def forward(self, x):
            sub = x[:, :, :: self.stride, :: self.stride]
            return nn.functional.pad(sub, (0, 0, 0, 0, 0, self.cout - self.cin))

    class GlobalAvgPool(nn.Module):
        def forward(self, x):
            return x.mean(dim=(2, 3))

    def conv_bn(cin, cout, k, stride=1):
        return [nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout)]

    def block(cin, cout, stride):
        body = nn.Sequential(*conv_bn(cin, cout, 3, stride), nn.ReLU(), *conv_bn(cout, cout, 3))
        short = None
        if stride != 1 or cin != cout:
            short = (
                PadShortcut(cin, cout, stride)
                if shortcut == "A"
                else nn.Sequential(*conv_bn(cin, cout, 1, stride))
            )
        return nn.Sequential(Residual(body, short), nn.ReLU())

    n = (depth - 2) // 6
    stages, channels = [], 16
    for i, width in enumerate((16, 32, 64)):
        blocks = [
            block(channels if j == 0 else width, width, 2 if i > 0 and j == 0 else 1)
            for j in range(n)
        ]
        stages.append(nn.Sequential(*blocks))
        channels = width
    return nn.Sequential(
        nn.Sequential(*conv_bn(3, 16, 3), nn.ReLU()),
        *stages,
        nn.Sequential(GlobalAvgPool(), nn.Linear(64, 10)),
    )


def to_torch(torch, state):
    return {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()}


def to_numpy(state):
    return {k: v.detach().numpy() for k, v in state.items()}


def outputs(torch, mc_model, torch_model, x):
    mc_model.eval()
    torch_model.eval()
    with torch.no_grad():
        expected = torch_model(torch.from_numpy(x)).numpy()
    return mc_model.forward(x), expected


def warm_up_batchnorm(model, x):
    """A few training-mode forwards so the running statistics are not the initial 0 and 1."""
    model.train()
    for i in range(3):
        model.forward(x * (1 + i))


# -- LeNet-5 --------------------------------------------------------------------------------------


def test_lenet5_state_dict_has_pytorchs_keys_and_layouts(torch):
    twin = torch_lenet5(torch.nn)
    ours = mc.zoo.lenet5().state_dict()
    assert list(ours) == list(twin.state_dict())
    for key, value in twin.state_dict().items():
        assert ours[key].shape == tuple(value.shape) and ours[key].dtype == np.float32, key


def test_lenet5_minicnn_to_torch(torch):
    mc.manual_seed(1)
    model = mc.zoo.lenet5()
    twin = torch_lenet5(torch.nn)
    twin.load_state_dict(to_torch(torch, model.state_dict()), strict=True)
    x = np.random.default_rng(0).random((8, 1, 28, 28), dtype=np.float32)
    ours, theirs = outputs(torch, model, twin, x)
    np.testing.assert_allclose(ours, theirs, **TOL)


def test_lenet5_torch_to_minicnn(torch):
    torch.manual_seed(2)
    twin = torch_lenet5(torch.nn)
    model = mc.zoo.lenet5()
    model.load_state_dict(to_numpy(twin.state_dict()))
    x = np.random.default_rng(1).random((8, 1, 28, 28), dtype=np.float32)
    ours, theirs = outputs(torch, model, twin, x)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, **TOL)


def test_the_pretrained_weights_load_into_pytorch(torch):
    """The shipped .npz is a state dict: PyTorch reads the same digits from it."""
    twin = torch_lenet5(torch.nn)
    with np.load(weights.LENET5_MNIST, allow_pickle=False) as archive:
        twin.load_state_dict(to_torch(torch, {k: archive[k] for k in archive.files}))
    x, _ = mc.data.MNISTSample("test").arrays()
    ours, theirs = outputs(torch, mc.zoo.lenet5(pretrained=True), twin, x[:200])
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)
    assert np.array_equal(ours.argmax(1), theirs.argmax(1))


# -- the CIFAR ResNet (BatchNorm, residuals, both shortcut options) -------------------------------


@pytest.mark.parametrize("shortcut", ["A", "B"])
def test_resnet20_state_dict_has_pytorchs_keys(torch, shortcut):
    twin = torch_cifar_resnet(torch, 20, shortcut)
    ours = mc.zoo.resnet20(shortcut=shortcut).state_dict()
    # The same keys in the same order: module by module, parameters then buffers.
    assert list(ours) == list(twin.state_dict())
    for key, value in twin.state_dict().items():
        assert ours[key].shape == tuple(value.shape), key
    assert ours["0.1.num_batches_tracked"].dtype == np.int64


@pytest.mark.parametrize("shortcut", ["A", "B"])
def test_resnet20_minicnn_to_torch(torch, shortcut):
    mc.manual_seed(3)
    model = mc.zoo.resnet20(shortcut=shortcut)
    x = np.random.default_rng(2).standard_normal((4, 3, 32, 32)).astype(np.float32)
    warm_up_batchnorm(model, x)
    state = model.state_dict()
    assert state["0.1.num_batches_tracked"] == 3 and not np.allclose(state["0.1.running_var"], 1)
    twin = torch_cifar_resnet(torch, 20, shortcut)
    twin.load_state_dict(to_torch(torch, state), strict=True)
    assert int(twin[0][1].num_batches_tracked) == 3
    ours, theirs = outputs(torch, model, twin, x)
    np.testing.assert_allclose(ours, theirs, **TOL)


@pytest.mark.parametrize("shortcut", ["A", "B"])
def test_resnet20_torch_to_minicnn(torch, shortcut):
    torch.manual_seed(4)
    twin = torch_cifar_resnet(torch, 20, shortcut)
    x = np.random.default_rng(3).standard_normal((4, 3, 32, 32)).astype(np.float32)
    twin.train()
    with torch.no_grad():
        for i in range(3):
            twin(torch.from_numpy(x * (1 + i)))
    model = mc.zoo.resnet20(shortcut=shortcut)
    model.load_state_dict(to_numpy(twin.state_dict()))
    assert model.state_dict()["0.1.num_batches_tracked"] == 3
    ours, theirs = outputs(torch, model, twin, x)
    np.testing.assert_allclose(ours, theirs, **TOL)
    # Training mode (batch statistics) agrees too, and so do the updated running stats.
    model.train()
    twin.train()
    with torch.no_grad():
        theirs = twin(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(model.forward(x), theirs, rtol=1e-4, atol=1e-4)
    after = to_numpy(twin.state_dict())
    for key, value in model.state_dict().items():
        np.testing.assert_allclose(value, after[key], rtol=1e-4, atol=1e-5, err_msg=key)


# -- errors name the problem ------------------------------------------------------------------------


def test_missing_and_unexpected_keys_are_named():
    model = mc.zoo.lenet5()
    state = model.state_dict()
    del state["11.bias"]
    state["12.weight"] = np.zeros((3, 3), np.float32)
    with pytest.raises(ValueError) as info:
        model.load_state_dict(state)
    message = str(info.value)
    assert "missing keys: 11.bias" in message and "unexpected keys: 12.weight" in message


def test_a_shape_mismatch_is_named_and_nothing_is_loaded():
    model = mc.zoo.lenet5()
    before = model.state_dict()
    state = mc.zoo.lenet5(num_classes=3).state_dict()
    with pytest.raises(
        ValueError, match=r"11.weight: shape \(3, 84\) in the state dict, \(10, 84\)"
    ):
        model.load_state_dict(state)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[key])  # all checked before any is copied


def test_strict_false_loads_what_fits(torch):
    """A backbone from a twin without its classifier, the new head left as it was."""
    twin = torch_lenet5(torch.nn)
    state = {k: v for k, v in to_numpy(twin.state_dict()).items() if not k.startswith("11.")}
    model = mc.zoo.lenet5()
    head = model.state_dict()["11.weight"]
    with pytest.raises(ValueError, match="missing keys: 11.weight, 11.bias"):
        model.load_state_dict(state)
    model.load_state_dict(state, strict=False)
    np.testing.assert_array_equal(model.state_dict()["0.weight"], state["0.weight"])
    np.testing.assert_array_equal(model.state_dict()["11.weight"], head)


def test_state_dict_values_are_copies():
    model = mc.zoo.lenet5()
    state = model.state_dict()
    state["0.weight"][...] = 0
    assert np.abs(model.state_dict()["0.weight"]).sum() > 0
