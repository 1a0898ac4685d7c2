"""Labs 7 and 8 (the notes' second half), graded part by part in this process: the
reference passes its own cases, each typical mistake is named in both languages, and
the counting references agree with minicnn's layers and receptive_field."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

import minicnn as mc
from minicnn.lab import grade_file, lab7
from minicnn.lab.catalog import ARCHITECTURE_LABS
from minicnn.lab.grade import judge_part
from minicnn.lab.messages import speaking
from minicnn.lab.source import BEGIN, read_source, source_path


def grade_part(part, ns, seed=5, lang="en"):
    """(verdict, message) of the functions in ``ns`` on the part's cases of ``seed``."""
    cases = part.cases(np.random.default_rng(seed))
    with speaking(lang):
        try:
            outputs = [part.run(ns, case) for case in cases]
        except Exception as err:  # noqa: BLE001 - a StudentError names the mistake
            return "error", str(err)
        return judge_part(part, cases, outputs)


def lab7_part(name):
    return next(p for p in lab7.PARTS if p.name == name)


@pytest.mark.parametrize("part", lab7.PARTS, ids=[p.name for p in lab7.PARTS])
def test_lab7_reference_passes_its_own_cases(part):
    assert grade_part(part, part.reference)[0] == "passed"


@pytest.mark.parametrize(
    "c_in, c_out, k, bias", [(3, 4, 5, True), (6, 2, 1, False), (2, 7, 3, True)]
)
def test_lab7_conv_count_is_minicnns(c_in, c_out, k, bias):
    conv = mc.Conv2D(c_in, c_out, k, bias=bias)
    assert lab7.weights_of(c_in, c_out, k, bias) == sum(p.size for p in conv.parameters())


def test_lab7_counts_of_the_lecture():
    # lecture 004: three 3×3 = 27C², one 7×7 = 49C²; docs/inception.md: GoogLeNet 3a's 5×5
    assert lab7.reference_stack(10, 3) == (2700, 4900)
    assert lab7.reference_bottleneck(192, 16, 32, 5) == (153600, 15872)
    assert lab7.reference_field([3, 3, 3], [1, 1, 1]) == 7
    assert (
        lab7.reference_field([5, 2, 5, 2], [1, 2, 1, 2]) == 16
    )  # minicnn.receptive_field: 14 before the last pool


def test_lab7_inception_keeps_the_size_and_stacks_the_branches():
    case = lab7.inception_cases(np.random.default_rng(0))[0]
    y = lab7.reference_inception(**case)
    n, _, h, w = case["x"].shape
    assert y.shape == (n, sum(lab7.branch_blocks(case)), h, w)
    first = case["params"]["w1"].shape[0]
    one_by_one = np.einsum("kc,nchw->nkhw", case["params"]["w1"][:, :, 0, 0], case["x"])
    np.testing.assert_allclose(
        y[:, :first], np.maximum(one_by_one + case["params"]["b1"][:, None, None], 0)
    )


def _concat(branches):
    """An Inception forward computed with minicnn.functional, branches in a given order."""
    import minicnn.functional as F

    def conv_relu(x, p, name, relu=True):
        w = p[f"w{name}"]
        y, _ = F.conv2d_forward(x, w, p[f"b{name}"], 1, w.shape[2] // 2)
        return np.maximum(y, 0) if relu else y

    def forward(x, p):
        out = {
            "1": conv_relu(x, p, "1"),
            "3": conv_relu(conv_relu(x, p, "3r", relu=branches.get("relu", True)), p, "3"),
            "5": conv_relu(conv_relu(x, p, "5r", relu=branches.get("relu", True)), p, "5"),
            "p": conv_relu(F.max_pool2d_forward(x, 3, 1, branches.get("pad", 1))[0], p, "p"),
        }
        return np.concatenate(
            [out[b] for b in branches.get("order", "135p")], axis=branches.get("axis", 1)
        )

    return forward


MISTAKES_7 = {
    "bias forgotten": (
        "conv_params",
        {"conv_params": lambda c_in, c_out, k, bias=True: c_in * c_out * k * k},
        "each filter also has one bias",
        "편향",
    ),
    "k not squared": (
        "conv_params",
        {"conv_params": lambda c_in, c_out, k, bias=True: c_out * (c_in * k + bias)},
        "squared",
        "제곱",
    ),
    "field of the single conv": (
        "stack_params",
        {"stack_params": lambda c, n: (9 * n * c * c, (2 * n - 1) ** 2 * c * c)},
        "1 + 2n",
        "1 + 2n",
    ),
    "reduce conv forgotten": (
        "bottleneck_params",
        {"bottleneck_params": lambda c_in, r, c_out, k: (c_in * c_out * k * k, r * c_out * k * k)},
        "reduce convolution has weights",
        "축소",
    ),
    "strides ignored": (
        "receptive_field",
        {"receptive_field": lambda ks, ss: 1 + sum(k - 1 for k in ks)},
        "jump",
        "점프",
    ),
    "branches out of order": (
        "inception_forward",
        {"inception_forward": _concat({"order": "315p"})},
        "wrong order",
        "순서",
    ),
    "no ReLU after the reduce": (
        "inception_forward",
        {"inception_forward": _concat({"relu": False})},
        "followed by a ReLU",
        "ReLU",
    ),
    "pool without padding": (
        "inception_forward",
        {"inception_forward": _concat({"pad": 0})},
        None,
        None,
    ),
}


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("mistake", MISTAKES_7, ids=list(MISTAKES_7))
def test_lab7_mistakes_are_named(mistake, lang):
    name, ns, en, ko = MISTAKES_7[mistake]
    verdict, message = grade_part(lab7_part(name), ns, lang=lang)
    assert verdict != "passed"
    word = en if lang == "en" else ko
    if word:
        assert word in message, message


# ---- lab 8: transfer learning


def solution_code(stem: str) -> str:
    """The lab source's imports and solved functions, as one script (no check cells)."""
    cells = [c.source for c in read_source(source_path(stem)).cells if c.cell_type == "code"]
    code = [c for c in cells if BEGIN in c or c.startswith("import")]
    return "\n\n".join(code).replace(f'check = checker("{stem[:4]}", globals())', "")


SOLUTION_8 = solution_code("lab8_transfer_learning")


@pytest.fixture(scope="module")
def solution_8():
    ns: dict = {}
    exec(SOLUTION_8, ns)
    return ns


def lab8_part(name):
    from minicnn.lab import lab8

    return next(p for p in lab8.PARTS if p.name == name)


@pytest.mark.parametrize("name", ["freeze", "replace_head", "fine_tune_step", "transfer"])
def test_lab8_solution_passes(solution_8, name):
    verdict, message = grade_part(lab8_part(name), solution_8)
    assert verdict == "passed", message


def with_(solution, **functions):
    ns = dict(solution)
    ns.update(functions)
    return ns


def _freeze_params(model, n):
    for i, p in enumerate(model.parameters()):
        p.requires_grad = i >= n
    return model


def _freeze_only(model, n):
    model[:n].requires_grad_(False)
    return model


def _same_head(model, num_classes, rng):
    return model


def _step_without_zero_grad(model, optimizer, x, y):
    criterion = mc.SoftmaxCrossEntropy()
    loss = criterion(model.forward(x), y)
    model.backward(criterion.backward())
    optimizer.step()
    return loss


MISTAKES_8 = {
    "parameters, not layers": ("freeze", {"freeze": _freeze_params}, "parameters", "파라미터"),
    "later layers left frozen": (
        "freeze",
        {"freeze": _freeze_only},
        "requires_grad_(True)",
        "requires_grad_(True)",
    ),
    "old head kept": ("replace_head", {"replace_head": _same_head}, "scores per image", "점수"),
    "no zero_grad": (
        "fine_tune_step",
        {"fine_tune_step": _step_without_zero_grad},
        "zero_grad",
        "zero_grad",
    ),
}


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("mistake", MISTAKES_8, ids=list(MISTAKES_8))
def test_lab8_mistakes_are_named(solution_8, mistake, lang):
    name, functions, en, ko = MISTAKES_8[mistake]
    verdict, message = grade_part(lab8_part(name), with_(solution_8, **functions), lang=lang)
    assert verdict != "passed"
    assert (en if lang == "en" else ko) in message, message


def test_lab8_training_the_new_head_alone_is_not_enough(solution_8):
    # The fully connected layers learned the digits 0-4: frozen, they hold the new head
    # below the threshold, and the diagnostic says what to train.
    ns: dict = {}
    exec(SOLUTION_8.replace("freeze(source, 7)", "freeze(source, 11)"), ns)
    verdict, message = grade_part(lab8_part("transfer"), ns)
    assert verdict == "wrong" and "fully connected layers" in message, message


# ---- graded in a separate process, as grade_file does (the view of minicnn each lab has)


def submission(tmp_path, name, code):
    path = tmp_path / f"{name}.py"
    path.write_text("# %%\n" + textwrap.dedent(code).strip() + "\n", encoding="utf-8")
    return path


def test_lab8_graded_apart_gives_full_marks_and_names_a_mistake(tmp_path):
    lab = next(lab for lab in ARCHITECTURE_LABS if lab.id == "lab8")
    results = grade_file(lab, submission(tmp_path, lab.stem, SOLUTION_8))
    assert [r.verdict for r in results] == ["passed"] * 4, results
    wrong = SOLUTION_8.replace("    optimizer.zero_grad()\n", "")
    results = {r.part: r for r in grade_file(lab, submission(tmp_path, "wrong", wrong))}
    assert results["fine_tune_step"].points == 0
    assert "zero_grad" in results["fine_tune_step"].diagnostic
    assert results["freeze"].passed and results["replace_head"].passed


LAB7_SOLUTION = solution_code("lab7_inception")


def test_lab7_graded_apart_gives_full_marks_and_blocks_the_reference(tmp_path):
    lab = next(lab for lab in ARCHITECTURE_LABS if lab.id == "lab7")
    results = grade_file(lab, submission(tmp_path, lab.stem, LAB7_SOLUTION))
    assert [r.verdict for r in results] == ["passed"] * 5, results
    cheat = LAB7_SOLUTION + (
        "\n\ndef receptive_field(kernels, strides):\n"
        "    from minicnn.receptive_field import ReceptiveField\n"
        "    return ReceptiveField().size[0]\n"
    )
    results = {r.part: r for r in grade_file(lab, submission(tmp_path, "cheat", cheat))}
    assert results["receptive_field"].points == 0
    assert (
        "minicnn.receptive_field is not available in lab7" in results["receptive_field"].diagnostic
    )


def test_lab7_answers_fitted_to_the_check_cells_do_not_pass_grading(tmp_path):
    # A table of the check cells' cases (seed 0) passes check(); grading draws other cases.
    from minicnn.lab import checker
    from minicnn.lab.grade import part_seed

    part = lab7_part("bottleneck_params")
    table = {
        tuple(case.values()): lab7.reference_bottleneck(**case)
        for case in part.cases(np.random.default_rng(part_seed(0, part)))
    }
    code = f"TABLE = {table!r}\n\ndef bottleneck_params(c_in, r, c_out, k):\n"
    code += "    return TABLE[(c_in, r, c_out, k)]\n"
    namespace: dict = {}
    exec(code, namespace)
    checker("lab7", namespace)("bottleneck_params")  # the check cell is fooled
    lab = next(lab for lab in ARCHITECTURE_LABS if lab.id == "lab7")
    result = {r.part: r for r in grade_file(lab, submission(tmp_path, "table", code))}
    assert result["bottleneck_params"].points == 0  # the grader is not
    assert "KeyError" in result["bottleneck_params"].diagnostic
