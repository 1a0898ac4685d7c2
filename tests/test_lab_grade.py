"""python -m minicnn.lab grade: full marks for the solutions, zero for the untouched
stubs, and each typical mistake costs exactly its part's points, named in the diagnostic.

Every grade runs the student's code in a child process (a few seconds each).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from minicnn.lab import LABS, find_lab, grade_file
from minicnn.lab.__main__ import main
from minicnn.lab.grade import notes
from minicnn.lab.messages import say
from minicnn.lab.source import LANGUAGES, handout_questions, language_source

pytest.importorskip("nbformat", reason="nbformat is in the lab and test extras")
pytest.importorskip("jupytext", reason="jupytext is in the lab and test extras")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = {}
    for lang in LANGUAGES:
        path = tmp_path_factory.mktemp(f"grade_{lang}")
        assert main(["build", "--lang", lang, "--out", str(path)]) == 0
        out[lang] = path
    return out


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("lab", LABS.values(), ids=list(LABS))
def test_solutions_get_full_marks(built, lang, lab, tmp_path, capsys):
    report = tmp_path / "report.json"
    path = built[lang] / "solution" / f"{lab.stem}.ipynb"
    assert main(["grade", lab.id, str(path), "--json", str(report)]) == 0
    out = capsys.readouterr().out
    assert say("total", lang, got=lab.points, best=lab.points) in out
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["score"] == data["max_score"] == lab.points
    assert data["passed"] is True
    assert data["notes"] == [] and "note:" not in out
    assert [p["part"] for p in data["parts"]] == [p.name for p in lab.parts]
    assert all(p["verdict"] == "passed" for p in data["parts"])
    # the written questions are listed for the instructor, outside the score
    written = handout_questions(lab, lang)
    assert data["written"] == [{"question": q, "points": p} for q, p in written.items()]
    assert (
        say(
            "written",
            lang,
            items=", ".join(f"{q} ({p})" for q, p in written.items()),
            points=sum(written.values()),
        )
        in out
    )


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("lab", LABS.values(), ids=list(LABS))
def test_untouched_student_notebooks_get_zero(built, lang, lab, tmp_path, capsys):
    report = tmp_path / "report.json"
    path = built[lang] / "student" / f"{lab.stem}.ipynb"
    assert main(["grade", lab.stem, str(path), "--json", str(report)]) == 1
    assert say("total", lang, got=0, best=lab.points) in capsys.readouterr().out
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["score"] == 0 and data["passed"] is False
    for part in data["parts"]:
        assert part["verdict"] == "not implemented", part
        assert "not implemented" in part["diagnostic"]


def plant(lab_id: str, old: str, new: str, tmp_path):
    """The English solution source of a lab with ``old`` replaced by ``new`` (once)."""
    lab = find_lab(lab_id)
    text = language_source(lab.stem, "en")
    assert text.count(old) == 1, f"the planted bug's anchor must occur once: {old!r}"
    path = tmp_path / f"{lab.stem}.py"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return lab, path


# (lab, part that must fail, original code, buggy code, words the diagnostic must say)
BUGS = {
    "no kernel rotation in dX": (
        "lab2",
        "conv2d_backward",
        "rotated = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)",
        "rotated = w.transpose(1, 0, 2, 3)",
        ["dx is wrong", "rotated by 180"],
    ),
    "dW with the N and K axes mixed": (
        "lab2",
        "conv2d_backward",
        "dw = (dy.transpose(1, 0, 2, 3).reshape(k, -1) @ cols.T)",
        "dw = (dy.reshape(k, -1) @ cols.T)",
        ["dw is wrong", "N and K axes"],
    ),
    "rot180 without swapping the in and out channels": (
        "lab2",
        "conv2d_backward",
        "rotated = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)",
        "rotated = w[:, :, ::-1, ::-1]",
        ["in and out channels must be swapped"],
    ),
    "stride-2 dY not spread out": (
        "lab2",
        "conv2d_backward",
        "    rotated = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)\n",
        "    full = np.pad(dy, ((0, 0), (0, 0), (f - 1, f - 1), (f - 1, f - 1)))\n"
        "    rotated = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)\n",
        ["with stride 2", "spread out"],
    ),
    "SVM counting the correct class": (
        "lab4",
        "multiclass_svm",
        "    margins[rows, labels] = 0\n",
        "",
        ["loss is wrong", "exactly 1 too large"],
    ),
    "pooling gradient sent to every element": (
        "lab3",
        "max_pool2d_backward",
        "+= np.where(argmax == p * k + q, dy, 0)",
        "+= dy",
        ["every element"],
    ),
    "bias gradient averaged (conv)": (
        "lab2",
        "conv2d_backward",
        "db = dy.sum(axis=(0, 2, 3))",
        "db = dy.mean(axis=(0, 2, 3))",
        ["db is wrong", "not a mean"],
    ),
    "bias gradient averaged (linear)": (
        "lab4",
        "linear_backward",
        "return dy @ w, dy.T @ x, dy.sum(axis=0)",
        "return dy @ w, dy.T @ x, dy.mean(axis=0)",
        ["db is averaged over the batch"],
    ),
    "forgotten return": (
        "lab3",
        "relu_backward",
        '    return dy * cache\n    ### END SOLUTION\n\n\n# %%\ncheck("relu_forward")',
        '    dy * cache\n    ### END SOLUTION\n\n\n# %%\ncheck("relu_forward")',
        ["returned None", "forget", "return dx"],
    ),
    "wrong shape": (
        "lab4",
        "linear_backward",
        "return dy @ w, dy.T @ x, dy.sum(axis=0)",
        "return dy @ w, x.T @ dy, dy.sum(axis=0)",
        ["dw has shape", "transposed"],
    ),
    "input changed in place": (
        "lab4",
        "softmax_cross_entropy",
        "shifted = scores - scores.max(axis=1, keepdims=True)",
        "scores -= scores.max(axis=1, keepdims=True)\n    shifted = scores",
        ["changed its argument `scores` in place"],
    ),
    "skip gradient forgotten in the residual block": (
        "lab6",
        "residual_block_backward",
        "return dx_body + g, dw1, db1, dw2, db2",
        "return dx_body, dw1, db1, dw2, db2",
        ["skip path's gradient is missing"],
    ),
    "batch norm backward with constant statistics": (
        "lab6",
        "batch_norm_backward",
        "    if not training:\n        return dy * scale, dgamma, dbeta",
        "    if True:\n        return dy * scale, dgamma, dbeta",
        ["depend on every x"],
    ),
    "a ReLU's backward left out of LeNet-5": (
        "lab5",
        "lenet5_loss",
        "linear_backward(relu_backward(d, r4), f2)",
        "linear_backward(d, f2)",
        ["grads[conv1.weight] is wrong", "reverse order"],
    ),
    "receptive field without the jump": (
        "lab7",
        "receptive_field",
        "        r += (k - 1) * j\n",
        "        r += k - 1\n",
        ["field is wrong", "jump"],
    ),
    "Inception branches out of order": (
        "lab7",
        "inception_forward",
        '        conv_relu(x, "1"),\n',
        "",
        ["y has shape"],
    ),
    "freeze that never unfreezes": (
        "lab8",
        "freeze",
        "        layer.requires_grad_(i >= n)",
        "        if i < n:\n            layer.requires_grad_(False)",
        ["must end up trainable", "requires_grad_(True)"],
    ),
    "fine-tuning step returning the loss after the update": (
        "lab8",
        "fine_tune_step",
        "    optimizer.step()\n    return loss",
        "    optimizer.step()\n    return criterion(model.forward(x), y)",
        ["losses is wrong", "before the step"],
    ),
    "the parameters never updated in the training loop": (
        "lab5",
        "overfit_small_batch",
        "                params[k], velocity[k] = sgd_momentum(",
        "                _, velocity[k] = sgd_momentum(",
        ["training accuracy", "every parameter is updated"],
    ),
    "training on the first batch only": (
        "lab5",
        "train_lenet5",
        "        for i in range(0, len(x), batch_size):",
        "        for i in range(0, batch_size, batch_size):",
        ["held-out digits", "below 93%"],
    ),
    "infinite loop": (
        "lab1",
        "conv_param_count",
        "return (kernel_size * kernel_size * in_channels + 1) * out_channels",
        "while True:\n        pass",
        ["stopped after", "infinite loop"],
    ),
    "syntax error": (
        "lab4",
        "multiclass_svm",
        "return margins.sum() / n, dscores / n",
        "return margins.sum() / n, dscores / n)",
        ["SyntaxError", "multiclass_svm", "was not defined"],
    ),
}


# Parts that use another part's function, and so may fail with it: lab 5's training
# runs the student's loss, and a wrong gradient trains a worse network. (Parts that
# grade the same function, as lab 5's two training parts, may fail together too.)
USES = {"lenet5_loss": {"overfit_small_batch", "train_lenet5"}}


@pytest.mark.parametrize("bug", BUGS, ids=list(BUGS))
def test_a_planted_bug_costs_exactly_its_part(bug, tmp_path):
    lab_id, part, old, new, words = BUGS[bug]
    lab, path = plant(lab_id, old, new, tmp_path)
    results = {r.part: r for r in grade_file(lab, path, part_seconds=5)}
    assert results[part].points == 0, results[part]
    assert results[part].verdict != "passed"
    for word in words:
        assert word in results[part].diagnostic, (word, results[part].diagnostic)
    shared = set(lab.part(part).defines)
    others = [
        r
        for name, r in results.items()
        if name != part
        and name not in USES.get(part, ())
        and not shared & set(lab.part(name).defines)
    ]
    assert all(r.passed and r.points == r.max_points for r in others), others


def test_a_crashing_process_costs_only_the_part_that_crashed(tmp_path):
    lab, path = plant(
        "lab4",
        "return x @ w.T + b, (x, w)",
        "import os\n\n    os._exit(3)",
        tmp_path,
    )
    results = {r.part: r for r in grade_file(lab, path, part_seconds=5)}
    assert results["linear_forward"].verdict == "error"
    assert "process ended while testing this part" in results["linear_forward"].diagnostic
    assert results["softmax_cross_entropy"].passed and results["multiclass_svm"].passed


def test_the_reference_is_out_of_the_students_reach(tmp_path):
    """A student who replaces minicnn's functions only fools their own process."""
    lab, path = plant(
        "lab3",
        "import numpy as np\n",
        "import numpy as np\n\nimport minicnn.functional as F\n\n"
        "F.relu_forward = lambda x: (x, x)\nF.max_pool2d_forward = None\n",
        tmp_path,
    )
    results = grade_file(lab, path, part_seconds=10)
    assert all(r.passed for r in results), results


def test_code_that_reaches_for_the_grader_gets_a_note_for_the_instructor(tmp_path):
    lab, path = plant(
        "lab3",
        "import numpy as np\n",
        "import numpy as np\nimport sys\n\nsys.modules.pop('numpy.linalg', None)\n",
        tmp_path,
    )
    assert any("sys.modules" in note for note in notes(lab, path))


def test_unreadable_files_and_unknown_labs_are_reported(tmp_path, capsys):
    broken = tmp_path / "lab1_conv_forward.ipynb"
    broken.write_text("{ not json", encoding="utf-8")
    results = grade_file(find_lab("lab1"), broken)
    assert all(r.verdict == "error" and "could not read" in r.diagnostic for r in results)
    assert main(["grade", "lab99", str(broken)]) == 2
    assert "no lab called 'lab99'" in capsys.readouterr().err
    assert main(["grade", "lab1", str(tmp_path / "missing.ipynb")]) == 2


def test_dropout_with_cs231n_keep_probability_is_named(tmp_path):
    lab, path = plant(
        "lab3",
        "keep = rng.random(x.shape) >= p\n    mask = keep * (0.0 if p == 1 else 1.0 / (1.0 - p))",
        "keep = rng.random(x.shape) < p\n    mask = keep * (1.0 / p)",
        tmp_path,
    )
    results = {r.part: r for r in grade_file(lab, path, part_seconds=5)}
    for part in ("dropout_forward", "dropout_backward"):  # the backward keeps the forward
        assert results[part].points == 0
        assert "CS231n" in results[part].diagnostic and "DROP" in results[part].diagnostic
    others = [r for name, r in results.items() if not name.startswith("dropout")]
    assert all(r.passed for r in others), others


def test_a_factor_of_two_is_not_blamed_on_a_batch_of_two():
    from minicnn.lab.parts import generic_hint

    want = np.arange(1.0, 7.0).reshape(2, 3)
    assert "batch" not in generic_hint({"x": np.ones((2, 4))}, want / 2, want)
    assert "N = 3" in generic_hint({"x": np.ones((3, 4))}, want / 3, want)
    assert "N = 3" in generic_hint({"x": np.ones((3, 4))}, want * 3, want)


def test_a_korean_lab_is_graded_in_korean(tmp_path, capsys):
    lab = find_lab("lab4")
    text = language_source(lab.stem, "ko")
    path = tmp_path / f"{lab.stem}.py"
    path.write_text(text.replace("    margins[rows, labels] = 0\n", ""), encoding="utf-8")
    assert main(["grade", "lab4", str(path)]) == 1
    out = capsys.readouterr().out
    assert "합계(total): 7/10" in out and "틀림" in out and "정답 클래스까지 더했기" in out
    assert main(["grade", "lab4", str(path), "--lang", "en"]) == 1
    assert "exactly 1 too large" in capsys.readouterr().out


def test_lab5_held_out_digits_stay_in_the_grader():
    """The accuracy part's held-out digits are never sent to the student's process and
    never among the digits it trains on; both sets' labels are renamed alike."""
    part = find_lab("lab5").part("train_lenet5")
    (case,) = part.cases(np.random.default_rng(3))
    assert set(part.sent(case)) == set(case) - {"_x", "_y"}
    train = {image.tobytes() for image in case["x"]}
    assert not any(image.tobytes() in train for image in case["_x"])
    assert len(case["_x"]) == 1000 and len(case["x"]) == 4000
    assert set(case["y"]) == set(case["_y"]) == set(range(10))


def test_lab5_training_on_other_digits_than_the_given_ones_scores_nothing(tmp_path):
    """A train_lenet5 that loads the MNIST sample itself (held-out digits included)
    learns the digits' usual names, not the grader's renamed ones."""
    lab, path = plant(
        "lab5",
        "    params = init_lenet5(rng)\n    velocity",
        '    x, y = mc.data.MNISTSample("train", test_size=1).arrays()\n'
        "    params = init_lenet5(rng)\n    velocity",
        tmp_path,
    )
    results = {r.part: r for r in grade_file(lab, path, part_seconds=5)}
    assert results["train_lenet5"].points == 0
    assert "held-out digits" in results["train_lenet5"].diagnostic
