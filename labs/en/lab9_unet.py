# %% [markdown]
# # Lab 9: transposed convolution and a small U-Net
#
# **Lectures practised:** 003 ("CNNs for detection, segmentation": FCN, the hourglass,
# U-Net) and 004 (segmentation: a class for every **pixel**, not one for the image).
# Read alongside: [transposed convolution](../docs/conv_transpose.md),
# [segmentation](../docs/segmentation.md).
#
# | part | points |
# |---|---|
# | `conv_transpose2d_forward` | 3 |
# | `conv_transpose2d_backward` | 3 |
# | `build_unet` | 1 |
# | `train_unet` | 3 |
# | three written questions | 6 (graded by the instructor) |
#
# The two transposed convolution functions are written with **numpy alone**. The U-Net is
# built and trained with minicnn's layers (`mc.Conv2D`, `mc.MaxPool2D`,
# `mc.ConvTranspose2D`, `mc.Concat` ...). When graded, `train_unet` trains on canvases
# drawn from the grading seed and is scored on 200 canvases made of digits it never saw:
# pixel accuracy and mean IoU. Training must finish within a minute on a 2-core laptop
# (the grader stops it after 120 s).

# %%
import time

import numpy as np

import minicnn as mc
from minicnn.lab import checker

check = checker("lab9", globals())

# %% [markdown]
# ## 1. Transposed convolution, forward
#
# A segmentation network shrinks its feature maps and then brings them back to the input's
# size. A transposed convolution does that with **learned** weights: every input pixel
# **stamps** the kernel, scaled by its value, onto the output, and one step in the input is
# $s$ steps (the stride) in the output. Where stamps overlap, they add up:
#
# $$Y[n, o, i s + p, j s + q] \mathrel{+}= \sum_c X[n, c, i, j] \, W[c, o, p, q]$$
#
# Then `padding` rows and columns are cut from every side and the bias $b[o]$ is added.
# The weight is `(C_in, C_out, k, k)`, input channel first, as in PyTorch. This is the
# backward pass for the input ($dX$) of the convolution with the same kernel, stride and
# padding: hence "transposed".

# %% [markdown]
# **Question 1.** A 7×7 feature map goes through `mc.ConvTranspose2D(8, 4, k, stride=2,
# padding=1)`. What is the output size for $k = 4$, and for $k = 3$? Show the computation,
# and say what else a $k = 3$ layer needs to give 14×14.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Before cropping the output is $(H - 1)s + k$ wide. Make zeros of that size and, for each
# input pixel $(i, j)$, stamp onto `y_full[:, :, i*s : i*s + k, j*s : j*s + k]`. For every
# image and channel at once, `np.einsum("nc,cokl->nokl", x[:, :, i, j], w)` gives the
# `(N, C_out, k, k)` stamps. Crop `padding` at the end, e.g. `y_full[:, :, p : -p or None, ...]`.
#
# </details>


# %%
def conv_transpose2d_forward(x, w, b, stride=1, padding=0):
    """x (N, C_in, H, W), w (C_in, C_out, k, k), b (C_out,) -> y (N, C_out, OH, OW), cache.

    OH = (H - 1) * stride - 2 * padding + k (and OW likewise).
    """
    # TODO: stamp the kernel, scaled by each input pixel, stride apart; add up the
    # overlaps, crop padding, add the bias. Keep in cache what the backward needs.
    ### BEGIN SOLUTION
    n, _, h, wd = x.shape
    _, c_out, k, _ = w.shape
    s, p = stride, padding
    y_full = np.zeros((n, c_out, (h - 1) * s + k, (wd - 1) * s + k))
    for i in range(h):
        for j in range(wd):
            y_full[:, :, i * s : i * s + k, j * s : j * s + k] += np.einsum(
                "nc,cokl->nokl", x[:, :, i, j], w
            )
    y = y_full[:, :, p : y_full.shape[2] - p, p : y_full.shape[3] - p]
    return y + b.reshape(1, -1, 1, 1), (x, w, stride, padding)
    ### END SOLUTION


# %%
check("conv_transpose2d_forward")

# %% [markdown]
# ## 2. Transposed convolution, backward
#
# In the forward pass $X[n, c, i, j]$ was added, times $W[c, o]$, onto the $k \times k$
# patch of the output starting at $(i s, j s)$. The backward pass reads those same places.
# To undo the crop, pad $dY$ with `padding` rows of zeros all round ($dY_{pad}$):
#
# $$dX[n, c, i, j] = \sum_{o, p, q} dY_{pad}[n, o, i s + p, j s + q] \, W[c, o, p, q]$$
#
# $$dW[c, o, p, q] = \sum_{n, i, j} X[n, c, i, j] \, dY_{pad}[n, o, i s + p, j s + q],
# \qquad db[o] = \sum_{n, i, j} dY[n, o, i, j]$$
#
# The first is a plain convolution (cross-correlation) of $dY$: the backward of a
# convolution was a transposed convolution, and the backward of a transposed convolution
# is a convolution.

# %% [markdown]
# <details><summary>Hint</summary>
#
# Loop as in the forward pass and read, for each input pixel $(i, j)$, the window
# `dy_pad[:, :, i*s : i*s + k, j*s : j*s + k]` (shape `(N, C_out, k, k)`). With `w` it gives
# `dx[:, :, i, j]` (`einsum("nokl,cokl->nc", ...)`); with `x[:, :, i, j]` it gives this
# pixel's share of `dw`.
#
# </details>


# %%
def conv_transpose2d_backward(dy, cache):
    """dy (N, C_out, OH, OW) -> dx (N, C_in, H, W), dw (C_in, C_out, k, k), db (C_out,)."""
    # TODO: pad dy with padding zeros all round; for each input pixel read the window it
    # stamped, for dx and dw. db is a sum of dy.
    ### BEGIN SOLUTION
    x, w, s, p = cache
    _, _, h, wd = x.shape
    k = w.shape[2]
    dy_pad = np.pad(dy, ((0, 0), (0, 0), (p, p), (p, p)))
    dx, dw = np.zeros(x.shape), np.zeros(w.shape)
    for i in range(h):
        for j in range(wd):
            window = dy_pad[:, :, i * s : i * s + k, j * s : j * s + k]
            dx[:, :, i, j] = np.einsum("nokl,cokl->nc", window, w)
            dw += np.einsum("nc,nokl->cokl", x[:, :, i, j], window)
    return dx, dw, dy.sum(axis=(0, 2, 3))
    ### END SOLUTION


# %%
check("conv_transpose2d_backward")

# %% [markdown]
# ## 3. Digit canvases and a U-Net
#
# The data: two MNIST digits pasted on a black 48×48 canvas. The mask labels every pixel
# 0 (background) or 1 + the digit whose stroke it is: 11 classes. 91 % of the pixels are
# background, so answering "background" everywhere already scores 0.91 pixel accuracy.
# That is why we also measure the IoU (intersection over union) of each class on its own
# and average it: the **mean IoU**.
#
# A U-Net has two halves. The **encoder** convolves and pools, shrinking the feature maps
# until a unit's receptive field covers a whole digit; the **decoder** brings them back
# with transposed convolutions. Its key is the **skip connection**: the encoder's features
# are concatenated, along the channels, with the decoder's at the same size. In minicnn
# `mc.Concat(mc.Identity(), body)` computes $[x, \text{body}(x)]$.
#
#     48×48: conv ────────────────────────────── concat → 1×1 conv → 11 scores
#       └ pool → 24×24: conv ──────── concat → conv → transposed conv ┘
#             └ pool → 12×12: conv, conv → transposed conv ┘

# %%
canvases = mc.data.mnist_canvases("train", n_images=8, size=48, digits=2, seed=0)
images, masks = canvases.arrays()  # (8, 1, 48, 48) float32, (8, 48, 48) int64
print(images.shape, masks.shape, canvases.classes)
print("digits on canvas 0:", [p.label for p in canvases.placements[0]])
print("classes in mask 0:", np.unique(masks[0]))

# %% [markdown]
# <details><summary>Hint</summary>
#
# Build the picture from the inside out. The 12×12 level is `mc.Sequential(mc.MaxPool2D(2),
# conv, conv, mc.ConvTranspose2D(c, c_up, 2, stride=2))`; wrapped in
# `mc.Concat(mc.Identity(), ...)` it is the 24×24 level's skip connection. Give the 3×3
# convolutions `padding=1` to keep the size, and follow each by `mc.BatchNorm2D` and
# `mc.ReLU` to train faster. After a concatenation the channels are the sum of both branches'.
#
# </details>


# %%
def build_unet():
    """A U-Net for (N, 1, H, W) canvases (H, W multiples of 4) -> (N, 11, H, W) scores."""

    # TODO: return a U-Net: an encoder (convolutions and pooling), a decoder
    # (mc.ConvTranspose2D), skip connections (mc.Concat). 8, 16, 32 channels are enough.
    ### BEGIN SOLUTION
    def conv(c_in, c_out, k=3):
        return [mc.Conv2D(c_in, c_out, k, padding=k // 2), mc.BatchNorm2D(c_out), mc.ReLU()]

    def skip(*body):
        return mc.Concat(mc.Identity(), mc.Sequential(*body))  # [x, body(x)]

    return mc.Sequential(
        *conv(1, 8),  # 8 × 48 × 48
        skip(
            mc.MaxPool2D(2),
            *conv(8, 16),  # 16 × 24 × 24
            skip(
                mc.MaxPool2D(2),
                *conv(16, 32),
                *conv(32, 32),  # 32 × 12 × 12: sees a whole digit
                mc.ConvTranspose2D(32, 32, 2, stride=2),
            ),  # 16 + 32 channels at 24 × 24
            *conv(48, 16, k=1),
            *conv(16, 16),
            mc.ConvTranspose2D(16, 16, 2, stride=2),
        ),  # 8 + 16 channels at 48 × 48
        mc.Conv2D(24, 11, 1),  # a score for each class at each pixel
    )
    ### END SOLUTION


# %%
check("build_unet")

# %% [markdown]
# ## 4. Training the U-Net
#
# `train_unet(images, masks)` takes canvases `(N, 1, 48, 48)` and masks `(N, 48, 48)`,
# trains a U-Net on them and returns it. The loss is cross-entropy at every pixel,
# `mc.PixelCrossEntropy()`. When graded it gets 600 canvases and must finish training
# within a minute on a 2-core laptop; the network it returns must reach **pixel accuracy
# 0.94 and mean IoU 0.30** on 200 held-out canvases. Fix the seed with `mc.manual_seed`,
# so that grading gives the same result every time.

# %% [markdown]
# <details><summary>Hint</summary>
#
# The loop is lab 5's: `optimizer.zero_grad()`, `scores = model.forward(xb)`,
# `loss(scores, mb)`, `model.backward(loss.backward())`, `optimizer.step()`.
# `mc.Adam(..., lr=1e-2)`, batches of 16 and a few epochs are enough. Time each epoch with
# `time.perf_counter()`. Lowering the rate along a cosine (`mc.CosineLR`) steadies the last
# epoch's result.
#
# </details>


# %%
def train_unet(images, masks):
    """Train build_unet() on images (N, 1, H, W) and masks (N, H, W); return the network."""
    # TODO: fix the seed; make the U-Net, the loss and an optimizer; train for a few
    # epochs and return the network.
    ### BEGIN SOLUTION
    mc.manual_seed(0)
    model = build_unet()
    loss = mc.PixelCrossEntropy()
    optimizer = mc.Adam(model.parameters(), lr=1e-2)
    loader = mc.data.DataLoader(images, masks, batch_size=16, seed=0)
    epochs = 4
    scheduler = mc.CosineLR(optimizer, T_max=epochs * len(loader))
    for epoch in range(epochs):
        start = time.perf_counter()
        for xb, mb in loader:
            optimizer.zero_grad()
            value = loss(model.forward(xb), mb)
            model.backward(loss.backward())
            optimizer.step()
            scheduler.step()
        print(f"epoch {epoch + 1}: loss {value:.3f}, {time.perf_counter() - start:.1f} s")
    return model
    ### END SOLUTION


# %%
check("train_unet")

# %% [markdown]
# **Question 2.** Remove the two skip connections from `build_unet` (replace
# `mc.Concat(mc.Identity(), body)` by `body` and fix the channel counts) and train again.
# What happens to the mean IoU? Explain by what the decoder loses.

# %% [markdown]
# **Question 3.** A "network" that answers "background" for every pixel scores 0.91 pixel
# accuracy on the test canvases. About what is its mean IoU, and why does segmentation
# report mean IoU rather than pixel accuracy?
