"""The receptive-field column of model.summary: the recurrence r_out = r_in + (k − 1)·j_in,
j_out = j_in·s, checked by hand on LeNet-5 and ResNet-18 and against the support of
a real backward pass."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minicnn as mc
from minicnn.receptive_field import ReceptiveField


def fields(model: mc.Sequential, shape) -> dict[str, tuple[int, int]]:
    return {r.name: r.receptive_field for r in model.summary(shape, print_table=False).rows}


def test_lenet5_last_conv_sees_14_by_14():
    # conv 5×5: r = 5 (j 1); pool 2: r = 5 + 1·1 = 6 (j 2); conv 5×5: r = 6 + 4·2 = 14 (j 2);
    # pool 2: 14 + 1·2 = 16 (j 4); Flatten hands the whole 5×5 map on: 16 + 4·4 = 32.
    rf = fields(mc.zoo.lenet5(), (1, 28, 28))
    assert rf["0 Conv2D"] == (5, 5)
    assert rf["2 MaxPool2D"] == (6, 6)
    assert rf["3 Conv2D"] == (14, 14)
    assert rf["4 ReLU"] == (14, 14)  # element-wise layers change nothing
    assert rf["5 MaxPool2D"] == (16, 16)
    assert rf["6 Flatten"] == rf["11 Linear"] == (32, 32)


def test_resnet18_by_hand():
    # stem conv 7×7/2: r = 7, j = 2; maxpool 3/2: 7 + 2·2 = 11, j = 4.
    # A basic block adds two 3×3 convs, 2·2·j; the first conv of stages 2-4 strides 2
    # (its 2·j is added before j doubles). Stage ends: 43, 99, 211, 435 (the known 435).
    rows = mc.zoo.resnet18().summary((3, 224, 224), print_table=False).rows
    rf = {r.name: r.receptive_field[0] for r in rows}
    assert rf["0.0 Conv2D"] == 7 and rf["0.3 MaxPool2D"] == 11
    assert rf["1.1.0 add (Residual)"] == 11 + 2 * 16 == 43
    assert rf["2.0.0.body.0 Conv2D"] == 43 + 2 * 4 == 51  # the strided conv, j = 4 → 8
    assert rf["2.0.0.shortcut.0 Conv2D"] == 43  # a 1×1 sees no more
    assert rf["2.0.0 add (Residual)"] == 51 + 2 * 8 == 67  # the larger of the two paths
    assert rf["2.1.0 add (Residual)"] == 99
    assert rf["3.1.0 add (Residual)"] == 99 + 2 * 8 + 2 * 16 + 4 * 16 == 211
    assert rf["4.1.0 add (Residual)"] == 211 + 2 * 16 + 2 * 32 + 4 * 32 == 435
    # global average pooling covers the 7×7 map: 435 + 6·32
    assert rf["5.0 GlobalAvgPool2D"] == rf["5.1 Linear"] == 435 + 6 * 32


def test_non_square_kernels_and_display():
    model = mc.Sequential(
        mc.Conv2D(1, 2, (3, 1)),
        mc.MaxPool2D((2, 1), stride=(2, 1)),
        mc.Conv2D(2, 2, (1, 5), padding=(0, 2)),
    )
    rows = model.summary((1, 12, 12), print_table=False).rows
    assert [r.receptive_field for r in rows] == [(3, 1), (4, 1), (4, 5)]
    assert ReceptiveField((4, 5)).display() == "(4, 5)"
    assert ReceptiveField((7, 7)).display() == "7"
    table = str(model.summary((1, 12, 12), print_table=False))
    assert "receptive field" in table and "(4, 5)" in table


def test_padding_does_not_change_the_receptive_field():
    a = fields(mc.Sequential(mc.Conv2D(1, 1, 3)), (1, 9, 9))
    b = fields(mc.Sequential(mc.Conv2D(1, 1, 3, padding=1)), (1, 9, 9))
    assert a == b == {"0 Conv2D": (3, 3)}


def test_identity_residual_keeps_the_larger_path():
    block = mc.Residual(mc.Sequential(mc.Conv2D(1, 1, 3, padding=1), mc.Conv2D(1, 1, 3, padding=1)))
    rows = mc.Sequential(block).summary((1, 8, 8), print_table=False).rows
    assert {r.name: r.receptive_field for r in rows} == {
        "0.body.0 Conv2D": (3, 3),
        "0.body.1 Conv2D": (5, 5),
        "0.shortcut identity": (1, 1),
        "0 add (Residual)": (5, 5),
    }


def test_non_image_inputs_have_no_receptive_field():
    model = mc.Sequential(mc.Linear(4, 3), mc.ReLU())
    summary = model.summary((4,), print_table=False)
    assert [r.receptive_field for r in summary.rows] == [None, None]
    assert " -" in str(summary)


def test_summary_keeps_its_totals():
    summary = mc.zoo.lenet5().summary((1, 28, 28), print_table=False)
    assert summary.total_params == sum(r.params for r in summary.rows) == 61_706
    assert summary.total_macs == sum(r.macs for r in summary.rows)


@given(
    layers=st.lists(
        st.tuples(
            st.sampled_from(["conv", "avg"]),
            st.integers(1, 4),
            st.integers(1, 4),
            st.integers(1, 3),
            st.integers(1, 3),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_recurrence_equals_the_support_of_the_gradient(layers):
    """Backpropagate a 1 from one output unit: the input pixels that receive gradient
    span exactly the receptive field (positive weights and average pooling, so nothing
    cancels; no padding, so every window lies inside the image)."""
    built = []
    for kind, kh, kw, sh, sw in layers:
        if kind == "conv":
            conv = mc.Conv2D(1, 1, (kh, kw), (sh, sw), dtype=np.float64)
            conv.weight.data[...] = 1.0
            built.append(conv)
        else:  # not max pooling: it routes the gradient to one winner per window
            built.append(mc.AvgPool2D((kh, kw), (sh, sw)))
    model = mc.Sequential(*built)
    rf = ReceptiveField()
    for _, kh, kw, sh, sw in layers:
        rf = rf.through((kh, kw), (sh, sw))
    shape = (1, 1, rf.size[0] + 3, rf.size[1] + 2)
    rows = model.summary(shape[1:], print_table=False).rows
    assert rows[-1].receptive_field == rf.size
    y = model(np.ones(shape))
    dy = np.zeros_like(y)
    dy[0, 0, 0, 0] = 1.0
    touched = np.argwhere(model.backward(dy)[0, 0] > 0)
    extent = tuple(int(v) for v in touched.max(axis=0) - touched.min(axis=0) + 1)
    assert extent == rf.size


def test_zoo_models_know_their_input_shape():
    """summary() with no shape uses the model's own, as the zoo's models record it."""
    resnet = mc.zoo.resnet20()
    assert resnet.input_shape == (3, 32, 32)
    table = resnet.summary(print_table=False)
    assert table.input_shape == (3, 32, 32) and table.total_params == 269_722
    assert mc.zoo.lenet5(in_channels=3).input_shape == (3, 28, 28)
    assert mc.zoo.alexnet(lrn=True).input_shape == (3, 227, 227)
    for build in (mc.zoo.alexnet, mc.zoo.vgg11, mc.zoo.resnet18, mc.zoo.googlenet):
        assert build().input_shape == (3, 224, 224), build.__name__
    # an explicit shape still wins
    assert resnet.summary((3, 64, 64), print_table=False).rows[0].output_shape == (16, 64, 64)


def test_a_model_without_a_known_shape_asks_for_one():
    model = mc.Sequential(mc.Linear(3, 4))
    with pytest.raises(TypeError, match=r"does not know the shape of its input.*summary\(\(1, 28"):
        model.summary()
    assert model.with_input_shape((3,)).summary(print_table=False).total_params == 16
