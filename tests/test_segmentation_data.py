"""The digit-canvas segmentation dataset (minicnn.data.segmentation) and its metrics
(minicnn.metrics): shapes, masks consistent with the pasted digits, determinism, and
pixel accuracy / IoU against hand-counted values."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import minicnn as mc
from minicnn import metrics
from minicnn.data import segmentation


def fake_digits(n=20, seed=0):
    """uint8 (n, 28, 28) blobs of random size and brightness, labels 0..9: enough to
    check the builder without the MNIST sample."""
    rng = np.random.default_rng(seed)
    images = np.zeros((n, 28, 28), np.uint8)
    for i in range(n):
        top, left = rng.integers(2, 10, size=2)
        h, w = rng.integers(6, 16, size=2)
        images[i, top : top + h, left : left + w] = rng.integers(60, 256, size=(h, w))
    return images, np.arange(n) % 10


def test_module_docstrings_run():
    for module in (segmentation, metrics):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_shapes_dtypes_and_arrays():
    images, labels = fake_digits()
    ds = mc.data.make_digit_canvases(images, labels, n_images=7, size=40, digits=3, seed=1)
    assert len(ds) == 7
    assert ds.images.shape == (7, 40, 40) and ds.images.dtype == np.uint8
    assert ds.masks.shape == (7, 40, 40) and ds.masks.dtype == np.int64
    assert all(len(p) == 3 for p in ds.placements)
    x, m = ds.arrays()
    assert x.shape == (7, 1, 40, 40) and x.dtype == np.float32
    assert 0 <= x.min() and x.max() <= 1
    assert m is ds.masks and len(ds.classes) == 11
    image, mask = ds[3]  # indexing gives what arrays() holds for canvas 3
    assert image.shape == (1, 40, 40) and image.dtype == np.float32
    np.testing.assert_array_equal(image, x[3])
    np.testing.assert_array_equal(mask, m[3])
    np.testing.assert_array_equal(ds[2:5][0], x[2:5])


def pasted_layers(ds, images, n):
    """(digits, size, size): each placement's digit on an empty canvas, in pasting order."""
    size = ds.images.shape[1]
    layers = np.zeros((len(ds.placements[n]), size, size), np.uint8)
    for k, p in enumerate(ds.placements[n]):
        layers[k, p.top : p.top + 28, p.left : p.left + 28] = images[p.index]
    return layers


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_masks_agree_with_the_pasted_digits(seed):
    images, labels = fake_digits(seed=seed)
    ds = mc.data.make_digit_canvases(
        images, labels, n_images=10, size=36, digits=3, threshold=100, seed=seed
    )
    for n in range(len(ds)):
        layers = pasted_layers(ds, images, n)
        # the canvas is the pixel-wise maximum of the pasted digits
        np.testing.assert_array_equal(ds.images[n], layers.max(axis=0))
        # a pixel is background exactly when no digit reaches the threshold there,
        # otherwise it belongs to the brightest digit (the first one on a tie)
        ink = layers.max(axis=0) >= 100
        np.testing.assert_array_equal(ds.masks[n] == 0, ~ink)
        owner = layers.argmax(axis=0)
        owner_label = np.array([p.label for p in ds.placements[n]])[owner]
        np.testing.assert_array_equal(ds.masks[n][ink], owner_label[ink] + 1)
        for p in ds.placements[n]:
            assert labels[p.index] == p.label


def test_ink_boxes_do_not_overlap_when_there_is_room():
    images, labels = fake_digits()
    ds = mc.data.make_digit_canvases(images, labels, n_images=20, size=64, digits=2, seed=3)
    for n in range(len(ds)):
        a, b = (segmentation.ink_box(layer, ds.threshold) for layer in pasted_layers(ds, images, n))
        assert not segmentation._overlaps(a, b)
        # so every pasted digit keeps all its ink in the mask
        for p in ds.placements[n]:
            ink = images[p.index] >= ds.threshold
            window = ds.masks[n, p.top : p.top + 28, p.left : p.left + 28]
            assert (window[ink] == p.label + 1).all()


def test_same_seed_same_canvases_other_seed_others():
    images, labels = fake_digits()
    a = mc.data.make_digit_canvases(images, labels, 5, seed=7)
    b = mc.data.make_digit_canvases(images, labels, 5, seed=7)
    c = mc.data.make_digit_canvases(images, labels, 5, seed=8)
    np.testing.assert_array_equal(a.images, b.images)
    np.testing.assert_array_equal(a.masks, b.masks)
    assert a.placements == b.placements
    assert not np.array_equal(a.images, c.images)


def test_crowded_canvas_still_labels_every_pixel_consistently():
    # Three digits on a 28x28 canvas cannot avoid each other: overlap is allowed.
    images, labels = fake_digits()
    ds = mc.data.make_digit_canvases(images, labels, 4, size=28, digits=3, seed=0)
    assert set(np.unique(ds.masks)) <= set(range(11))
    assert all((p.top, p.left) == (0, 0) for ps in ds.placements for p in ps)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"images": np.zeros((3, 28, 28))}, "uint8"),
        ({"labels": np.array([0, 1])}, "one per image"),
        ({"labels": np.array([0, 1, 10])}, "0..9"),
        ({"size": 20}, "smaller than a digit"),
        ({"threshold": 0}, "threshold"),
        ({"digits": 0}, "digits >= 1"),
    ],
)
def test_bad_arguments_say_what_is_wrong(kwargs, message):
    args = {"images": np.zeros((3, 28, 28), np.uint8), "labels": np.array([0, 1, 2])}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        mc.data.make_digit_canvases(args.pop("images"), args.pop("labels"), 2, **args)


def test_mnist_canvases_use_the_sample_split():
    train = mc.data.mnist_canvases("train", n_images=3, seed=0)
    test = mc.data.mnist_canvases("test", n_images=3, seed=0)
    source = mc.data.MNISTSample("test")
    for n, placed in enumerate(test.placements):
        for p in placed:
            assert source.labels[p.index] == p.label
            window = test.images[n, p.top : p.top + 28, p.left : p.left + 28]
            assert (window >= source.images[p.index]).all()
    assert not np.array_equal(train.images, test.images)


# -- metrics ------------------------------------------------------------------------


def test_metrics_by_hand():
    target = np.array([[0, 0, 0, 1], [1, 1, 2, 2]])
    pred = np.array([[0, 0, 1, 1], [1, 2, 2, 0]])
    # class 0: hit 2, pred 3, target 3 -> 2/4; class 1: hit 2, pred 3, target 3 -> 2/4;
    # class 2: hit 1, pred 2, target 2 -> 1/3
    assert metrics.pixel_accuracy(pred, target) == 5 / 8
    np.testing.assert_allclose(metrics.iou_per_class(pred, target, 3), [0.5, 0.5, 1 / 3])
    assert metrics.mean_iou(pred, target, 3) == pytest.approx((0.5 + 0.5 + 1 / 3) / 3)


def test_perfect_and_absent_classes():
    target = np.array([[0, 3], [3, 0]])
    assert metrics.pixel_accuracy(target, target) == 1.0
    iou = metrics.iou_per_class(target, target, 5)
    np.testing.assert_array_equal(iou[[0, 3]], [1, 1])
    assert np.isnan(iou[[1, 2, 4]]).all()  # in neither: no IoU, not 0
    assert metrics.mean_iou(target, target, 5) == 1.0


def test_all_background_prediction_has_high_accuracy_low_iou():
    target = np.zeros((10, 10), np.int64)
    target[:2, :5] = 4  # 10 % digit
    pred = np.zeros_like(target)
    assert metrics.pixel_accuracy(pred, target) == 0.9
    assert metrics.mean_iou(pred, target, 11) == pytest.approx((0.9 + 0.0) / 2)


def test_confusion_sums_batches():
    rng = np.random.default_rng(0)
    target, pred = rng.integers(0, 4, (2, 6, 5, 5))
    total = sum(
        metrics.segmentation_confusion(pred[i : i + 2], target[i : i + 2], 4) for i in (0, 2, 4)
    )
    np.testing.assert_array_equal(total, metrics.segmentation_confusion(pred, target, 4))
    np.testing.assert_allclose(
        metrics.iou_from_confusion(total), metrics.iou_per_class(pred, target, 4)
    )


@pytest.mark.parametrize(
    "pred, target, error, message",
    [
        (np.zeros((2, 3), int), np.zeros((3, 2), int), ValueError, "same shape"),
        (np.zeros((2, 2)), np.zeros((2, 2), int), TypeError, "integer"),
        (np.full((2, 2), -1), np.zeros((2, 2), int), ValueError, "negative"),
        (np.full((2, 2), 5), np.zeros((2, 2), int), ValueError, "num_classes=3"),
        (np.zeros(0, int), np.zeros(0, int), ValueError, "no pixels"),
    ],
)
def test_metric_errors(pred, target, error, message):
    with pytest.raises(error, match=message):
        metrics.iou_per_class(pred, target, 3)
