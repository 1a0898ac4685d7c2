"""DataLoader (coverage, reshuffling, reproducibility, drop_last) and the batch transforms."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import minicnn as mc


def epoch(loader):
    return [(xb.copy(), yb.copy()) for xb, yb in loader]


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 50),
    batch_size=st.integers(1, 20),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
)
def test_every_sample_exactly_once_per_epoch(n, batch_size, shuffle, drop_last):
    assume(not (drop_last and batch_size > n))  # rejected with an error, tested below
    x = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    y = np.arange(n)
    loader = mc.data.DataLoader(x, y, batch_size, shuffle=shuffle, seed=0, drop_last=drop_last)
    batches = epoch(loader)
    assert len(batches) == len(loader)
    sizes = [len(yb) for _, yb in batches]
    full, rest = divmod(n, batch_size)
    assert sizes == [batch_size] * full + ([rest] if rest and not drop_last else [])
    seen = np.concatenate([yb for _, yb in batches]) if batches else np.array([], int)
    assert len(np.unique(seen)) == len(seen), "a sample came twice in one epoch"
    assert len(seen) == (full * batch_size if drop_last else n)
    for xb, yb in batches:  # x and y stay paired
        np.testing.assert_array_equal(xb[:, 0], 2 * yb)
    if not shuffle:
        np.testing.assert_array_equal(seen, np.arange(len(seen)))


def test_reshuffles_every_epoch_and_is_reproducible_from_seed():
    x, y = np.zeros((100, 1)), np.arange(100)
    loader = mc.data.DataLoader(x, y, 10, seed=42)
    first, second = epoch(loader), epoch(loader)
    order1 = np.concatenate([yb for _, yb in first])
    order2 = np.concatenate([yb for _, yb in second])
    assert not np.array_equal(order1, order2)
    assert not np.array_equal(order1, np.arange(100))
    again = mc.data.DataLoader(x, y, 10, seed=42)
    np.testing.assert_array_equal(np.concatenate([yb for _, yb in again]), order1)


def test_rng_state_restore_replays_the_epoch():
    """What resumable training relies on: save rng state, restore it, same batches."""
    x = np.random.default_rng(0).random((20, 1, 4, 4)).astype(np.float32)
    loader = mc.data.DataLoader(x, np.arange(20), 8, seed=1, transform=mc.data.RandomShift(1))
    epoch(loader)
    state = loader.rng.bit_generator.state
    expected = epoch(loader)
    loader.rng.bit_generator.state = state
    for (xa, ya), (xb, yb) in zip(expected, epoch(loader), strict=True):
        np.testing.assert_array_equal(ya, yb)
        np.testing.assert_array_equal(xa, xb)


def test_permutation_drawn_when_iter_is_called():
    loader = mc.data.DataLoader(np.zeros((10, 1)), np.arange(10), 3, seed=0)
    state = dict(loader.rng.bit_generator.state)
    it = iter(loader)
    assert loader.rng.bit_generator.state != state
    assert len(list(it)) == 4


def test_without_seed_follows_global_manual_seed():
    x, y = np.zeros((30, 1)), np.arange(30)
    mc.manual_seed(7)
    a = np.concatenate([yb for _, yb in mc.data.DataLoader(x, y, 7)])
    mc.manual_seed(7)
    b = np.concatenate([yb for _, yb in mc.data.DataLoader(x, y, 7)])
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((np.zeros((5, 2)), np.zeros(4), 2), {}, "x has 5 samples but y has 4"),
        (
            (np.zeros((5, 2)), np.zeros(5), 0),
            {},
            "batch_size must be an integer >= 1, got batch_size=0",
        ),
        (
            (np.zeros((5, 2)), np.zeros(5), 2.5),
            {},
            "batch_size must be an integer >= 1, got batch_size=2.5",
        ),
        ((np.zeros((5, 2)), np.zeros(5), 8), {"drop_last": True}, "no batch at all"),
        ((np.float32(1), np.zeros(5), 2), {}, "must be arrays with a sample axis"),
    ],
)
def test_loader_rejects_bad_arguments(args, kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        mc.data.DataLoader(*args, **kwargs)


def test_transform_applied_to_x_only_and_data_untouched():
    x = np.ones((6, 1, 2, 2), np.float32)
    loader = mc.data.DataLoader(x, np.arange(6), 4, transform=mc.data.Normalize(0.5, 0.25))
    for xb, _ in loader:
        np.testing.assert_allclose(xb, 2.0)
    np.testing.assert_array_equal(x, 1.0)


# --------------------------------------------------------------------------- transforms


def batch(n=4, c=3, h=5, w=6, seed=0):
    return np.random.default_rng(seed).random((n, c, h, w)).astype(np.float32)


def test_normalize_per_channel_numbers():
    xb = np.stack([np.full((2, 2), v, np.float32) for v in (1.0, 2.0, 3.0)])[None]
    out = mc.data.Normalize([1.0, 1.0, 0.0], [1.0, 0.5, 2.0])(xb)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[0, :, 0, 0], [0.0, 2.0, 1.5])
    x64 = batch(c=1).astype(np.float64)
    assert mc.data.Normalize(0.1307, 0.3081)(x64).dtype == np.float64
    with pytest.raises(ValueError, match="3 channel means for a batch with 1 channels"):
        mc.data.Normalize([0, 0, 0], [1, 1, 1])(batch(c=1))
    with pytest.raises(ValueError, match="std must be positive"):
        mc.data.Normalize(0.0, 0.0)


def test_horizontal_flip_flips():
    xb = batch()
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(mc.data.RandomHorizontalFlip(p=1.0)(xb, rng), xb[..., ::-1])
    np.testing.assert_array_equal(mc.data.RandomHorizontalFlip(p=0.0)(xb, rng), xb)
    big = batch(n=400)
    out = mc.data.RandomHorizontalFlip(p=0.5)(big, rng)
    flipped = np.all(out == big[..., ::-1], axis=(1, 2, 3))
    kept = np.all(out == big, axis=(1, 2, 3))
    assert np.all(flipped | kept) and 150 < flipped.sum() < 250


@settings(max_examples=30, deadline=None)
@given(h=st.integers(3, 9), w=st.integers(3, 9), padding=st.integers(0, 3), seed=st.integers(0, 99))
def test_random_crop_is_a_window_of_the_padded_image(h, w, padding, seed):
    xb = batch(n=5, c=2, h=h, w=w, seed=seed)
    size = (h - 1, w - 2) if w > 3 else (h, w)
    out = mc.data.RandomCrop(size, padding)(xb, np.random.default_rng(seed))
    assert out.shape == (5, 2) + size and out.dtype == np.float32
    padded = np.pad(xb, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    for n in range(5):  # each output is some window of its own padded image
        windows = np.lib.stride_tricks.sliding_window_view(padded[n], size, axis=(1, 2))
        assert any(
            np.array_equal(out[n], windows[:, i, j])
            for i in range(windows.shape[1])
            for j in range(windows.shape[2])
        )


def test_random_crop_with_padding_keeps_size_and_varies_offsets():
    xb = batch(n=64, c=3, h=8, w=8)
    out = mc.data.RandomCrop(8, padding=2)(xb, np.random.default_rng(0))
    assert out.shape == xb.shape
    unchanged = np.all(out == xb, axis=(1, 2, 3))
    assert unchanged.sum() < 16, "offsets must differ from image to image"
    with pytest.raises(ValueError, match="larger than the padded image"):
        mc.data.RandomCrop(12, padding=1)(xb, np.random.default_rng(0))


def test_random_shift_moves_content_by_at_most_max_shift():
    xb = np.zeros((50, 1, 9, 9), np.float32)
    xb[:, 0, 4, 4] = 1.0  # a single bright pixel in the centre
    out = mc.data.RandomShift(2)(xb, np.random.default_rng(0))
    assert out.shape == xb.shape and np.all(out.sum(axis=(1, 2, 3)) == 1.0)
    ys, xs = np.nonzero(out[:, 0])[1:]
    assert np.all(np.abs(ys - 4) <= 2) and np.all(np.abs(xs - 4) <= 2)
    assert len(set(zip(ys.tolist(), xs.tolist(), strict=True))) > 5


def test_compose_applies_in_order_with_one_rng():
    xb = batch(c=1)
    composed = mc.data.Compose([mc.data.RandomHorizontalFlip(1.0), mc.data.Normalize(0.5, 0.5)])
    np.testing.assert_allclose(composed(xb, np.random.default_rng(0)), (xb[..., ::-1] - 0.5) / 0.5)
    # Same seed, same random result: every random transform draws from the rng passed in.
    augment = mc.data.Compose([mc.data.RandomShift(1), mc.data.RandomHorizontalFlip()])
    np.testing.assert_array_equal(
        augment(xb, np.random.default_rng(3)), augment(xb, np.random.default_rng(3))
    )
    with pytest.raises(TypeError, match="must be callable"):
        mc.data.Compose([mc.data.Normalize(0, 1), "flip"])


def test_transforms_reject_non_batches_and_keep_input():
    xb = batch()
    before = xb.copy()
    for t in (
        mc.data.RandomCrop(4, 1),
        mc.data.RandomShift(1),
        mc.data.RandomHorizontalFlip(1.0),
        mc.data.Normalize(0.5, 2.0),
    ):
        t(xb, np.random.default_rng(0))
        with pytest.raises(ValueError, match=r"expected a batch of shape \(N, C, H, W\)"):
            t(xb[0], np.random.default_rng(0))
    np.testing.assert_array_equal(xb, before)


# -- PyTorch's habits: a Dataset, num_workers ----------------------------------------------


def test_dataset_form_gives_the_arrays_batches():
    dataset = mc.data.MNISTSample("test")
    x, y = dataset.arrays()
    loader = mc.data.DataLoader(dataset, batch_size=64, shuffle=False, drop_last=True)
    assert len(loader) == len(dataset) // 64
    xb, yb = next(iter(loader))
    np.testing.assert_array_equal(xb, x[:64])  # float32 (N, 1, 28, 28), as arrays() gives
    np.testing.assert_array_equal(yb, y[:64])
    assert len(mc.data.DataLoader(dataset, 100)) == -(-len(dataset) // 100)  # torch's order


class PairDataset:
    """A PyTorch-style map-style dataset: len() and dataset[i] -> (input, label)."""

    def __len__(self):
        return 5

    def __getitem__(self, i):
        return np.full((2, 3), float(i)), i * 10


def test_any_indexable_dataset_of_pairs_is_stacked():
    loader = mc.data.DataLoader(PairDataset(), batch_size=2, shuffle=False)
    batches = list(loader)
    assert [len(yb) for _, yb in batches] == [2, 2, 1]
    xb, yb = batches[1]
    assert xb.shape == (2, 2, 3)
    np.testing.assert_array_equal(yb, [20, 30])
    np.testing.assert_array_equal(xb[:, 0, 0], [2.0, 3.0])


@pytest.mark.parametrize(
    "args,kwargs,error,message",
    [
        ((np.zeros((4, 1)),), {"batch_size": 2}, TypeError, "no labels y"),
        ((PairDataset(), np.arange(5)), {}, TypeError, "a dataset holds its labels"),
        ((np.zeros((4, 1)), np.arange(4), 2), {"num_workers": 2}, ValueError, "num_workers=0"),
    ],
)
def test_dataset_form_errors_say_what_to_do(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        mc.data.DataLoader(*args, **kwargs)


def test_num_workers_0_is_accepted():
    loader = mc.data.DataLoader(np.zeros((4, 1)), np.arange(4), 2, num_workers=0)
    assert len(loader) == 2
