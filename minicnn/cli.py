"""The ``minicnn`` command: train a recipe, classify your own digits, check gradients,
summarise a model, report on or explore a run.

    minicnn train lenet5-mnist                 # LeNet-5 on MNIST (also: fashion-mnist, ...)
    minicnn predict my_seven.jpg two.png       # top-3 digits of photos of handwritten digits
    minicnn gradcheck                          # every layer's backward against central differences
    minicnn summary resnet20                   # the layer table (--input-shape C,H,W)
    minicnn report runs/mnist_lenet            # one page about a finished run
    minicnn export runs/mnist_lenet/checkpoint.npz lenet5.onnx   # for a phone or a web page
    minicnn explore                            # look inside a trained model in the browser

``python -m minicnn ...`` is the same command. Every subcommand has ``--help``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

# Zoo models by name, with the input each was designed for (C, H, W).
MODELS = {
    "lenet5": (1, 28, 28),
    "alexnet": (3, 224, 224),
    "vgg11": (3, 224, 224),
    "vgg13": (3, 224, 224),
    "vgg16": (3, 224, 224),
    "vgg19": (3, 224, 224),
    "resnet18": (3, 224, 224),
    "resnet34": (3, 224, 224),
    "resnet50": (3, 224, 224),
    "resnet101": (3, 224, 224),
    "resnet152": (3, 224, 224),
    "resnext50_32x4d": (3, 224, 224),
    "googlenet": (3, 224, 224),
    "densenet121": (3, 224, 224),
    "resnet20": (3, 32, 32),
    "resnet32": (3, 32, 32),
    "resnet44": (3, 32, 32),
    "resnet56": (3, 32, 32),
    "resnet110": (3, 32, 32),
}

# Subcommands whose flags belong to another module's own parser: everything after the
# subcommand's name is handed to ``module.main(argv)``, --help included.
FORWARDED = {
    "gradcheck": (
        "minicnn.gradcheck",
        "check every layer's backward against central differences (and PyTorch)",
    ),
    "report": ("minicnn.report", "write a one-page report of a finished run: report RUN_DIR"),
    "explore": (
        "minicnn.explore",
        "look inside a trained model in the browser: explore [--checkpoint PATH] [--port N]",
    ),
}


# -- predict --------------------------------------------------------------------------------


def load_model(checkpoint: str | None):
    """LeNet-5 with the shipped MNIST weights, or with the weights of ``checkpoint`` (a
    file written by ``minicnn train lenet5-mnist`` or ``mc.save``)."""
    import minicnn as mc

    if checkpoint is None:
        return mc.zoo.lenet5(pretrained=True)
    if Path(checkpoint).is_dir():
        raise ValueError(f"{checkpoint} is a directory; give a checkpoint file (.npz)")
    model = mc.zoo.lenet5()
    mc.load(checkpoint, model)
    return model


def top_k(probabilities, k: int = 3) -> list[tuple[int, float]]:
    """The k most likely classes and their probabilities, most likely first."""
    import numpy as np

    order = np.argsort(-probabilities, kind="stable")[:k]
    return [(int(c), float(probabilities[c])) for c in order]


def percent(q: float) -> str:
    """0.98765 -> '98.77%'; below 0.01% -> '<0.01%' (not a misleading '0.00%')."""
    return f"{q:.2%}" if q >= 5e-5 else "<0.01%"


def cmd_predict(args: argparse.Namespace) -> int:
    """One line per image: the three most likely digits, or why there is no answer."""
    import numpy as np

    import minicnn as mc

    try:
        model = load_model(args.checkpoint)
        steps = [mc.data.find_digit(path) for path in args.images]
    except (OSError, ValueError, RuntimeError) as err:
        print(f"minicnn predict: {err}", file=sys.stderr)
        return 1
    names = [Path(p).name for p in args.images]
    answered = [i for i, s in enumerate(steps) if s.problem is None]
    probabilities = {}
    if answered:
        x = np.stack([steps[i].digit[None] for i in answered])  # (N, 1, 28, 28)
        _, probs = mc.predict(model, x, return_probs=True)
        probabilities = dict(zip(answered, probs, strict=True))
    for i, (name, s) in enumerate(zip(names, steps, strict=True)):
        if s.problem is not None:
            print(f"{name}: no answer: {s.problem}")
            continue
        print(f"{name}: " + "  ".join(f"{c} ({percent(q)})" for c, q in top_k(probabilities[i])))
    if args.show:
        from minicnn import viz

        viz.plot_digit_steps(steps, names, path=args.show)
        print(f"Wrote {args.show}")
    return 0 if len(answered) == len(steps) else 1


# -- export ---------------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> int:
    """Load CHECKPOINT into the zoo model --model and write it as ONNX."""
    import minicnn as mc
    from minicnn import onnx

    build = getattr(mc.zoo, args.model)
    try:
        if args.checkpoint == "pretrained" and not Path(args.checkpoint).exists():
            model = mc.zoo.lenet5(pretrained=True)
            if args.model != "lenet5":
                raise ValueError("'pretrained' weights exist for --model lenet5 only")
        elif Path(args.checkpoint).is_dir():
            raise ValueError(f"{args.checkpoint} is a directory; give a checkpoint file (.npz)")
        elif not Path(args.checkpoint).is_file():
            raise ValueError(
                f"there is no file {args.checkpoint}; give a checkpoint written by "
                "'minicnn train' or mc.save, or 'pretrained' for the shipped LeNet-5"
            )
        else:
            model = build() if args.num_classes is None else build(num_classes=args.num_classes)
            mc.load(args.checkpoint, model)
        shape = args.input_shape or MODELS[args.model]
        path = onnx.export(model, args.output, shape)
    except (OSError, ValueError, ImportError) as err:
        print(f"minicnn export: {err}", file=sys.stderr)
        return 1
    print(
        f"Wrote {path} ({path.stat().st_size / 1024:.0f} KB): {args.model}, input 'input' "
        f"(N, {', '.join(map(str, shape))}) float32, output 'output' (the scores)"
    )
    return 0


# -- summary --------------------------------------------------------------------------------


def input_shape(text: str) -> tuple[int, ...]:
    """argparse type for C,H,W (also C and C,L): positive whole numbers, no batch axis."""
    try:
        shape = tuple(int(part) for part in text.replace("x", ",").split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected whole numbers separated by commas, like 3,32,32; got {text!r}"
        ) from None
    if not shape or min(shape) < 1:
        raise argparse.ArgumentTypeError(f"every size must be >= 1, got {text!r}")
    return shape


def cmd_summary(args: argparse.Namespace) -> int:
    import minicnn as mc

    build = getattr(mc.zoo, args.model)
    model = build() if args.num_classes is None else build(num_classes=args.num_classes)
    shape = args.input_shape or MODELS[args.model]
    try:
        model.summary(shape)
    except ValueError as err:
        print(f"minicnn summary: {err}", file=sys.stderr)
        return 1
    return 0


# -- train ----------------------------------------------------------------------------------


def cmd_train(args: argparse.Namespace) -> int:
    from minicnn import recipes

    return recipes.RECIPES[args.recipe].run(args)


# -- the forwarded subcommands ----------------------------------------------------------------


def run_forwarded(name: str, argv: list[str]) -> int:
    """``module.main(argv)`` for gradcheck, report and explore; imported only when used.

    When the module is not part of this minicnn, say so instead of a traceback."""
    module_name, _ = FORWARDED[name]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        if err.name != module_name:
            raise  # the module exists but something it needs is missing: show that
        print(
            f"minicnn {name}: this version of minicnn has no {module_name} module, so "
            f"'minicnn {name}' is not available yet; update minicnn "
            "(pip install --upgrade minicnn-course, or git pull in a checkout).",
            file=sys.stderr,
        )
        return 2
    if name == "gradcheck":  # report and explore call themselves "minicnn report/explore"
        status = module.main(argv, prog=f"minicnn {name}")
    else:
        status = module.main(argv)
    return int(status or 0)


# -- the parser -----------------------------------------------------------------------------


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """``--help`` states each flag's default once: "(default: 64)" is added to a flag's
    help unless the help already says what the default is ("default: depends on the
    data"), and never "(default: None)" or "(default: False)", which say nothing."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if "default" in text or any(action.default is v for v in (None, False, argparse.SUPPRESS)):
            return text
        return super()._get_help_string(action)


def build_parser() -> argparse.ArgumentParser:
    from minicnn import __version__, recipes

    parser = argparse.ArgumentParser(
        prog="minicnn",
        description="minicnn: a from-scratch NumPy CNN framework for teaching backpropagation.",
        epilog="Run 'minicnn COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"minicnn {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    formatter = HelpFormatter

    train = commands.add_parser(
        "train",
        help="train one of the built-in recipes",
        description="Train one of minicnn's recipes. 'minicnn train RECIPE --help' lists "
        "its options.",
    )
    recipe_commands = train.add_subparsers(dest="recipe", metavar="RECIPE", required=True)
    for name, recipe in recipes.RECIPES.items():
        sub = recipe_commands.add_parser(
            name, help=recipe.help, description=f"Train {recipe.help}.", formatter_class=formatter
        )
        recipe.add_arguments(sub)
    train.set_defaults(handler=cmd_train)

    predict = commands.add_parser(
        "predict",
        help="classify photos or scans of handwritten digits",
        description="Classify photos or scans of handwritten digits (PNG, JPEG; any size; "
        "dark ink on light paper or the reverse). Each image is prepared as MNIST's were "
        "(mc.data.find_digit: the paper found, the light flattened, the ink cropped and "
        "centred) and one line is printed per image: its file name and the three most "
        "likely digits with their probabilities, or 'no answer' and why, when the image "
        "does not look like one digit (an empty sheet, two digits, a drawing); then the "
        "exit status is 1.",
        formatter_class=formatter,
    )
    predict.add_argument("images", nargs="+", metavar="IMAGE", help="image files")
    predict.add_argument(
        "--checkpoint",
        metavar="PATH",
        default=None,
        help="a LeNet-5 checkpoint (e.g. runs/mnist_lenet/checkpoint.npz); default: the "
        "pretrained weights shipped with minicnn",
    )
    predict.add_argument(
        "--show",
        metavar="FILE",
        default=None,
        help="save a figure (PNG) of every step for every image: grey photo, paper "
        "brightness, contrast, sheet and marks, ink kept, the 28×28 input and the verdict",
    )
    predict.set_defaults(handler=cmd_predict)

    summary = commands.add_parser(
        "summary",
        help="print a zoo model's layer table",
        description="Print the layer-by-layer table of a model of mc.zoo: output shapes, "
        "parameters, multiply-adds, receptive fields. Only shapes flow through the model, "
        "so even ResNet-152 takes an instant.",
        formatter_class=formatter,
    )
    summary.add_argument("model", choices=sorted(MODELS), metavar="MODEL", help=", ".join(MODELS))
    summary.add_argument(
        "--input-shape",
        type=input_shape,
        default=None,
        metavar="C,H,W",
        help="one input, without the batch axis (default: the size the model was made for)",
    )
    summary.add_argument(
        "--num-classes",
        type=int,
        default=None,
        metavar="N",
        help="size of the last layer's output (default: the model's, 1000 for the ImageNet "
        "models, 10 for LeNet-5 and the CIFAR ResNets)",
    )
    summary.set_defaults(handler=cmd_summary)

    export = commands.add_parser(
        "export",
        help="write a checkpoint's model as ONNX (for phones, web pages, other runtimes)",
        description="Load CHECKPOINT (written by 'minicnn train' or mc.save) into a zoo "
        "model and write it as an ONNX file (mc.onnx.export) that onnxruntime and other "
        "ONNX runtimes run; the batch size stays free. CHECKPOINT 'pretrained' exports the "
        "LeNet-5 weights shipped with minicnn. Needs the onnx package "
        "(pip install 'minicnn-course[onnx]').",
    )
    export.add_argument(
        "checkpoint", metavar="CHECKPOINT", help="a .npz checkpoint, or 'pretrained'"
    )
    export.add_argument("output", metavar="OUTPUT", help="the .onnx file to write")
    export.add_argument(
        "--model", choices=sorted(MODELS), default="lenet5", metavar="MODEL",
        help="the zoo model the checkpoint holds (default lenet5)",
    )  # fmt: skip
    export.add_argument(
        "--input-shape",
        type=input_shape,
        default=None,
        metavar="C,H,W",
        help="one input, without the batch axis (default: the size the model was made for)",
    )
    export.add_argument(
        "--num-classes", type=int, default=None, help="the model's classes (default: its own)"
    )
    export.set_defaults(handler=cmd_export)

    for name, (_, text) in FORWARDED.items():
        # Listed here for 'minicnn --help'; main() hands their arguments on unparsed.
        commands.add_parser(name, help=text, add_help=False)
    return parser


def reexec_with_one_blas_thread(argv: list[str]) -> None:
    """Training is ~16× slower with OpenBLAS's spinning threads on a busy machine (see
    examples/train_mnist_lenet.py), and the thread count is read when NumPy loads, which
    has already happened here. So a ``minicnn train`` started without
    OPENBLAS_NUM_THREADS starts itself again with it set to 1."""
    if "OPENBLAS_NUM_THREADS" in os.environ:
        return
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    sys.stdout.flush()
    os.execv(sys.executable, [sys.executable, "-m", "minicnn", *argv])


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``minicnn`` console script and ``python -m minicnn``."""
    from_command_line = argv is None
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in FORWARDED:
        return run_forwarded(argv[0], argv[1:])
    args = build_parser().parse_args(argv)
    if from_command_line and args.command == "train":
        reexec_with_one_blas_thread(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)
