from __future__ import annotations

import numpy as np
import pytest

import minicnn as mc


def test_cross_entropy_value_and_gradient_by_hand():
    scores = np.array([[1.0, 2.0, 3.0]])
    crit = mc.SoftmaxCrossEntropy()
    p = np.exp(scores) / np.exp(scores).sum()
    assert crit(scores, np.array([0])) == pytest.approx(-np.log(p[0, 0]))
    np.testing.assert_allclose(crit.backward(), p - [[1, 0, 0]])


def test_cross_entropy_is_stable_for_huge_scores():
    scores = np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 0.0]], dtype=np.float32)
    crit = mc.SoftmaxCrossEntropy()
    loss = crit(scores, np.array([0, 2]))
    assert np.isfinite(loss) and loss == pytest.approx(1e4 / 2 + np.log(2) / 2, rel=1e-5)
    assert np.all(np.isfinite(crit.backward()))
    assert np.all(np.isfinite(mc.functional.softmax(scores)))
    np.testing.assert_allclose(mc.functional.softmax(scores).sum(axis=1), 1.0, rtol=1e-6)


def test_svm_hinge_by_hand():
    # CS231n's example: scores (3.2, 5.1, -1.7), correct class 0, margin 1:
    # max(0, 5.1 - 3.2 + 1) + max(0, -1.7 - 3.2 + 1) = 2.9
    svm = mc.MulticlassSVM()
    assert svm(np.array([[3.2, 5.1, -1.7]]), np.array([0])) == pytest.approx(2.9)
    np.testing.assert_allclose(svm.backward(), [[-1.0, 1.0, 0.0]])


@pytest.mark.parametrize("make", [mc.SoftmaxCrossEntropy, mc.MulticlassSVM])
def test_reductions_agree(make, rng):
    scores, labels = rng.standard_normal((5, 4)), rng.integers(0, 4, 5)
    per_sample = make(reduction="none")(scores, labels)
    assert per_sample.shape == (5,)
    assert make(reduction="sum")(scores, labels) == pytest.approx(per_sample.sum())
    mean = make()
    assert mean(scores, labels) == pytest.approx(per_sample.mean())
    assert isinstance(mean(scores, labels), float)


@pytest.mark.parametrize(
    "scores, labels, error, words",
    [
        (np.zeros((2, 3)), np.array([0, 3]), ValueError, ["label 3", "3 classes", "0..2"]),
        (np.zeros((2, 3)), np.array([-1, 0]), ValueError, ["label -1"]),
        (np.zeros((2, 3)), np.array([0, 1, 2]), ValueError, ["expected 2 labels", "(3,)"]),
        (np.zeros((2, 3)), np.array([0.0, 1.0]), TypeError, ["integer"]),
        (np.zeros(3), np.array([0]), ValueError, ["(N, classes)"]),
        (np.zeros((2, 3), dtype=int), np.array([0, 1]), TypeError, ["floating-point"]),
    ],
)
def test_bad_labels_and_scores(scores, labels, error, words):
    with pytest.raises(error) as info:
        mc.SoftmaxCrossEntropy()(scores, labels)
    for word in words:
        assert word in str(info.value)


def test_bad_reduction():
    with pytest.raises(ValueError, match="reduction"):
        mc.MulticlassSVM(reduction="avg")
