"""What a gradient check returns, and how it is printed: a row per tensor, then words.

[`check_layer`][minicnn.gradcheck.checker.check_layer] and
[`check_loss`][minicnn.gradcheck.checker.check_loss] fill a
[`GradcheckReport`][minicnn.gradcheck.report.GradcheckReport]: one
[`TensorCheck`][minicnn.gradcheck.report.TensorCheck] per checked tensor (the input and
every parameter) and the problems besides the gradients that the hints found.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field

from ..messages import say


@dataclass
class TensorCheck:
    """The outcome for one tensor (the input, or a parameter).

    ``analytic`` and ``numeric`` are the two gradients at ``worst_index``, side by
    side; ``message`` says in plain words what is wrong (a wrong shape, or a hint
    such as "sign flipped"), empty when nothing more can be said."""

    tensor: str
    max_rel_error: float
    worst_index: tuple[int, ...]
    passed: bool
    analytic: float | None = None
    numeric: float | None = None
    message: str = ""


@dataclass
class GradcheckReport:
    """Per-tensor results for one layer or loss, and ``problems``: what the layer
    did wrong besides its gradients (forward modified its input, a stale cache, a
    forward that differs from the reference, ...). ``passed`` if nothing failed."""

    name: str
    results: list[TensorCheck] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    kind: str = "layer"  # or "loss": names the table row of the problems

    @property
    def passed(self) -> bool:
        return not self.problems and all(r.passed for r in self.results)

    def failures(self) -> list[TensorCheck]:
        return [r for r in self.results if not r.passed]

    def explain(self) -> str:
        """What failed, one line each, with the two values at the worst index and
        a hint where a known mistake fits."""
        if self.passed:
            return say("gc.explain.ok", name=self.name)
        lines = [say("gc.explain.head", name=self.name)]
        lines += [f"  - {problem}" for problem in self.problems]
        for r in self.failures():
            if r.analytic is None:  # no numbers to compare: the message says why
                lines.append(f"  {r.tensor}: {r.message}")
                continue
            if r.tensor in ("input", "scores"):
                what = say(f"gc.explain.{r.tensor}")
            else:
                what = say("gc.explain.param", tensor=r.tensor)
            line = say(
                "gc.explain.line",
                what=what,
                index=r.worst_index,
                analytic=r.analytic,
                numeric=r.numeric,
            )
            lines.append(f"  {r.tensor}: {line}")
            if r.message:
                lines.append(f"    {say('gc.hint')}: {r.message}")
        return "\n".join(lines)

    def __str__(self) -> str:
        table = format_table([self])
        return table if self.passed else f"{table}\n\n{self.explain()}"


TABLE_COLUMNS = ("layer", "tensor", "error", "index", "analytic", "numerical", "result")


def format_table(reports: list[GradcheckReport]) -> str:
    """A readable table: layer, tensor, max relative error, worst index, the analytic
    and numerical gradient there, pass/FAIL. A report with problems besides its
    gradients gets a row "(layer)" or "(loss)" marked FAIL (explain() says what they are)."""
    header = tuple(say(f"gc.table.{column}") for column in TABLE_COLUMNS)
    verdict = {True: say("gc.table.pass"), False: say("gc.table.fail")}
    rows = []
    for rep in reports:
        for r in rep.results:
            pair = ("-", "-") if r.analytic is None else (f"{r.analytic:.6g}", f"{r.numeric:.6g}")
            error = "-" if math.isinf(r.max_rel_error) else f"{r.max_rel_error:.2e}"
            rows.append((rep.name, r.tensor, error, str(r.worst_index), *pair, verdict[r.passed]))
        if rep.problems:
            rows.append((rep.name, f"({rep.kind})", "-", "-", "-", "-", verdict[False]))
    widths = [max(terminal_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(
            cell + " " * (w - terminal_width(cell)) for cell, w in zip(row, widths, strict=True)
        )
        for row in [header, *rows]
    ]
    lines = [line.rstrip() for line in lines]
    lines.insert(1, "-" * terminal_width(lines[0]))
    return "\n".join(lines)


def terminal_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: a Hangul syllable takes two (--lang ko)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
