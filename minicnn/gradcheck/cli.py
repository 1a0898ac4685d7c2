"""The command line: ``python -m minicnn.gradcheck`` (also ``minicnn gradcheck``).

With no target it checks every case of the registry; with ``my_layer.py:MyConv
--input-shape 2,3,8,8 --args '3, 4'`` a layer of the student's own (a subclass of
mc.Layer; ``--reference mc.Conv2D`` compares its forward with minicnn's), with
``my_loss.py:MyLoss --input-shape 4,5`` a loss (any class with forward(scores,
labels) and backward()). Exit status: 0 when everything passes, 1 when a check fails,
2 when the target could not be loaded or raised.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.util
import inspect
import os
import sys
import traceback
from pathlib import Path

from .. import layers as L
from ..backend import available_backends, backend, get_backend
from ..losses import Loss
from ..messages import LANGS, say, speaking
from .cases import layer_classes, run_all
from .checker import EPSILON, TOLERANCE, check_layer, check_loss
from .report import GradcheckReport, format_table

# -- checking a layer a student wrote in their own file ------------------------------


class UsageError(Exception):
    """A command-line mistake: the message says what was wrong and how to fix it."""


def is_loss(obj) -> bool:
    """A loss is a minicnn Loss, or (duck typing) any class or object that is not a
    Layer and has ``forward(scores, labels)`` and ``backward(...)``."""
    cls = obj if isinstance(obj, type) else type(obj)
    if issubclass(cls, Loss):
        return True
    forward, backward = getattr(cls, "forward", None), getattr(cls, "backward", None)
    if issubclass(cls, L.Layer) or not (callable(forward) and callable(backward)):
        return False
    try:
        params = list(inspect.signature(forward).parameters.values())[1:]  # after self
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2


def load_layer_class(target: str) -> type:
    """``module:ClassName`` -> the class: a layer (a subclass of mc.Layer) or a loss
    (see [`is_loss`][minicnn.gradcheck.cli.is_loss]). ``module`` is a dotted module
    name importable from the current directory (``my_layers``) or a path to a .py file
    (``my_layer.py``)."""
    module_name, sep, class_name = target.rpartition(":")
    if not sep or not module_name or not class_name.isidentifier():
        raise UsageError(say("gc.use.target", target=repr(target)))
    if module_name.endswith(".py") or os.sep in module_name or "/" in module_name:
        module = _import_file(Path(module_name))
    else:
        sys.path.insert(0, os.getcwd())  # python -m puts the cwd first; be explicit
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            raise UsageError(
                say("gc.use.import", module=repr(module_name), err=err, cls=class_name)
            ) from None
    cls = getattr(module, class_name, None)
    if cls is None:
        found = sorted(
            name
            for name, value in vars(module).items()
            if isinstance(value, type)
            and (issubclass(value, L.Layer) or is_loss(value))
            and value.__module__ == module.__name__
        )
        raise UsageError(
            say(
                "gc.use.no_class",
                module=module_name,
                cls=repr(class_name),
                found=found or say("gc.use.none"),
            )
        )
    if not (isinstance(cls, type) and (issubclass(cls, L.Layer) or is_loss(cls))):
        raise UsageError(say("gc.use.not_layer", cls=class_name, module=module_name, got=repr(cls)))
    return cls


def _import_file(path: Path):
    if not path.is_file():
        raise UsageError(say("gc.use.no_file", path=repr(str(path)), cwd=os.getcwd()))
    spec = importlib.util.spec_from_file_location(f"_student_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise UsageError(say("gc.use.not_python", path=repr(str(path))))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    sys.path.insert(0, str(path.resolve().parent))  # so the file can import its neighbours
    spec.loader.exec_module(module)
    return module


def load_reference(text: str) -> type:
    """``mc.MaxPool2D`` (or ``minicnn.MaxPool2D``, ``MaxPool2D``) -> minicnn's class."""
    import minicnn

    name = text.strip().removeprefix("minicnn.").removeprefix("mc.")
    cls = getattr(minicnn, name, None)
    if not (isinstance(cls, type) and (issubclass(cls, L.Layer) or issubclass(cls, Loss))):
        known = sorted(c.__name__ for c in layer_classes() if hasattr(minicnn, c.__name__))
        raise UsageError(say("gc.use.reference", text=repr(text), known=", ".join(known)))
    return cls


def parse_shape(text: str) -> tuple[int, ...]:
    """'2,3,8,8' -> (2, 3, 8, 8): the input shape, batch axis included."""
    try:
        shape = tuple(int(part) for part in text.replace(" ", "").strip("()").split(","))
    except ValueError:
        shape = ()
    if not shape or min(shape) < 1:
        raise UsageError(say("gc.use.shape", text=repr(text)))
    return shape


def parse_arguments(args: str | None, kwargs: str | None) -> tuple[tuple, dict]:
    """Constructor arguments as Python literals, read with ast.literal_eval (never eval):
    --args '3, 4' -> (3, 4);  --kwargs "{'stride': 2}" -> {'stride': 2}."""
    try:
        positional = ast.literal_eval(f"({args},)") if args else ()
        keywords = ast.literal_eval(kwargs) if kwargs else {}
    except (ValueError, SyntaxError):
        raise UsageError(say("gc.use.literals", args=repr(args), kwargs=repr(kwargs))) from None
    if not isinstance(keywords, dict) or not all(isinstance(k, str) for k in keywords):
        raise UsageError(say("gc.use.kwargs", kwargs=repr(kwargs)))
    return positional, keywords


def check_student_layer(
    target: str,
    input_shape: str | None,
    args: str | None = None,
    kwargs: str | None = None,
    seed: int = 0,
    reference: str | None = None,
) -> GradcheckReport:
    """Load ``module:ClassName``, build it with the given arguments and check it: a
    layer on an input of ``input_shape``, a loss on scores of ``input_shape`` (N, C;
    default 4,5). ``reference`` names minicnn's class to compare the forward with,
    built with the same arguments."""
    cls = load_layer_class(target)
    loss = is_loss(cls)
    if input_shape is None and not loss:
        raise UsageError(say("gc.use.needs_shape"))
    shape = parse_shape(input_shape or "4,5")
    if loss and len(shape) != 2:
        raise UsageError(say("gc.use.loss_shape", cls=cls.__name__, shape=repr(input_shape)))
    positional, keywords = parse_arguments(args, kwargs)
    ref_cls = load_reference(reference) if reference else None
    obj = cls(*positional, **keywords)
    ref = None
    if ref_cls is not None:
        try:
            ref = ref_cls(*positional, **keywords)
        except Exception as err:
            raise UsageError(
                say("gc.use.ref_args", reference=reference, cls=ref_cls.__name__, err=err)
            ) from None
    name = target.rpartition(":")[2]
    if loss:
        return check_loss(obj, *shape, seed=seed, name=name, reference=ref)
    return check_layer(obj, shape, seed=seed, name=name, reference=ref)


def main(argv: list[str] | None = None, prog: str = "python -m minicnn.gradcheck") -> int:
    """The command line (``prog`` is its name in ``--help``: ``minicnn gradcheck`` when
    the ``minicnn`` command hands its arguments on)."""
    # --help speaks the language asked for, so --lang is read before the parser is built
    language = argparse.ArgumentParser(prog=prog, add_help=False)
    language.add_argument("--lang", choices=LANGS, default="en")
    with speaking(language.parse_known_args(argv)[0].lang):
        parser = _parser(prog)
        args = parser.parse_args(argv)
    with speaking(args.lang):
        return _run(parser, args)


def _parser(prog: str) -> argparse.ArgumentParser:
    """The command line's options, described in the current language."""
    parser = argparse.ArgumentParser(
        prog=prog, description=say("gc.cli.description"), epilog=say("gc.cli.epilog", prog=prog)
    )
    parser.add_argument("target", nargs="?", help=say("gc.cli.help.target"))
    parser.add_argument("--input-shape", help=say("gc.cli.help.input_shape"))
    parser.add_argument("--args", help=say("gc.cli.help.args"))
    parser.add_argument("--kwargs", help=say("gc.cli.help.kwargs"))
    parser.add_argument("--reference", help=say("gc.cli.help.reference"))
    parser.add_argument("--seed", type=int, default=0, help=say("gc.cli.help.seed"))
    parser.add_argument("--lang", choices=LANGS, default="en", help=say("gc.cli.help.lang"))
    parser.add_argument(
        "--backend",
        choices=available_backends(),
        default=get_backend(),
        help=say("gc.cli.help.backend"),
    )
    return parser


def _run(parser, args) -> int:
    header = say("gc.cli.header", backend=repr(args.backend), eps=EPSILON, tol=TOLERANCE)
    if args.target is None:
        if args.input_shape or args.args or args.kwargs or args.reference:
            parser.error(say("gc.use.no_target"))
        with backend(args.backend):
            reports = run_all()
        print(header)
        print(format_table(reports))
        failed = [rep.name for rep in reports if not rep.passed]
        print("\n" + say("gc.cli.summary", passed=len(reports) - len(failed), failed=len(failed)))
        return 1 if failed else 0
    try:
        with backend(args.backend):
            report = check_student_layer(
                args.target, args.input_shape, args.args, args.kwargs, args.seed, args.reference
            )
    except UsageError as err:
        print(say("gc.cli.error", message=err), file=sys.stderr)
        return 2
    except Exception as err:  # the student's code raised: show where, then say what failed
        traceback.print_exc()
        raised = say("gc.cli.raised", target=args.target, error=type(err).__name__, message=err)
        print("\n" + say("gc.cli.error", message=raised), file=sys.stderr)
        return 2
    print(header)
    print(format_table([report]))
    print()
    print(report.explain())
    return 0 if report.passed else 1
