"""mc.metrics.accuracy, the confusion matrix's shape, and mc.predict's probabilities."""

from __future__ import annotations

import numpy as np
import pytest

import minicnn as mc


def test_accuracy_of_labels_and_of_scores():
    y_true = np.array([0, 1, 2, 2])
    assert mc.metrics.accuracy(y_true, np.array([0, 1, 1, 2])) == 0.75
    scores = np.array([[3.0, 0, 0], [0, 1, 0], [0, 2, 1], [0, 0, 5]])  # argmax 0 1 1 2
    assert mc.metrics.accuracy(y_true, scores) == 0.75
    assert mc.metrics.accuracy([1, 1], [1, 1]) == 1.0  # lists work too


@pytest.mark.parametrize(
    ("y_true", "y_pred", "error", "match"),
    [
        ([0, 1], [0, 1, 1], ValueError, "same shape"),
        ([], [], ValueError, "no labels"),
        ([0.0, 1.0], [0, 1], TypeError, "integer class indices"),
    ],
)
def test_accuracy_errors_name_the_problem(y_true, y_pred, error, match):
    with pytest.raises(error, match=match):
        mc.metrics.accuracy(np.asarray(y_true), np.asarray(y_pred))


def test_confusion_matrix_rows_are_true_classes():
    counts = mc.metrics.confusion_matrix(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 1]), 4)
    assert counts.shape == (4, 4) and counts.sum() == 4
    assert counts[0, 1] == 1 and counts[2, 1] == 1 and counts[3].sum() == 0
    assert mc.metrics.confusion_matrix is mc.confusion_matrix


def test_predict_returns_probabilities_when_asked():
    mc.manual_seed(0)
    model = mc.zoo.lenet5()
    x = np.random.default_rng(0).random((5, 1, 28, 28)).astype(np.float32)
    labels, probs = mc.predict(model, x, return_probs=True)
    assert probs.shape == (5, 10) and probs.dtype == np.float64
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert (probs >= 0).all() and (labels == probs.argmax(axis=1)).all()
    labels2, scores, probs2 = mc.predict(model, x, return_scores=True, return_probs=True)
    # The scores are the logits: their softmax is the probabilities.
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    np.testing.assert_allclose(e / e.sum(axis=1, keepdims=True), probs2, rtol=1e-6)
    np.testing.assert_array_equal(labels, labels2)
    assert isinstance(mc.predict(model, x), np.ndarray)  # labels only by default
