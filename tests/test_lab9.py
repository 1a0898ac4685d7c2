"""Lab 9's grading: the transposed convolution compared with minicnn's, each typical
mistake named; the convolution written with numpy alone though the lab provides
minicnn's layers; the U-Net judged on what it is and on held-out canvases whose masks
the student's process never receives.

The full solution (a U-Net trained within its budget) is graded by the parametrised
tests of every lab (tests/test_lab_grade.py, tests/test_lab_notebooks.py); these tests
run the parts that need no training, in this process (``checker``) or in the grader's.
"""

from __future__ import annotations

import base64
import io
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest

from minicnn.lab import LabCheckFailed, checker, find_lab, grade_file
from minicnn.lab.grade import part_seed

jupytext = pytest.importorskip("jupytext", reason="jupytext is in the lab and test extras")

SOURCE = Path(__file__).resolve().parents[1] / "labs" / "lab9_unet.py"
LAB = find_lab("lab9")
CHEAP = ("conv_transpose2d_forward", "conv_transpose2d_backward", "build_unet")


def solution(old: str = "", new: str = "") -> dict:
    """The namespace of the lab's solution code cells (check cells left out), with
    ``old`` replaced by ``new`` (it must occur once: a planted mistake)."""
    text = SOURCE.read_text(encoding="utf-8")
    if old:
        assert text.count(old) == 1, f"the planted mistake's anchor must occur once: {old!r}"
        text = text.replace(old, new)
    ns: dict = {}
    for cell in jupytext.reads(text, fmt="py:percent").cells:
        if cell.cell_type == "code" and not cell.source.startswith("check("):
            exec(cell.source, ns)
    return ns


def failure(ns: dict, part: str) -> str:
    with pytest.raises(LabCheckFailed) as err:
        checker("lab9", ns)(part)
    return str(err.value)


@pytest.mark.parametrize("part", CHEAP)
def test_the_solution_passes_the_checks_that_need_no_training(part, capsys):
    checker("lab9", solution())(part)
    assert f"✔ {part}: passed" in capsys.readouterr().out


# (part, solution code, mistake, words the diagnostic must say)
MISTAKES = {
    "kernel rotated": (
        "conv_transpose2d_forward",
        '"nc,cokl->nokl", x[:, :, i, j], w\n',
        '"nc,cokl->nokl", x[:, :, i, j], w[:, :, ::-1, ::-1]\n',
        ["y is wrong", "rotated by 180°"],
    ),
    "padding not cropped": (
        "conv_transpose2d_forward",
        "y = y_full[:, :, p : y_full.shape[2] - p, p : y_full.shape[3] - p]",
        "y = y_full",
        ["y has shape", "crops the output"],
    ),
    "stride ignored": (
        "conv_transpose2d_forward",
        "s, p = stride, padding",
        "s, p = 1, padding",
        ["y has shape", "stride = 2 apart"],
    ),
    "bias forgotten": (
        "conv_transpose2d_forward",
        "return y + b.reshape(1, -1, 1, 1), (x, w, stride, padding)",
        "return y, (x, w, stride, padding)",
        ["y is wrong", "bias is missing"],
    ),
    "dx with the kernel rotated": (
        "conv_transpose2d_backward",
        'np.einsum("nokl,cokl->nc", window, w)',
        'np.einsum("nokl,cokl->nc", window, w[:, :, ::-1, ::-1])',
        ["dx is wrong", "plain convolution of dy"],
    ),
    "db averaged": (
        "conv_transpose2d_backward",
        "return dx, dw, dy.sum(axis=(0, 2, 3))",
        "return dx, dw, dy.mean(axis=(0, 2, 3))",
        ["db is wrong", "not a mean"],
    ),
    "convolutions without padding": (
        "build_unet",
        "return [mc.Conv2D(c_in, c_out, k, padding=k // 2), mc.BatchNorm2D(c_out), mc.ReLU()]",
        "return [mc.Conv2D(c_in, c_out, k), mc.BatchNorm2D(c_out), mc.ReLU()]",
        ["fails on a (2, 1, 48, 48) batch", "Concat", "keeps the size"],
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES, ids=list(MISTAKES))
def test_a_typical_mistake_is_named(mistake):
    part, old, new, words = MISTAKES[mistake]
    message = failure(solution(old, new), part)
    for word in words:
        assert word in message, (word, message)


def test_the_korean_diagnostic_names_the_mistake_too():
    ns = solution(*MISTAKES["kernel rotated"][1:3])
    with pytest.raises(LabCheckFailed) as err:
        checker("lab9", ns, lang="ko")("conv_transpose2d_forward")
    assert "180° 돌린" in str(err.value)


@pytest.mark.parametrize(
    "reach",
    [
        "F.conv_transpose2d_forward(x, w, b, (stride,) * 2, (padding,) * 2)",
        "mc.functional.conv_transpose2d_forward(x, w, b, (stride,) * 2, (padding,) * 2)",
        "(mc.ConvTranspose2D(w.shape[0], w.shape[1], w.shape[2], stride, padding), None)",
    ],
    ids=["functional", "attribute chain", "layer"],
)
def test_the_transposed_convolution_is_written_with_numpy_alone(reach, tmp_path):
    code = f"""
    import minicnn as mc
    import minicnn.functional as F

    def conv_transpose2d_forward(x, w, b, stride=1, padding=0):
        return {reach}
    """
    ns: dict = {}
    exec(textwrap.dedent(code), ns)
    assert "numpy alone" in failure(ns, "conv_transpose2d_forward")
    path = tmp_path / "lab9_unet.py"
    path.write_text("# %%\n" + textwrap.dedent(code), encoding="utf-8")
    results = {r.part: r for r in grade_file(LAB, path, part_seconds=10)}
    result = results["conv_transpose2d_forward"]
    assert result.points == 0 and "numpy alone" in result.diagnostic, result


def train_case(seed: int) -> dict:
    part = LAB.part("train_unet")
    (case,) = part.cases(np.random.default_rng(part_seed(seed, part)))
    return case


# A "network" that looks every test canvas up in a table of answers: here, the check
# cell's held-out masks (seed 0), which the student could have saved from a notebook.
LOOKUP = """
import numpy as np

class Lookup:
    def __init__(self, table):
        self.table = table

    def forward(self, x):
        scores = np.zeros((len(x), 11, *x.shape[2:]))
        for n, image in enumerate(x):
            mask = self.table.get(image.tobytes())
            if mask is not None:
                scores[n][(mask, *np.indices(mask.shape))] = 1
        return scores

    def modules(self):
        return iter([self])

    def eval(self):
        return self
"""


def test_a_table_of_the_check_cells_masks_fails_grading(tmp_path):
    seen = train_case(0)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, images=seen["test_images"], masks=seen["test_masks"])
    code = LOOKUP + textwrap.dedent(
        f"""
        import base64, io
        saved = np.load(io.BytesIO(base64.b64decode({base64.b64encode(buffer.getvalue())!r})))
        TABLE = {{x.tobytes(): m for x, m in zip(saved["images"], saved["masks"])}}

        def train_unet(images, masks):
            return Lookup(TABLE)
        """
    )
    ns: dict = {}
    exec(code, ns)
    checker("lab9", ns)("train_unet")  # the check cell is fooled
    submission = tmp_path / "lab9_unet.py"
    submission.write_text("# %%\n" + code, encoding="utf-8")
    result = {r.part: r for r in grade_file(LAB, submission)}["train_unet"]
    assert result.points == 0 and "held-out canvases" in result.diagnostic, result


def test_the_held_out_masks_never_reach_the_students_process(tmp_path):
    # train_unet looks for the grader's case in its callers' frames: it finds the test
    # images but not their masks, which stay in the grader.
    code = LOOKUP + textwrap.dedent(
        """
        import sys

        def train_unet(images, masks):
            frame, table = sys._getframe(1), {}
            while frame is not None:
                case = frame.f_locals.get("case")
                if isinstance(case, dict) and "test_images" in case:
                    assert "test_masks" not in case, "the grader sent the answers"
                    found = case.get("test_masks", np.zeros((0, 48, 48), int))
                    table = {x.tobytes(): m for x, m in zip(case["test_images"], found)}
                frame = frame.f_back
            return Lookup(table)
        """
    )
    submission = tmp_path / "lab9_unet.py"
    submission.write_text("# %%\n" + code, encoding="utf-8")
    result = {r.part: r for r in grade_file(LAB, submission)}["train_unet"]
    assert result.verdict == "wrong" and "pixel accuracy 0.9" in result.diagnostic, result
    assert "mean IoU 0.08" in result.diagnostic  # background everywhere


def test_a_network_without_a_skip_connection_is_not_a_unet():
    code = textwrap.dedent(
        """
        import minicnn as mc

        def build_unet():
            return mc.Sequential(
                mc.Conv2D(1, 8, 3, padding=1),
                mc.MaxPool2D(2),
                mc.Conv2D(8, 16, 3, padding=1),
                mc.ConvTranspose2D(16, 11, 2, stride=2),
            )
        """
    )
    ns: dict = {}
    exec(code, ns)
    message = failure(ns, "build_unet")
    assert "no skip connection" in message and "mc.Concat" in message


def test_a_network_that_finds_nothing_is_told_its_scores():
    code = textwrap.dedent(
        """
        import minicnn as mc

        def train_unet(images, masks):
            return mc.Sequential(mc.Conv2D(1, 11, 1))  # untrained: one class everywhere
        """
    )
    ns: dict = {}
    exec(code, ns)
    message = failure(ns, "train_unet")
    numbers = re.findall(r"\d\.\d{3}", message)
    assert "pixel accuracy" in message and "mean IoU" in message and len(numbers) >= 3
    assert "0.935" in message and "0.25" in message  # the thresholds


def test_train_cases_hide_the_masks_and_differ_by_seed():
    part = LAB.part("train_unet")
    a, b = train_case(0), train_case(1)
    assert set(part.sent(a)) == {"images", "masks", "test_images"}
    assert a["images"].shape[1:] == (1, 48, 48) and a["test_masks"].shape[1:] == (48, 48)
    assert not np.array_equal(a["test_images"], b["test_images"])
    assert not np.array_equal(a["images"], b["images"])


def test_the_graders_view_has_what_a_unet_needs(tmp_path):
    # minicnn's layers, models, losses and optimisers import others of minicnn's modules:
    # the student's view must hold all of them for a U-Net to be built while graded.
    code = textwrap.dedent(
        """
        import minicnn as mc

        def build_unet():
            mc.manual_seed(0)
            body = mc.Sequential(
                mc.MaxPool2D(2), mc.Conv2D(4, 4, 3, padding=1), mc.ConvTranspose2D(4, 4, 2, stride=2)
            )
            net = mc.Sequential(
                mc.Conv2D(1, 4, 3, padding=1), mc.Concat(mc.Identity(), body), mc.Conv2D(8, 11, 1)
            )
            mc.Adam(net.parameters(), lr=0.01)
            mc.PixelCrossEntropy()(net.forward(np.zeros((1, 1, 8, 8), np.float32)), np.zeros((1, 8, 8), int))
            net.summary((1, 8, 8))
            return net
        """
    )
    path = tmp_path / "lab9_unet.py"
    path.write_text("# %%\nimport numpy as np\n" + code, encoding="utf-8")
    result = {r.part: r for r in grade_file(LAB, path)}["build_unet"]
    assert result.passed, result
