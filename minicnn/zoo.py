"""Classic architectures, built from minicnn layers.

====================  =========  ===========  ================  ======================
model                 input       parameters  multiply-adds     published
====================  =========  ===========  ================  ======================
lenet5                1×28×28         61,706           416,520
alexnet               3×224×224   61,100,840       714,188,480  torchvision variant
alexnet(lrn=True)     3×227×227   62,378,344     1,135,256,096  paper, ungrouped
vgg('A') = vgg11      3×224×224  132,863,336     7,609,090,048
vgg('A-LRN')          3×224×224  132,863,336     7,609,090,048
vgg('B') = vgg13      3×224×224  133,047,848    11,308,466,176
vgg('C')              3×224×224  133,638,952    11,770,888,192
vgg('D') = vgg16      3×224×224  138,357,544    15,470,264,320  ~15.5 G
vgg('E') = vgg19      3×224×224  143,667,240    19,632,062,464
resnet18              3×224×224   11,689,512     1,814,073,344  1.8 G
resnet34              3×224×224   21,797,672     3,663,761,408  3.6 G
resnet50              3×224×224   25,557,032     3,857,973,248  3.8 G
resnet50(stride_on='3x3')         25,557,032     4,089,184,256  4.1 G (torchvision)
resnet101             3×224×224   44,549,160     7,570,194,432  7.6 G
resnet152             3×224×224   60,192,808    11,282,415,616  11.3 G
resnet20/32/44/56     3×32×32    269,722 / 464,154 / 658,586 / 853,018
resnet110             3×32×32      1,727,962       252,887,680  (0.27/0.46/0.66/0.85/1.7 M)
====================  =========  ===========  ================  ======================

Parameter counts equal torchvision's where it has the model. Multiply-adds count
every convolution and Linear layer (pooling, normalisation and additions are
not multiply-adds and count 0). The ResNet paper's "FLOPs" are multiply-adds,
given to one decimal: its 3.6 and 3.8 for ResNet-34/50 are the exact 3.66 and
3.86 cut off rather than rounded. ``model.summary((3, 224, 224))`` prints the
table layer by layer instantly: only shapes flow through the model, never data.
"""

from __future__ import annotations

from .layers import (
    BatchNorm2D,
    Conv2D,
    Dropout,
    Flatten,
    GlobalAvgPool2D,
    Layer,
    Linear,
    LocalResponseNorm,
    MaxPool2D,
    PadShortcut,
    ReLU,
    Residual,
)
from .model import Sequential

# -- LeNet-5 -----------------------------------------------------------------------


def lenet5(num_classes: int = 10, in_channels: int = 1, pretrained: bool = False) -> Sequential:
    """LeNet-5 (LeCun et al., 1998) with ReLU and max pooling, for 28×28 inputs:

    conv 6@5×5 pad 2 → ReLU → maxpool 2 → conv 16@5×5 → ReLU → maxpool 2
    → 120 → ReLU → 84 → ReLU → num_classes.   61,706 parameters for 10 classes.

    ``pretrained=True`` loads the MNIST weights shipped in
    ``minicnn/weights/lenet5_mnist.npz`` (SHA-256 checked; 10 classes, 1 channel). They
    were trained on the first 50,000 images of the official MNIST training file for 12
    epochs by ``python -m minicnn.recipes_pretrained``, which reproduces them bit for bit.
    Validation accuracy: 99.17% (9,917 of 10,000), measured by that command on the last
    10,000 images of the training file, which were held out (never trained on); the
    official test set was not used. Inputs: (N, 1, 28, 28) float32 in [0, 1], a white
    digit on black, as ``mc.data.load_digit`` makes from a photo.
    """
    if pretrained and (num_classes, in_channels) != (10, 1):
        raise ValueError(
            f"lenet5(pretrained=True) has weights for 10 classes and 1 input channel, "
            f"not num_classes={num_classes}, in_channels={in_channels}; drop those "
            "arguments, or train your own (minicnn train lenet5-mnist)"
        )
    model = _lenet5(num_classes, in_channels)
    if pretrained:
        from .weights import load_lenet5_mnist

        load_lenet5_mnist(model)
    return model


def _lenet5(num_classes: int, in_channels: int) -> Sequential:
    return Sequential(
        Conv2D(in_channels, 6, 5, padding=2),
        ReLU(),
        MaxPool2D(2),
        Conv2D(6, 16, 5),
        ReLU(),
        MaxPool2D(2),
        Flatten(),
        Linear(16 * 5 * 5, 120),
        ReLU(),
        Linear(120, 84),
        ReLU(),
        Linear(84, num_classes),
    )


# -- AlexNet and VGG ---------------------------------------------------------------


def paper_lrn() -> LocalResponseNorm:
    """Krizhevsky et al.'s response normalisation, b = a / (k + α Σ a²)^β with
    n = 5, α = 1e-4, β = 0.75, k = 2. mc.LocalResponseNorm follows PyTorch, which
    divides α by n (α/n · Σ a²), so the paper's α is passed as n·α."""
    n, alpha = 5, 1e-4
    return LocalResponseNorm(size=n, alpha=n * alpha, beta=0.75, k=2.0)


def classifier(in_features: int, hidden: int, num_classes: int, dropout: float) -> list[Layer]:
    """The fully connected head of AlexNet and VGG: two hidden layers with dropout.
    The order (Dropout before or after ReLU) is torchvision's for VGG; dropout
    commutes with ReLU, so either order computes the same function."""
    return [
        Flatten(),
        Linear(in_features, hidden),
        ReLU(),
        Dropout(dropout),
        Linear(hidden, hidden),
        ReLU(),
        Dropout(dropout),
        Linear(hidden, num_classes),
    ]


def alexnet(num_classes: int = 1000, lrn: bool = False, dropout: float = 0.5) -> Sequential:
    """AlexNet (Krizhevsky, Sutskever & Hinton, 2012).

    ``lrn=False`` (default): torchvision's single-GPU variant, the usual reference,
    for 3×224×224 inputs, 61,100,840 parameters with 1000 classes:

        conv 64@11×11/4 pad 2 → maxpool 3/2 → conv 192@5×5 pad 2 → maxpool 3/2
        → conv 384@3×3 → conv 256@3×3 → conv 256@3×3 (pad 1) → maxpool 3/2   (256×6×6)
        → dropout → 4096 → dropout → 4096 → num_classes          (ReLU after every conv/fc)

    ``lrn=True``: the paper's network, for 3×227×227 inputs (the paper says 224, but
    (224 − 11)/4 + 1 is not whole; 227 is the size that fits): 96, 256, 384, 384, 256
    kernels, local response normalisation after the first two convolutions and no
    padding in conv1. The paper split conv2, conv4 and conv5 into two groups, one a
    GPU; minicnn has no grouped convolution, so this is the one-tower version with
    62,378,344 parameters (the grouped original has 60,965,224).

    torchvision's AdaptiveAvgPool2d(6) is the identity at these input sizes and is
    left out, so other input sizes raise a clear shape error at the first Linear
    (for the paper's network, one that tells the 224/227 story).
    """
    if lrn:
        features = [
            Conv2D(3, 96, 11, stride=4),
            ReLU(),
            paper_lrn(),
            MaxPool2D(3, 2),
            Conv2D(96, 256, 5, padding=2),
            ReLU(),
            paper_lrn(),
            MaxPool2D(3, 2),
            Conv2D(256, 384, 3, padding=1),
            ReLU(),
            Conv2D(384, 384, 3, padding=1),
            ReLU(),
            Conv2D(384, 256, 3, padding=1),
            ReLU(),
            MaxPool2D(3, 2),
        ]
    else:
        features = [
            Conv2D(3, 64, 11, stride=4, padding=2),
            ReLU(),
            MaxPool2D(3, 2),
            Conv2D(64, 192, 5, padding=2),
            ReLU(),
            MaxPool2D(3, 2),
            Conv2D(192, 384, 3, padding=1),
            ReLU(),
            Conv2D(384, 256, 3, padding=1),
            ReLU(),
            Conv2D(256, 256, 3, padding=1),
            ReLU(),
            MaxPool2D(3, 2),
        ]
    head = classifier(256 * 6 * 6, 4096, num_classes, dropout)
    return _PaperAlexNet(*features, *head) if lrn else Sequential(*features, *head)


class _PaperAlexNet(Sequential):
    """alexnet(lrn=True): a Sequential whose shape error explains why the paper's
    "224×224" input must be 227×227 (its conv1 has no padding)."""

    def output_shape(self, input_shape):
        try:
            return super().output_shape(input_shape)
        except ValueError as err:
            h, w = input_shape[-2:]
            raise ValueError(
                f"alexnet(lrn=True) is the paper's network and takes 3×227×227 images, got "
                f"{h}×{w} ({err}). The paper says 224×224, but its first layer (11×11 kernels, "
                f"stride 4, no padding) fits a whole number of times only on 227: "
                f"(227 − 11)/4 + 1 = 55, while (224 − 11)/4 + 1 = 54.25, so the maps shrink to "
                f"54×54 and end at 5×5 instead of 6×6. Resize or crop the images to 227×227, "
                f"or use mc.zoo.alexnet(), torchvision's variant with padding 2 in conv1, "
                f"which takes 224×224."
            ) from None

    def summary(self, input_shape, print_table: bool = True):
        self.output_shape((1, *input_shape))  # fail before any row, with the explanation
        return super().summary(input_shape, print_table)

    def forward(self, x):
        self.output_shape(getattr(x, "shape", ()))
        return super().forward(x)


# Table 1 of Simonyan & Zisserman (2015), "Very deep convolutional networks", in its
# own notation: conv<kernel>-<channels> (stride 1, padding keeps the size), LRN, and
# maxpool (2×2, stride 2). Every conv is followed by a ReLU.
VGG_CONFIGS: dict[str, str] = {
    "A": "conv3-64 maxpool conv3-128 maxpool conv3-256 conv3-256 maxpool "
    "conv3-512 conv3-512 maxpool conv3-512 conv3-512 maxpool",
    "A-LRN": "conv3-64 LRN maxpool conv3-128 maxpool conv3-256 conv3-256 maxpool "
    "conv3-512 conv3-512 maxpool conv3-512 conv3-512 maxpool",
    "B": "conv3-64 conv3-64 maxpool conv3-128 conv3-128 maxpool conv3-256 conv3-256 maxpool "
    "conv3-512 conv3-512 maxpool conv3-512 conv3-512 maxpool",
    "C": "conv3-64 conv3-64 maxpool conv3-128 conv3-128 maxpool "
    "conv3-256 conv3-256 conv1-256 maxpool conv3-512 conv3-512 conv1-512 maxpool "
    "conv3-512 conv3-512 conv1-512 maxpool",
    "D": "conv3-64 conv3-64 maxpool conv3-128 conv3-128 maxpool "
    "conv3-256 conv3-256 conv3-256 maxpool conv3-512 conv3-512 conv3-512 maxpool "
    "conv3-512 conv3-512 conv3-512 maxpool",
    "E": "conv3-64 conv3-64 maxpool conv3-128 conv3-128 maxpool "
    "conv3-256 conv3-256 conv3-256 conv3-256 maxpool "
    "conv3-512 conv3-512 conv3-512 conv3-512 maxpool "
    "conv3-512 conv3-512 conv3-512 conv3-512 maxpool",
}


def vgg(
    config: str = "D", num_classes: int = 1000, batch_norm: bool = False, dropout: float = 0.5
) -> Sequential:
    """VGG network ``config`` ('A', 'A-LRN', 'B', 'C', 'D' or 'E', see ``VGG_CONFIGS``)
    for 3×224×224 inputs: five blocks of 3×3 convolutions (padding 1, so only the
    max pools halve the size: 224 → 7), then 512·7·7 → 4096 → 4096 → num_classes.
    Config C has 1×1 convolutions (no padding) as the last layer of blocks 3–5.

    ``batch_norm=True`` adds a BatchNorm2D after every convolution (torchvision's
    vgg*_bn). Parameters with 1000 classes, as torchvision's vgg11/13/16/19:
    A 132,863,336; B 133,047,848; C 133,638,952; D 138,357,544; E 143,667,240.
    """
    if config not in VGG_CONFIGS:
        raise ValueError(
            f"vgg: unknown config {config!r}; choose one of "
            f"{', '.join(map(repr, VGG_CONFIGS))} (vgg11/13/16/19 = A/B/D/E)"
        )
    layers: list[Layer] = []
    channels = 3
    for item in VGG_CONFIGS[config].split():
        if item == "maxpool":
            layers.append(MaxPool2D(2))
        elif item == "LRN":
            layers.append(paper_lrn())
        else:  # conv<k>-<c>
            kernel, out = (int(v) for v in item.removeprefix("conv").split("-"))
            layers.append(Conv2D(channels, out, kernel, padding=kernel // 2))
            if batch_norm:
                layers.append(BatchNorm2D(out))
            layers.append(ReLU())
            channels = out
    return Sequential(*layers, *classifier(512 * 7 * 7, 4096, num_classes, dropout))


def vgg11(num_classes: int = 1000, batch_norm: bool = False) -> Sequential:
    """VGG configuration A (11 weight layers)."""
    return vgg("A", num_classes, batch_norm)


def vgg13(num_classes: int = 1000, batch_norm: bool = False) -> Sequential:
    """VGG configuration B (13 weight layers)."""
    return vgg("B", num_classes, batch_norm)


def vgg16(num_classes: int = 1000, batch_norm: bool = False) -> Sequential:
    """VGG configuration D (16 weight layers)."""
    return vgg("D", num_classes, batch_norm)


def vgg19(num_classes: int = 1000, batch_norm: bool = False) -> Sequential:
    """VGG configuration E (19 weight layers)."""
    return vgg("E", num_classes, batch_norm)


# -- ResNet ------------------------------------------------------------------------


def conv_bn(in_channels: int, out_channels: int, kernel_size: int, stride: int = 1) -> list[Layer]:
    """A convolution without bias followed by BatchNorm2D (whose β replaces the bias;
    a conv bias would be cancelled by the mean subtraction anyway). 'Same' padding."""
    return [
        Conv2D(in_channels, out_channels, kernel_size, stride, kernel_size // 2, bias=False),
        BatchNorm2D(out_channels),
    ]


def projection(in_channels: int, out_channels: int, stride: int) -> Sequential:
    """Option B shortcut: a 1×1 convolution with ``stride`` and BatchNorm, used only
    where the block changes the number of channels or the resolution."""
    return Sequential(*conv_bn(in_channels, out_channels, 1, stride))


def shortcut_for(
    in_channels: int, out_channels: int, stride: int, option: str = "B"
) -> Layer | None:
    """Identity where shapes agree; otherwise option 'A' (zero-padded identity,
    no parameters: mc.PadShortcut) or 'B' (projection)."""
    if stride == 1 and in_channels == out_channels:
        return None
    if option == "A":
        return PadShortcut(in_channels, out_channels, stride)
    return projection(in_channels, out_channels, stride)


def basic_block(
    in_channels: int, out_channels: int, stride: int = 1, shortcut: str = "B"
) -> Sequential:
    """ResNet-18/34 and CIFAR block: relu(F(x) + S(x)) with
    F = conv3×3(stride) → BN → ReLU → conv3×3 → BN."""
    body = Sequential(
        *conv_bn(in_channels, out_channels, 3, stride),
        ReLU(),
        *conv_bn(out_channels, out_channels, 3),
    )
    return Sequential(
        Residual(body, shortcut_for(in_channels, out_channels, stride, shortcut)), ReLU()
    )


def bottleneck_block(
    in_channels: int, width: int, stride: int = 1, stride_on: str = "1x1"
) -> Sequential:
    """ResNet-50/101/152 block: relu(F(x) + S(x)) with 4·width output channels,
    F = conv1×1 (width) → BN → ReLU → conv3×3 (width) → BN → ReLU → conv1×1 (4·width) → BN.

    ``stride_on='1x1'``: a downsampling block strides in its first 1×1, as in the
    paper (its 3.8 billion multiply-adds for ResNet-50). ``stride_on='3x3'``: in
    the 3×3, as torchvision ("ResNet v1.5"): the 1×1 then runs at full resolution,
    4.1 billion for ResNet-50, and a little more accurate. Same parameters.
    """
    if stride_on not in ("1x1", "3x3"):
        raise ValueError(
            f"bottleneck_block: stride_on must be '1x1' (the paper) or '3x3' "
            f"(torchvision), got {stride_on!r}"
        )
    s1, s3 = (stride, 1) if stride_on == "1x1" else (1, stride)
    out_channels = 4 * width
    body = Sequential(
        *conv_bn(in_channels, width, 1, s1),
        ReLU(),
        *conv_bn(width, width, 3, s3),
        ReLU(),
        *conv_bn(width, out_channels, 1),
    )
    return Sequential(Residual(body, shortcut_for(in_channels, out_channels, stride)), ReLU())


def imagenet_resnet(depth: int, num_classes: int = 1000, stride_on: str = "1x1") -> Sequential:
    """ResNet-``depth`` for 3×224×224 ImageNet images (He et al., 2016, Table 1):

        conv 64@7×7/2 pad 3 → BN → ReLU → maxpool 3/2 pad 1          (64×56×56)
        → 4 stages of blocks with 64, 128, 256, 512 base channels; the first block of
          stages 2–4 halves the resolution (56 → 28 → 14 → 7) with a projection shortcut
        → global average pool → num_classes

    Basic blocks for 18 and 34 layers, bottlenecks (4× wider output) for 50, 101, 152.
    The result is Sequential(stem, stage1, ..., stage4, head).
    """
    blocks = {
        18: [2, 2, 2, 2],
        34: [3, 4, 6, 3],
        50: [3, 4, 6, 3],
        101: [3, 4, 23, 3],
        152: [3, 8, 36, 3],
    }
    if depth not in blocks:
        raise ValueError(f"imagenet_resnet: depth must be one of {sorted(blocks)}, got {depth}")
    bottleneck = depth >= 50
    stem = Sequential(*conv_bn(3, 64, 7, 2), ReLU(), MaxPool2D(3, 2, 1))
    stages, channels = [], 64
    for i, (count, width) in enumerate(zip(blocks[depth], (64, 128, 256, 512), strict=True)):
        stage = []
        for j in range(count):
            stride = 2 if i > 0 and j == 0 else 1
            if bottleneck:
                stage.append(bottleneck_block(channels, width, stride, stride_on))
                channels = 4 * width
            else:
                stage.append(basic_block(channels, width, stride))
                channels = width
        stages.append(Sequential(*stage))
    return Sequential(stem, *stages, Sequential(GlobalAvgPool2D(), Linear(channels, num_classes)))


def resnet18(num_classes: int = 1000) -> Sequential:
    """ResNet-18: basic blocks [2, 2, 2, 2]; 11,689,512 parameters, 1.8 G multiply-adds."""
    return imagenet_resnet(18, num_classes)


def resnet34(num_classes: int = 1000) -> Sequential:
    """ResNet-34: basic blocks [3, 4, 6, 3]; 21,797,672 parameters, 3.6 G multiply-adds."""
    return imagenet_resnet(34, num_classes)


def resnet50(num_classes: int = 1000, stride_on: str = "1x1") -> Sequential:
    """ResNet-50: bottlenecks [3, 4, 6, 3]; 25,557,032 parameters,
    3.8 G multiply-adds (stride_on='1x1', the paper) or 4.1 G ('3x3', torchvision)."""
    return imagenet_resnet(50, num_classes, stride_on)


def resnet101(num_classes: int = 1000, stride_on: str = "1x1") -> Sequential:
    """ResNet-101: bottlenecks [3, 4, 23, 3]; 44,549,160 parameters, 7.6 G multiply-adds."""
    return imagenet_resnet(101, num_classes, stride_on)


def resnet152(num_classes: int = 1000, stride_on: str = "1x1") -> Sequential:
    """ResNet-152: bottlenecks [3, 8, 36, 3]; 60,192,808 parameters, 11.3 G multiply-adds."""
    return imagenet_resnet(152, num_classes, stride_on)


def cifar_resnet(depth: int, num_classes: int = 10, shortcut: str = "A") -> Sequential:
    """The CIFAR-10 ResNets of He et al. (2016), section 4.2, for 3×32×32 images:
    depth = 6n + 2 weight layers,

        conv 16@3×3 → BN → ReLU → n basic blocks at 16 channels (32×32)
        → n blocks at 32 (16×16) → n blocks at 64 (8×8) → global average pool → num_classes

    ``shortcut='A'`` (default, the paper's choice for CIFAR): where a block doubles the
    channels and halves the size, the shortcut is the identity subsampled and padded
    with zero channels (mc.PadShortcut), so shortcuts add no parameters: 0.27 M, 0.46 M,
    0.66 M, 0.85 M, 1.7 M parameters for n = 3, 5, 7, 9, 18. ``shortcut='B'`` uses a
    1×1 projection with BatchNorm there instead (2,752 more parameters).
    """
    if depth < 8 or (depth - 2) % 6:
        raise ValueError(
            f"cifar_resnet: depth must be 6n + 2 (20, 32, 44, 56, 110, ...), got {depth}"
        )
    if shortcut not in ("A", "B"):
        raise ValueError(
            f"cifar_resnet: shortcut must be 'A' (zero padding) or 'B' "
            f"(projection), got {shortcut!r}"
        )
    n = (depth - 2) // 6
    stages, channels = [], 16
    for i, width in enumerate((16, 32, 64)):
        stage = [
            basic_block(
                channels if j == 0 else width, width, 2 if i > 0 and j == 0 else 1, shortcut
            )
            for j in range(n)
        ]
        stages.append(Sequential(*stage))
        channels = width
    return Sequential(
        Sequential(*conv_bn(3, 16, 3), ReLU()),
        *stages,
        Sequential(GlobalAvgPool2D(), Linear(64, num_classes)),
    )


def resnet20(num_classes: int = 10, shortcut: str = "A") -> Sequential:
    """CIFAR ResNet-20 (n = 3): 0.27 M parameters."""
    return cifar_resnet(20, num_classes, shortcut)


def resnet32(num_classes: int = 10, shortcut: str = "A") -> Sequential:
    """CIFAR ResNet-32 (n = 5): 0.46 M parameters."""
    return cifar_resnet(32, num_classes, shortcut)


def resnet44(num_classes: int = 10, shortcut: str = "A") -> Sequential:
    """CIFAR ResNet-44 (n = 7): 0.66 M parameters."""
    return cifar_resnet(44, num_classes, shortcut)


def resnet56(num_classes: int = 10, shortcut: str = "A") -> Sequential:
    """CIFAR ResNet-56 (n = 9): 0.85 M parameters."""
    return cifar_resnet(56, num_classes, shortcut)


def resnet110(num_classes: int = 10, shortcut: str = "A") -> Sequential:
    """CIFAR ResNet-110 (n = 18): 1.7 M parameters."""
    return cifar_resnet(110, num_classes, shortcut)
