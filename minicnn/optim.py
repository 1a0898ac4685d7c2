"""Optimizers: they see only Parameter objects (p.data, p.grad)."""

from __future__ import annotations

import math

import numpy as np

from .parameter import Parameter


class Optimizer:
    """Base class: holds the parameter list, the learning rate and per-parameter state.

    ``state[i]`` is a dict of arrays for parameter i (e.g. a momentum buffer);
    ``state_dict()`` flattens it for checkpoints.
    """

    def __init__(self, params, lr: float):
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list; pass "
                             f"model.parameters() of a model that has weights")
        for p in self.params:
            if not isinstance(p, Parameter):
                raise TypeError(f"{type(self).__name__} expects mc.Parameter objects, got "
                                f"{type(p).__name__}; pass model.parameters()")
        self.lr = lr
        self.state: list[dict[str, np.ndarray]] = [{} for _ in self.params]
        self.steps = 0

    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise ValueError(f"{type(self).__name__}: learning rate must be a positive number, "
                             f"got lr={value!r}")
        self._lr = float(value)

    def zero_grad(self) -> None:
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        self.steps += 1
        for p, state in zip(self.params, self.state, strict=True):
            self.update(p, state)

    def update(self, p: Parameter, state: dict) -> None:
        raise NotImplementedError

    def state_dict(self) -> dict[str, np.ndarray]:
        """Flat {name: array} of everything needed to resume (arrays and scalars)."""
        out = {"lr": np.asarray(self.lr), "steps": np.asarray(self.steps)}
        for i, state in enumerate(self.state):
            for key, value in state.items():
                out[f"{i}.{key}"] = value
        return out

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        self.lr = float(state["lr"])
        self.steps = int(state["steps"])
        self.state = [{} for _ in self.params]
        for name, value in state.items():
            if name in ("lr", "steps"):
                continue
            index, key = name.split(".", 1)
            self.state[int(index)][key] = np.array(value)


def _check_non_negative(owner: str, **values: float) -> None:
    for name, value in values.items():
        if not value >= 0:
            raise ValueError(f"{owner}: {name} must be >= 0, got {value!r}")


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, as ``torch.optim.SGD``.

        g = ∇L + λ·θ                          (weight decay λ)
        v = μ·v + g       (v = g on the first step)
        θ = θ − lr · (g + μ·v  if nesterov  else  v)
    """

    def __init__(self, params, lr: float, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0):
        super().__init__(params, lr)
        _check_non_negative("SGD", momentum=momentum, weight_decay=weight_decay)
        if nesterov and momentum == 0:
            raise ValueError("SGD: nesterov=True needs momentum > 0")
        self.momentum, self.nesterov, self.weight_decay = momentum, nesterov, weight_decay

    def update(self, p, state):
        g = p.grad
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        if self.momentum:
            if "momentum_buffer" in state:
                v = state["momentum_buffer"]
                v *= self.momentum
                v += g
            else:
                v = state["momentum_buffer"] = np.array(g, copy=True)
            g = g + self.momentum * v if self.nesterov else v
        p.data -= self.lr * g
