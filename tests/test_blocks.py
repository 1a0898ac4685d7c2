"""The Inception and U-Net blocks by hand: Upsample, Identity, Concat (Inception, U-Net skip),
MSELoss, BCEWithLogitsLoss, PixelCrossEntropy; their shapes, summaries and errors."""

from __future__ import annotations

import numpy as np
import pytest

import minicnn as mc


def test_upsample_nearest_copies_blocks_and_backward_sums_them():
    x = np.arange(4.0).reshape(1, 1, 2, 2)
    up = mc.Upsample(2)
    y = up(x)
    assert y[0, 0].tolist() == [[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 3, 3], [2, 2, 3, 3]]
    assert up.backward(np.ones_like(y))[0, 0].tolist() == [[4, 4], [4, 4]]


def test_upsample_bilinear_by_hand():
    # align_corners=False: output i sits at u = (i + 1/2)/2 − 1/2 = −1/4, 1/4, 3/4, 5/4
    # → 0 (clamped), 0.75·x0 + 0.25·x1, 0.25·x0 + 0.75·x1, x1 (clamped at the edge).
    x = np.array([0.0, 4.0]).reshape(1, 1, 1, 2)
    y = mc.Upsample((1, 2), mode="bilinear")(x)
    assert y[0, 0, 0].tolist() == [0.0, 1.0, 3.0, 4.0]


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        (dict(scale_factor=0), ValueError, ["positive integer", "pooling"]),
        (dict(scale_factor=1.5), TypeError, ["int or a pair"]),
        (dict(mode="bicubic"), ValueError, ["nearest", "bilinear"]),
    ],
)
def test_upsample_bad_arguments(kwargs, error, words):
    with pytest.raises(error) as info:
        mc.Upsample(**kwargs)
    for word in words:
        assert word in str(info.value)


def test_concat_stacks_channels_and_adds_gradients():
    block = mc.Concat(mc.Identity(), mc.Identity())
    x = np.arange(6.0).reshape(1, 2, 1, 3)
    y = block(x)
    assert y.shape == (1, 4, 1, 3)
    np.testing.assert_array_equal(y[:, 2:], x)
    dy = np.arange(12.0).reshape(1, 4, 1, 3)
    np.testing.assert_array_equal(block.backward(dy), dy[:, :2] + dy[:, 2:])
    assert np.shares_memory(y, x) is False


def test_concat_mismatched_sizes_names_the_branches():
    block = mc.Concat(mc.Conv2D(1, 2, 3), mc.Conv2D(1, 2, 3, padding=1))
    with pytest.raises(ValueError) as info:
        block.output_shape((1, 1, 8, 8))
    message = str(info.value)
    assert "branch 0: (1, 2, 6, 6)" in message and "branch 1: (1, 2, 8, 8)" in message
    assert "same N, H, W" in message
    with pytest.raises(ValueError, match="branch 1 has shape"):
        block(np.zeros((1, 1, 8, 8), dtype=np.float32))
    with pytest.raises(TypeError, match="branch 0 is a type"):
        mc.Concat(mc.ReLU)
    with pytest.raises(ValueError, match="at least one branch"):
        mc.Concat()


def inception_3a() -> mc.Concat:
    """GoogLeNet's inception (3a) on 192×28×28 (branch widths 64, 96→128, 16→32, 32)."""
    return mc.Concat(
        mc.Conv2D(192, 64, 1),
        mc.Sequential(mc.Conv2D(192, 96, 1), mc.ReLU(), mc.Conv2D(96, 128, 3, padding=1)),
        mc.Sequential(mc.Conv2D(192, 16, 1), mc.ReLU(), mc.Conv2D(16, 32, 5, padding=2)),
        mc.Sequential(mc.MaxPool2D(3, 1, 1), mc.Conv2D(192, 32, 1)),
    )


def test_inception_summary_rows_and_counts():
    model = mc.Sequential(inception_3a())
    s = model.summary((192, 28, 28), print_table=False)
    names = [r.name for r in s.rows]
    assert names[0] == "0.0 Conv2D" and "0.1.2 Conv2D" in names
    assert names[-1] == "0 concat (Concat)"
    assert s.rows[-1].output_shape == (256, 28, 28)  # 64 + 128 + 32 + 32
    weights = 192 * 64 + 192 * 96 + 96 * 128 * 9 + 192 * 16 + 16 * 32 * 25 + 192 * 32
    biases = 64 + 96 + 128 + 16 + 32 + 32
    assert s.total_params == weights + biases == 163_696
    assert s.total_macs == weights * 28 * 28
    assert s.rows[-1].receptive_field == (5, 5)  # the widest branch, the 5×5


def unet_block() -> mc.Sequential:
    """One U-Net level: the input is kept by the skip and concatenated with the result
    of going down (stride-2 conv) and back up (Upsample)."""
    return mc.Sequential(
        mc.Concat(
            mc.Identity(),
            mc.Sequential(
                mc.Conv2D(4, 8, 3, stride=2, padding=1),
                mc.ReLU(),
                mc.Upsample(2),
                mc.Conv2D(8, 4, 3, padding=1),
            ),
        ),
        mc.Conv2D(8, 2, 1),
    )


def test_unet_skip_summary_and_receptive_field():
    model = unet_block()
    s = model.summary((4, 16, 16), print_table=False)
    rows = {r.name: r for r in s.rows}
    assert rows["0.0 Identity"].output_shape == (4, 16, 16)
    assert rows["0.1.0 Conv2D"].output_shape == (8, 8, 8)
    assert rows["0.1.2 Upsample"].output_shape == (8, 16, 16)
    assert rows["0 concat (Concat)"].output_shape == (8, 16, 16)
    # conv 3×3/2: r 3, j 2; upsample: j 1; conv 3×3: 3 + 2·1 = 5
    assert rows["0.1.3 Conv2D"].receptive_field == (5, 5)
    assert "0 concat (Concat)" in str(s)
    y = model(np.zeros((2, 4, 16, 16), dtype=np.float32))
    assert y.shape == (2, 2, 16, 16)
    assert model.backward(np.ones_like(y)).shape == (2, 4, 16, 16)


def test_upsample_jump_is_a_fraction_shown_rounded_up():
    model = mc.Sequential(mc.Upsample(2), mc.Conv2D(1, 1, 3), mc.Upsample(2, mode="bilinear"))
    rows = model.summary((1, 8, 8), print_table=False).rows
    # nearest: r 1, j 1/2; conv 3: 1 + 2·½ = 2; bilinear: 2 + ½ = 5/2, shown as 3
    assert [r.receptive_field[0] for r in rows] == [1, 2, 2.5]
    last_row = str(model.summary((1, 8, 8), print_table=False)).splitlines()[-4]
    assert last_row.startswith("2 Upsample") and last_row.endswith(" 3")


# -- losses ------------------------------------------------------------------------------


def test_mse_by_hand():
    crit = mc.MSELoss()
    x, t = np.array([[1.0, 2.0], [3.0, 5.0]]), np.array([[1.0, 0.0], [0.0, 5.0]])
    assert crit(x, t) == pytest.approx((0 + 4 + 9 + 0) / 4)
    np.testing.assert_allclose(crit.backward(), 2 * (x - t) / 4)
    assert mc.MSELoss(reduction="none")(x, t).tolist() == [[0, 4], [9, 0]]


def test_bce_with_logits_is_finite_for_huge_scores():
    crit = mc.BCEWithLogitsLoss(reduction="none")
    s = np.array([1000.0, -1000.0, 1000.0, 0.0])
    t = np.array([1.0, 0.0, 0.0, 1.0])
    np.testing.assert_allclose(crit(s, t), [0.0, 0.0, 1000.0, np.log(2)])
    np.testing.assert_allclose(crit.backward(np.ones(4)), [0.0, 0.0, 1.0, -0.5])


def test_pixel_cross_entropy_is_softmax_cross_entropy_per_pixel(rng):
    s, y = rng.standard_normal((2, 3, 4, 5)), rng.integers(0, 3, (2, 4, 5))
    pixel = mc.PixelCrossEntropy()
    flat = mc.SoftmaxCrossEntropy()
    rows = s.transpose(0, 2, 3, 1).reshape(-1, 3)
    assert pixel(s, y) == pytest.approx(flat(rows, y.reshape(-1)), rel=1e-12)
    np.testing.assert_allclose(
        pixel.backward(), flat.backward().reshape(2, 4, 5, 3).transpose(0, 3, 1, 2), rtol=1e-12
    )
    assert mc.PixelCrossEntropy(reduction="none")(s, y).shape == (2, 4, 5)


@pytest.mark.parametrize(
    "make, scores, targets, error, words",
    [
        (mc.MSELoss, np.zeros((2, 3)), np.zeros((2, 2)), ValueError, ["same shape"]),
        (mc.MSELoss, np.zeros((2, 3)), np.zeros((2, 3), int), TypeError, ["target"]),
        (mc.BCEWithLogitsLoss, np.zeros(3), np.array([0.0, 2.0, 1.0]), ValueError, ["[0, 1]"]),
        (
            mc.PixelCrossEntropy,
            np.zeros((2, 3)),
            np.zeros(2, int),
            ValueError,
            ["(N, classes, H, W)"],
        ),
        (mc.PixelCrossEntropy, np.zeros((1, 3, 2, 2)), np.zeros((1, 2)), TypeError, ["integer"]),
        (
            mc.PixelCrossEntropy,
            np.zeros((1, 3, 2, 2)),
            np.zeros((1, 2), int),
            ValueError,
            ["(1, 2, 2)"],
        ),
        (
            mc.PixelCrossEntropy,
            np.zeros((1, 3, 1, 1)),
            np.full((1, 1, 1), 3),
            ValueError,
            ["label 3"],
        ),
    ],
)
def test_loss_input_errors(make, scores, targets, error, words):
    with pytest.raises(error) as info:
        make()(scores, targets)
    for word in words:
        assert word in str(info.value)


def test_backward_before_forward():
    with pytest.raises(RuntimeError, match="before the loss"):
        mc.MSELoss().backward()


# -- ConvTranspose2D -------------------------------------------------------------------


def test_conv_transpose_stamps_the_kernel_at_stride():
    up = mc.ConvTranspose2D(1, 1, (1, 3), stride=(1, 2), bias=False, dtype=np.float64)
    up.weight.data[...] = [1.0, 2.0, 3.0]
    y = up(np.array([10.0, 100.0]).reshape(1, 1, 1, 2))
    # 10·(1, 2, 3) at 0 and 100·(1, 2, 3) at 2, overlapping at position 2
    assert y.ravel().tolist() == [10.0, 20.0, 130.0, 200.0, 300.0]


def test_conv_transpose_shapes_summary_and_errors():
    up = mc.ConvTranspose2D(8, 4, 4, stride=2, padding=1)
    assert up.weight.shape == (8, 4, 4, 4)  # PyTorch's (in, out, kh, kw)
    model = mc.Sequential(mc.Conv2D(3, 8, 3, stride=2, padding=1), up)
    s = model.summary((3, 16, 16), print_table=False)
    assert s.rows[1].output_shape == (4, 16, 16)
    assert s.rows[1].params == 8 * 4 * 16 + 4
    assert s.rows[1].macs == 8 * 8 * 8 * 4 * 16  # every input value times C_out·k·k weights
    with pytest.raises(ValueError, match="output_padding < stride"):
        mc.ConvTranspose2D(1, 1, 3, stride=2, output_padding=2)
    with pytest.raises(ValueError, match="less padding"):
        mc.ConvTranspose2D(1, 1, 1, padding=1).output_shape((1, 1, 1, 1))
    with pytest.raises(ValueError, match="expected 8 input channels"):
        up(np.zeros((1, 3, 4, 4), dtype=np.float32))
    with pytest.raises(RuntimeError, match="backward called before forward"):
        mc.ConvTranspose2D(1, 1, 2).backward(np.zeros((1, 1, 2, 2)))


def test_checkpoint_round_trip_through_concat_and_conv_transpose(tmp_path):
    def model():
        return mc.Sequential(
            mc.Concat(
                mc.Identity(),
                mc.Sequential(mc.Conv2D(2, 3, 3, padding="same", groups=1), mc.BatchNorm2D(3)),
            ),
            mc.ConvTranspose2D(5, 2, 2, stride=2),
        )

    a, b = model(), model()
    a(np.random.default_rng(0).standard_normal((2, 2, 4, 4)).astype(np.float32))  # BN stats
    mc.save(tmp_path / "m.npz", a)
    mc.load(tmp_path / "m.npz", b)
    for (name_a, pa), (name_b, pb) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        assert name_a == name_b
        np.testing.assert_array_equal(pa.data, pb.data)
    for (_, ba), (_, bb) in zip(a.named_buffers(), b.named_buffers(), strict=True):
        np.testing.assert_array_equal(ba, bb)
    assert [n for n, _ in a.named_parameters()] == [
        "0.1.0.weight", "0.1.0.bias", "0.1.1.weight", "0.1.1.bias", "1.weight", "1.bias",
    ]  # fmt: skip
