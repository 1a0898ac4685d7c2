"""Optimizers: they see only Parameter objects (p.data, p.grad)."""

from __future__ import annotations

import inspect
import math

import numpy as np

from . import validate
from .parameter import Parameter


def state_key(key: str) -> tuple[int | None, str]:
    """A per-parameter state key ``"<i>.<name>"`` as (i, name); i is None unless it is
    written in ASCII digits (``str.isdigit`` also accepts "²", which ``int`` refuses,
    and "١", which ``int`` reads as 1)."""
    index, _, name = key.partition(".")
    digits = index.isascii() and index.isdigit()
    return (int(index) if digits else None), name


class Optimizer:
    """Base class: holds the parameter list, the learning rate and per-parameter state.

    ``state[i]`` is a dict of arrays for parameter i (e.g. a momentum buffer);
    ``state_dict()`` flattens it for checkpoints.
    """

    def __init__(self, params, lr: float):
        self.params = list(params)
        if not self.params:
            raise ValueError(
                f"{type(self).__name__} got an empty parameter list; pass "
                f"model.parameters() of a model that has weights"
            )
        for p in self.params:
            if not isinstance(p, Parameter):
                raise TypeError(
                    f"{type(self).__name__} expects mc.Parameter objects, got "
                    f"{type(p).__name__}; pass model.parameters()"
                )
        self.lr = validate.real(
            type(self).__name__, "lr", lr, low=0, low_open=True, hint=" (the learning rate)"
        )
        self.state: list[dict[str, np.ndarray]] = [{} for _ in self.params]
        self.steps = 0

    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        # 0 is allowed here (not in the constructor): a schedule such as CosineLR
        # with eta_min=0 anneals the rate to exactly 0 on its last step.
        self._lr = validate.real(
            type(self).__name__, "lr", value, low=0, hint=" (the learning rate)"
        )

    def zero_grad(self) -> None:
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        self.steps += 1
        for p, state in zip(self.params, self.state, strict=True):
            # A frozen parameter (requires_grad=False) is not updated at all: no
            # weight decay, no momentum, no state.
            if p.requires_grad:
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

    def state_names(self) -> tuple[str, ...]:
        """Names of the per-parameter state arrays that the first ``step()`` creates
        ("step" is a 0-d integer counter, the others are shaped like the parameter)."""
        return ()

    def check_state_dict(self, state: dict[str, np.ndarray]) -> list[str]:
        """Every reason ``state`` cannot be loaded into this optimizer (empty: it fits).

        Checked: ``lr`` a finite number >= 0 and ``steps`` an integer >= 0 (both
        0-d); every other key ``"<i>.<name>"`` names a parameter index this optimizer
        has and a state array it uses ([`state_names`][minicnn.optim.Optimizer.state_names]), with
        the parameter's shape (a 0-d integer for ``step``); a parameter has all of its state arrays
        or none (none: it has not been stepped yet).
        """
        owner, problems = type(self).__name__, []
        for key in ("lr", "steps"):
            if key not in state:
                problems.append(f"optimizer: {key!r} missing from the file")
                continue
            value = np.asarray(state[key])
            if key == "lr":
                ok = value.dtype.kind in "fiu" and value.shape == () and 0 <= value < np.inf
            else:
                ok = value.dtype.kind in "iu" and value.shape == () and value >= 0
            if not ok:
                want = "finite number >= 0" if key == "lr" else "integer >= 0"
                problems.append(
                    f"optimizer: {key} must be a single {want}, the file holds "
                    f"{value.dtype} of shape {value.shape}: {str(value)[:60]}"
                )
        names, seen = self.state_names(), [set[str]() for _ in self.params]
        for key, value in state.items():
            if key in ("lr", "steps"):
                continue
            index, name = state_key(key)
            if index is None or index >= len(self.params) or name not in names:
                problems.append(
                    f"optimizer: state {key!r} does not belong to this {owner} (it has "
                    f"{len(self.params)} parameters, and state arrays {list(names)})"
                )
                continue
            seen[index].add(name)
            value, param = np.asarray(value), self.params[index].data
            shape, kinds = ((), "iu") if name == "step" else (param.shape, "f")
            if value.shape != shape or value.dtype.kind not in kinds:
                problems.append(
                    f"optimizer: state {key!r} is {value.dtype} {value.shape} in the file, "
                    f"this {owner} needs {'an integer' if name == 'step' else 'floats'} of "
                    f"shape {shape}"
                )
        for i, have in enumerate(seen):
            if have and have != set(names):
                problems.append(
                    f"optimizer: parameter {i} has state {sorted(have)} in the file but "
                    f"{owner} keeps {sorted(names)}"
                )
        return problems

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Resume from ``state_dict()``; raises ValueError (and changes nothing) if it
        does not fit this optimizer (see
        [`check_state_dict`][minicnn.optim.Optimizer.check_state_dict])."""
        problems = self.check_state_dict(state)
        if problems:
            raise ValueError(f"{type(self).__name__}.load_state_dict: " + "; ".join(problems))
        self.lr = float(state["lr"])
        self.steps = int(state["steps"])
        self.state = [{} for _ in self.params]
        for name, value in state.items():
            if name in ("lr", "steps"):
                continue
            index, key = name.split(".", 1)
            self.state[int(index)][key] = np.array(value)

    def __repr__(self) -> str:
        """``SGD(2 parameters, lr=0.05, momentum=0.9, ...)``: the constructor's arguments
        as they stand now (``lr`` is the current rate, which a schedule may have changed)."""
        return constructor_repr(self, leading=(f"{len(self.params)} parameters",))


def _non_negative(owner: str, **values) -> list[float]:
    """Each value as a float after checking it is a finite number >= 0."""
    return [validate.real(owner, name, value, low=0) for name, value in values.items()]


def _momentum(owner: str, momentum) -> float:
    """Momentum μ in [0, 1): the velocity is a geometric sum of past gradients with
    ratio μ, which grows without bound when μ >= 1."""
    return validate.real(
        owner, "momentum", momentum, low=0, high=1, high_open=True, hint=" (0.9 is usual)"
    )


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, as ``torch.optim.SGD``.

    g = ∇L + λ·θ                          (weight decay λ)
    v = μ·v + g       (v = g on the first step)
    θ = θ − lr · (g + μ·v  if nesterov  else  v)

    Args:
        params: the parameters to update, e.g. ``model.parameters()``.
        lr: the learning rate (no default, as in PyTorch).
        momentum: μ; 0 is plain gradient descent, 0.9 is usual.
        nesterov: use Nesterov's look-ahead form of momentum (needs momentum > 0).
        weight_decay: λ, the L2 penalty added to the gradient.
    """

    def __init__(
        self,
        params,
        lr: float,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ):
        super().__init__(params, lr)
        momentum = _momentum("SGD", momentum)
        (weight_decay,) = _non_negative("SGD", weight_decay=weight_decay)
        if not isinstance(nesterov, (bool, np.bool_)):
            raise TypeError(f"SGD: nesterov must be True or False, got {nesterov!r}")
        if nesterov and momentum == 0:
            raise ValueError("SGD: nesterov=True needs momentum > 0")
        self.momentum, self.nesterov, self.weight_decay = momentum, bool(nesterov), weight_decay

    def state_names(self):
        return ("momentum_buffer",) if self.momentum else ()

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


# -- adaptive optimizers: a per-parameter step size from running gradient statistics --


def _fraction(owner: str, closed: bool, **values) -> list[float]:
    """Each value as a float after checking it lies in [0, 1] (``closed``) or [0, 1)."""
    return [
        validate.real(owner, name, value, low=0, high=1, high_open=not closed)
        for name, value in values.items()
    ]


def _with_l2(p: Parameter, weight_decay: float) -> np.ndarray:
    """The gradient with L2 weight decay folded in, g = ∇L + λ·θ (p.grad is not changed)."""
    return p.grad + weight_decay * p.data if weight_decay else p.grad


def _next_step(state: dict, p: Parameter, fills: dict[str, float]) -> int:
    """Create the state arrays on the first step (each ``name`` filled with its value,
    shaped like the parameter), advance the per-parameter step counter t and return
    it. The counter is an array in ``state`` so state_dict() saves it: Adam's bias
    correction needs t after a resume."""
    if "step" not in state:
        state["step"] = np.zeros((), dtype=np.int64)
        for name, value in fills.items():
            state[name] = np.full_like(p.data, value)
    state["step"] += 1
    return int(state["step"])


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), as ``torch.optim.Adam`` (amsgrad not supported).

    At step t, with g = ∇L + λ·θ (L2 weight decay λ; AdamW decouples it instead):

        m = β₁·m + (1 − β₁)·g                 first moment  (state "exp_avg")
        v = β₂·v + (1 − β₂)·g²                second moment (state "exp_avg_sq")
        m̂ = m / (1 − β₁ᵗ)    v̂ = v / (1 − β₂ᵗ)   bias correction: m, v start at 0
        θ = θ − lr · m̂ / (√v̂ + ε)

    ε is added after the square root and after the bias correction of v, as in
    PyTorch (computed as lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε)).

    Args:
        params: the parameters to update, e.g. ``model.parameters()``.
        lr: the learning rate.
        betas: (β₁, β₂), the decay rates of the first and second moment.
        eps: ε, added to the denominator.
        weight_decay: λ, L2 in the gradient (use AdamW for decoupled decay).
    """

    decoupled_weight_decay = False

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        super().__init__(params, lr)
        name = type(self).__name__
        if not (isinstance(betas, (tuple, list, np.ndarray)) and len(betas) == 2):
            raise TypeError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
        beta1, beta2 = _fraction(name, False, beta1=betas[0], beta2=betas[1])
        self.betas = (beta1, beta2)
        self.eps, self.weight_decay = _non_negative(name, eps=eps, weight_decay=weight_decay)

    def state_names(self):
        return ("step", "exp_avg", "exp_avg_sq")

    def update(self, p, state):
        t = _next_step(state, p, {"exp_avg": 0.0, "exp_avg_sq": 0.0})
        beta1, beta2 = self.betas
        if self.decoupled_weight_decay:
            if self.weight_decay:
                p.data *= 1 - self.lr * self.weight_decay
            g = p.grad
        else:
            g = _with_l2(p, self.weight_decay)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1 - beta1) * (g - m)  # = β₁·m + (1 − β₁)·g
        v *= beta2
        v += (1 - beta2) * g * g
        denom = np.sqrt(v) / math.sqrt(1 - beta2**t) + self.eps
        p.data -= (self.lr / (1 - beta1**t)) * m / denom


class AdamW(Adam):
    """AdamW (Loshchilov & Hutter, 2019), as ``torch.optim.AdamW``: Adam with the weight
    decay taken out of the gradient and applied to the weights directly,

        θ = θ·(1 − lr·λ)            then the Adam step of ``Adam`` with g = ∇L

    With L2 in Adam, the decay term λθ is divided by √v̂ like the gradient, so
    weights with large gradients are barely decayed; decoupling decays all alike.

    Args:
        params: the parameters to update.
        lr: the learning rate.
        betas: (β₁, β₂), as in Adam.
        eps: ε, as in Adam.
        weight_decay: λ, the decoupled decay (0.01: PyTorch's default).
    """

    decoupled_weight_decay = True

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ):
        super().__init__(params, lr, betas, eps, weight_decay)


class AdaGrad(Optimizer):
    """AdaGrad (Duchi et al., 2011), as ``torch.optim.Adagrad``.

    At step t, with g = ∇L + λ·θ:

        lr_t = lr / (1 + (t − 1)·lr_decay)
        G = G + g²                            (state "sum", starts at initial_accumulator_value)
        θ = θ − lr_t · g / (√G + ε)

    Every weight's step shrinks as its squared gradients accumulate: rare features
    keep large steps, frequent ones get small ones.

    Args:
        params: the parameters to update.
        lr: the initial learning rate.
        lr_decay: how fast the rate falls with the step count.
        weight_decay: λ, L2 added to the gradient.
        initial_accumulator_value: the starting value of G.
        eps: ε, added to the denominator.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
    ):
        super().__init__(params, lr)
        (
            self.lr_decay,
            self.weight_decay,
            self.initial_accumulator_value,
            self.eps,
        ) = _non_negative(
            "AdaGrad",
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        )

    def state_names(self):
        return ("step", "sum")

    def update(self, p, state):
        t = _next_step(state, p, {"sum": self.initial_accumulator_value})
        g = _with_l2(p, self.weight_decay)
        lr_t = self.lr / (1 + (t - 1) * self.lr_decay)
        state["sum"] += g * g
        p.data -= lr_t * g / (np.sqrt(state["sum"]) + self.eps)


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012), as ``torch.optim.RMSprop``.

    With g = ∇L + λ·θ and α the smoothing constant:

        s = α·s + (1 − α)·g²                  (state "square_avg")
        centered=False:  d = √s + ε
        centered=True:   ḡ = α·ḡ + (1 − α)·g  (state "grad_avg")
                         d = √(s − ḡ²) + ε    (the gradient's running variance)
        momentum μ = 0:  θ = θ − lr · g / d
        momentum μ > 0:  b = μ·b + g / d      (state "momentum_buffer", starts at 0)
                         θ = θ − lr · b

    ε is added outside the square root, as in PyTorch.

    Args:
        params: the parameters to update.
        lr: the learning rate.
        alpha: α, the smoothing constant of the running mean of g².
        eps: ε, added to the denominator.
        weight_decay: λ, L2 added to the gradient.
        momentum: μ, momentum on the scaled step (0: none).
        centered: divide by the gradient's running variance instead of its mean square.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
    ):
        super().__init__(params, lr)
        (self.alpha,) = _fraction("RMSprop", True, alpha=alpha)
        self.eps, self.weight_decay = _non_negative("RMSprop", eps=eps, weight_decay=weight_decay)
        self.momentum = _momentum("RMSprop", momentum)
        if not isinstance(centered, (bool, np.bool_)):
            raise TypeError(f"RMSprop: centered must be True or False, got {centered!r}")
        self.centered = bool(centered)

    def state_names(self):
        return (
            ("step", "square_avg")
            + ("grad_avg",) * self.centered
            + ("momentum_buffer",) * bool(self.momentum)
        )

    def update(self, p, state):
        fills = {"square_avg": 0.0}
        if self.centered:
            fills["grad_avg"] = 0.0
        if self.momentum:
            fills["momentum_buffer"] = 0.0
        _next_step(state, p, fills)
        g = _with_l2(p, self.weight_decay)
        s = state["square_avg"]
        s *= self.alpha
        s += (1 - self.alpha) * g * g
        if self.centered:
            g_avg = state["grad_avg"]
            g_avg += (1 - self.alpha) * (g - g_avg)  # = α·ḡ + (1 − α)·g
            denom = np.sqrt(s - g_avg * g_avg) + self.eps
        else:
            denom = np.sqrt(s) + self.eps
        if self.momentum:
            b = state["momentum_buffer"]
            b *= self.momentum
            b += g / denom
            p.data -= self.lr * b
        else:
            p.data -= self.lr * g / denom


class AdaDelta(Optimizer):
    """AdaDelta (Zeiler, 2012), as ``torch.optim.Adadelta``.

    With g = ∇L + λ·θ and decay ρ:

        s = ρ·s + (1 − ρ)·g²                          (state "square_avg")
        Δ = √(u + ε) / √(s + ε) · g                   (u: state "acc_delta")
        u = ρ·u + (1 − ρ)·Δ²
        θ = θ − lr · Δ

    The ratio of the two running RMS values gives the step the units of θ, so the
    default lr = 1.0 needs no tuning (Zeiler's motivation).

    Args:
        params: the parameters to update.
        lr: scales Δ (1.0, Zeiler's, needs no tuning).
        rho: ρ, the decay of both running averages.
        eps: ε, inside both square roots.
        weight_decay: λ, L2 added to the gradient.
    """

    def __init__(
        self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6, weight_decay: float = 0
    ):
        super().__init__(params, lr)
        (self.rho,) = _fraction("AdaDelta", True, rho=rho)
        self.eps, self.weight_decay = _non_negative("AdaDelta", eps=eps, weight_decay=weight_decay)

    def state_names(self):
        return ("step", "square_avg", "acc_delta")

    def update(self, p, state):
        _next_step(state, p, {"square_avg": 0.0, "acc_delta": 0.0})
        g = _with_l2(p, self.weight_decay)
        s, u = state["square_avg"], state["acc_delta"]
        s *= self.rho
        s += (1 - self.rho) * g * g
        delta = np.sqrt(u + self.eps) / np.sqrt(s + self.eps) * g
        u *= self.rho
        u += (1 - self.rho) * delta * delta
        p.data -= self.lr * delta


def constructor_repr(obj, leading: tuple[str, ...] = (), trailing: tuple[str, ...] = ()) -> str:
    """``Name(leading..., arg=value, ..., trailing...)``: ``arg=value`` for every argument
    of ``type(obj).__init__`` (but the parameters or the optimizer) that ``obj`` keeps as
    an attribute of the same name."""
    names = inspect.signature(type(obj).__init__).parameters
    shown = [
        f"{n}={getattr(obj, n)!r}"
        for n in names
        if n not in ("self", "params", "optimizer") and hasattr(obj, n)
    ]
    return f"{type(obj).__name__}({', '.join([*leading, *shown, *trailing])})"
