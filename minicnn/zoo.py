"""Classic architectures, built from minicnn layers.

====================  =========  ===========  ================  ======================
model                 input       parameters  multiply-adds     published
====================  =========  ===========  ================  ======================
lenet5                1×28×28         61,706           416,520
alexnet               3×224×224   61,100,840       714,188,480  torchvision variant
alexnet(lrn=True)     3×227×227   62,378,344     1,135,256,096  paper, ungrouped
alexnet(groups=2)     3×227×227   60,965,224       724,406,816  paper, two GPUs
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
resnext50_32x4d       3×224×224   25,028,904     4,230,479,872  4.2 G (torchvision)
googlenet             3×224×224    6,624,904     1,498,376,192  1.5 G, no aux heads
densenet121           3×224×224    7,978,856     2,834,161,664  2.8 G
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
    AvgPool2D,
    BatchNorm2D,
    Concat,
    Conv2D,
    Dropout,
    Flatten,
    GlobalAvgPool2D,
    Identity,
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
    Validation accuracy: 99.20% (9,920 of 10,000), measured by that command on the last
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
    ).with_input_shape((in_channels, 28, 28))


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


def alexnet(
    num_classes: int = 1000, lrn: bool = False, dropout: float = 0.5, groups: int = 1
) -> Sequential:
    """AlexNet (Krizhevsky, Sutskever & Hinton, 2012).

    ``lrn=False`` (default): torchvision's single-GPU variant, the usual reference,
    for 3×224×224 inputs, 61,100,840 parameters with 1000 classes:

        conv 64@11×11/4 pad 2 → maxpool 3/2 → conv 192@5×5 pad 2 → maxpool 3/2
        → conv 384@3×3 → conv 256@3×3 → conv 256@3×3 (pad 1) → maxpool 3/2   (256×6×6)
        → dropout → 4096 → dropout → 4096 → num_classes          (ReLU after every conv/fc)

    ``lrn=True``: the paper's network, for 3×227×227 inputs (the paper says 224, but
    (224 − 11)/4 + 1 is not whole; 227 is the size that fits): 96, 256, 384, 384, 256
    kernels, local response normalisation after the first two convolutions and no
    padding in conv1. This one-tower version has 62,378,344 parameters.

    ``groups=2``: the paper's network as it ran on two GPUs (implies ``lrn=True``).
    Each GPU held half of every layer's kernels, and conv2, conv4 and conv5 saw only
    the feature maps of their own GPU: they are grouped convolutions with 2 groups,
    each kernel reading 48, 192 and 192 channels instead of 96, 384 and 384. conv3 and
    the fully connected layers read both GPUs' maps. 60,965,224 parameters with 1000
    classes, 1,413,120 fewer: conv2 has 256·48·25 weights instead of 256·96·25
    (−307,200), conv4 384·192·9 (−663,552), conv5 256·192·9 (−442,368).

    torchvision's AdaptiveAvgPool2d(6) is the identity at these input sizes and is
    left out, so other input sizes raise a clear shape error at the first Linear
    (for the paper's network, one that tells the 224/227 story).
    """
    if groups not in (1, 2):
        raise ValueError(
            f"alexnet: groups must be 1 (one tower) or 2 (the paper's two GPUs), got {groups!r}"
        )
    if lrn or groups == 2:
        features = [
            Conv2D(3, 96, 11, stride=4),
            ReLU(),
            paper_lrn(),
            MaxPool2D(3, 2),
            Conv2D(96, 256, 5, padding=2, groups=groups),
            ReLU(),
            paper_lrn(),
            MaxPool2D(3, 2),
            Conv2D(256, 384, 3, padding=1),
            ReLU(),
            Conv2D(384, 384, 3, padding=1, groups=groups),
            ReLU(),
            Conv2D(384, 256, 3, padding=1, groups=groups),
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
    if lrn:
        return _PaperAlexNet(*features, *head).with_input_shape((3, 227, 227))
    return Sequential(*features, *head).with_input_shape((3, 224, 224))


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

    def summary(self, input_shape: tuple[int, ...] | None = None, print_table: bool = True):
        shape = self.input_shape if input_shape is None else input_shape
        if shape is not None:
            self.output_shape((1, *shape))  # fail before any row, with the explanation
        return super().summary(shape, print_table)

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
    head = classifier(512 * 7 * 7, 4096, num_classes, dropout)
    return Sequential(*layers, *head).with_input_shape((3, 224, 224))


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


def conv_bn(
    in_channels: int, out_channels: int, kernel_size: int, stride: int = 1, groups: int = 1
) -> list[Layer]:
    """A convolution without bias followed by BatchNorm2D (whose β replaces the bias;
    a conv bias would be cancelled by the mean subtraction anyway). 'Same' padding."""
    return [
        Conv2D(
            in_channels, out_channels, kernel_size, stride, kernel_size // 2, False, groups=groups
        ),
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
    in_channels: int,
    width: int,
    stride: int = 1,
    stride_on: str = "1x1",
    *,
    groups: int = 1,
    out_channels: int | None = None,
) -> Sequential:
    """ResNet-50/101/152 block: relu(F(x) + S(x)) with 4·width output channels,
    F = conv1×1 (width) → BN → ReLU → conv3×3 (width) → BN → ReLU → conv1×1 (4·width) → BN.

    ResNeXt's block is the same with a grouped 3×3 (``groups``, 32 "paths" of
    width/32 channels each) and a wider middle: ``out_channels`` then sets the output
    (resnext50_32x4d: width 128 → 256 channels at the first stage).

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
    out_channels = 4 * width if out_channels is None else out_channels
    body = Sequential(
        *conv_bn(in_channels, width, 1, s1),
        ReLU(),
        *conv_bn(width, width, 3, s3, groups),
        ReLU(),
        *conv_bn(width, out_channels, 1),
    )
    return Sequential(Residual(body, shortcut_for(in_channels, out_channels, stride)), ReLU())


def imagenet_resnet(
    depth: int,
    num_classes: int = 1000,
    stride_on: str = "1x1",
    groups: int = 1,
    width_per_group: int = 64,
) -> Sequential:
    """ResNet-``depth`` for 3×224×224 ImageNet images (He et al., 2016, Table 1):

        conv 64@7×7/2 pad 3 → BN → ReLU → maxpool 3/2 pad 1          (64×56×56)
        → 4 stages of blocks with 64, 128, 256, 512 base channels; the first block of
          stages 2–4 halves the resolution (56 → 28 → 14 → 7) with a projection shortcut
        → global average pool → num_classes

    Basic blocks for 18 and 34 layers, bottlenecks (4× wider output) for 50, 101, 152.
    The result is Sequential(stem, stage1, ..., stage4, head).

    ``groups`` and ``width_per_group`` make it a ResNeXt (torchvision's names): the
    bottleneck's 3×3 has groups·width_per_group·(base/64) channels in ``groups`` groups
    (32×4d: 128, 256, 512, 1024), its output stays 4·base.
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
                inner = width * width_per_group // 64 * groups
                stage.append(
                    bottleneck_block(
                        channels, inner, stride, stride_on, groups=groups, out_channels=4 * width
                    )
                )
                channels = 4 * width
            else:
                stage.append(basic_block(channels, width, stride))
                channels = width
        stages.append(Sequential(*stage))
    head = Sequential(GlobalAvgPool2D(), Linear(channels, num_classes))
    return Sequential(stem, *stages, head).with_input_shape((3, 224, 224))


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


def resnext50_32x4d(num_classes: int = 1000) -> Sequential:
    """ResNeXt-50 32×4d (Xie et al., 2017), as torchvision's: ResNet-50's layout with
    32 groups of 4 channels (×2, ×4, ×8 in later stages) in every 3×3 and the stride
    on the 3×3 (as torchvision's ResNets); 25,028,904 parameters, 4.2 G multiply-adds.

    Same cost as ResNet-50, more "paths": a grouped 3×3 of width 128 in 32 groups has
    128·(128/32)·9 = 4,608 weights, against 64·64·9 = 36,864 for ResNet-50's width 64.
    """
    return imagenet_resnet(50, num_classes, "3x3", groups=32, width_per_group=4)


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
    ).with_input_shape((3, 32, 32))


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


# -- GoogLeNet: Inception modules (Szegedy et al., 2015) ------------------------------


def conv_bn_relu(in_channels: int, out_channels: int, kernel_size: int, stride: int = 1):
    """torchvision's BasicConv2d: a convolution without bias ('same' padding), BatchNorm
    (ε = 0.001) and ReLU, the unit every GoogLeNet layer is built from."""
    return Sequential(
        Conv2D(in_channels, out_channels, kernel_size, stride, kernel_size // 2, bias=False),
        BatchNorm2D(out_channels, eps=1e-3),
        ReLU(),
    )


def inception(
    in_channels: int, c1: int, c3_reduce: int, c3: int, c5_reduce: int, c5: int, pool_proj: int
) -> Concat:
    """An Inception module: four branches on the same input, concatenated along the
    channels into c1 + c3 + c5 + pool_proj channels at the input's resolution,

        1×1 (c1) | 1×1 (c3_reduce) → 3×3 (c3) | 1×1 (c5_reduce) → "5×5" (c5)
                 | maxpool 3×3 stride 1 → 1×1 (pool_proj)

    The 1×1 "reduce" convolutions are the bottleneck that makes this affordable: in
    inception (3a) the 3×3 branch costs 192·96 + 96·128·9 = 129,024 weights instead of
    192·128·9 = 221,184 without the reduction. As in torchvision, the "5×5" branch is
    a 3×3 convolution (a known slip kept for its pretrained weights; the paper uses 5×5).
    """
    return Concat(
        conv_bn_relu(in_channels, c1, 1),
        Sequential(conv_bn_relu(in_channels, c3_reduce, 1), conv_bn_relu(c3_reduce, c3, 3)),
        Sequential(conv_bn_relu(in_channels, c5_reduce, 1), conv_bn_relu(c5_reduce, c5, 3)),
        Sequential(MaxPool2D(3, 1, 1), conv_bn_relu(in_channels, pool_proj, 1)),
    )


# (name, in, #1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj): Table 1 of the paper.
GOOGLENET_INCEPTIONS = [
    ("3a", 192, 64, 96, 128, 16, 32, 32),
    ("3b", 256, 128, 128, 192, 32, 96, 64),
    ("4a", 480, 192, 96, 208, 16, 48, 64),
    ("4b", 512, 160, 112, 224, 24, 64, 64),
    ("4c", 512, 128, 128, 256, 24, 64, 64),
    ("4d", 512, 112, 144, 288, 32, 64, 64),
    ("4e", 528, 256, 160, 320, 32, 128, 128),
    ("5a", 832, 256, 160, 320, 32, 128, 128),
    ("5b", 832, 384, 192, 384, 48, 128, 128),
]


def googlenet(num_classes: int = 1000, dropout: float = 0.2) -> Sequential:
    """GoogLeNet (Inception v1) as torchvision's ``googlenet(aux_logits=False)``, for
    3×224×224 inputs: 6,624,904 parameters with 1000 classes.

        conv 64@7×7/2 → maxpool 3/2 → conv 64@1×1 → conv 192@3×3 → maxpool 3/2  (192×28×28)
        → inception 3a, 3b → maxpool 3/2 → 4a, 4b, 4c, 4d, 4e → maxpool 2/2
        → 5a, 5b (1024×7×7) → global average pool → dropout → num_classes

    Every convolution is conv_bn_relu. The auxiliary classifiers, used only while
    training, are left out. torchvision's max pools round up (ceil_mode=True);
    minicnn's pools pad by 1 instead, which gives the same sizes (112 → 56 → 28 →
    14) and the same parameters, though border pixels pool slightly different windows.
    """
    stage: dict[str, list[Layer]] = {name[0]: [] for name, *_ in GOOGLENET_INCEPTIONS}
    for name, *channels in GOOGLENET_INCEPTIONS:
        stage[name[0]].append(inception(*channels))
    return Sequential(
        Sequential(
            conv_bn_relu(3, 64, 7, stride=2),
            MaxPool2D(3, 2, 1),
            conv_bn_relu(64, 64, 1),
            conv_bn_relu(64, 192, 3),
            MaxPool2D(3, 2, 1),
        ),
        Sequential(*stage["3"], MaxPool2D(3, 2, 1)),
        Sequential(*stage["4"], MaxPool2D(2, 2)),
        Sequential(*stage["5"]),
        Sequential(GlobalAvgPool2D(), Dropout(dropout), Linear(1024, num_classes)),
    ).with_input_shape((3, 224, 224))


# -- DenseNet: every layer sees all earlier feature maps (Huang et al., 2017) ----------


def dense_layer(in_channels: int, growth_rate: int, bn_size: int = 4) -> Concat:
    """x ↦ [x, H(x)]: the input is kept (Identity) and ``growth_rate`` new channels are
    concatenated to it, with H = BN → ReLU → conv 1×1 (bn_size·growth_rate, the
    bottleneck) → BN → ReLU → conv 3×3 (growth_rate). Pre-activation order, as the paper."""
    width = bn_size * growth_rate
    return Concat(
        Identity(),
        Sequential(
            BatchNorm2D(in_channels),
            ReLU(),
            Conv2D(in_channels, width, 1, bias=False),
            BatchNorm2D(width),
            ReLU(),
            Conv2D(width, growth_rate, 3, padding=1, bias=False),
        ),
    )


def transition(in_channels: int, out_channels: int) -> Sequential:
    """Between dense blocks: BN → ReLU → conv 1×1 (halves the channels) → avgpool 2/2."""
    return Sequential(
        BatchNorm2D(in_channels),
        ReLU(),
        Conv2D(in_channels, out_channels, 1, bias=False),
        AvgPool2D(2),
    )


def densenet(
    block_config=(6, 12, 24, 16), growth_rate: int = 32, init_features: int = 64, num_classes=1000
) -> Sequential:
    """DenseNet-BC for 3×224×224 inputs, as torchvision's ``densenet121/169/201``:

        conv 64@7×7/2 → BN → ReLU → maxpool 3/2 pad 1                    (64×56×56)
        → dense block (each layer adds growth_rate channels) → transition (halves
          channels and size) → ... → last dense block → BN → ReLU
        → global average pool → num_classes

    Inside a block, layer ℓ receives the concatenation of the block's input and all
    ℓ − 1 earlier outputs, written as nested Concat(Identity(), H) (``dense_layer``).
    """
    layers: list[Layer] = [
        Sequential(
            Conv2D(3, init_features, 7, 2, 3, bias=False),
            BatchNorm2D(init_features),
            ReLU(),
            MaxPool2D(3, 2, 1),
        )
    ]
    channels = init_features
    for i, count in enumerate(block_config):
        block: list[Layer] = []
        for _ in range(count):
            block.append(dense_layer(channels, growth_rate))
            channels += growth_rate
        if i < len(block_config) - 1:
            block.append(transition(channels, channels // 2))
            channels //= 2
        layers.append(Sequential(*block))
    layers.append(
        Sequential(BatchNorm2D(channels), ReLU(), GlobalAvgPool2D(), Linear(channels, num_classes))
    )
    return Sequential(*layers).with_input_shape((3, 224, 224))


def densenet121(num_classes: int = 1000) -> Sequential:
    """DenseNet-121: blocks of 6, 12, 24, 16 layers, growth rate 32; 7,978,856 parameters
    (channels 64 → 256 → 128 → 512 → 256 → 1024 → 512 → 1024)."""
    return densenet((6, 12, 24, 16), 32, 64, num_classes)
