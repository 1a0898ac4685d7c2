"""Training feedback: where the progress bar shows, the per-batch hook, CSVLogger,
EarlyStopping(restore_best_weights=True), and the reprs of optimizers and schedulers."""

from __future__ import annotations

import csv
import io
import sys
import types

import numpy as np
import pytest
from test_train import batches, make_problem

import minicnn as mc
from minicnn import train as train_module


def setup(lr=0.05, batch_norm=False):
    layers = [mc.Conv2D(1, 4, 3, seed=0)]
    if batch_norm:
        layers.append(mc.BatchNorm2D(4))
    layers += [mc.ReLU(), mc.Flatten(), mc.Linear(4 * 4 * 4, 2, seed=1)]
    model = mc.Sequential(*layers)
    return model, mc.SoftmaxCrossEntropy(), mc.SGD(model.parameters(), lr=lr, momentum=0.9)


# -- where the bar shows ----------------------------------------------------------------------


class Tty(io.StringIO):
    def isatty(self):
        return True


def fake_ipython(monkeypatch, shell_name: str | None):
    """Pretend IPython is loaded, running ``shell_name`` (None: no shell running)."""
    shell = type(shell_name, (), {})() if shell_name else None
    module = types.SimpleNamespace(get_ipython=lambda: shell)
    monkeypatch.setitem(sys.modules, "IPython", module)


@pytest.mark.parametrize(
    ("tty", "shell", "ci", "shown"),
    [
        (True, None, None, True),  # a terminal
        (False, None, None, False),  # a log file or a pipe
        (False, "ZMQInteractiveShell", None, True),  # a Jupyter kernel: stderr is no tty
        (False, "TerminalInteractiveShell", None, False),  # IPython piped into a log
        (True, None, "true", False),  # CI: even a pseudo-terminal gets no bar
        (False, "ZMQInteractiveShell", "1", False),  # a notebook executed in CI
        (True, None, "false", True),  # CI=false means not CI
    ],
)
def test_the_bar_shows_in_terminals_and_notebooks_but_not_in_ci(monkeypatch, tty, shell, ci, shown):
    monkeypatch.setattr("sys.stderr", Tty() if tty else io.StringIO())
    if shell is None:
        monkeypatch.delitem(sys.modules, "IPython", raising=False)
    else:
        fake_ipython(monkeypatch, shell)
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    assert train_module._show_bar(1) is shown
    assert train_module._show_bar(0) is False  # verbose=0 is always silent


# -- on_batch_end -------------------------------------------------------------------------------


def test_on_batch_end_sees_every_step_with_its_logs():
    x, y = make_problem(40)
    model, loss, opt = setup()
    seen = []

    class Record(mc.Callback):
        def on_batch_end(self, step, logs):
            seen.append((step, dict(logs)))

    record = Record()
    mc.fit(model, loss, opt, batches(x, y), epochs=2, verbose=0, callbacks=[record])
    assert record.model is model  # fit hands every callback the model
    assert [step for step, _ in seen] == [1, 2, 3, 1, 2, 3]  # 40 images: 16 + 16 + 8
    assert [logs["epoch"] for _, logs in seen] == [1, 1, 1, 2, 2, 2]
    assert [logs["size"] for _, logs in seen] == [16, 16, 8] * 2
    assert all(0 <= logs["acc"] <= 1 and np.isfinite(logs["loss"]) for _, logs in seen)
    assert all(logs["lr"] == 0.05 for _, logs in seen)
    # The epoch's loss is the image-weighted mean of its batch losses.
    first = [logs for _, logs in seen[:3]]
    model2, loss2, opt2 = setup()
    history = mc.fit(model2, loss2, opt2, batches(x, y), epochs=1, verbose=0)
    mean = sum(lg["loss"] * lg["size"] for lg in first) / 40
    assert history.train_loss[0] == pytest.approx(mean)


def test_a_plain_object_with_only_on_batch_end_is_a_callback():
    x, y = make_problem(32)
    model, loss, opt = setup()
    steps = []
    hook = types.SimpleNamespace(on_batch_end=lambda step, logs: steps.append(step))
    mc.fit(model, loss, opt, batches(x, y), epochs=1, verbose=0, callbacks=[hook])
    assert steps == [1, 2]


# -- CSVLogger ----------------------------------------------------------------------------------


def test_csv_logger_writes_one_row_per_epoch(tmp_path):
    x, y = make_problem(32)
    model, loss, opt = setup()
    path = tmp_path / "log.csv"
    history = mc.fit(
        model,
        loss,
        opt,
        batches(x, y),
        val_loader=batches(x, y),
        epochs=3,
        verbose=0,
        callbacks=[mc.CSVLogger(path)],
    )
    rows = list(csv.DictReader(path.open()))
    assert [r["epoch"] for r in rows] == ["1", "2", "3"]
    assert list(rows[0]) == ["epoch", *mc.CSVLogger.columns]
    for i, row in enumerate(rows):
        for column in mc.CSVLogger.columns:
            assert float(row[column]) == getattr(history, column)[i], column
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*"))


def test_csv_logger_leaves_validation_cells_empty_and_keeps_resumed_rows(tmp_path):
    x, y = make_problem(32)
    model, loss, opt = setup()
    path = tmp_path / "sub" / "log.csv"  # missing folders are created
    history = mc.fit(model, loss, opt, batches(x, y), epochs=2, verbose=0)
    mc.fit(
        model,
        loss,
        opt,
        batches(x, y),
        epochs=1,
        verbose=0,
        history=history,
        callbacks=[mc.CSVLogger(path)],
    )
    rows = list(csv.DictReader(path.open()))
    assert [r["epoch"] for r in rows] == ["1", "2", "3"]
    assert rows[-1]["val_loss"] == "" and rows[-1]["val_acc"] == ""


def test_csv_logger_keeps_the_old_file_when_a_write_fails(tmp_path, monkeypatch):
    path = tmp_path / "log.csv"
    path.write_text("epoch,train_loss\n1,0.5\n")
    history = mc.History()
    history.append(
        train_loss=0.4,
        train_acc=0.9,
        val_loss=None,
        val_acc=None,
        seconds=1.0,
        images_per_sec=10.0,
        lr=0.1,
    )

    def broken(fd):
        raise OSError("disk full")

    monkeypatch.setattr("os.fsync", broken)
    with pytest.raises(OSError, match="disk full"):
        mc.CSVLogger(path).on_epoch_end(1, history)
    assert path.read_text() == "epoch,train_loss\n1,0.5\n"


# -- EarlyStopping(restore_best_weights=True) ----------------------------------------------------


class ScriptedValidation(mc.Callback):
    """Overwrites the epoch's val_loss with a scripted value, so the best epoch is known."""

    def __init__(self, losses):
        self.losses = list(losses)

    def on_epoch_end(self, epoch, history):
        history.val_loss[-1] = self.losses[epoch - 1]


class Snapshots(mc.Callback):
    def __init__(self):
        self.weights = {}

    def on_epoch_end(self, epoch, history):
        self.weights[epoch] = self.model.state_dict()


@pytest.mark.parametrize("batch_norm", [False, True])
def test_early_stopping_restores_the_best_epochs_weights(batch_norm):
    x, y = make_problem(48)
    model, loss, opt = setup(batch_norm=batch_norm)
    snapshots = Snapshots()
    stopper = mc.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    history = mc.fit(
        model,
        loss,
        opt,
        batches(x, y),
        val_loader=batches(x, y),
        epochs=10,
        verbose=0,
        # Callbacks run in order: the script sets val_loss before EarlyStopping reads it.
        callbacks=[ScriptedValidation([0.9, 0.5, 0.7, 0.8, 0.1, 0.1]), snapshots, stopper],
    )
    assert len(history) == 4 and stopper.stopped_epoch == 4 and stopper.best_epoch == 2
    best, last = snapshots.weights[2], snapshots.weights[4]
    now = model.state_dict()
    assert set(now) == set(best)
    if batch_norm:
        assert any("running_mean" in name for name in now)
    for name in now:
        np.testing.assert_array_equal(now[name], best[name], err_msg=name)
    assert any(not np.array_equal(best[n], last[n]) for n in best), "training changed nothing"


def test_early_stopping_without_restoring_leaves_the_last_weights():
    x, y = make_problem(48)
    model, loss, opt = setup()
    snapshots = Snapshots()
    mc.fit(
        model,
        loss,
        opt,
        batches(x, y),
        val_loader=batches(x, y),
        epochs=10,
        verbose=0,
        callbacks=[
            ScriptedValidation([0.9, 0.5, 0.7, 0.8]),
            snapshots,
            mc.EarlyStopping(patience=2),
        ],
    )
    now = model.state_dict()
    for name in now:
        np.testing.assert_array_equal(now[name], snapshots.weights[4][name])


def test_early_stopping_outside_fit_asks_for_the_model():
    history = mc.History()
    history.append(
        train_loss=1.0,
        train_acc=0.5,
        val_loss=1.0,
        val_acc=0.5,
        seconds=1.0,
        images_per_sec=1.0,
        lr=0.1,
    )
    stopper = mc.EarlyStopping(restore_best_weights=True)
    with pytest.raises(ValueError, match="set_model"):
        stopper.on_epoch_end(1, history)


# -- reprs --------------------------------------------------------------------------------------


def test_optimizers_and_schedulers_print_their_settings():
    model, _, _ = setup()
    sgd = mc.SGD(model.parameters(), lr=0.05, momentum=0.9)
    assert repr(sgd) == "SGD(4 parameters, lr=0.05, momentum=0.9, nesterov=False, weight_decay=0.0)"
    adam = mc.Adam(model.parameters(), lr=1e-3)
    assert repr(adam).startswith("Adam(4 parameters, lr=0.001, betas=(0.9, 0.999), eps=")
    for cls in (mc.AdamW, mc.AdaGrad, mc.RMSprop, mc.AdaDelta):
        text = repr(cls(model.parameters()))
        assert text.startswith(f"{cls.__name__}(4 parameters, lr=") and "object at" not in text
    schedule = mc.MultiStepLR(sgd, [2, 3])
    assert repr(schedule) == "MultiStepLR(milestones=[2, 3], gamma=0.1, last_epoch=0, lr=0.05)"
    schedule.step()
    schedule.step()
    assert repr(schedule).endswith("last_epoch=2, lr=0.005000000000000001)")
    assert repr(sgd).startswith("SGD(4 parameters, lr=0.005")  # the rate it uses now
    assert repr(mc.StepLR(sgd, 3)).startswith("StepLR(step_size=3, gamma=0.1, last_epoch=0")
    assert repr(mc.CosineLR(sgd, 10)).startswith("CosineLR(T_max=10, eta_min=0.0, ")
    assert repr(mc.ReduceLROnPlateau(sgd)).startswith("ReduceLROnPlateau(mode='min', factor=0.1")
