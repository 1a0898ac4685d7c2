"""Checkpoints: round trip, mismatch and corruption errors, atomic writes, bit-exact resume."""

from __future__ import annotations

import json
import os
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minicnn as mc
from minicnn import checkpoint as mcio


def small_model(seed: int = 0) -> mc.Sequential:
    """Conv -> ReLU -> Dropout -> Linear: weights plus a layer with its own generator."""
    return mc.Sequential(
        mc.Conv2D(1, 3, 3, seed=seed),
        mc.ReLU(),
        mc.Flatten(),
        mc.Dropout(0.3, seed=seed + 1),
        mc.Linear(3 * 4 * 4, 3, seed=seed + 2),
    )


def data(n: int = 40):
    rng = np.random.default_rng(5)
    x = rng.random((n, 1, 6, 6), dtype=np.float32)
    y = (x[:, 0, :3].sum(axis=(1, 2)) > x[:, 0, 3:].sum(axis=(1, 2))).astype(np.int64)
    y[::3] = 2
    return x, y


def trained(seed: int = 0, epochs: int = 1):
    x, y = data()
    model = small_model(seed)
    opt = mc.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loader = mc.data.DataLoader(x, y, batch_size=8, seed=seed, transform=mc.data.RandomShift(1))
    history = mc.fit(model, mc.SoftmaxCrossEntropy(), opt, loader, epochs=epochs, verbose=0)
    return model, opt, loader, history


def params(model):
    return {name: p.data.copy() for name, p in model.named_parameters()}


def test_round_trip_restores_weights_optimizer_and_meta(tmp_path):
    model, opt, loader, history = trained()
    path = mcio.save(
        tmp_path / "sub" / "ckpt.npz",
        model,
        opt,
        loader=loader,
        epoch=1,
        history=history,
        note="hello",
        scores=np.arange(3),
    )
    assert path == tmp_path / "sub" / "ckpt.npz"
    fresh = small_model(seed=9)
    fresh_opt = mc.SGD(fresh.parameters(), lr=0.5, momentum=0.9)
    meta = mc.load(path, fresh, fresh_opt)
    assert meta == {"epoch": 1, "history": history.to_dict(), "note": "hello", "scores": [0, 1, 2]}
    for name, value in params(model).items():
        np.testing.assert_array_equal(dict(fresh.named_parameters())[name].data, value)
        assert dict(fresh.named_parameters())[name].dtype == np.float32
    assert fresh_opt.lr == 0.05 and fresh_opt.steps == opt.steps
    for a, b in zip(opt.state, fresh_opt.state, strict=True):
        np.testing.assert_array_equal(a["momentum_buffer"], b["momentum_buffer"])


@given(
    sizes=st.lists(st.integers(1, 6), min_size=2, max_size=4),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**32 - 1),
)
def test_round_trip_is_exact_for_any_mlp(tmp_path_factory, sizes, dtype, seed):
    def mlp(s):
        return mc.Sequential(
            *[mc.Linear(a, b, seed=s + i, dtype=dtype) for i, (a, b) in enumerate(pairwise(sizes))]
        )

    model = mlp(seed)
    path = mc.save(tmp_path_factory.mktemp("rt") / "m.npz", model)
    fresh = mlp(seed + 1)
    mc.load(path, fresh)
    for (name, a), (_, b) in zip(model.named_parameters(), fresh.named_parameters(), strict=True):
        assert b.dtype == dtype and np.array_equal(a.data, b.data), name


def test_the_file_is_plain_arrays_and_json_never_pickles(tmp_path):
    model, opt, loader, _ = trained()
    path = mc.save(tmp_path / "c.npz", model, opt, loader=loader, epoch=1)
    with np.load(path, allow_pickle=False) as npz:
        assert all(npz[k].dtype != object for k in npz.files)
        assert "param/0.weight" in npz.files and "optim/0.momentum_buffer" in npz.files
        rng = json.loads(str(npz["__rng__"]))
    assert set(rng) == {"global", "layers", "loader"} and set(rng["layers"]) == {"3.rng"}


def test_restores_generators_in_place(tmp_path):
    model, opt, loader, _ = trained()
    mc.manual_seed(3)
    path = mc.save(tmp_path / "c.npz", model, opt, loader=loader)
    expected = (mc.init.get_rng().random(), model[3].rng.random(), loader.rng.random())
    mc.manual_seed(4)  # move everything elsewhere
    glob = mc.init.get_rng()
    fresh = small_model(seed=1)
    fresh_loader = mc.data.DataLoader(*data(), batch_size=8, seed=7)
    mc.load(path, fresh, loader=fresh_loader)
    assert mc.init.get_rng() is glob  # same object, new state
    assert (glob.random(), fresh[3].rng.random(), fresh_loader.rng.random()) == expected


def test_float64_model_loads_float32_weights(tmp_path):
    model, *_ = trained()
    path = mc.save(tmp_path / "c.npz", model)
    wide = small_model().to(np.float64)
    mc.load(path, wide)
    assert wide[0].weight.dtype == np.float64
    np.testing.assert_array_equal(wide[0].weight.data, model[0].weight.data)


@pytest.mark.parametrize(
    "other, words",
    [
        (
            lambda: mc.Sequential(
                mc.Conv2D(1, 3, 3), mc.ReLU(), mc.Flatten(), mc.Dropout(0.3), mc.Linear(48, 4)
            ),
            ["4.weight: shape (3, 48) in the file, (4, 48) in the model"],
        ),
        (
            lambda: mc.Sequential(
                mc.Conv2D(1, 3, 3, bias=False),
                mc.ReLU(),
                mc.Flatten(),
                mc.Dropout(0.3),
                mc.Linear(48, 3),
            ),
            ["in the file but not in the model: 0.bias"],
        ),
        (
            lambda: mc.Sequential(
                mc.Conv2D(1, 3, 3),
                mc.ReLU(),
                mc.Flatten(),
                mc.Dropout(0.3),
                mc.Linear(48, 3),
                mc.Linear(3, 3),
            ),
            ["missing from the file: 5.weight, 5.bias"],
        ),
    ],
)
def test_mismatches_are_listed_and_leave_the_model_untouched(tmp_path, other, words):
    model, *_ = trained()
    path = mc.save(tmp_path / "c.npz", model)
    target = other()
    before = params(target)
    with pytest.raises(mc.CheckpointError) as err:
        mc.load(path, target)
    for w in words:
        assert w in str(err.value)
    assert "c.npz" in str(err.value)
    for name, value in before.items():
        np.testing.assert_array_equal(dict(target.named_parameters())[name].data, value)


def test_optimizer_and_generator_mismatches(tmp_path):
    model, opt, _, _ = trained()
    path = mc.save(tmp_path / "c.npz", model)  # no optimizer, no loader
    with pytest.raises(mc.CheckpointError, match="no optimizer state"):
        mc.load(path, small_model(), mc.SGD(small_model().parameters(), lr=0.1))
    with pytest.raises(mc.CheckpointError, match="no loader state"):
        mc.load(path, small_model(), loader=mc.data.DataLoader(*data(), batch_size=4))
    no_dropout = mc.Sequential(
        mc.Conv2D(1, 3, 3), mc.ReLU(), mc.Flatten(), mc.ReLU(), mc.Linear(48, 3)
    )
    with pytest.raises(mc.CheckpointError, match="random generator 3.rng: in the file"):
        mc.load(path, no_dropout, restore_rng=True)
    mc.load(path, no_dropout)  # weights only (the default without optimizer/loader): fine


def test_meta_must_be_json_able_and_nothing_is_written_otherwise(tmp_path):
    model, *_ = trained()
    with pytest.raises(TypeError, match="JSON-able"):
        mc.save(tmp_path / "c.npz", model, thing=object())
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "other_npz"])
def test_corrupt_files_name_the_file(tmp_path, damage):
    model, *_ = trained()
    path = mc.save(tmp_path / "c.npz", model)
    raw = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "garbage":
        path.write_bytes(raw[:200] + b"\x00" * 300 + raw[500:])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        np.savez(path, weights=np.ones(3))
    with pytest.raises(mc.CheckpointError) as err:
        mc.load(path, small_model())
    assert str(path) in str(err.value)


def test_missing_file_is_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        mc.load(tmp_path / "nope.npz", small_model())


@pytest.mark.parametrize("fail", ["savez", "replace", "fsync"])
def test_a_failed_save_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch, fail):
    model, opt, _, _ = trained()
    path = mc.save(tmp_path / "c.npz", model, opt, epoch=1)
    old = path.read_bytes()
    for p in model.parameters():
        p.data += 1  # a different checkpoint would be written

    def boom(*args, **kwargs):
        raise OSError("disk full")

    if fail == "savez":
        # Fail *mid-write*: some bytes already written, then the error.
        real = np.savez

        def half(f, **arrays):
            real(f, **dict(list(arrays.items())[:1]))
            raise OSError("disk full")

        monkeypatch.setattr(np, "savez", half)
    else:
        monkeypatch.setattr(os, fail, boom)
    with pytest.raises(OSError, match="disk full"):
        mc.save(path, model, opt, epoch=2)
    assert path.read_bytes() == old
    assert [p.name for p in tmp_path.iterdir()] == ["c.npz"]


def test_resume_is_bit_for_bit_the_uninterrupted_run(tmp_path):
    """N+M epochs straight == N epochs, save, fresh objects, load, M more epochs."""
    N, M = 2, 2
    x, y = data()

    def build(seed):
        mc.manual_seed(seed)
        model = mc.Sequential(
            mc.Conv2D(1, 3, 3), mc.ReLU(), mc.Flatten(), mc.Dropout(0.3), mc.Linear(48, 3)
        )  # Dropout draws from the global generator
        opt = mc.SGD(model.parameters(), lr=0.05, momentum=0.9)
        loader = mc.data.DataLoader(x, y, batch_size=8, seed=seed, transform=mc.data.RandomShift(1))
        return model, opt, loader

    loss = mc.SoftmaxCrossEntropy()
    straight_model, opt, loader = build(0)
    straight = mc.fit(straight_model, loss, opt, loader, epochs=N + M, verbose=0)

    model, opt, loader = build(0)
    path = tmp_path / "resume.npz"
    first = mc.fit(
        model,
        loss,
        opt,
        loader,
        epochs=N,
        verbose=0,
        callbacks=[mc.Checkpoint(path, model, opt, loader=loader)],
    )
    assert first.train_loss == straight.train_loss[:N]
    del model, opt, loader  # the "crash"

    model, opt, loader = build(123)  # deliberately different seeds: load must fix all
    meta = mc.load(path, model, opt, loader=loader)
    assert meta["epoch"] == N
    resumed = mc.fit(
        model, loss, opt, loader, epochs=M, verbose=0, history=mc.History.from_dict(meta["history"])
    )
    for (name, a), (_, b) in zip(
        straight_model.named_parameters(), model.named_parameters(), strict=True
    ):
        assert np.array_equal(a.data, b.data), name
    assert resumed.train_loss == straight.train_loss
    assert resumed.train_acc == straight.train_acc


def test_batchnorm_running_statistics_survive_a_checkpoint(tmp_path):
    """Buffers are not parameters, but eval-mode output depends on them."""

    def net():
        return mc.Sequential(mc.Conv2D(1, 2, 3, seed=0), mc.BatchNorm2D(2), mc.Flatten())

    model = net()
    x = np.random.default_rng(0).normal(3.0, 2.0, (8, 1, 5, 5)).astype(np.float32)
    model(x)  # training mode: updates running_mean / running_var
    path = mc.save(tmp_path / "bn.npz", model)
    fresh = net()
    mc.load(path, fresh)
    np.testing.assert_array_equal(fresh[1].running_mean, model[1].running_mean)
    np.testing.assert_array_equal(fresh[1].running_var, model[1].running_var)
    np.testing.assert_array_equal(fresh.eval()(x), model.eval()(x))


def test_a_checkpoint_without_buffers_does_not_fit_a_batchnorm_model(tmp_path):
    path = mc.save(tmp_path / "plain.npz", mc.Sequential(mc.Conv2D(1, 2, 3, seed=0)))
    with pytest.raises(mc.CheckpointError, match="missing from the file: buffer 1.running_mean"):
        mc.load(path, mc.Sequential(mc.Conv2D(1, 2, 3, seed=0), mc.BatchNorm2D(2)))
