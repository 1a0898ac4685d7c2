"""Numerical gradient checks: is a layer's backward the derivative of its forward?

Four modules, one concept each; a student who wants to see how the check decides reads
only the first:

- [`checker`][minicnn.gradcheck.checker]: the method: the central difference
  (f(x+h) − f(x−h))/2h, the random upstream gradient, the relative error,
  ``check_layer`` and ``check_loss``;
- [`hints`][minicnn.gradcheck.hints]: what a failed check says about the likely
  mistake (sign flipped, transposed, a stale cache, an unregistered Parameter, ...);
- [`cases`][minicnn.gradcheck.cases]: the registry, a case for every layer and loss;
- [`cli`][minicnn.gradcheck.cli]: the command line, ``python -m minicnn.gradcheck``
  (every case) or ``python -m minicnn.gradcheck my_layer.py:MyConv --input-shape
  2,3,8,8`` (a layer of your own); the exit status is non-zero when a check fails;

and [`report`][minicnn.gradcheck.report], the table the checks print. Every name is
importable from here: ``from minicnn.gradcheck import check_layer``.
"""

from .cases import CASES, LOSS_CASES, Case, layer_classes, random_batchnorm, run_all
from .checker import (
    EPSILON,
    TOLERANCE,
    check_layer,
    check_loss,
    compare,
    distinct_inputs,
    loss_inputs,
    numerical_gradient,
    roundoff,
)
from .cli import (
    UsageError,
    check_student_layer,
    is_loss,
    load_layer_class,
    load_reference,
    main,
    parse_arguments,
    parse_shape,
)
from .hints import (
    BACKWARD_CHANGED_DOUT,
    BACKWARD_CHANGED_INPUT,
    FORWARD_CHANGED_INPUT,
    STALE_CACHE,
    gradient_hint,
    gradient_problem,
    output_problem,
    reference_problems,
    stale_cache_problem,
    unregistered_parameters,
    unrotated_kernel,
)
from .report import TABLE_COLUMNS, GradcheckReport, TensorCheck, format_table

__all__ = [
    "BACKWARD_CHANGED_DOUT",
    "BACKWARD_CHANGED_INPUT",
    "CASES",
    "EPSILON",
    "FORWARD_CHANGED_INPUT",
    "LOSS_CASES",
    "STALE_CACHE",
    "TABLE_COLUMNS",
    "TOLERANCE",
    "Case",
    "GradcheckReport",
    "TensorCheck",
    "UsageError",
    "check_layer",
    "check_loss",
    "check_student_layer",
    "compare",
    "distinct_inputs",
    "format_table",
    "gradient_hint",
    "gradient_problem",
    "is_loss",
    "layer_classes",
    "load_layer_class",
    "load_reference",
    "loss_inputs",
    "main",
    "numerical_gradient",
    "output_problem",
    "parse_arguments",
    "parse_shape",
    "random_batchnorm",
    "reference_problems",
    "roundoff",
    "run_all",
    "stale_cache_problem",
    "unregistered_parameters",
    "unrotated_kernel",
]
