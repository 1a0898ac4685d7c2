"""fit / evaluate / predict / History / callbacks on a tiny synthetic problem."""

from __future__ import annotations

import io
import math
import time

import numpy as np
import pytest

import minicnn as mc


def make_problem(n: int = 96, seed: int = 0):
    """Two classes of 6×6 images: bright left half (0) or bright right half (1), plus noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    x = rng.normal(0, 0.3, size=(n, 1, 6, 6)).astype(np.float32)
    x[y == 0, :, :, :3] += 1
    x[y == 1, :, :, 3:] += 1
    return x, y


def batches(x, y, size=16):
    return [(x[i : i + size], y[i : i + size]) for i in range(0, len(x), size)]


def tiny_model(seed: int = 0) -> mc.Sequential:
    return mc.Sequential(
        mc.Conv2D(1, 4, 3, seed=seed),
        mc.ReLU(),
        mc.Flatten(),
        mc.Linear(4 * 4 * 4, 2, seed=seed + 1),
    )


def setup(lr=0.05):
    model = tiny_model()
    return model, mc.SoftmaxCrossEntropy(), mc.SGD(model.parameters(), lr=lr, momentum=0.9)


def test_fit_lowers_the_loss_and_fills_history(capsys):
    x, y = make_problem()
    model, loss, opt = setup()
    before = mc.evaluate(model, loss, batches(x, y))
    history = mc.fit(model, loss, opt, batches(x, y), val_loader=batches(x, y), epochs=5, verbose=1)
    assert isinstance(history, mc.History) and len(history) == 5
    for name in (
        "train_loss",
        "train_acc",
        "val_loss",
        "val_acc",
        "seconds",
        "images_per_sec",
        "lr",
    ):
        assert len(getattr(history, name)) == 5, name
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.val_loss[-1] < before[0]
    assert history.val_acc[-1] > 0.9
    assert all(v > 0 for v in history.images_per_sec)
    assert history.lr == [0.05] * 5
    # Not a terminal (pytest captures stderr): one summary line per epoch, no bar.
    out = capsys.readouterr()
    lines = [line for line in out.out.splitlines() if line.startswith("epoch")]
    assert len(lines) == 5 and "val_acc" in lines[-1] and "img/s" in lines[-1]
    assert "epoch 5/5" in lines[-1]
    assert "it/s" not in out.err and "batch/s" not in out.err


def test_verbose_0_is_silent(capsys):
    x, y = make_problem(32)
    model, loss, opt = setup()
    mc.fit(model, loss, opt, batches(x, y), epochs=2, verbose=0)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_progress_bar_on_a_terminal(monkeypatch, capsys):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    class Slow(mc.Layer):  # slower than tqdm's 0.1 s refresh interval
        def forward(self, x):
            time.sleep(0.15)
            return x

        def backward(self, dout):
            return dout

    fake = Tty()
    monkeypatch.setattr("sys.stderr", fake)
    monkeypatch.delenv("CI", raising=False)  # CI logs get no bar (test_train_feedback.py)
    x, y = make_problem(32)
    model, loss, opt = setup()
    model.layers.insert(0, Slow())
    mc.fit(model, loss, opt, batches(x, y), epochs=1)
    bar = fake.getvalue()
    assert "epoch 1/1" in bar and "loss=" in bar and "acc=" in bar and "img_s=" in bar
    assert "epoch 1/1: loss" in capsys.readouterr().out  # then the summary line


def test_fit_continues_a_history():
    x, y = make_problem(32)
    model, loss, opt = setup()
    history = mc.fit(model, loss, opt, batches(x, y), epochs=2, verbose=0)
    seen = []

    class Record(mc.Callback):
        def on_epoch_end(self, epoch, history):
            seen.append((epoch, len(history)))

    mc.fit(
        model, loss, opt, batches(x, y), epochs=2, verbose=0, history=history, callbacks=[Record()]
    )
    assert seen == [(3, 3), (4, 4)]
    assert mc.History.from_dict(history.to_dict()) == history


def test_train_mode_for_training_and_eval_mode_for_validation():
    x, y = make_problem(32)
    model, loss, opt = setup()
    modes = []

    class Spy(mc.Layer):
        def forward(self, x):
            modes.append(self.training)
            return x

        def backward(self, dout):
            return dout

    model.layers.insert(0, Spy())
    mc.fit(model, loss, opt, batches(x, y), val_loader=batches(x, y, 32), epochs=1, verbose=0)
    assert modes == [True, True, False]
    assert model.training  # evaluate restores the mode it found


def test_evaluate_and_predict_agree():
    x, y = make_problem()
    model, loss, opt = setup()
    mc.fit(model, loss, opt, batches(x, y), epochs=3, verbose=0)
    val_loss, acc = mc.evaluate(model, loss, batches(x, y, 7))
    labels, scores = mc.predict(model, x, batch_size=10, return_scores=True)
    assert labels.shape == (len(x),) and scores.shape == (len(x), 2)
    np.testing.assert_array_equal(labels, scores.argmax(axis=1))
    assert acc == pytest.approx(np.mean(labels == y))
    assert val_loss == pytest.approx(mc.SoftmaxCrossEntropy()(scores, y), rel=1e-5)
    # Batch size must not change the answer.
    np.testing.assert_array_equal(mc.predict(model, x, batch_size=len(x)), labels)


def test_sum_reduction_reports_the_mean_loss():
    x, y = make_problem(32)
    model = tiny_model()
    mean = mc.evaluate(model, mc.SoftmaxCrossEntropy(), batches(x, y))[0]
    total = mc.evaluate(model, mc.SoftmaxCrossEntropy(reduction="sum"), batches(x, y))[0]
    assert total == pytest.approx(mean, rel=1e-6)


def test_early_stopping_stops_when_the_metric_stalls():
    x, y = make_problem(32)
    model, loss, opt = setup(lr=1e-9)  # learns nothing: the loss cannot improve
    stopper = mc.EarlyStopping(monitor="train_acc", patience=2)
    history = mc.fit(model, loss, opt, batches(x, y), epochs=10, verbose=0, callbacks=[stopper])
    assert len(history) == 3 and stopper.stopped_epoch == 3


def test_scheduler_is_stepped_each_epoch_with_the_metric_when_it_needs_one():
    x, y = make_problem(32)
    model, loss, opt = setup()

    class Halve:
        def step(self):
            opt.lr /= 2

    class Plateau:
        needs_metric = True

        def __init__(self):
            self.metrics = []

        def step(self, metric):
            self.metrics.append(metric)

    history = mc.fit(model, loss, opt, batches(x, y), epochs=3, verbose=0, scheduler=Halve())
    assert history.lr == [0.05, 0.025, 0.0125] and opt.lr == 0.00625
    plateau = Plateau()
    history = mc.fit(
        model,
        loss,
        opt,
        batches(x, y),
        val_loader=batches(x, y),
        epochs=2,
        verbose=0,
        scheduler=plateau,
    )
    assert plateau.metrics == history.val_loss


def test_checkpoint_callback_keeps_the_best(tmp_path):
    x, y = make_problem(64)
    model, loss, opt = setup()
    path = tmp_path / "best.npz"
    saver = mc.Checkpoint(path, model, opt, monitor="val_acc")
    history = mc.fit(
        model,
        loss,
        opt,
        batches(x, y),
        val_loader=batches(x, y),
        epochs=4,
        verbose=0,
        callbacks=[saver],
    )
    meta = mc.load(path, tiny_model())
    best = int(np.argmax(history.val_acc)) + 1  # first epoch reaching the best accuracy
    assert meta["epoch"] == best
    assert mc.History.from_dict(meta["history"]).val_acc == history.val_acc[:best]


def diverging_setup():
    """A problem and learning rate that blow up within the first epoch."""
    x, y = make_problem(64)
    model, loss, opt = setup(lr=1e12)
    return batches(x * 1e3, y, 8), model, loss, opt


def test_a_diverging_run_stops_naming_epoch_and_step(tmp_path):
    loader, model, loss, opt = diverging_setup()
    path = tmp_path / "ckpt.npz"
    mc.save(path, model, opt, epoch=0)
    saved = path.read_bytes()
    with pytest.raises(mc.TrainingDivergedError) as err:
        mc.fit(
            model,
            loss,
            opt,
            loader,
            epochs=5,
            verbose=0,
            callbacks=[mc.Checkpoint(path, model, opt)],
        )
    e = err.value
    assert isinstance(e, FloatingPointError)
    assert e.epoch == 1 and 1 <= e.step <= len(loader)
    assert f"epoch 1, step {e.step}" in str(e) and "smaller learning rate" in str(e)
    assert path.read_bytes() == saved  # nothing already saved is touched
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.npz"]
    # Steps are refused once anything is non-finite, so the weights stay finite.
    assert all(np.isfinite(p.data).all() for p in model.parameters())


def test_divergence_later_keeps_the_last_good_checkpoint(tmp_path):
    x, y = make_problem(64)
    model, loss, opt = setup()
    path = tmp_path / "ckpt.npz"
    saver = mc.Checkpoint(path, model, opt)
    mc.fit(model, loss, opt, batches(x, y), epochs=1, verbose=0, callbacks=[saver])
    good = path.read_bytes()
    opt.lr = 1e12
    with pytest.raises(mc.TrainingDivergedError, match=r"epoch 2, step \d+"):
        mc.fit(
            model,
            loss,
            opt,
            batches(x * 1e3, 1 - y, 8),
            epochs=5,
            verbose=0,
            callbacks=[saver],
            history=mc.History.from_dict(mc.load(path, tiny_model())["history"]),
        )
    assert path.read_bytes() == good


def test_non_finite_activations_become_a_divergence_error():
    x, y = make_problem(16)
    model, loss, opt = setup()
    # Finite weights so large that the conv output overflows float32 to inf; the
    # Linear layer after it refuses that input with a ValueError.
    model.layers[0].weight.data[...] = 3e38
    with pytest.raises(mc.TrainingDivergedError, match="epoch 1, step 1: activations"):
        mc.fit(model, loss, opt, batches(x, y), epochs=1, verbose=0)


def test_non_finite_data_is_reported_as_a_data_error_not_divergence():
    x, y = make_problem(16)
    x[0, 0, 0, 0] = np.nan
    model, loss, opt = setup()
    with pytest.raises(ValueError, match="NaN or infinity") as err:
        mc.fit(model, loss, opt, batches(x, y), epochs=1, verbose=0)
    assert not isinstance(err.value, mc.TrainingDivergedError)


def test_a_nan_loss_is_caught_before_the_step():
    x, y = make_problem(16)
    model, loss, opt = setup()
    before = [p.data.copy() for p in model.parameters()]

    class NanLoss(mc.SoftmaxCrossEntropy):
        def forward(self, scores, labels):
            super().forward(scores, labels)
            return math.nan

    with pytest.raises(mc.TrainingDivergedError, match="epoch 1, step 1: the loss is nan"):
        mc.fit(model, NanLoss(), opt, batches(x, y), epochs=1, verbose=0)
    for b, p in zip(before, model.parameters(), strict=True):
        np.testing.assert_array_equal(b, p.data)


def test_bad_arguments():
    x, y = make_problem(16)
    model, _, opt = setup()
    with pytest.raises(ValueError, match="reduction"):
        mc.fit(model, mc.SoftmaxCrossEntropy(reduction="none"), opt, batches(x, y))
    with pytest.raises(ValueError, match="no batches"):
        mc.fit(model, mc.SoftmaxCrossEntropy(), opt, [], verbose=0)
    with pytest.raises(ValueError, match="monitor"):
        mc.EarlyStopping(monitor="accuracy")
    with pytest.raises(ValueError, match="no images"):
        mc.predict(model, x[:0])
    with pytest.raises(ValueError, match="val_loader"):
        mc.fit(
            model,
            mc.SoftmaxCrossEntropy(),
            opt,
            batches(x, y),
            verbose=0,
            callbacks=[mc.EarlyStopping()],
        )


def test_confusion_matrix_counts():
    counts = mc.confusion_matrix([0, 1, 1, 2], [0, 2, 1, 2], num_classes=4)
    expected = np.zeros((4, 4), int)
    expected[0, 0] = expected[1, 2] = expected[1, 1] = expected[2, 2] = 1
    np.testing.assert_array_equal(counts, expected)
