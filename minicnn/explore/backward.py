"""What the explorer's backward view and backward stepper show, computed by minicnn:
the backward pass of one digit through the model, and one convolution's backward
(lecture 002) laid out step by step.

Every gradient here comes from minicnn's own backward code: the network's from each
layer's ``backward`` (which calls its functional pair), the stepper's from
``F.conv2d_forward`` / ``F.conv2d_backward``. Nothing is differentiated a second time;
what this module adds is bookkeeping: which numbers the page draws next to which.
All of it runs in float64, so the page's numbers equal the pairs' exactly.
"""

from __future__ import annotations

import copy

import numpy as np

from .. import functional as F
from ..model import Sequential

# Lecture 002's simplified example: a 3×3 input X, a 2×2 kernel K, no bias, so
# Y = X ⋆ K = [[8, 7], [4, 5]] (1·1 + 6·2 + 5·(−1) + 3·0 = 8, ...). The lecture keeps
# ∂E/∂Y symbolic; the stepper takes E = ½ Σ Y², whose ∂E/∂Y is Y itself, so every
# number on the page is one of the lecture's (another ∂E/∂Y can be sent as "dy").
LECTURE_002 = {
    "x": np.array([[1.0, 6.0, 2.0], [5.0, 3.0, 1.0], [7.0, 0.0, 4.0]]),
    "k": np.array([[1.0, 2.0], [-1.0, 0.0]]),
}


def backward_pass(model: Sequential, image: np.ndarray, label: int | None) -> dict:
    """The loss of one (28, 28) image and every gradient of it, in float64.

    Runs a float64 copy of ``model`` forward, then, from
    dL/d(scores) = softmax(scores) − onehot(label) (``F.softmax_cross_entropy``), each
    layer's ``backward`` in reverse order. ``label`` None means the prediction.

    Returns float64 arrays, batch axis dropped: 'outputs' (each layer's output),
    'scores', 'probabilities', 'prediction', 'label', 'loss', 'gradients' (dL/d(output of
    layer i), so the last is dL/d(scores)), 'dx' (dL/d(input), (28, 28)) and 'parameters'
    ({layer index: {'weight': dL/dW, 'bias': dL/dB or None}} for the layers with weights).
    """
    twin = copy.deepcopy(model)  # the caller's model stays untouched
    twin.to(np.float64)
    twin.zero_grad()
    x = np.asarray(image, dtype=np.float64).reshape(1, 1, *np.shape(image))
    outputs = []
    for layer in twin:
        x = layer.forward(x)
        outputs.append(x)
    scores = outputs[-1]
    prediction = int(np.argmax(scores[0]))
    label = prediction if label is None else label
    loss, d = F.softmax_cross_entropy(scores, np.array([label]))
    gradients: list[np.ndarray] = [np.empty(0)] * len(twin)
    for i in reversed(range(len(twin))):
        gradients[i] = d  # dL/d(output of layer i), arriving from above
        d = twin[i].backward(d)
    parameters = {
        i: {
            "weight": layer.weight.grad.copy(),
            "bias": None if layer.bias is None else layer.bias.grad.copy(),
        }
        for i, layer in enumerate(twin)
        if getattr(layer, "weight", None) is not None
    }
    return {
        "outputs": [y[0] for y in outputs],
        "scores": scores[0],
        "probabilities": F.softmax(scores[0]),
        "prediction": prediction,
        "label": int(label),
        "loss": float(loss),
        "gradients": [g[0] for g in gradients],
        "dx": d[0, 0],
        "parameters": parameters,
    }


def conv_backward_steps(
    x: np.ndarray, w: np.ndarray, b: float, dy: np.ndarray, padding: tuple[int, int] = (0, 0)
) -> dict:
    """One output channel's backward, as the stepper shows it in three ways.

    ``x`` (C, H, W) is the layer's input, ``w`` (C, kh, kw) and ``b`` the channel's filter
    and bias, ``dy`` (OH, OW) the channel's dL/dY; the convolution has stride 1 and zero
    ``padding`` (ph, pw), as LeNet-5's (a stride s > 1 would spread dY out first). The
    pair runs on the *padded* input with padding 0, which gives the same dK and dB, and
    dL/d(X_pad), whose border the layer crops off:

        dK = X_pad ⋆ dY                 (window t of X_pad times dY[t], summed over t)
        dX_pad = pad(dY, F − 1) ⋆ rot180(K)
        dB = Σ dY
        im2col: dK = dY·colsᵀ, dcols = Kᵀ·dY, dX_pad = col2im(dcols)

    Returns (as float64 arrays): 'input' X_pad (C, Hp, Wp), 'output' Y, 'dy', 'dy_padded'
    (OH + 2(kh − 1), OW + 2(kw − 1)), 'weight' K and 'rot180' K rotated, 'dw', 'db',
    'dx_padded' (C, Hp, Wp), 'dx' (C, H, W: what the layer passes down from this
    channel), 'cols' (C·kh·kw, OH·OW) and 'dcols'.
    """
    (ph, pw), (kh, kw) = padding, w.shape[1:]
    x_pad = np.pad(np.asarray(x, dtype=np.float64), ((0, 0), (ph, ph), (pw, pw)))
    w4 = np.asarray(w, dtype=np.float64)[None]  # (1, C, kh, kw): one filter
    y, cache = F.conv2d_forward(x_pad[None], w4, np.array([b], dtype=np.float64))
    dy4 = np.asarray(dy, dtype=np.float64).reshape(y.shape)
    dx_pad, dw, db = F.conv2d_backward(dy4, cache)
    cols = F.im2col(x_pad[None], (kh, kw))  # the matrix conv2d_forward multiplies
    dy_row = dy4.reshape(1, -1)
    return {
        "input": x_pad,
        "output": y[0, 0],
        "dy": dy4[0, 0],
        "dy_padded": np.pad(dy4[0, 0], ((kh - 1, kh - 1), (kw - 1, kw - 1))),
        "weight": w4[0],
        "rot180": w4[0, :, ::-1, ::-1],  # drawn beside K: the same numbers, turned
        "dw": dw[0],
        "db": float(db[0]),
        "dx_padded": dx_pad[0],
        "dx": dx_pad[0, :, ph : dx_pad.shape[2] - ph, pw : dx_pad.shape[3] - pw],
        "cols": cols,
        "dcols": w4.reshape(-1, 1) @ dy_row,  # Kᵀ·dY: column t is K scaled by dY[t]
    }


def lecture_002(dy: np.ndarray | None = None) -> dict:
    """``conv_backward_steps`` on lecture 002's example (``dy`` defaults to ∂E/∂Y = Y
    for E = ½ Σ Y²)."""
    x, k = LECTURE_002["x"][None], LECTURE_002["k"][None]
    if dy is None:
        dy = F.conv2d(x[None], k[None])[0, 0]  # Y = [[8, 7], [4, 5]]
    return conv_backward_steps(x, k, 0.0, dy)
