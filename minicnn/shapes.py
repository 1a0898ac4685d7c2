"""Shape arithmetic shared by convolution and pooling: one formula, per axis."""

from __future__ import annotations

from .validate import window_geometry


def conv_output_size(
    n: int, kernel_size: int, stride: int = 1, padding: int = 0, *, allow_remainder: bool = False
) -> int:
    """Output length of a convolution or pooling along one axis.

        out = (n - f + 2p) / s + 1

    With ``allow_remainder=False`` (the default, as taught) the division must be
    exact: a stride that leaves input pixels uncovered "doesn't fit" and raises
    ValueError. Layers pass ``allow_remainder=True`` and round down, as PyTorch
    does, dropping the last rows/columns that do not fill a whole window.
    """
    window_geometry(kernel_size, stride, padding, "conv_output_size")  # f, s >= 1; p >= 0
    span = n - kernel_size + 2 * padding
    formula = f"(n - f + 2p)/s + 1 = ({n} - {kernel_size} + 2*{padding})/{stride} + 1"
    if span < 0:
        raise ValueError(
            f"window does not fit: {formula} < 1; the kernel ({kernel_size}) is larger than "
            f"the padded input ({n + 2 * padding}); use a smaller kernel or more padding"
        )
    if span % stride and not allow_remainder:
        raise ValueError(
            f"stride does not fit: {formula} = {span / stride + 1:g} is not a whole number; "
            f"choose stride/padding so that s divides n - f + 2p"
        )
    return span // stride + 1


def output_hw(x_shape, kernel, stride, padding, dilation=(1, 1)) -> tuple[int, int]:
    """(OH, OW) of a window sliding over the last two axes of ``x_shape``: the formula
    above on each axis, rounded down as layers (and PyTorch) do. A dilated window
    spans d·(k − 1) + 1 pixels, so that is its f."""
    H, W = x_shape[-2:]
    kh, kw = dilated_kernel(kernel, dilation)
    return (
        conv_output_size(H, kh, stride[0], padding[0], allow_remainder=True),
        conv_output_size(W, kw, stride[1], padding[1], allow_remainder=True),
    )


def dilated_kernel(kernel, dilation) -> tuple[int, int]:
    """The span (pixels from the first tap to the last, inclusive) of a dilated kernel:
    d·(k − 1) + 1 per axis (a 3×3 kernel with dilation 2 spans 5×5)."""
    return tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
