"""The math of minicnn: every operation as a stateless pair of functions.

    import minicnn.functional as F
    y, cache = F.conv2d_forward(x, w, b, stride=1, padding=0)
    dx, dw, db = F.conv2d_backward(dy, cache)

A ``*_forward`` computes the output and returns the cache its ``*_backward`` needs;
``*_backward`` takes dL/dy and the cache and returns dL/dx (and the parameters'
gradients). This is how CS231n presents backpropagation, and it is what the layers in
``minicnn.layers`` call: a layer only holds the parameters and the cache. Each file is
one concept; every docstring gives the equation and the shapes. The hot loops
(im2col, col2im, pooling) run in ``minicnn.kernels``, on the backend chosen with
``mc.set_backend``.

| file              | pairs                                                                  |
|-------------------|------------------------------------------------------------------------|
| conv.py           | conv2d                                                                 |
| pool.py           | max_pool2d, avg_pool2d, global_avg_pool2d                              |
| activations.py    | relu, leaky_relu, sigmoid, tanh                                        |
| linear.py         | linear, flatten                                                        |
| dropout.py        | dropout                                                                |
| normalization.py  | batch_norm, local_response_norm                                        |
| shortcut.py       | pad_shortcut (the CIFAR ResNets' option A)                             |
| losses.py         | softmax_cross_entropy, multiclass_svm (each returns loss and dscores)  |
| dense_losses.py   | mse_loss, binary_cross_entropy_with_logits, pixel_cross_entropy        |
| upsample.py       | upsample (nearest, bilinear)                                           |
| concat.py         | concat (along the channels: Inception, DenseNet, U-Net skips)          |
| conv_transpose.py | conv_transpose2d (a convolution's backward, run forward)               |
| patches.py        | im2col, zero_pad (the matrix conv2d multiplies, for pages and labs)    |

conv2d takes ``dilation``, ``groups`` and ``padding='same'`` as well, as PyTorch.

Each operation with a rule on its input's shape has a ``*_output_shape`` function
(``conv2d_output_shape``, ``pool2d_output_shape``, ``linear_output_shape``, ...) that
checks the shape (rank, channels, whether the window fits) and returns the output's.
The forward calls it on ``x.shape`` and the layer's ``output_shape`` on a shape alone,
before any data flows: each shape rule is written once, and a bad shape gets the same
message from both, under the caller's name.
"""

from ..shapes import conv_output_size
from ..validate import NonFiniteInputError
from .activations import (
    leaky_relu_backward,
    leaky_relu_forward,
    relu,
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    tanh_backward,
    tanh_forward,
)
from .concat import concat_backward, concat_forward, concat_output_shape
from .conv import conv2d, conv2d_backward, conv2d_forward, conv2d_output_shape
from .conv_transpose import (
    conv_transpose2d_backward,
    conv_transpose2d_forward,
    conv_transpose2d_output_shape,
)
from .dense_losses import binary_cross_entropy_with_logits, mse_loss, pixel_cross_entropy
from .dropout import dropout_backward, dropout_forward
from .linear import (
    flatten_backward,
    flatten_forward,
    flatten_output_shape,
    linear_backward,
    linear_forward,
    linear_output_shape,
)
from .losses import log_softmax, multiclass_svm, softmax, softmax_cross_entropy
from .normalization import (
    batch_norm_backward,
    batch_norm_forward,
    batch_norm_output_shape,
    local_response_norm_backward,
    local_response_norm_forward,
    local_response_norm_output_shape,
)
from .patches import im2col, zero_pad
from .pool import (
    avg_pool2d,
    avg_pool2d_backward,
    avg_pool2d_forward,
    global_avg_pool2d_backward,
    global_avg_pool2d_forward,
    global_avg_pool2d_output_shape,
    max_pool2d,
    max_pool2d_backward,
    max_pool2d_forward,
    pool2d_output_shape,
)
from .shortcut import pad_shortcut_backward, pad_shortcut_forward, pad_shortcut_output_shape
from .upsample import upsample_backward, upsample_forward, upsample_output_shape

__all__ = [
    "NonFiniteInputError",
    "conv_output_size",
    "conv2d",
    "conv2d_forward",
    "conv2d_backward",
    "conv2d_output_shape",
    "im2col",
    "zero_pad",
    "max_pool2d",
    "max_pool2d_forward",
    "max_pool2d_backward",
    "avg_pool2d",
    "avg_pool2d_forward",
    "avg_pool2d_backward",
    "global_avg_pool2d_forward",
    "global_avg_pool2d_backward",
    "global_avg_pool2d_output_shape",
    "pool2d_output_shape",
    "relu",
    "relu_forward",
    "relu_backward",
    "leaky_relu_forward",
    "leaky_relu_backward",
    "sigmoid_forward",
    "sigmoid_backward",
    "tanh_forward",
    "tanh_backward",
    "linear_forward",
    "linear_backward",
    "linear_output_shape",
    "flatten_forward",
    "flatten_backward",
    "flatten_output_shape",
    "dropout_forward",
    "dropout_backward",
    "batch_norm_forward",
    "batch_norm_backward",
    "batch_norm_output_shape",
    "local_response_norm_forward",
    "local_response_norm_backward",
    "local_response_norm_output_shape",
    "pad_shortcut_forward",
    "pad_shortcut_backward",
    "pad_shortcut_output_shape",
    "softmax",
    "log_softmax",
    "softmax_cross_entropy",
    "multiclass_svm",
    # the blocks of Inception, U-Net and segmentation
    "conv_transpose2d_forward",
    "conv_transpose2d_backward",
    "conv_transpose2d_output_shape",
    "upsample_forward",
    "upsample_backward",
    "upsample_output_shape",
    "concat_forward",
    "concat_backward",
    "concat_output_shape",
    "mse_loss",
    "binary_cross_entropy_with_logits",
    "pixel_cross_entropy",
]
