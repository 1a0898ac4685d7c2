"""Learning-rate schedules: they set ``optimizer.lr`` once per epoch.

    optimizer = mc.SGD(model.parameters(), lr=0.1, momentum=0.9)
    schedule = mc.StepLR(optimizer, step_size=30)
    for epoch in range(90):
        train_one_epoch(...)
        schedule.step()          # ReduceLROnPlateau: schedule.step(validation_loss)

Each follows the PyTorch scheduler of the same purpose (StepLR, MultiStepLR,
CosineAnnealingLR, ReduceLROnPlateau) and gives the same learning rates. minicnn's optimizers have a
single learning rate, so ``get_last_lr()`` returns a float where PyTorch returns a
list with one entry per parameter group.
"""

from __future__ import annotations

import bisect
import math

import numpy as np

from . import validate
from .optim import Optimizer, constructor_repr


class LRScheduler:
    """Base class: remembers the optimizer's initial rate ``base_lr`` and counts epochs.

    A subclass implements ``lr_at(epoch)``; ``step()`` advances the epoch counter and
    sets ``optimizer.lr``. ``needs_metric`` tells a training loop whether ``step``
    wants the validation metric (only ReduceLROnPlateau does).
    """

    needs_metric = False

    def __init__(self, optimizer: Optimizer):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__} expects a mc.Optimizer (e.g. mc.SGD), got "
                f"{type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_epoch = 0

    def lr_at(self, epoch: int) -> float:
        raise NotImplementedError

    def step(self) -> None:
        """Call once per epoch, after that epoch's optimizer steps."""
        self.last_epoch += 1
        self.optimizer.lr = self.lr_at(self.last_epoch)

    def get_last_lr(self) -> float:
        """The learning rate the optimizer uses now."""
        return self.optimizer.lr

    # the attributes that change while training; the rest comes from the constructor
    _progress: tuple[str, ...] = ("base_lr", "last_epoch")

    def state_dict(self) -> dict[str, float | int]:
        """The schedule's progress as plain Python numbers: JSON-able for a checkpoint's
        metadata, and ``np.savez`` can store them too."""
        return {name: getattr(self, name) for name in self._progress}

    def check_state_dict(self, state) -> list[str]:
        """Every reason ``state`` cannot be loaded into this schedule (empty: it fits).

        It must hold exactly this schedule's progress fields (``_progress``), each a
        single number: counters integers >= 0, rates finite and >= 0 (``base_lr`` > 0),
        ``best`` any number but NaN (it starts at ±infinity).
        """
        owner = type(self).__name__
        if not isinstance(state, dict):
            return [f"the scheduler state must be a dict, got {type(state).__name__}"]
        missing = [name for name in self._progress if name not in state]
        unexpected = [name for name in state if name not in self._progress]
        problems = []
        if missing or unexpected:
            problems.append(
                f"the scheduler state has fields {sorted(state)}, a {owner} keeps "
                f"{list(self._progress)}; was it saved by another kind of scheduler?"
            )
        for name in self._progress:
            if name not in state:
                continue
            value = np.asarray(state[name])
            if value.shape != () or value.dtype.kind not in "iuf":
                problems.append(f"{name} must be a single number, got {state[name]!r}")
            elif name in ("last_epoch", "num_bad_epochs", "cooldown_counter"):
                if value.dtype.kind not in "iu" or value < 0:
                    problems.append(f"{name} must be an integer >= 0, got {value}")
            elif name == "best":
                if np.isnan(value):
                    problems.append("best must be a number, got nan")
            elif not (np.isfinite(value) and (value > 0 if name == "base_lr" else value >= 0)):
                low = "> 0" if name == "base_lr" else ">= 0"
                problems.append(f"{name} must be a finite number {low}, got {value}")
        return problems

    def load_state_dict(self, state: dict) -> None:
        """Resume where ``state_dict`` left off (and set the optimizer's rate to match).
        Raises ValueError, changing nothing, if ``state`` does not fit this schedule."""
        problems = self.check_state_dict(state)
        if problems:
            raise ValueError(f"{type(self).__name__}.load_state_dict: " + "; ".join(problems))
        for name in self._progress:
            # .item() turns a 0-d array read back from an .npz into a Python number
            setattr(self, name, np.asarray(state[name]).item())
        self._restore_lr()

    def _restore_lr(self) -> None:
        self.optimizer.lr = self.lr_at(self.last_epoch)

    def __repr__(self) -> str:
        """``MultiStepLR(milestones=[8, 11], gamma=0.1, last_epoch=3, lr=0.05)``: the
        constructor's arguments, the epochs stepped so far and the current rate."""
        progress = (f"last_epoch={self.last_epoch}", f"lr={self.optimizer.lr!r}")
        return constructor_repr(self, trailing=progress)


def _gamma(owner: str, gamma) -> float:
    return validate.real(
        owner, "gamma", gamma, low=0, low_open=True, hint=" (0.1 divides the rate by 10)"
    )


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs, as
    ``torch.optim.lr_scheduler.StepLR``:

        lr(epoch) = base_lr · gamma^⌊epoch / step_size⌋

    Args:
        optimizer: the optimizer whose ``lr`` is set.
        step_size: epochs between two reductions.
        gamma: the factor applied at each reduction.
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        super().__init__(optimizer)
        self.step_size = validate.integer("StepLR", "step_size", step_size, low=1)
        self.gamma = _gamma("StepLR", gamma)

    def lr_at(self, epoch):
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class MultiStepLR(LRScheduler):
    """Multiply the rate by ``gamma`` at each epoch in ``milestones``, as
    ``torch.optim.lr_scheduler.MultiStepLR``:

        lr(epoch) = base_lr · gamma^(number of milestones ≤ epoch)

    A large rate first (fast, noisy progress), then smaller ones to settle into the
    minimum: the schedule of AlexNet, VGG and the ResNet papers.

    Args:
        optimizer: the optimizer whose ``lr`` is set.
        milestones: the epochs at which the rate is multiplied by ``gamma``.
        gamma: the factor at each milestone.
    """

    def __init__(self, optimizer: Optimizer, milestones, gamma: float = 0.1):
        super().__init__(optimizer)
        try:
            milestones = list(milestones)
        except TypeError:
            raise TypeError(
                f"MultiStepLR: milestones must be a list of epochs, got {milestones!r}"
            ) from None
        self.milestones = sorted(
            validate.integer("MultiStepLR", "each milestone", m, low=1) for m in milestones
        )
        self.gamma = _gamma("MultiStepLR", gamma)

    def lr_at(self, epoch):
        return self.base_lr * self.gamma ** bisect.bisect_right(self.milestones, epoch)


class CosineLR(LRScheduler):
    """Cosine annealing from base_lr down to ``eta_min`` over ``T_max`` epochs, the closed
    form of ``torch.optim.lr_scheduler.CosineAnnealingLR``:

        lr(epoch) = eta_min + (base_lr − eta_min) · (1 + cos(π · epoch / T_max)) / 2

    It reaches eta_min at epoch T_max; past it, the cosine rises again (as PyTorch's).

    Args:
        optimizer: the optimizer whose ``lr`` is set.
        T_max: the epoch at which the rate reaches ``eta_min``.
        eta_min: the lowest rate.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0):
        super().__init__(optimizer)
        self.T_max = validate.integer("CosineLR", "T_max", T_max, low=1)
        self.eta_min = validate.real("CosineLR", "eta_min", eta_min, low=0)

    def lr_at(self, epoch):
        cosine = (1 + math.cos(math.pi * epoch / self.T_max)) / 2
        return self.eta_min + (self.base_lr - self.eta_min) * cosine


class ReduceLROnPlateau(LRScheduler):
    """Divide the rate when a validation metric stops improving, as
    ``torch.optim.lr_scheduler.ReduceLROnPlateau`` (AlexNet divided its rate by 10
    whenever the validation error stopped improving).

    ``step(metric)`` after each epoch. The metric improves on the best so far when

        mode='min', threshold_mode='rel':  metric < best·(1 − threshold)
        mode='min', threshold_mode='abs':  metric < best − threshold
        mode='max', threshold_mode='rel':  metric > best·(1 + threshold)
        mode='max', threshold_mode='abs':  metric > best + threshold

    After more than ``patience`` epochs in a row without improvement the rate becomes
    max(lr·factor, min_lr) (unchanged if that moves it by eps or less), and the next
    ``cooldown`` epochs do not count as bad.

    Args:
        optimizer: the optimizer whose ``lr`` is set.
        mode: 'min' for a metric that should fall (a loss), 'max' for one that should rise.
        factor: the rate is multiplied by it on a plateau.
        patience: the epochs without improvement that are tolerated.
        threshold: how much better than the best so far counts as an improvement.
        threshold_mode: 'rel' (a fraction of the best) or 'abs'.
        cooldown: epochs after a reduction that do not count as bad.
        min_lr: the rate never goes below it.
        eps: a change of the rate by eps or less is skipped.
    """

    needs_metric = True
    _progress = ("base_lr", "last_epoch", "best", "num_bad_epochs", "cooldown_counter", "lr")

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float = 0,
        eps: float = 1e-8,
    ):
        super().__init__(optimizer)
        if mode not in ("min", "max"):
            raise ValueError(
                f"ReduceLROnPlateau: mode must be 'min' (a loss) or 'max' (an "
                f"accuracy), got {mode!r}"
            )
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}"
            )
        owner = "ReduceLROnPlateau"
        self.factor = validate.real(
            owner,
            "factor",
            factor,
            low=0,
            high=1,
            low_open=True,
            high_open=True,
            hint=" (0.1 divides the rate by 10)",
        )
        self.patience = validate.integer(owner, "patience", patience, low=0)
        self.cooldown = validate.integer(owner, "cooldown", cooldown, low=0)
        self.threshold = validate.real(owner, "threshold", threshold, low=0)
        self.min_lr = validate.real(owner, "min_lr", min_lr, low=0)
        self.eps = validate.real(owner, "eps", eps, low=0)
        self.mode, self.threshold_mode = mode, threshold_mode
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0

    @property
    def lr(self) -> float:
        return self.optimizer.lr

    @lr.setter
    def lr(self, value: float) -> None:
        self.optimizer.lr = value

    def is_better(self, metric: float) -> bool:
        """Whether ``metric`` improves on ``self.best`` by more than the threshold."""
        if self.mode == "min" and self.threshold_mode == "rel":
            return metric < self.best * (1 - self.threshold)
        if self.mode == "min":
            return metric < self.best - self.threshold
        if self.threshold_mode == "rel":
            return metric > self.best * (1 + self.threshold)
        return metric > self.best + self.threshold

    def step(self, metric: float) -> None:  # type: ignore[override]
        """Call once per epoch with the validation metric (e.g. the validation loss)."""
        try:
            metric = float(metric)
        except (TypeError, ValueError):
            raise TypeError(
                f"ReduceLROnPlateau.step needs the validation metric as a number, got {metric!r}"
            ) from None
        except OverflowError:  # an int beyond any float
            raise ValueError(
                f"ReduceLROnPlateau.step needs a finite validation metric, got {metric!r}"
            ) from None
        if math.isnan(metric):
            raise ValueError(
                "ReduceLROnPlateau.step got a NaN metric: the validation loss "
                "diverged; lower the learning rate or check the data"
            )
        self.last_epoch += 1
        if self.is_better(metric):
            self.best, self.num_bad_epochs = metric, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during the cooldown do not count
        if self.num_bad_epochs > self.patience:
            new_lr = max(self.lr * self.factor, self.min_lr)
            if self.lr - new_lr > self.eps:
                self.lr = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0

    def _restore_lr(self) -> None:
        pass  # "lr" is part of the saved progress and was restored with it
