"""StepLR, CosineLR and ReduceLROnPlateau: the learning-rate sequence against torch's
schedulers, by hand, state_dict round trips and bad arguments."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import minicnn as mc


def sgd(lr=0.1):
    return mc.SGD([mc.Parameter(np.zeros(3), "w")], lr=lr)


def lr_sequence(schedule, metrics):
    """The rate after each ``step`` (with the metric when the schedule needs one)."""
    out = []
    for metric in metrics:
        schedule.step(metric) if schedule.needs_metric else schedule.step()
        out.append(schedule.get_last_lr())
    return out


def torch_sequence(torch, make, metrics, lr=0.1):
    """The same for a torch scheduler around a torch SGD (optimizer.step first, as
    torch expects)."""
    opt = torch.optim.SGD([torch.zeros(3, requires_grad=True)], lr=lr)
    schedule = make(opt)
    out = []
    for metric in metrics:
        opt.step()
        schedule.step(metric) if metric is not None else schedule.step()
        out.append(schedule.get_last_lr()[0])
    return out


# a validation loss that improves, stalls, improves a little (below the threshold),
# and stalls again: every branch of ReduceLROnPlateau
LOSSES = [
    1.0,
    0.8,
    0.8,
    0.81,
    0.79,
    0.7999,
    0.8,
    0.9,
    0.6,
    0.6,
    0.6,
    0.6,
    0.6,
    0.59995,
    0.5,
    0.5,
    0.5,
    0.5,
    0.5,
    0.5,
    0.5,
    0.5,
    0.5,
    0.5,
    0.5,
    0.5,
]
ACCURACIES = [0.5, 0.6, 0.6, 0.61, 0.6, 0.7, 0.7, 0.7, 0.7, 0.71, 0.71, 0.71, 0.71, 0.71]


@pytest.mark.parametrize(
    "ours, theirs, metrics",
    [
        (lambda o: mc.StepLR(o, 3), lambda t, o: t.StepLR(o, 3), [None] * 12),
        (
            lambda o: mc.StepLR(o, step_size=4, gamma=0.5),
            lambda t, o: t.StepLR(o, 4, gamma=0.5),
            [None] * 20,
        ),
        (lambda o: mc.MultiStepLR(o, [3, 7]), lambda t, o: t.MultiStepLR(o, [3, 7]), [None] * 12),
        (
            lambda o: mc.MultiStepLR(o, [8, 2, 2], gamma=0.5),
            lambda t, o: t.MultiStepLR(o, [8, 2, 2], gamma=0.5),
            [None] * 12,
        ),
        (
            lambda o: mc.CosineLR(o, T_max=10),
            lambda t, o: t.CosineAnnealingLR(o, T_max=10),
            [None] * 25,
        ),  # past T_max the cosine rises again, as torch's
        (
            lambda o: mc.CosineLR(o, 7, eta_min=0.01),
            lambda t, o: t.CosineAnnealingLR(o, 7, eta_min=0.01),
            [None] * 9,
        ),
        (
            lambda o: mc.ReduceLROnPlateau(o, patience=2),
            lambda t, o: t.ReduceLROnPlateau(o, patience=2),
            LOSSES,
        ),
        (
            lambda o: mc.ReduceLROnPlateau(
                o,
                factor=0.5,
                patience=1,
                threshold=0.05,
                threshold_mode="abs",
                cooldown=2,
                min_lr=0.02,
            ),
            lambda t, o: t.ReduceLROnPlateau(
                o,
                factor=0.5,
                patience=1,
                threshold=0.05,
                threshold_mode="abs",
                cooldown=2,
                min_lr=0.02,
            ),
            LOSSES,
        ),
        (
            lambda o: mc.ReduceLROnPlateau(o, mode="max", patience=1, threshold=0.01),
            lambda t, o: t.ReduceLROnPlateau(o, mode="max", patience=1, threshold=0.01),
            ACCURACIES,
        ),
        (
            lambda o: mc.ReduceLROnPlateau(
                o, mode="max", patience=0, threshold_mode="abs", threshold=0.005, cooldown=1
            ),
            lambda t, o: t.ReduceLROnPlateau(
                o, mode="max", patience=0, threshold_mode="abs", threshold=0.005, cooldown=1
            ),
            ACCURACIES,
        ),
        (
            lambda o: mc.ReduceLROnPlateau(o, patience=0, min_lr=1e-3),  # hits the floor
            lambda t, o: t.ReduceLROnPlateau(o, patience=0, min_lr=1e-3),
            LOSSES[5:],
        ),
    ],
)
def test_same_rates_as_torch(torch, ours, theirs, metrics):
    expected = torch_sequence(torch, lambda o: theirs(torch.optim.lr_scheduler, o), metrics)
    got = lr_sequence(ours(sgd()), metrics)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    assert len(set(np.round(got, 12))) > 1  # the rate did change along the way


def test_rates_by_hand():
    assert lr_sequence(mc.StepLR(sgd(1.0), 2, gamma=0.1), [None] * 5) == pytest.approx(
        [1.0, 0.1, 0.1, 0.01, 0.01]
    )
    cos = lr_sequence(mc.CosineLR(sgd(1.0), T_max=4), [None] * 4)
    assert cos == pytest.approx([(1 + math.cos(math.pi * t / 4)) / 2 for t in range(1, 5)])
    assert cos[-1] == 0.0  # eta_min=0 is reached exactly and the optimizer accepts it
    plateau = mc.ReduceLROnPlateau(sgd(1.0), patience=1)
    assert lr_sequence(plateau, [1.0, 1.0, 1.0, 0.5, 0.5, 0.5]) == pytest.approx(
        [1.0, 1.0, 0.1, 0.1, 0.1, 0.01]
    )


def test_schedules_set_the_optimizer_rate():
    opt = sgd(0.4)
    schedule = mc.StepLR(opt, 1, gamma=0.5)
    assert schedule.get_last_lr() == 0.4 and not schedule.needs_metric
    schedule.step()
    assert opt.lr == 0.2 == schedule.get_last_lr()
    assert mc.ReduceLROnPlateau.needs_metric is True


@pytest.mark.parametrize(
    "make, metrics",
    [
        (lambda o: mc.StepLR(o, 3, gamma=0.5), [None] * 10),
        (lambda o: mc.MultiStepLR(o, [2, 5]), [None] * 10),
        (lambda o: mc.CosineLR(o, 6, eta_min=0.001), [None] * 10),
        (lambda o: mc.ReduceLROnPlateau(o, patience=1, cooldown=2), LOSSES),
    ],
)
def test_state_dict_round_trip_through_npz(tmp_path, make, metrics):
    """Save after 5 epochs, load into a fresh schedule on a fresh optimizer: the
    remaining rates are those of a schedule that never stopped."""
    first = make(sgd())
    lr_sequence(first, metrics[:5])
    np.savez(tmp_path / "schedule.npz", **first.state_dict())
    resumed = make(sgd(lr=0.5))
    with np.load(tmp_path / "schedule.npz", allow_pickle=False) as saved:
        resumed.load_state_dict(dict(saved))
    assert resumed.get_last_lr() == first.get_last_lr()
    assert lr_sequence(resumed, metrics[5:]) == lr_sequence(first, metrics[5:])


def test_state_dict_is_json_able():
    """A checkpoint may keep the schedule's state in its JSON metadata."""
    first = mc.ReduceLROnPlateau(sgd(), patience=0)
    lr_sequence(first, [1.0, 2.0])
    state = json.loads(json.dumps(first.state_dict()))
    assert state["best"] == 1.0 and state["last_epoch"] == 2
    fresh = mc.ReduceLROnPlateau(sgd())
    assert json.loads(json.dumps(fresh.state_dict()))["best"] == math.inf
    fresh.load_state_dict(state)
    assert fresh.get_last_lr() == first.get_last_lr() == pytest.approx(0.01)


def test_loading_a_state_of_another_kind_says_so():
    state = mc.StepLR(sgd(), 2).state_dict()
    with pytest.raises(ValueError, match="ReduceLROnPlateau.*another kind of scheduler"):
        mc.ReduceLROnPlateau(sgd()).load_state_dict(state)


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: mc.StepLR(sgd(), 0), ["StepLR", "step_size", ">= 1"]),
        (lambda: mc.StepLR(sgd(), 2.5), ["step_size", "integer"]),
        (lambda: mc.StepLR(sgd(), 2, gamma=0), ["gamma must be a number > 0"]),
        (lambda: mc.MultiStepLR(sgd(), [2, 0]), ["MultiStepLR", "each milestone", ">= 1"]),
        (lambda: mc.MultiStepLR(sgd(), [2], gamma=-1), ["MultiStepLR", "gamma must be"]),
        (lambda: mc.CosineLR(sgd(), 0), ["CosineLR", "T_max"]),
        (lambda: mc.CosineLR(sgd(), 5, eta_min=-1), ["eta_min must be a number >= 0"]),
        (lambda: mc.ReduceLROnPlateau(sgd(), mode="lowest"), ["mode must be 'min'", "'lowest'"]),
        (lambda: mc.ReduceLROnPlateau(sgd(), factor=1.0), ["factor must be a number in (0, 1)"]),
        (lambda: mc.ReduceLROnPlateau(sgd(), threshold_mode="pct"), ["'rel' or 'abs'"]),
        (lambda: mc.ReduceLROnPlateau(sgd(), patience=-1), ["patience must be an integer >= 0"]),
        (lambda: mc.ReduceLROnPlateau(sgd(), min_lr=-0.1), ["min_lr must be a number >= 0"]),
        (lambda: mc.ReduceLROnPlateau(sgd()).step(float("nan")), ["NaN metric"]),
    ],
)
def test_bad_arguments(make, words):
    with pytest.raises((ValueError, TypeError)) as info:
        make()
    assert all(word in str(info.value) for word in words), str(info.value)


def test_type_errors():
    with pytest.raises(TypeError, match="expects a mc.Optimizer"):
        mc.StepLR([mc.Parameter(np.zeros(2))], 3)
    with pytest.raises(TypeError, match="validation metric as a number"):
        mc.ReduceLROnPlateau(sgd()).step("low")
