"""Hostile files and numbers: tampered checkpoints, huge hyperparameters, stray labels,
compressed bombs.

Each test reproduces what an adversarial run found on the previous main: checkpoints
whose keys, JSON or values were tampered with loaded silently or failed with a raw
Python error, hyperparameters beyond a float raised OverflowError, one stray label
asked a confusion matrix for terabytes, and a small .gz expanded to a gigabyte.
"""

from __future__ import annotations

import gzip
import tracemalloc

import numpy as np
import pytest
from test_hardening import assert_same, everything, stepped, tamper

import minicnn as mc
from minicnn.data.idx import encode_idx

# -- checkpoints ----------------------------------------------------------------------------


def saved_checkpoint(tmp_path):
    model, opt, _ = stepped(seed=1)
    return mc.save(tmp_path / "c.npz", model, opt)


def refused(path, *words, **load_options):
    """Load into a fresh model and optimizer: a CheckpointError naming ``words``, and
    nothing changed (the model, the optimizer, the global generator)."""
    model, opt, _ = stepped(seed=2)
    before = everything(model, opt, None)
    with pytest.raises(mc.CheckpointError) as err:
        mc.load(path, model, opt, **load_options)
    assert all(w in str(err.value) for w in words), str(err.value)
    assert_same(before, everything(model, opt, None))


def renamed(path, old: str, new: str) -> None:
    with np.load(path) as npz:
        arrays = {(new if k == old else k): npz[k] for k in npz.files}
    np.savez(path, **arrays)


@pytest.mark.parametrize("digit", ["²", "١", "１"])
def test_optimizer_keys_take_only_ascii_digits(tmp_path, digit):
    """'²' raised a raw ValueError from int(); '١' (Arabic-Indic one) loaded as index 1."""
    path = saved_checkpoint(tmp_path)
    renamed(path, "optim/1.momentum_buffer", f"optim/{digit}.momentum_buffer")
    refused(path, f"{digit}.momentum_buffer", "does not belong")


@pytest.mark.parametrize("member", ["__meta__", "__rng__"])
def test_json_nested_200000_deep_is_a_clear_error(tmp_path, member):
    """Before: a raw RecursionError."""
    path = saved_checkpoint(tmp_path)
    tamper(path, **{member: "[" * 200_000 + "]" * 200_000})
    with pytest.raises(mc.CheckpointError, match=f"{member} is nested more than 32 levels"):
        mc.load(path, stepped(seed=2)[0])


def test_json_nested_deeper_than_the_limit_but_parsable_is_refused(tmp_path):
    path = saved_checkpoint(tmp_path)
    tamper(path, __meta__='{"a": ' + "[" * 100 + "]" * 100 + "}")
    with pytest.raises(mc.CheckpointError, match="nested more than 32 levels"):
        mc.load(path, stepped(seed=2)[0])


NONFINITE = {
    "nan_weight": ({"param/1.weight": np.full((3, 4), np.nan, np.float32)}, "1.weight"),
    "1e300_weight": ({"param/1.bias": np.full(3, 1e300)}, "1.bias"),  # inf in float32
    "nan_momentum": ({"optim/0.momentum_buffer": np.full((3, 4), np.nan, np.float32)}, "0.mom"),
    "1e300_lr": ({"optim/lr": 1e300}, "'lr'"),
}


@pytest.mark.parametrize("change, name", NONFINITE.values(), ids=list(NONFINITE))
def test_nonfinite_values_are_refused_unless_allowed(tmp_path, change, name):
    """Before: all four loaded silently, and every prediction became NaN."""
    path = saved_checkpoint(tmp_path)
    tamper(path, **change)
    refused(path, name, "NaN or infinite", "allow_nonfinite=True")
    model, opt, _ = stepped(seed=2)
    mc.load(path, model, opt, allow_nonfinite=True)  # to inspect a diverged run
    with np.errstate(over="ignore"):
        values = [p.data for p in model.parameters()] + [np.float32(opt.lr)]
    values += [v for s in opt.state for v in s.values()]
    assert not all(np.isfinite(v).all() for v in values)


def test_a_removed_momentum_buffer_is_missed_like_any_member(tmp_path):
    """Before: the parameter silently restarted its momentum from zero."""
    path = saved_checkpoint(tmp_path)
    tamper(path, **{"optim/1.momentum_buffer": None})
    refused(path, "state missing from the file: 1.momentum_buffer")


def test_a_good_checkpoint_still_loads_with_every_buffer(tmp_path):
    path = saved_checkpoint(tmp_path)
    model, opt, _ = stepped(seed=2)
    mc.load(path, model, opt)
    saved_model, saved_opt, _ = stepped(seed=1)
    for a, b in zip(model.parameters(), saved_model.parameters(), strict=True):
        np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(
        opt.state[1]["momentum_buffer"], saved_opt.state[1]["momentum_buffer"]
    )


# -- hyperparameters beyond a float ---------------------------------------------------------

HUGE = 10**400  # float(HUGE) raises OverflowError


@pytest.mark.parametrize(
    "make",
    [
        lambda p: mc.SGD(p, lr=HUGE),
        lambda p: mc.Adam(p, lr=HUGE),
        lambda p: mc.AdamW(p, weight_decay=HUGE),
        lambda p: mc.RMSprop(p, eps=HUGE),
        lambda p: mc.StepLR(mc.SGD(p, lr=0.1), 2, gamma=HUGE),
        lambda p: mc.Dropout(HUGE),
        lambda p: mc.BatchNorm2D(3, eps=HUGE),
        lambda p: mc.LocalResponseNorm(alpha=HUGE),
        lambda p: mc.ReduceLROnPlateau(mc.SGD(p, lr=0.1), cooldown=HUGE),
        lambda p: mc.MulticlassSVM(margin=1e300),  # no float32 score holds it
    ],
)
def test_numbers_beyond_a_float_get_the_usual_message(make):
    """Before: a raw OverflowError ('int too large to convert to float')."""
    params = mc.Linear(2, 2, seed=0).parameters()
    with pytest.raises(ValueError, match="must be"):
        make(params)


@pytest.mark.parametrize("y_pred", [np.array([1, 10**6]), np.array([1, 2**63], np.uint64)])
def test_a_stray_label_does_not_ask_for_terabytes(y_pred):
    """One label of 10**6 asked for a 10**6 x 10**6 matrix (7.28 TiB); 2**63 as uint64
    raised a raw OverflowError."""
    with pytest.raises(ValueError, match="classes would need a"):
        mc.confusion_matrix(np.array([0, 1]), y_pred)


def test_a_confusion_matrix_of_many_classes_still_works():
    counts = mc.confusion_matrix(np.array([0, 9999]), np.array([9999, 9999]))
    assert counts.shape == (10000, 10000) and counts[9999, 9999] == 1


# -- read_idx is bounded by default ---------------------------------------------------------


def test_read_idx_refuses_a_gigabyte_by_default_and_names_the_option(tmp_path):
    """A .gz of a few kB whose header announces 1.1 GB (and whose data would inflate to
    it): before, read_idx (max_bytes=None) expanded all of it."""
    header = (
        encode_idx(np.zeros((1, 1, 1), np.uint8))[:4]
        + np.array([1100, 1000, 1000], ">u4").tobytes()
    )
    path = tmp_path / "bomb-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(header + bytes(2**20)))
    tracemalloc.start()
    with pytest.raises(mc.data.DatasetError, match="max_bytes"):
        mc.data.read_idx(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 2**20, peak


def test_read_idx_reads_within_the_bound_and_beyond_it_when_told(tmp_path):
    path = tmp_path / "x-idx1-ubyte"
    path.write_bytes(encode_idx(np.arange(100, dtype=np.uint8)))
    np.testing.assert_array_equal(mc.data.read_idx(path), np.arange(100))
    with pytest.raises(mc.data.DatasetError, match="max_bytes"):
        mc.data.read_idx(path, max_bytes=50)
    assert mc.data.read_idx(path, max_bytes=None).shape == (100,)
