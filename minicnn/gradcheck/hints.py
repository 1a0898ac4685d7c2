"""The usual mistakes, said in plain words.

A failed comparison alone says *that* a gradient is wrong. The functions here say *what*
a student most likely did, each as a sentence for the report (or nothing): a backward
that returns None or a gradient of the wrong shape or dtype, a forward that modifies
its input, a backward that modifies dout, a cache kept from the first call only, a
Parameter that the attribute walk cannot find, a forward that differs from minicnn's
reference layer, and, at the worst index of a failed comparison, the known pattern
that fits (sign flipped, off by the batch size, transposed, rot180, a mask).

[`minicnn.gradcheck.checker`][minicnn.gradcheck.checker] calls them; they never decide
pass or fail on their own. The sentences come from the catalogue in
[`minicnn.messages`][minicnn.messages], in English or Korean.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable

import numpy as np

from .. import layers as L
from ..messages import say
from ..parameter import Parameter

# The English sentences, as a test or a caller compares them (the report itself says
# them in the current language, see minicnn.messages).
FORWARD_CHANGED_INPUT = say("gc.forward_changed_input", "en", what="input x")
BACKWARD_CHANGED_DOUT = say("gc.backward_changed_dout", "en")
BACKWARD_CHANGED_INPUT = say("gc.backward_changed_input", "en", what="input x")
STALE_CACHE = say("gc.stale_cache", "en", what="{what}")


# -- what cannot be compared at all ---------------------------------------------------


def gradient_problem(name: str, value, shape: tuple[int, ...]) -> str | None:
    """Why ``value`` cannot be compared with a gradient of ``shape`` at all (None,
    not an array, wrong shape or dtype), or None when it can."""
    returned = name in ("input", "scores")
    where = say("gc.where.returned") if returned else say("gc.where.grad", name=name)
    like = {"input": "x", "scores": "scores"}.get(name, name)
    if value is None:
        if returned:
            return say("gc.grad.none_returned", like=like, shape=shape)
        return say("gc.grad.none_param", name=name)
    if not isinstance(value, np.ndarray | np.generic | float | int):
        return say("gc.grad.type", where=where, type=type(value).__name__, shape=shape)
    got = np.shape(value)
    if got != shape:
        why = say("gc.grad.shape", where=where, got=got, like=like, shape=shape)
        if len(got) > 1 and got == shape[::-1]:
            why += say("gc.grad.shape.transposed")
        elif got[1:] == shape and not returned:
            why += say("gc.grad.shape.batch_kept")
        elif got == shape[1:]:
            why += say("gc.grad.shape.batch_missing")
        elif math.prod(got) == math.prod(shape):
            why += say("gc.grad.shape.reshape", like=like)
        return why
    dtype = np.asarray(value).dtype
    if dtype != np.float64:
        return say("gc.grad.dtype", where=where, dtype=dtype)
    return None


def output_problem(y) -> str | None:
    """Why forward's output cannot be checked (None, not an array, not float64)."""
    if y is None:
        return say("gc.out.none")
    if not isinstance(y, np.ndarray):
        return say("gc.out.type", type=type(y).__name__)
    if y.dtype != np.float64:
        return say("gc.out.dtype", dtype=y.dtype)
    return None


def loss_output_problem(out, batch: int) -> str | None:
    """Why a loss's forward output cannot be checked: None, not a number, or neither
    one number nor one per sample."""
    if out is None:
        return say("gc.loss.none")
    if np.ndim(out) == 0 or np.shape(out)[0] == batch:
        try:
            np.asarray(out, dtype=np.float64)
        except (TypeError, ValueError):
            return say("gc.loss.type", type=type(out).__name__)
        return None
    return say("gc.loss.shape", shape=np.shape(out), batch=batch)


# -- how the two gradients differ -----------------------------------------------------


def gradient_hint(
    analytic: np.ndarray,
    numeric: np.ndarray,
    batch: int | None = None,
    ours: str | None = None,
    theirs: str | None = None,
) -> str:
    """A known mistake that explains how ``analytic`` differs from ``numeric``
    (sign flipped, off by the batch size or another constant, transposed, the kernel
    rotated by 180°, a mask that blocks or leaks), or "" when none fits."""
    a, n = analytic, numeric
    ours, theirs = ours or say("gc.ours"), theirs or say("gc.theirs")
    if not np.isfinite(a).all():
        return say("gc.nan", ours=ours)
    scale = max(np.abs(a).max(initial=0.0), np.abs(n).max(initial=0.0))
    if scale == 0:
        return ""

    def same(u, v):
        return u.shape == v.shape and bool(np.all(np.abs(u - v) <= 1e-5 * scale))

    small, large = np.abs(n) <= 1e-6 * scale, np.abs(n) > 1e-3 * scale
    if np.abs(a).max() <= 1e-6 * scale:
        return say("gc.zero", ours=ours)
    if same(a, -n):
        return say("gc.sign", ours=ours, theirs=theirs)
    if large.any():
        c = float(np.median(a[large] / n[large]))
        if abs(c - 1) > 1e-3 and same(a, c * n):
            return _factor_hint(c, batch, ours, theirs)
    if a.ndim == 2 and a.shape[0] == a.shape[1] and same(a, n.T):
        return say("gc.transposed", ours=ours, theirs=theirs)
    if a.ndim >= 2 and same(a, n[..., ::-1, ::-1]) and not same(n, n[..., ::-1, ::-1]):
        return say("gc.rot180", ours=ours, theirs=theirs)
    if a.ndim == 4 and a.shape[0] == a.shape[1] and same(a, n.swapaxes(0, 1)):
        return say("gc.axes", ours=ours)
    blocked = (np.abs(a) <= 1e-6 * scale) & large
    leaked = (np.abs(a) > 1e-3 * scale) & small
    rest = ~(blocked | leaked)
    if (blocked.any() or leaked.any()) and same(a[rest], n[rest]):
        first = tuple(int(i) for i in np.argwhere(blocked | leaked)[0])
        if blocked.any() and leaked.any():
            return say("gc.mask_inverted", ours=ours, theirs=theirs, first=first)
        if blocked.any():
            count = int(blocked.sum())
            return say("gc.mask_blocks", ours=ours, theirs=theirs, count=count, first=first)
        count = int(leaked.sum())
        return say("gc.mask_missing", ours=ours, theirs=theirs, count=count, first=first)
    return ""


def _factor_hint(c: float, batch: int | None, ours: str, theirs: str) -> str:
    """The hint for ``ours = c · theirs`` everywhere. A batch of 2 is never blamed: a
    factor of 2 (a square's derivative halved, a gradient counted twice) is as likely,
    so the plain factor is named instead."""
    if batch == 2:
        batch = None
    if batch and batch > 1 and math.isclose(c, 1 / batch, rel_tol=1e-4):
        return say("gc.div_batch", ours=ours, theirs=theirs, batch=batch)
    if batch and batch > 1 and math.isclose(c, batch, rel_tol=1e-4):
        return say("gc.times_batch", ours=ours, theirs=theirs, batch=batch)
    k = round(1 / c) if abs(c) < 1 else 0
    if k >= 2 and math.isclose(c, 1 / k, rel_tol=1e-4):
        return say("gc.div_k", ours=ours, theirs=theirs, k=k)
    if abs(c) >= 1 and round(c) >= 2 and math.isclose(c, round(c), rel_tol=1e-4):
        return say("gc.times_k", ours=ours, theirs=theirs, k=round(c))
    return say("gc.factor", ours=ours, theirs=theirs, c=c)


def unrotated_kernel(layer: L.Layer, dx, input_gradient: Callable[[L.Layer], np.ndarray]) -> bool:
    """Is ``dx`` the input gradient the layer would have with its 4-D kernel rotated
    by 180° (the backward forgot rot180)? The gradient itself is then not an exact
    flip of the true one, so ``gradient_hint`` cannot see it; this asks for the
    numerical input gradient of a copy of the layer with the kernel flipped
    (``input_gradient(copy)``, the checker's central difference)."""
    weight = dict(layer.named_parameters()).get("weight")
    if weight is None or weight.data.ndim != 4 or weight.data.shape[2:] == (1, 1):
        return False
    flipped = copy.deepcopy(layer)
    dict(flipped.named_parameters())["weight"].data[...] = weight.data[:, :, ::-1, ::-1]
    alt = input_gradient(flipped)
    dx = np.asarray(dx)
    scale = max(np.abs(alt).max(initial=0.0), 1e-12)
    return dx.shape == alt.shape and bool(np.abs(dx - alt).max() <= 1e-5 * scale)


# -- what the layer does besides its gradients ----------------------------------------


def modified_in_forward(received: np.ndarray, original: np.ndarray, what: str) -> list[str]:
    """[the sentence] if forward changed the array it ``received`` (a copy of
    ``original``) in place; ``what`` is "input" or "scores"."""
    if np.array_equal(received, original):
        return []
    return [say("gc.forward_changed_input", what=say(f"gc.what.{what}"))]


def modified_in_backward(
    dout: np.ndarray, upstream: np.ndarray, received: np.ndarray, seen: np.ndarray, what: str
) -> list[str]:
    """[the sentence] if backward changed ``dout`` (a copy of ``upstream``) or the
    array forward ``received`` (``seen`` is a copy of it taken before backward)."""
    if not np.array_equal(dout, upstream):
        return [say("gc.backward_changed_dout")]
    if not np.array_equal(received, seen):
        return [say("gc.backward_changed_input", what=say(f"gc.what.{what}"))]
    return []


def unregistered_parameters(layer: L.Layer) -> list[str]:
    """A sentence for each Parameter that would silently go untrained: one that an
    overridden ``parameters()`` does not yield, and Parameters kept in a list, tuple
    or dict attribute, where ``named_parameters()`` (the attribute walk) does not look."""
    yielded = {id(p) for p in layer.parameters()}
    problems = [
        say(
            "gc.param.not_yielded",
            cls=type(layer).__name__,
            name=name,
            attr=name.rpartition(".")[2],
        )
        for name, p in layer.named_parameters()
        if id(p) not in yielded
    ]
    registered = {id(p) for _, p in layer.named_parameters()}
    for name, module in layer.named_modules():
        for attr, value in vars(module).items():
            items = value.values() if isinstance(value, dict) else value
            if isinstance(value, list | tuple | dict) and any(
                isinstance(v, Parameter) and id(v) not in registered for v in items
            ):
                where = f"{name}.{attr}" if name else attr
                problems.append(
                    say(
                        "gc.param.in_container",
                        cls=type(module).__name__,
                        where=repr(where),
                        type=type(value).__name__,
                    )
                )
    return problems


def stale_cache_problem(used: Callable[[], tuple], fresh: Callable[[], tuple]) -> str | None:
    """Compare (output, {tensor: gradient}) of one forward and backward pass on a
    second, different input: ``used()`` runs the checked layer, ``fresh()`` a fresh
    copy of it that sees that input first."""
    try:
        (y_used, grads_used), (y_fresh, grads_fresh) = used(), fresh()
    except Exception as err:  # the student's code: say what happened, keep the report
        return say("gc.second_call_raised", error=type(err).__name__, message=err)
    if not _same(y_used, y_fresh):
        return say("gc.stale_cache", what=say("gc.stale.output"))
    stale = [t for t, g in grads_fresh.items() if not _same(grads_used[t], g)]
    if not stale:
        return None
    return say("gc.stale_cache", what=say("gc.stale.gradient", names=", ".join(stale)))


def _same(u, v) -> bool:
    u, v = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
    scale = max(np.abs(v).max(initial=0.0), 1e-300)
    return u.shape == v.shape and bool(np.all(np.abs(u - v) <= 1e-9 * scale))


def reference_problems(ours, reference, y, run, batch: int | None = None) -> list[str]:
    """Compare ``y`` (the checked layer's forward output) with minicnn's ``reference``
    layer or loss, which first gets the checked layer's parameters, copied by name.
    ``run(ref)`` calls the reference's forward on the same input."""
    if isinstance(reference, type):
        raise TypeError(say("gc.ref.class", name=reference.__name__))
    ref = copy.deepcopy(reference)
    if isinstance(ref, L.Layer):
        ref.to(np.float64).train(getattr(ours, "training", True))
    mine = dict(ours.named_parameters()) if isinstance(ours, L.Layer) else {}
    problems = []
    for name, p in ref.named_parameters() if isinstance(ref, L.Layer) else []:
        q = mine.get(name)
        if q is None:
            problems.append(
                say("gc.ref.missing_param", ref=repr(ref), name=repr(name), shape=p.shape)
            )
        elif q.shape != p.shape:
            problems.append(
                say(
                    "gc.ref.param_shape",
                    name=repr(name),
                    shape=q.shape,
                    ref=repr(ref),
                    ref_shape=p.shape,
                )
            )
        else:
            p.data[...] = q.data
    if problems:
        return problems
    y_ref = np.asarray(run(ref), dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if y.shape != y_ref.shape:
        return [say("gc.ref.shape", shape=y.shape, ref=repr(ref), ref_shape=y_ref.shape)]
    diff = np.abs(y - y_ref)
    if diff.size == 0 or diff.max() <= 1e-7 * max(np.abs(y_ref).max(), 1.0):
        return []
    i = tuple(int(k) for k in np.unravel_index(np.argmax(diff), diff.shape))
    hint = gradient_hint(y, y_ref, batch, say("gc.ref.ours"), say("gc.ref.theirs"))
    differs = say("gc.ref.differs", ref=repr(ref), index=i, yours=y[i], theirs=y_ref[i])
    return [differs + (say("gc.ref.hint", hint=hint) if hint else "")]
